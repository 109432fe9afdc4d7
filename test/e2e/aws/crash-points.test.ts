/**
 * The fault points of DESIGN.md on the AWS path — the functions/ handlers on DynamoDB Local and the SQS
 * emulator, fed by the local stand-ins of Lambda's event sources — each injected while a counter workload
 * runs. Afterwards every counter equals its model and every egress record arrived exactly once.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../runtime/core/envelope.js';
import { awsBackend } from '../../../runtime/aws/aws-backend.js';
import type { SqsRecord } from '../../../runtime/aws/lambda/events.js';
import { decodeMessageBodies, encodeMessageBody } from '../../../runtime/aws/sqs/envelope-body.js';
import { deduplicationIdFor } from '../../../runtime/aws/sqs/fifo-ids.js';
import { asResent } from '../../../runtime/core/envelope.js';
import { useAwsEmulators } from '../../support/emulators.js';
import { counterApp, type ReceivedRecord } from '../../integration/functions/counter-app.js';
import { type StartedApp, startOnEmulators } from '../../integration/functions/support.js';
import * as functions from '../../../functions/index.js';
import { conditionFailed, crash, dyingHandler, FaultPlan, recordFromVersion, recordOf, releaseTo, serverError, throttled, toQueue } from './faults.js';
import { counterWorkload, expectExactlyOnce, faultyClients, post, sendWorkload, settle } from './workload.js';

const emulators = useAwsEmulators();

describe('fault points on the AWS path', () => {
  const prefix = `e-${randomUUID().slice(0, 8)}`;
  const plan = new FaultPlan();
  const received: ReceivedRecord[] = [];
  const sent: Envelope[] = [];
  let skipDelete: (record: SqsRecord) => boolean = () => false;
  let app: StartedApp;
  let queueUrl: string;
  let egressUrl: string;

  beforeAll(async () => {
    app = await startOnEmulators(await counterApp(prefix), emulators(), {
      prefix,
      clients: faultyClients(emulators(), plan),
      // A short visibility timeout: a record whose delete was lost comes back within seconds.
      visibilityTimeoutSeconds: 4,
      functionTimeoutMs: 15_000,
      pollerOptions: (queue) => (queue === 'dispatcher' ? { skipDelete: (record) => skipDelete(record) } : {}),
      factories: { createDispatcher: (options) => dyingHandler(functions.createDispatcher(options)) },
      handlerOptions: {
        backend: (context) => {
          const backend = awsBackend(context);
          return {
            ...backend,
            bus: {
              send: async (messages) => {
                await backend.bus.send(messages);
                sent.push(...messages);
              },
            },
          };
        },
      },
    });
    queueUrl = app.local.resources.queue.url;
    const binding = app.local.resources.egressBindings.get('it/out');
    egressUrl = binding !== undefined && 'queueUrl' in binding ? binding.queueUrl : '';
  });
  afterAll(async () => app?.stop());
  afterEach(() => {
    plan.disarm();
    skipDelete = () => false;
  });

  it('crashBeforeCommit: nothing is written, the messages come again and apply once', async () => {
    const workload = counterWorkload('cbc', 3, 8);
    const rule = plan.arm({ name: 'crash before commit', command: 'PutItemCommand', when: recordOf('it/counter/cbc-'), at: 'before', error: crash, times: 6 });
    await sendWorkload(app, workload);
    await expectExactlyOnce(app, workload, received);
    expect(rule.injected).toBe(6);
  });

  it('crashAfterCommitBeforeAnyRelease: the redelivery releases the committed turn, which is not applied again', async () => {
    const workload = counterWorkload('cac', 3, 8);
    // From the third commit of an address on: turns that fan out and forward, whose messages must still leave.
    const rule = plan.arm({ name: 'crash after commit', command: 'PutItemCommand', when: recordFromVersion('it/counter/cac-', 3), at: 'after', error: crash, times: 6 });
    await sendWorkload(app, workload);
    await expectExactlyOnce(app, workload, received);
    expect(rule.injected).toBe(6);
  });

  it('theInvocationDiesBeforeOrAfterACommit: nothing more happens in it, its whole batch comes back after the visibility timeout', async () => {
    const workload = counterWorkload('die', 3, 8);
    const before = plan.arm({ name: 'dies before commit', command: 'PutItemCommand', when: recordFromVersion('it/counter/die-', 2), at: 'before', error: crash, hard: true, times: 2 });
    const after = plan.arm({ name: 'dies after commit', command: 'PutItemCommand', when: recordFromVersion('it/counter/die-', 4), at: 'after', error: crash, hard: true, times: 2 });
    const release = plan.arm({ name: 'dies releasing', command: 'SendMessageBatchCommand', when: releaseTo(queueUrl, (body) => decodeMessageBodies(body)[0]!), at: 'before', error: crash, hard: true, times: 2 });
    const errors = app.local.pollers.get('dispatcher')!.stats.errors;
    await sendWorkload(app, workload);
    await expectExactlyOnce(app, workload, received);
    expect([before.injected, after.injected, release.injected]).toEqual([2, 2, 2]);
    // Invocations died (two faults may kill one invocation running two groups at once).
    expect(app.local.pollers.get('dispatcher')!.stats.errors - errors).toBeGreaterThan(0);
  });

  it('crashMidRelease: some effects left, the rest leave on the redelivery, none twice', async () => {
    const workload = counterWorkload('cmr', 3, 8);
    // Fans release a message and an egress record at once: one of them fails while the other goes out.
    const egress = plan.arm({ name: 'egress send fails', command: 'SendMessageBatchCommand', when: toQueue(egressUrl), at: 'before', error: crash, times: 4 });
    const bus = plan.arm({ name: 'bus send lost', command: 'SendMessageBatchCommand', when: releaseTo(queueUrl, (body) => decodeMessageBodies(body)[0]!), at: 'before', error: crash, times: 4 });
    await sendWorkload(app, workload);
    await expectExactlyOnce(app, workload, received);
    expect(egress.injected).toBe(4);
    expect(bus.injected).toBe(4);
  });

  it('crashAfterReleaseBeforeTheSqsDelete: the record comes back after its visibility timeout and is dropped as a duplicate', async () => {
    const workload = counterWorkload('crd', 3, 8);
    const skipped = new Set<string>();
    skipDelete = (record) => {
      const envelope = decodeMessageBodies(record.body)[0]!;
      if (!envelope.target.id.startsWith('crd-') || skipped.size >= 6 || skipped.has(envelope.id)) return false;
      skipped.add(envelope.id);
      return true;
    };
    await sendWorkload(app, workload);
    await expectExactlyOnce(app, workload, received);
    expect(skipped.size).toBe(6);
  });

  it('duplicateDelivery: copies within the dedup window, later copies with a fresh dedup id, and retried requests apply once', async () => {
    const workload = counterWorkload('dup', 3, 8);
    await sendWorkload(app, workload);
    await settle(app, workload.model.keys(), received);
    const copies = sent.filter((e) => e.target.id.startsWith('dup-'));
    expect(copies.some((e) => e.origin.kind === 'function')).toBe(true);
    for (const envelope of copies) {
      const copy = asResent(envelope);
      const group = `${envelope.target.typename}/${envelope.target.id}`;
      // Within SQS's 5-minute window: the same deduplication id, dropped by SQS.
      await app.local.clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: encodeMessageBody(copy), MessageGroupId: group, MessageDeduplicationId: deduplicationIdFor(envelope.id) }));
      // Later than the window: a fresh deduplication id, so it reaches the address, which drops it by its dedup marks.
      await app.local.clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: encodeMessageBody(copy), MessageGroupId: group, MessageDeduplicationId: randomUUID() }));
    }
    // Clients retrying requests they already sent (same Idempotency-Key).
    const port = app.local.httpPorts.get('it/api')!;
    for (const [to, commands] of workload.commands) for (const command of commands.slice(0, 3)) await post(port, to, command);
    await expectExactlyOnce(app, workload, received);
  });

  it('dynamoDbThrottling5xxAndConditionalFailure: retried with backoff, nothing lost or doubled', async () => {
    const workload = counterWorkload('ddb', 3, 8);
    const rules = [
      plan.arm({ name: 'load throttled', command: 'GetItemCommand', when: recordOf('it/counter/ddb-'), at: 'before', error: throttled, times: 4 }),
      plan.arm({ name: 'commit throttled', command: 'PutItemCommand', when: recordOf('it/counter/ddb-'), at: 'before', error: throttled, times: 3 }),
      plan.arm({ name: 'commit 5xx', command: 'PutItemCommand', when: recordOf('it/counter/ddb-'), at: 'before', error: serverError, times: 3 }),
      plan.arm({ name: 'commit 5xx after writing', command: 'PutItemCommand', when: recordOf('it/counter/ddb-'), at: 'after', error: serverError, times: 2 }),
      plan.arm({ name: 'conditional failure', command: 'PutItemCommand', when: recordOf('it/counter/ddb-'), at: 'before', error: conditionFailed, times: 3 }),
      plan.arm({
        name: 'ingress key 5xx',
        command: 'PutItemCommand',
        when: (input) => {
          const item = input.Item as Record<string, { S?: string }> | undefined;
          return item?.sk?.S === 'i' && (item.pk?.S ?? '').includes('ddb-');
        },
        at: 'before',
        error: serverError,
        times: 2,
      }),
    ];
    await sendWorkload(app, workload);
    await expectExactlyOnce(app, workload, received);
    expect(Object.fromEntries(rules.map((r) => [r.name, r.injected > 0]))).toEqual(Object.fromEntries(rules.map((r) => [r.name, true])));
  });
});

import { randomUUID } from 'node:crypto';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEngine } from '../../../functions/index.js';
import { awsBackend } from '../../../runtime/aws/aws-backend.js';
import { UNDECODABLE_TYPE, UNROUTABLE_TYPE } from '../../../runtime/aws/lambda/set-aside.js';
import { silentLogger } from '../../../runtime/aws/observability.js';
import { awsOperator } from '../../../runtime/aws/operator.js';
import { SqsDelayScheduler } from '../../../runtime/aws/scheduler/delay-scheduler.js';
import { DynamoDbStateStore } from '../../../runtime/aws/dynamodb/state-store.js';
import { parkedAwsCommand } from '../../../runtime/cli/commands/parked-aws.js';
import { intType } from '../../../runtime/sdk/index.js';
import { clientConfig, useAwsEmulators } from '../../support/emulators.js';
import { type Command, CommandType, counterApp, drainEgress, failing, type ReceivedRecord } from './counter-app.js';
import { eventually, quiescent, type StartedApp, startOnEmulators } from './support.js';

const emulators = useAwsEmulators();

describe('the handlers on the emulators', () => {
  const prefix = `h-${randomUUID().slice(0, 8)}`;
  let app: StartedApp;
  let store: DynamoDbStateStore;
  const received: ReceivedRecord[] = [];
  const scheduled: string[] = [];

  beforeAll(async () => {
    const scheduler = new SchedulerClient(clientConfig(emulators().scheduler));
    scheduler.middlewareStack.add(
      (next, context) => (args) => {
        scheduled.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize' },
    );
    app = await startOnEmulators(await counterApp(prefix), emulators(), {
      prefix,
      clients: { scheduler },
      // Long delays through the Scheduler from 3 s on, firing 1 s ahead, so that the test sees both paths.
      handlerOptions: {
        backend: (context) => ({
          ...awsBackend(context),
          scheduler: new SqsDelayScheduler({
            sqs: context.clients.sqs,
            delayQueueUrl: context.env.delayQueueUrl!,
            shortDelayMaxMs: 3_000,
            leadTimeMs: 1_000,
            longDelays: { client: context.clients.scheduler, delayQueueArn: context.env.delayQueueArn!, roleArn: context.env.schedulerRoleArn!, groupName: context.env.scheduleGroup! },
          }),
        }),
      },
    });
    store = new DynamoDbStateStore({ client: app.local.clients.dynamodb, tableName: app.local.resources.tableName });
  });
  afterAll(async () => app?.stop());
  afterEach(() => failing.clear());

  const api = (name: string, command: Command, key?: string): Promise<Response> =>
    fetch(`http://127.0.0.1:${app.local.httpPorts.get('it/api')}/api/counters/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key !== undefined ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(command),
    });
  const count = async (id: string): Promise<number | undefined> => {
    const value = (await store.load({ typename: 'it/counter', id })).values.get('count');
    return value === undefined ? undefined : intType.deserialize(value.value);
  };
  const countReaches = (id: string, expected: number): Promise<number> =>
    eventually(async () => ((await count(id)) === expected ? expected : undefined), `${id} to count ${expected}`);
  const egressQueue = (): string => {
    const binding = app.local.resources.egressBindings.get('it/out');
    if (binding === undefined || !('queueUrl' in binding)) throw new Error('no egress queue');
    return binding.queueUrl;
  };
  const egressOf = async (ref: string): Promise<ReceivedRecord> =>
    eventually(async () => {
      received.push(...(await drainEgress(app.local.clients.sqs, egressQueue())));
      return received.find((r) => r.ref === ref);
    }, `the egress record of ${ref}`);

  it('routesAnHttpRequestProcessesItAndPublishesItsEgressWithItsIdempotencyKey', async () => {
    const res = await api('alice', { op: 'add', n: 2, ref: 'a1' }, 'a1');
    expect(res.status).toBe(202);
    expect(await countReaches('alice', 2)).toBe(2);
    const record = await egressOf('a1');
    expect(record).toMatchObject({ id: 'alice', count: 2 });
    expect(record.key).toMatch(/^it\/counter\/alice#/);
  });

  it('retriesAFailingMessageAfterTheBackoffAndThenAppliesTheRestInOrder', async () => {
    failing.add('bob');
    await api('bob', { op: 'fail', ref: 'b0' });
    await api('bob', { op: 'add', n: 1, ref: 'b1' });
    const poller = app.local.pollers.get('dispatcher')!;
    await eventually(() => Promise.resolve(poller.stats.failedRecords > 0 ? true : undefined), 'a batch item failure');
    expect(await count('bob')).toBeUndefined();
    failing.clear();
    expect(await countReaches('bob', 1)).toBe(1);
  });

  it('setsAnUndecodableQueueMessageAsideAndSkipClearsIt', async () => {
    await app.local.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: app.local.resources.queue.url, MessageBody: 'garbage!', MessageGroupId: 'bad-group', MessageDeduplicationId: randomUUID() }),
    );
    const operator = awsOperator({ env: app.local.env });
    try {
      const poison = { typename: UNDECODABLE_TYPE, id: 'bad-group' };
      const parked = await eventually(async () => (await operator.parked()).find((p) => p.address.id === 'bad-group'), 'the undecodable message parked');
      expect(parked.info.reason).toContain('is not a statefun-aws envelope');
      await operator.control(poison, 'skip', undefined);
      await eventually(async () => ((await operator.parked()).some((p) => p.address.id === 'bad-group') ? undefined : true), 'the skip');
    } finally {
      operator.close();
    }
  });

  it('ingestsAUserQueueRoutedByAttributeAndSetsUnroutableRecordsAside', async () => {
    const queueUrl = app.local.resources.ingressQueues.get('it/orders')!.url;
    const send = (who: string | undefined, command: Command): Promise<unknown> =>
      app.local.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(command),
          ...(who !== undefined ? { MessageAttributes: { who: { DataType: 'String', StringValue: who } } } : {}),
        }),
      );
    await send('carol', { op: 'add', n: 5, ref: 'c1' });
    await send(undefined, { op: 'add', n: 1, ref: 'nobody' });
    expect(await countReaches('carol', 5)).toBe(5);
    const operator = awsOperator({ env: app.local.env });
    try {
      const parked = await eventually(async () => (await operator.parked()).find((p) => p.address.typename === UNROUTABLE_TYPE), 'the unroutable record parked');
      expect(parked.info.reason).toContain('has no attribute "who"');
    } finally {
      operator.close();
    }
  });

  it('firesShortAndLongDelaysAndHonoursACancellation', async () => {
    await api('dora', { op: 'delay', ms: 1_500, n: 1, ref: 'short' });
    await api('dora', { op: 'delay', ms: 5_000, n: 10, ref: 'long' });
    await api('dora', { op: 'delay', ms: 2_000, n: 100, ref: 'cancelled', token: 't' });
    await api('dora', { op: 'cancel', token: 't' });
    expect(await countReaches('dora', 11)).toBe(11);
    expect(scheduled.filter((c) => c === 'CreateScheduleCommand')).toHaveLength(1);
    // The cancelled fire still comes through the delay queue (SQS cannot take it back): its owner drops it.
    await quiescent(app);
    expect(await count('dora')).toBe(11);
  });

  it('parksOnATerminalFailureAndTheCliReplaysOnceFixed', async () => {
    failing.add('erin');
    await api('erin', { op: 'poison', ref: 'p' });
    await api('erin', { op: 'add', n: 3, ref: 'e1' });
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    const env = { STATEFUN_TABLE_NAME: app.local.env.STATEFUN_TABLE_NAME!, STATEFUN_QUEUE_URL: app.local.env.STATEFUN_QUEUE_URL! };
    const flags = ['--aws', '--table', env.STATEFUN_TABLE_NAME, '--queue-url', env.STATEFUN_QUEUE_URL];
    await eventually(async () => {
      lines.length = 0;
      await parkedAwsCommand(['list', ...flags], io);
      return lines.join('\n').includes('it/counter/erin') ? true : undefined;
    }, 'erin parked');
    await eventually(async () => {
      lines.length = 0;
      await parkedAwsCommand(['show', 'it/counter/erin', ...flags], io);
      return lines.join('\n').includes('2. ') ? true : undefined;
    }, 'both letters');
    expect(lines.join('\n')).toContain('poison p at erin');
    failing.clear();
    expect(await parkedAwsCommand(['replay', 'it/counter/erin', ...flags], io)).toBe(0);
    expect(await countReaches('erin', 3)).toBe(3);
  });

  it('embedsTheEngineInALambdaOnAKinesisStream', async () => {
    const engine = createEmbeddedEngine({ app: await counterApp(prefix), env: app.local.env, clients: app.local.clients, logger: silentLogger, metrics: { publish: () => {} } });
    try {
      const record = (key: string, command: Command, seq: string): KinesisStreamEvent['Records'][number] => ({
        awsRegion: 'us-east-1',
        eventID: `shardId-000000000000:${seq}`,
        eventName: 'aws:kinesis:record',
        eventSource: 'aws:kinesis',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
        eventVersion: '1.0',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/r',
        kinesis: { kinesisSchemaVersion: '1.0', partitionKey: key, sequenceNumber: seq, data: Buffer.from(JSON.stringify(command)).toString('base64'), approximateArrivalTimestamp: Date.now() / 1000 },
      });
      const event: KinesisStreamEvent = { Records: [record('frank', { op: 'add', n: 4, ref: 'k1' }, '1'), record('frank', { op: 'forward', to: 'gina', n: 7, ref: 'k2' }, '2')] };
      const process = () =>
        engine.process(
          event.Records.map((r) => ({
            target: { typename: 'it/counter', id: r.kinesis.partitionKey },
            value: { typename: CommandType.typename, value: Buffer.from(r.kinesis.data, 'base64') },
            idempotencyKey: r.kinesis.sequenceNumber,
          })),
        );
      const first = await process();
      expect(first.failures).toEqual([]);
      expect(first.egress.map((r) => r.key)).toHaveLength(1);
      expect(await count('frank')).toBe(4);
      // The forwarded message went through the FIFO queue and the dispatcher.
      expect(await countReaches('gina', 7)).toBe(7);
      // A retried batch applies nothing twice.
      expect((await process()).failures).toEqual([]);
      expect(await count('frank')).toBe(4);
    } finally {
      await engine.close();
    }
  });
});

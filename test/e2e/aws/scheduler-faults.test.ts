/**
 * Delayed messages under scheduler faults (DESIGN I5): a fire delivered twice (through the delay queue and
 * straight into the owner's group), a fire delivered late, and a fire arriving after its timer was cancelled
 * (short delays cannot be taken back; a long delay's schedule whose delete was lost fires anyway). The owner
 * applies each pending timer once and drops every other fire.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsBackend } from '../../../runtime/aws/aws-backend.js';
import { SqsDelayScheduler } from '../../../runtime/aws/scheduler/delay-scheduler.js';
import { encodeMessageBody } from '../../../runtime/aws/sqs/envelope-body.js';
import { addressKey } from '../../../runtime/core/address.js';
import { timerFireEnvelope } from '../../../runtime/core/envelope.js';
import type { TimerRef } from '../../../runtime/core/record.js';
import { useAwsEmulators } from '../../support/emulators.js';
import { counterApp, type ReceivedRecord } from '../../integration/functions/counter-app.js';
import { eventually, type StartedApp, startOnEmulators } from '../../integration/functions/support.js';
import { FaultPlan } from './faults.js';
import { expectExactlyOnce, faultyClients, Model, sendWorkload, settle } from './workload.js';

const emulators = useAwsEmulators();

describe('scheduler faults', () => {
  const prefix = `s-${randomUUID().slice(0, 8)}`;
  const plan = new FaultPlan();
  const received: ReceivedRecord[] = [];
  const scheduled: TimerRef[] = [];
  /** Timers whose scheduling is held back, to be fired late by the test. */
  let holdBack: (timer: TimerRef) => boolean = () => false;
  const held: TimerRef[] = [];
  let app: StartedApp;

  beforeAll(async () => {
    app = await startOnEmulators(await counterApp(prefix), emulators(), {
      prefix,
      clients: faultyClients(emulators(), plan),
      handlerOptions: {
        backend: (context) => {
          // Long delays from 3 s on go through EventBridge Scheduler (firing 1 s ahead), so both paths are exercised.
          const scheduler = new SqsDelayScheduler({
            sqs: context.clients.sqs,
            delayQueueUrl: context.env.delayQueueUrl!,
            shortDelayMaxMs: 3_000,
            leadTimeMs: 1_000,
            longDelays: { client: context.clients.scheduler, delayQueueArn: context.env.delayQueueArn!, roleArn: context.env.schedulerRoleArn!, groupName: context.env.scheduleGroup! },
          });
          return {
            ...awsBackend(context),
            scheduler: {
              schedule: async (timers) => {
                scheduled.push(...timers);
                const now = timers.filter((t) => !holdBack(t));
                for (const t of timers) if (holdBack(t) && !held.some((h) => h.timerId === t.timerId)) held.push(t);
                await scheduler.schedule(now);
              },
              cancel: (timers) => scheduler.cancel(timers),
            },
          };
        },
      },
    });
  });
  afterAll(async () => app?.stop());
  afterEach(() => {
    plan.disarm();
    holdBack = () => false;
  });

  /** A fire envelope sent again: into the delay queue (the forwarder passes it on) and straight into the owner's group. */
  const fireAgain = async (timer: TimerRef): Promise<void> => {
    const body = encodeMessageBody(timerFireEnvelope(timer.owner, timer.timerId, timer.dueAt));
    await app.local.clients.sqs.send(new SendMessageCommand({ QueueUrl: app.local.resources.delayQueue.url, MessageBody: body }));
    await app.local.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: app.local.resources.queue.url, MessageBody: body, MessageGroupId: addressKey(timer.owner), MessageDeduplicationId: randomUUID() }),
    );
  };

  it('firesTwice: the second fire of a timer is dropped by its owner', async () => {
    const model = new Model();
    for (let i = 0; i < 3; i++) {
      model.send(`twice-${i}`, { op: 'delay', ms: 1_000, n: 1, ref: `twice-${i}:short` });
      model.send(`twice-${i}`, { op: 'delay', ms: 4_000, n: 10, ref: `twice-${i}:long` });
    }
    const workload = model.workload();
    await sendWorkload(app, workload);
    await settle(app, workload.model.keys(), received);
    const timers = scheduled.filter((t) => t.owner.id.startsWith('twice-'));
    expect(timers).toHaveLength(6);
    for (const timer of timers) await fireAgain(timer);
    await expectExactlyOnce(app, workload, received);
  });

  it('firesLate: a fire held back long past its due time applies once when it comes', async () => {
    const model = new Model();
    for (let i = 0; i < 3; i++) model.send(`late-${i}`, { op: 'delay', ms: 500, n: 5, ref: `late-${i}:late` });
    holdBack = (t) => t.owner.id.startsWith('late-');
    const workload = model.workload();
    await sendWorkload(app, workload);
    await eventually(() => Promise.resolve(held.filter((t) => t.owner.id.startsWith('late-')).length === 3 ? true : undefined), 'the held-back timers');
    const early = await settle(app, workload.model.keys(), received);
    expect([...early.counts.values()]).toEqual([undefined, undefined, undefined]);
    // Delivered late, twice for good measure.
    for (const timer of held) await fireAgain(timer);
    await expectExactlyOnce(app, workload, received);
  });

  it('firesAfterACancel: short fires cannot be taken back and a lost schedule delete fires anyway; the owner drops both', async () => {
    const deletes = plan.arm({ name: 'schedule delete lost', command: 'DeleteScheduleCommand', at: 'before', error: 'swallow', times: 10 });
    const model = new Model();
    // The short fires are held back and delivered once the cancellations are committed: fires after a cancel.
    holdBack = (t) => t.owner.id.startsWith('cancel-') && t.dueAt - Date.now() < 3_000;
    for (let i = 0; i < 3; i++) {
      const id = `cancel-${i}`;
      model.send(id, { op: 'add', n: 1, ref: `${id}:add` });
      model.send(id, { op: 'delay', ms: 1_500, n: 100, ref: `${id}:short`, token: 'short' }).unapply(id, 100, `${id}:short`);
      model.send(id, { op: 'delay', ms: 6_000, n: 1000, ref: `${id}:long`, token: 'long' }).unapply(id, 1000, `${id}:long`);
      model.send(id, { op: 'cancel', token: 'short' });
      model.send(id, { op: 'cancel', token: 'long' });
    }
    const workload = model.workload();
    await sendWorkload(app, workload);
    // Wait out the long delay's due time, so that its surviving schedule has fired and been dropped.
    const due = Math.max(...scheduled.filter((t) => t.owner.id.startsWith('cancel-')).map((t) => t.dueAt));
    await eventually(() => Promise.resolve(Date.now() > due + 2_000 ? true : undefined), 'the cancelled timers to come due');
    for (const timer of scheduled.filter((t) => t.owner.id.startsWith('cancel-'))) await fireAgain(timer);
    await expectExactlyOnce(app, workload, received);
    expect(deletes.injected).toBeGreaterThanOrEqual(3);
  });
});

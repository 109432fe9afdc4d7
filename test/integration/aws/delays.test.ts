import { CreateScheduleGroupCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsDelayScheduler } from '../../../runtime/aws/scheduler/delay-scheduler.js';
import { forwardDueFires } from '../../../runtime/aws/scheduler/forwarder.js';
import { scheduleNameFor } from '../../../runtime/aws/scheduler/schedule-name.js';
import type { TimerRef } from '../../../runtime/core/record.js';
import { clientConfig, useAwsEmulators } from '../../support/emulators.js';
import { ROLE_ARN } from '../../support/scheduler-helpers.js';
import { createQueue, receiveBatch, uniqueQueueName } from '../../support/sqs-helpers.js';
import { sqsClient } from './helpers.js';

const emulators = useAwsEmulators();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The two delay paths against the emulators, measuring when each fire becomes due for forwarding (the moment
 * the forwarder would hand it to the FIFO queue): the short path by DelaySeconds on the delay queue, the long
 * path by a Scheduler schedule firing a lead time early into the delay queue, then DelaySeconds for the rest.
 */
describe('delays on the SQS and Scheduler emulators', () => {
  let sqs: SQSClient;
  let scheduler: SchedulerClient;
  let delays: SqsDelayScheduler;
  let delayQueue: { url: string; arn: string };
  const groupName = `delays-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    sqs = sqsClient(emulators());
    scheduler = new SchedulerClient(clientConfig(emulators().scheduler));
    delayQueue = await createQueue(sqs, uniqueQueueName('delays', false));
    await scheduler.send(new CreateScheduleGroupCommand({ Name: groupName }));
    delays = new SqsDelayScheduler({
      sqs,
      delayQueueUrl: delayQueue.url,
      longDelays: { client: scheduler, delayQueueArn: delayQueue.arn, roleArn: ROLE_ARN, groupName },
      shortDelayMaxMs: 3_000,
      leadTimeMs: 2_000,
    });
  });
  afterAll(() => {
    sqs.destroy();
    scheduler.destroy();
  });

  /** Runs the forwarder's decision on the delay queue until every timer is due for forwarding; answers when each was. */
  async function forwardedAt(timers: readonly TimerRef[], timeoutMs: number): Promise<Map<string, number>> {
    const at = new Map<string, number>();
    const deadline = Date.now() + timeoutMs;
    while (at.size < timers.length && Date.now() < deadline) {
      const messages = await receiveBatch(sqs, delayQueue.url, 0);
      const plan = forwardDueFires(messages.map((m) => ({ messageId: m.MessageId!, body: m.Body! })), Date.now());
      for (const f of plan.forward) if (f.envelope.origin.kind === 'timer') at.set(f.envelope.origin.timerId, Date.now());
      if (plan.requeue.length > 0) {
        // What SqsDelayForwarder does: back to the delay queue with the remaining whole seconds.
        await delays.schedule(plan.requeue.map((r) => ({ timerId: r.envelope.origin.kind === 'timer' ? r.envelope.origin.timerId : '', owner: r.envelope.target, dueAt: r.envelope.origin.kind === 'timer' ? r.envelope.origin.dueAt : 0 })));
      }
      if (messages.length === 0) await sleep(20);
    }
    return at;
  }

  it('creates a one-time schedule for a long delay, deleting itself after firing into the delay queue, and fires it on time', async () => {
    const owner = { typename: 'it/owner', id: randomUUID() };
    const timer: TimerRef = { timerId: `it/owner/${owner.id}#k0.1.t0`, owner, dueAt: Date.now() + 6_000 };
    await delays.schedule([timer]);
    await delays.schedule([timer]);
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: scheduleNameFor(timer.timerId), GroupName: groupName }));
    expect(schedule).toMatchObject({ ActionAfterCompletion: 'DELETE', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: delayQueue.arn } });
    expect(schedule.ScheduleExpression).toBe(`at(${new Date(Math.floor((timer.dueAt - 2_000) / 1000) * 1000).toISOString().slice(0, 19)})`);
    const at = await forwardedAt([timer], 15_000);
    const late = at.get(timer.timerId)! - timer.dueAt;
    console.log(`long path (Scheduler emulator, lead 2 s): due for forwarding ${late} ms after its due time`);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(2_500);
  });

  it('deletes the schedule of a cancelled long delay', async () => {
    const owner = { typename: 'it/owner', id: randomUUID() };
    const timer: TimerRef = { timerId: `it/owner/${owner.id}#k0.1.t0`, owner, dueAt: Date.now() + 60_000 };
    await delays.schedule([timer]);
    await delays.cancel([timer]);
    await delays.cancel([timer]);
    const error = await scheduler.send(new GetScheduleCommand({ Name: scheduleNameFor(timer.timerId), GroupName: groupName })).catch((e: unknown) => e);
    expect((error as Error).name).toBe('ResourceNotFoundException');
  });

  it('fires short delays at or after their due time, late by at most the rounding to a second and the polls', async () => {
    const owner = { typename: 'it/owner', id: randomUUID() };
    const start = Date.now();
    const timers: TimerRef[] = [300, 1_000, 1_700, 2_500].map((delay, i) => ({ timerId: `it/owner/${owner.id}#k0.1.t${i}`, owner, dueAt: start + delay }));
    await delays.schedule(timers);
    const at = await forwardedAt(timers, 10_000);
    const lateness = timers.map((t) => at.get(t.timerId)! - t.dueAt);
    console.log(`short path (SQS DelaySeconds): due for forwarding ${lateness.join(', ')} ms after the due times`);
    for (const late of lateness) {
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(2_500);
    }
  });
});

/**
 * The Scheduler emulator on the wall clock, out of process: the run's shared emulator, and one started here with
 * a data directory to show its timers survive a restart of the process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSchedulerEmulator } from '../../../runtime/aws/emulators/index.js';
import { isAlive } from '../../../runtime/aws/emulators/process-group.js';
import { clientConfig, useAwsEmulators } from '../../support/emulators.js';
import { oneTimeSchedule, ROLE_ARN } from '../../support/scheduler-helpers.js';
import { createQueue, drain, receiveBatch, receiveUntil, uniqueQueueName } from '../../support/sqs-helpers.js';

const emulators = useAwsEmulators();

/** The next whole second at least `aheadMs` from now (at() expressions have second resolution). */
function secondsAhead(aheadMs: number): number {
  return Math.ceil((Date.now() + aheadMs) / 1000) * 1000;
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Scheduler emulator on the wall clock', () => {
  let sqs: SQSClient;
  beforeAll(() => {
    sqs = new SQSClient(clientConfig(emulators().sqs));
  });
  afterAll(() => sqs.destroy());

  it('fires into a FIFO queue with its MessageGroupId at or after its time, then deletes itself', async () => {
    const scheduler = new SchedulerClient({ ...clientConfig(emulators().scheduler), maxAttempts: 1 });
    try {
      const queue = await createQueue(sqs, uniqueQueueName('wall', true), { ContentBasedDeduplication: 'true' });
      const dueMs = secondsAhead(1500);
      await scheduler.send(
        new CreateScheduleCommand(
          oneTimeSchedule('wall-clock', dueMs, queue.arn, {
            ActionAfterCompletion: 'DELETE',
            Target: { Arn: queue.arn, RoleArn: ROLE_ARN, Input: 'due <aws.scheduler.scheduled-time>', SqsParameters: { MessageGroupId: 'wall-group' } },
          }),
        ),
      );

      const [message, ...more] = await receiveUntil(sqs, queue.url, 1);
      const deleted = await eventually(() =>
        scheduler.send(new GetScheduleCommand({ Name: 'wall-clock' })).then(
          () => undefined,
          (error: unknown) => error,
        ),
      );

      expect(more).toEqual([]);
      expect(message?.Body).toBe(`due ${new Date(dueMs).toISOString().slice(0, 19)}Z`);
      expect(message?.Attributes?.['MessageGroupId']).toBe('wall-group');
      expect(Number(message?.Attributes?.['SentTimestamp'])).toBeGreaterThanOrEqual(dueMs);
      expect(deleted).toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      scheduler.destroy();
    }
  });

  it('fires a schedule that fell due while its process was stopped once, after a restart on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scheduler-process-'));
    const queue = await createQueue(sqs, uniqueQueueName('restart', true), { ContentBasedDeduplication: 'true' });
    const stops: Array<() => Promise<void>> = [];
    try {
      const first = await spawnSchedulerEmulator({ dataDir, sqsEndpoint: emulators().sqs });
      stops.push(first.stop);
      const client = new SchedulerClient({ ...clientConfig(first.endpoint), maxAttempts: 1 });
      const dueMs = secondsAhead(1500);
      await client.send(
        new CreateScheduleCommand(
          oneTimeSchedule('across-restart', dueMs, queue.arn, {
            Target: { Arn: queue.arn, RoleArn: ROLE_ARN, Input: 'survived', SqsParameters: { MessageGroupId: 'g' } },
          }),
        ),
      );
      client.destroy();
      await first.stop();
      const firstGone = !isAlive(first.pid);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueMs - Date.now() + 200)));
      const whileStopped = await drain(sqs, queue.url);

      const second = await spawnSchedulerEmulator({ dataDir, sqsEndpoint: emulators().sqs });
      stops.push(second.stop);
      const fired = await receiveUntil(sqs, queue.url, 1);
      const again = await receiveBatch(sqs, queue.url, 1);

      expect(firstGone).toBe(true);
      expect(whileStopped).toEqual([]);
      expect(fired.map((m) => m.Body)).toEqual(['survived']);
      expect(again).toEqual([]);
    } finally {
      for (const stop of stops) await stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

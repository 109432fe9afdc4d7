/**
 * Firing of the Scheduler emulator under a manual clock: time is skipped, so these tests are fast and exact.
 * Each test starts its own in-process emulator delivering to the run's shared SQS emulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type CreateScheduleCommandInput,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type LambdaTargetInvocation,
  ManualClock,
  type SchedulerEmulator,
  type SchedulerEmulatorOptions,
  startSchedulerEmulator,
} from '../../../runtime/aws/emulators/index.js';
import { clientConfig, useAwsEmulators } from '../../support/emulators.js';
import { oneTimeSchedule, ROLE_ARN } from '../../support/scheduler-helpers.js';
import { createQueue, drain, uniqueQueueName } from '../../support/sqs-helpers.js';

const emulators = useAwsEmulators();

const T0 = Date.UTC(2030, 0, 1, 0, 0, 0);
const MINUTE = 60_000;
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:on-timer';

describe('Scheduler emulator firing (manual clock)', () => {
  let sqs: SQSClient;
  const running: Array<{ emulator: SchedulerEmulator; client: SchedulerClient }> = [];
  const dirs: string[] = [];

  beforeAll(() => {
    sqs = new SQSClient(clientConfig(emulators().sqs));
  });
  afterEach(async () => {
    for (const { emulator, client } of running.splice(0)) {
      client.destroy();
      await emulator.stop();
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => sqs.destroy());

  async function start(options: Partial<SchedulerEmulatorOptions> & { clock: ManualClock }) {
    const emulator = await startSchedulerEmulator({ sqsEndpoint: emulators().sqs, retryDelayMs: (retry) => retry * 1000, ...options });
    const client = new SchedulerClient({ ...clientConfig(emulator.endpoint), maxAttempts: 1 });
    running.push({ emulator, client });
    return { emulator, client };
  }

  async function fifoQueue(prefix: string, contentBasedDedup = true) {
    return createQueue(sqs, uniqueQueueName(prefix, true), contentBasedDedup ? { ContentBasedDeduplication: 'true' } : {});
  }

  function toQueue(name: string, atMs: number, queueArn: string, overrides: Partial<CreateScheduleCommandInput> = {}) {
    return new CreateScheduleCommand(
      oneTimeSchedule(name, atMs, queueArn, {
        ...overrides,
        Target: { Arn: queueArn, RoleArn: ROLE_ARN, Input: `{"schedule":"${name}"}`, SqsParameters: { MessageGroupId: `group-${name}` }, ...overrides.Target },
      }),
    );
  }

  it('fires not before its time, then once, into the FIFO queue with its MessageGroupId', async () => {
    const clock = new ManualClock(T0);
    const { emulator, client } = await start({ clock });
    const queue = await fifoQueue('fire');
    await client.send(toQueue('tick', T0 + MINUTE, queue.arn));

    clock.advanceTo(T0 + MINUTE - 1);
    await emulator.fireDue();
    const early = await drain(sqs, queue.url);
    clock.advanceTo(T0 + MINUTE);
    await emulator.fireDue();
    clock.advanceTo(T0 + 10 * MINUTE);
    await emulator.fireDue();
    const fired = await drain(sqs, queue.url);

    expect(early).toEqual([]);
    expect(fired.map((m) => [m.Body, m.Attributes?.['MessageGroupId']])).toEqual([['{"schedule":"tick"}', 'group-tick']]);
    expect(emulator.deliveries().map((d) => [d.name, d.outcome, d.startedAtMs])).toEqual([['tick', 'delivered', T0 + MINUTE]]);
  });

  it('keeps a completed schedule with ActionAfterCompletion NONE and deletes it with DELETE', async () => {
    const clock = new ManualClock(T0);
    const { emulator, client } = await start({ clock });
    const queue = await fifoQueue('completion');
    await client.send(toQueue('kept', T0 + MINUTE, queue.arn, { ActionAfterCompletion: 'NONE' }));
    await client.send(toQueue('deleted', T0 + MINUTE, queue.arn, { ActionAfterCompletion: 'DELETE' }));
    const pendingBefore = emulator.inspect('kept')?.run;

    clock.advanceTo(T0 + MINUTE);
    await emulator.fireDue();

    expect(pendingBefore).toEqual({ fireAtMs: T0 + MINUTE, attempts: 0, nextAttemptAtMs: T0 + MINUTE });
    expect((await drain(sqs, queue.url)).map((m) => m.Body).sort()).toEqual(['{"schedule":"deleted"}', '{"schedule":"kept"}']);
    expect(emulator.inspect('kept')).toMatchObject({ completion: { outcome: 'delivered', attempts: 1 } });
    expect(emulator.inspect('kept')?.run).toBeUndefined();
    expect((await client.send(new GetScheduleCommand({ Name: 'kept' }))).State).toBe('ENABLED');
    await expect(client.send(new GetScheduleCommand({ Name: 'deleted' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('never fires a schedule deleted before its time', async () => {
    const clock = new ManualClock(T0);
    const { emulator, client } = await start({ clock });
    const queue = await fifoQueue('cancel');
    await client.send(toQueue('cancelled', T0 + MINUTE, queue.arn));
    await client.send(toQueue('control', T0 + MINUTE, queue.arn));
    await client.send(new DeleteScheduleCommand({ Name: 'cancelled' }));

    clock.advanceTo(T0 + 60 * MINUTE);
    await emulator.fireDue();

    expect((await drain(sqs, queue.url)).map((m) => m.Body)).toEqual(['{"schedule":"control"}']);
    expect(emulator.deliveries().map((d) => d.name)).toEqual(['control']);
  });

  it('never fires a DISABLED schedule, and fires it once enabled again', async () => {
    const clock = new ManualClock(T0);
    const { emulator, client } = await start({ clock });
    const queue = await fifoQueue('disabled');
    const input = oneTimeSchedule('paused', T0 + MINUTE, queue.arn, {
      State: 'DISABLED',
      Target: { Arn: queue.arn, RoleArn: ROLE_ARN, Input: 'paused', SqsParameters: { MessageGroupId: 'g' } },
    });
    await client.send(new CreateScheduleCommand(input));

    clock.advanceTo(T0 + 60 * MINUTE);
    await emulator.fireDue();
    const whileDisabled = await drain(sqs, queue.url);
    await client.send(new UpdateScheduleCommand({ ...input, State: 'ENABLED' }));
    await emulator.fireDue();

    expect(whileDisabled).toEqual([]);
    expect((await drain(sqs, queue.url)).map((m) => m.Body)).toEqual(['paused']);
  });

  it('moves a schedule when its time is updated before it fired', async () => {
    const clock = new ManualClock(T0);
    const { emulator, client } = await start({ clock });
    const queue = await fifoQueue('moved');
    const input = oneTimeSchedule('moved', T0 + MINUTE, queue.arn, {
      Target: { Arn: queue.arn, RoleArn: ROLE_ARN, Input: 'moved', SqsParameters: { MessageGroupId: 'g' } },
    });
    await client.send(new CreateScheduleCommand(input));
    await client.send(new UpdateScheduleCommand(oneTimeSchedule('moved', T0 + 5 * MINUTE, queue.arn, { Target: input.Target })));

    clock.advanceTo(T0 + 4 * MINUTE);
    await emulator.fireDue();
    const atOldTime = await drain(sqs, queue.url);
    clock.advanceTo(T0 + 5 * MINUTE);
    await emulator.fireDue();

    expect(atOldTime).toEqual([]);
    expect((await drain(sqs, queue.url)).map((m) => m.Body)).toEqual(['moved']);
  });

  it('retries a failing delivery with backoff, then dead-letters it with the failure in message attributes', async () => {
    const clock = new ManualClock(T0);
    const { emulator, client } = await start({ clock });
    // Without content-based deduplication a FIFO queue rejects messages that carry no deduplication id, and the
    // Scheduler (like the real one) sends none.
    const target = await fifoQueue('no-dedup', false);
    const dlq = await createQueue(sqs, uniqueQueueName('dlq', false));
    await client.send(
      new CreateScheduleCommand(
        oneTimeSchedule('failing', T0 + MINUTE, target.arn, {
          Target: {
            Arn: target.arn,
            RoleArn: ROLE_ARN,
            Input: 'lost?',
            SqsParameters: { MessageGroupId: 'g' },
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: dlq.arn },
          },
        }),
      ),
    );

    const attemptsAfter = async (ms: number): Promise<number> => {
      clock.advanceTo(ms);
      await emulator.fireDue();
      return emulator.deliveries().length;
    };
    const afterFirst = await attemptsAfter(T0 + MINUTE);
    const beforeBackoff = await attemptsAfter(T0 + MINUTE + 999);
    const afterSecond = await attemptsAfter(T0 + MINUTE + 1000);
    const afterThird = await attemptsAfter(T0 + MINUTE + 3000);
    const afterAll = await attemptsAfter(T0 + 60 * MINUTE);
    const dead = await drain(sqs, dlq.url);

    expect([afterFirst, beforeBackoff, afterSecond, afterThird, afterAll]).toEqual([1, 1, 2, 3, 3]);
    expect(emulator.deliveries().map((d) => d.outcome)).toEqual(['failed', 'failed', 'dead-lettered']);
    expect(await drain(sqs, target.url)).toEqual([]);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.Body).toBe('lost?');
    expect(dead[0]?.MessageAttributes?.['ERROR_CODE']?.StringValue).toBe('SQS.InvalidParameterValue');
    expect(dead[0]?.MessageAttributes?.['RETRY_ATTEMPTS']?.StringValue).toBe('2');
    expect(dead[0]?.MessageAttributes?.['SCHEDULE_ARN']?.StringValue).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/default/failing',
    );
    expect(emulator.inspect('failing')?.completion).toMatchObject({ outcome: 'dead-lettered', attempts: 3 });
  });

  it('gives up once the next retry would exceed MaximumEventAgeInSeconds', async () => {
    const clock = new ManualClock(T0);
    const { emulator, client } = await start({ clock, retryDelayMs: () => 45_000 });
    const target = await fifoQueue('aged', false);
    await client.send(
      new CreateScheduleCommand(
        oneTimeSchedule('aged', T0, target.arn, {
          Target: { Arn: target.arn, RoleArn: ROLE_ARN, SqsParameters: { MessageGroupId: 'g' }, RetryPolicy: { MaximumEventAgeInSeconds: 60 } },
        }),
      ),
    );

    for (let at = T0; at <= T0 + 5 * MINUTE; at += 15_000) {
      clock.advanceTo(at);
      await emulator.fireDue();
    }

    expect(emulator.deliveries().map((d) => [d.outcome, d.startedAtMs - T0])).toEqual([
      ['failed', 0],
      ['dropped', 45_000],
    ]);
  });

  it('delivers to an in-process Lambda handler, retrying while it throws', async () => {
    const clock = new ManualClock(T0);
    const calls: LambdaTargetInvocation[] = [];
    const { emulator, client } = await start({
      clock,
      lambdaTargets: {
        [LAMBDA_ARN]: (invocation) => {
          calls.push(invocation);
          if (calls.length < 3) throw new Error(`flaky ${calls.length}`);
        },
      },
    });
    await client.send(
      new CreateScheduleCommand(
        oneTimeSchedule('to-lambda', T0 + MINUTE, LAMBDA_ARN, {
          ActionAfterCompletion: 'DELETE',
          Target: { Arn: LAMBDA_ARN, RoleArn: ROLE_ARN, Input: '{"attempt":"<aws.scheduler.attempt-number>","at":"<aws.scheduler.scheduled-time>"}' },
        }),
      ),
    );

    for (const at of [T0 + MINUTE, T0 + MINUTE + 1000, T0 + MINUTE + 3000]) {
      clock.advanceTo(at);
      await emulator.fireDue();
    }

    expect(calls.map((c) => [c.attemptNumber, c.payload])).toEqual([
      [1, { attempt: '1', at: '2030-01-01T00:01:00Z' }],
      [2, { attempt: '2', at: '2030-01-01T00:01:00Z' }],
      [3, { attempt: '3', at: '2030-01-01T00:01:00Z' }],
    ]);
    expect(new Set(calls.map((c) => c.executionId)).size).toBe(3);
    expect(calls[0]?.scheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/default/to-lambda');
    expect(emulator.deliveries().map((d) => d.outcome)).toEqual(['failed', 'failed', 'delivered']);
    expect(emulator.inspect('to-lambda')).toBeUndefined();
  });

  it('fires inside a FLEXIBLE window where the policy says (here: at its end)', async () => {
    const clock = new ManualClock(T0);
    const { emulator, client } = await start({ clock, flexibleWindow: 'end' });
    const queue = await fifoQueue('flexible');
    await client.send(toQueue('flex', T0 + MINUTE, queue.arn, { FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 } }));

    clock.advanceTo(T0 + 6 * MINUTE - 1);
    await emulator.fireDue();
    const insideWindow = await drain(sqs, queue.url);
    clock.advanceTo(T0 + 6 * MINUTE);
    await emulator.fireDue();

    expect(insideWindow).toEqual([]);
    expect(await drain(sqs, queue.url)).toHaveLength(1);
  });

  it('reads at() in ScheduleExpressionTimezone: IANA zones and fixed offsets', async () => {
    const clock = new ManualClock(T0 - MINUTE);
    const { emulator, client } = await start({ clock });
    const queue = await fifoQueue('zones');
    // 01:00 in Berlin (UTC+1 in January) and 02:00 at +02:00 are both 00:00 UTC.
    await client.send(toQueue('berlin', 0, queue.arn, { ScheduleExpression: 'at(2030-01-01T01:00:00)', ScheduleExpressionTimezone: 'Europe/Berlin' }));
    await client.send(toQueue('offset', 0, queue.arn, { ScheduleExpression: 'at(2030-01-01T02:00:00)', ScheduleExpressionTimezone: '+02:00' }));

    clock.advanceTo(T0 - 1000);
    await emulator.fireDue();
    const before = await drain(sqs, queue.url);
    clock.advanceTo(T0);
    await emulator.fireDue();

    expect(before).toEqual([]);
    expect((await drain(sqs, queue.url)).map((m) => m.Body).sort()).toEqual(['{"schedule":"berlin"}', '{"schedule":"offset"}']);
  });

  it('fires a schedule created for a time already past at once', async () => {
    const clock = new ManualClock(T0);
    const { emulator, client } = await start({ clock });
    const queue = await fifoQueue('overdue');

    await client.send(toQueue('late', T0 - 10 * MINUTE, queue.arn));
    await emulator.fireDue();

    expect(await drain(sqs, queue.url)).toHaveLength(1);
  });

  it('keeps schedules across a restart with a data directory and fires an overdue one once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scheduler-emulator-'));
    dirs.push(dataDir);
    const clock = new ManualClock(T0);
    const queue = await fifoQueue('durable');
    const first = await start({ clock, dataDir });
    await first.client.send(toQueue('survivor', T0 + MINUTE, queue.arn));
    await first.client.send(toQueue('later', T0 + 60 * MINUTE, queue.arn));
    await first.emulator.stop();

    clock.advanceTo(T0 + 2 * MINUTE);
    const second = await start({ clock, dataDir });
    await second.emulator.fireDue();
    const afterRestart = await drain(sqs, queue.url);
    await second.emulator.stop();
    const third = await start({ clock, dataDir });
    await third.emulator.fireDue();

    expect(afterRestart.map((m) => m.Body)).toEqual(['{"schedule":"survivor"}']);
    expect(await drain(sqs, queue.url)).toEqual([]);
    expect(third.emulator.deliveries()).toEqual([]);
    expect(third.emulator.inspect('survivor')?.completion).toMatchObject({ outcome: 'delivered' });
    expect(third.emulator.inspect('later')?.run).toMatchObject({ fireAtMs: T0 + 60 * MINUTE, attempts: 0 });
  });

  it('refuses a data directory another running emulator holds', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scheduler-emulator-'));
    dirs.push(dataDir);
    const clock = new ManualClock(T0);
    await start({ clock, dataDir });

    await expect(startSchedulerEmulator({ clock, dataDir })).rejects.toThrow(/in use by process/);
  });
});

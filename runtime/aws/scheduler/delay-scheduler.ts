import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { addressKey } from '../../core/address.js';
import { timerFireEnvelope } from '../../core/envelope.js';
import { ValidationError } from '../../core/errors.js';
import type { TimerRef } from '../../core/record.js';
import { type Clock, type DelayScheduler, systemClock } from '../../ports.js';
import { awsErrorName, toDomainError } from '../aws-errors.js';
import type { EntryRetryOptions } from '../entry-retries.js';
import { batches } from '../sqs/batches.js';
import { encodeMessageBody } from '../sqs/envelope-body.js';
import { sendBatch } from '../sqs/send-batch.js';
import { atExpression, scheduleNameFor } from './schedule-name.js';

/** SQS's longest per-message delay. */
export const MAX_DELAY_SECONDS = 900;

export interface LongDelayOptions {
  /** The Scheduler client, built once per container by the caller. */
  readonly client: SchedulerClient;
  /** ARN of the delay queue (the schedules' target). */
  readonly delayQueueArn: string;
  /** Role EventBridge Scheduler assumes to send to the delay queue. */
  readonly roleArn: string;
  /** The app's schedule group. @default 'default' */
  readonly groupName?: string;
}

export interface SqsDelaySchedulerOptions {
  /** The SQS client, built once per container by the caller. */
  readonly sqs: SQSClient;
  /** URL of the standard delay queue that the delay forwarder consumes. */
  readonly delayQueueUrl: string;
  /**
   * EventBridge Scheduler for delays beyond {@link shortDelayMaxMs}.
   * @default - none: long delays hop through the delay queue, 15 minutes per hop (one message and one forwarder
   * run per hop: fine for hours, wasteful for weeks)
   */
  readonly longDelays?: LongDelayOptions;
  /** Delays up to this go straight to the delay queue. At most 15 min (SQS's limit). @default 900_000 */
  readonly shortDelayMaxMs?: number;
  /** A long delay's schedule fires this long before the timer is due; the forwarder waits out the rest. @default 300_000 */
  readonly leadTimeMs?: number;
  /** Schedule API calls in flight at once. @default 8 */
  readonly concurrency?: number;
  readonly retry?: EntryRetryOptions;
  /** @default the system clock */
  readonly clock?: Clock;
}

/**
 * {@link DelayScheduler} over SQS and EventBridge Scheduler (DESIGN I5). The engine keeps pending timers and
 * their payloads in the owner's record and drops fires of timers no longer pending, so a fire carries nothing
 * but `timerFireEnvelope(owner, timerId, dueAt)`, and firing twice is harmless.
 *
 * - **Short path** (due within {@link SqsDelaySchedulerOptions.shortDelayMaxMs}, 15 min): the fire envelope goes
 *   to the standard delay queue with `DelaySeconds = ceil((dueAt - now) / 1 s)`, batched 10 per request. The
 *   delay forwarder (`forwardDueFires`) moves it into the owner's FIFO group once due, or sends it back with the
 *   remaining delay if SQS handed it out early. Precision: never before `dueAt` (by the forwarder's clock);
 *   late by the rounding up to a whole second (< 1 s), SQS's release of delayed messages and the forwarder's
 *   poll (typically well under a second each) and the FIFO hop.
 * - **Long path**: a one-time schedule `sf-<hash of timer id>` in the app's group, `at(dueAt - leadTime)`
 *   (UTC, whole seconds), `FlexibleTimeWindow: OFF`, `ActionAfterCompletion: DELETE`, whose target is the
 *   delay queue with the fire envelope as input — not the FIFO queue, so no content-based dedup is needed.
 *   The forwarder then waits out the remaining minutes with `DelaySeconds`, so long delays reach the same
 *   precision as short ones as long as the Scheduler fires within the lead time (it fires within about a
 *   minute; the default lead is 5). Creating a schedule that exists is a conflict: already scheduled.
 * - A timer due within the short horizon when it is (re-)released takes the short path, whatever its original
 *   delay: a release repeated after a crash never creates a schedule in the past.
 *
 * Cancel: deletes the schedule of timers still more than the lead time away (a missing schedule is fine);
 * closer ones have fired into the delay queue or are short-path messages, which SQS cannot take back —
 * their fires reach the owner, which drops them because the cancellation is committed in its record.
 */
export class SqsDelayScheduler implements DelayScheduler {
  private readonly clock: Clock;
  private readonly shortDelayMaxMs: number;
  private readonly leadTimeMs: number;
  private readonly concurrency: number;
  private readonly groupName: string;

  constructor(private readonly options: SqsDelaySchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.shortDelayMaxMs = options.shortDelayMaxMs ?? MAX_DELAY_SECONDS * 1000;
    this.leadTimeMs = options.leadTimeMs ?? 300_000;
    this.concurrency = options.concurrency ?? 8;
    this.groupName = options.longDelays?.groupName ?? 'default';
    if (!(this.shortDelayMaxMs > 0 && this.shortDelayMaxMs <= MAX_DELAY_SECONDS * 1000)) {
      throw new ValidationError(`shortDelayMaxMs must be more than 0 and at most ${MAX_DELAY_SECONDS * 1000} (15 min), got ${String(options.shortDelayMaxMs)}`);
    }
    if (!(this.leadTimeMs >= 0 && this.leadTimeMs < this.shortDelayMaxMs)) {
      throw new ValidationError(`leadTimeMs must be at least 0 and less than shortDelayMaxMs (${this.shortDelayMaxMs}), got ${String(options.leadTimeMs)}`);
    }
  }

  async schedule(timers: readonly TimerRef[]): Promise<void> {
    if (timers.length === 0) return;
    const now = this.clock.now();
    const long = this.options.longDelays;
    const viaQueue = long === undefined ? timers : timers.filter((t) => t.dueAt - now <= this.shortDelayMaxMs);
    const viaScheduler = long === undefined ? [] : timers.filter((t) => t.dueAt - now > this.shortDelayMaxMs);
    await Promise.all([this.enqueue(viaQueue, now), long === undefined ? undefined : this.inParallel(viaScheduler, (t) => this.createSchedule(long, t))]);
  }

  async cancel(timers: readonly TimerRef[]): Promise<void> {
    const long = this.options.longDelays;
    if (long === undefined || timers.length === 0) return;
    const now = this.clock.now();
    await this.inParallel(
      timers.filter((t) => t.dueAt - now > this.leadTimeMs),
      (t) => this.deleteSchedule(long, t),
    );
  }

  private async enqueue(timers: readonly TimerRef[], now: number): Promise<void> {
    if (timers.length === 0) return;
    const entries = timers.map((t) => {
      const body = encodeMessageBody(timerFireEnvelope(t.owner, t.timerId, t.dueAt));
      return { MessageBody: body, DelaySeconds: delaySecondsUntil(t.dueAt, now), describe: `the fire of timer ${t.timerId}`, bytes: body.length };
    });
    await Promise.all(
      batches(entries).map((batch) =>
        sendBatch(
          this.options.sqs,
          this.options.delayQueueUrl,
          'SQS SendMessageBatch to the delay queue',
          batch.map(({ bytes: _bytes, ...entry }) => entry),
          this.options.retry,
        ),
      ),
    );
  }

  private async createSchedule(long: LongDelayOptions, timer: TimerRef): Promise<void> {
    const name = scheduleNameFor(timer.timerId);
    try {
      await long.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.groupName,
          ScheduleExpression: atExpression(timer.dueAt - this.leadTimeMs),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: `statefun-aws timer ${timer.timerId}`.slice(0, 512),
          Target: {
            Arn: long.delayQueueArn,
            RoleArn: long.roleArn,
            Input: encodeMessageBody(timerFireEnvelope(timer.owner, timer.timerId, timer.dueAt)),
          },
        }),
      );
    } catch (error) {
      // The name is the timer: a conflict means this timer is scheduled already (a release repeated).
      if (error instanceof ConflictException || awsErrorName(error) === 'ConflictException') return;
      throw toDomainError(error, `EventBridge Scheduler CreateSchedule ${name} for timer ${timer.timerId} of ${addressKey(timer.owner)}`);
    }
  }

  private async deleteSchedule(long: LongDelayOptions, timer: TimerRef): Promise<void> {
    const name = scheduleNameFor(timer.timerId);
    try {
      await long.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.groupName }));
    } catch (error) {
      // Never created (a short-path timer), or fired and deleted itself: nothing left to cancel.
      if (error instanceof ResourceNotFoundException || awsErrorName(error) === 'ResourceNotFoundException') return;
      throw toDomainError(error, `EventBridge Scheduler DeleteSchedule ${name} for timer ${timer.timerId} of ${addressKey(timer.owner)}`);
    }
  }

  private async inParallel<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) await run(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
  }
}

/** Whole seconds from `now` until `dueAt`, rounded up (never early), within SQS's 0–900. */
export function delaySecondsUntil(dueAt: number, now: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueAt - now) / 1000)));
}

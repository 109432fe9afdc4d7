import { randomBytes } from 'node:crypto';
import type { EmulatorClock } from './clock.js';
import { DeliveryError } from './delivery-error.js';
import { MinHeap } from './min-heap.js';
import { type Completion, type ScheduleData, scheduleKey } from './model.js';
import type { ScheduleStore } from './schedule-store.js';
import type { Attempt, TargetInvoker } from './targets.js';

/** One delivery attempt as it ended, for tests and diagnostics. */
export interface DeliveryRecord {
  readonly scheduleArn: string;
  readonly name: string;
  readonly groupName: string;
  readonly executionId: string;
  /** 1-based. */
  readonly attemptNumber: number;
  /** The schedule's `at()` time. */
  readonly dueAtMs: number;
  /** Clock time the attempt started. */
  readonly startedAtMs: number;
  /**
   * `delivered`; `failed` (a retry follows); `dead-lettered` (retries spent, sent to the DLQ); `dropped` (retries
   * spent and no DLQ, or the DLQ failed too); `superseded` (delivered or not, the schedule was updated or
   * deleted meanwhile, so the result was not recorded on it).
   */
  readonly outcome: 'delivered' | 'failed' | 'dead-lettered' | 'dropped' | 'superseded';
  readonly error?: string;
}

export interface DispatcherOptions {
  readonly store: ScheduleStore;
  readonly clock: EmulatorClock;
  readonly targets: TargetInvoker;
  /** Delay before retry number `retry` (1 for the first retry). */
  readonly retryDelayMs: (retry: number) => number;
  readonly maxConcurrentDeliveries: number;
  /** How many {@link DeliveryRecord}s to keep. */
  readonly historySize: number;
}

interface Due {
  readonly atMs: number;
  readonly key: string;
  /** The stored record this entry was made for; a newer record (or none) makes the entry stale. */
  readonly record: ScheduleData;
}

/**
 * Fires schedules whose time has come. Every stored schedule with a `run` has one live entry in a min-heap keyed
 * by its next attempt time; the clock wakes the dispatcher for the earliest. Records are replaced on every
 * change, so an entry whose record is no longer the stored one is stale and skipped: an update or delete before
 * the fire cancels it. The outcome of each attempt (completion, next retry, deletion) is stored before the next
 * one is considered, so with a data directory a restart resumes where it stopped; an attempt cut off by a crash
 * is made again (at-least-once).
 */
export class Dispatcher {
  private readonly heap = new MinHeap<Due>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly history: DeliveryRecord[] = [];
  private pumping: Promise<void> | undefined;
  private cancelWake: (() => void) | undefined;
  private wakeAtMs = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {}

  /** Tracks every stored schedule that has a run, and fires the overdue ones. */
  start(): void {
    for (const schedule of this.options.store.schedules()) this.track(schedule);
  }

  /** Arranges for the stored `schedule` to fire (if it has a run); call after every put of a schedule. */
  track(schedule: ScheduleData): void {
    if (this.stopped || schedule.run === undefined) return;
    const due: Due = { atMs: schedule.run.nextAttemptAtMs, key: scheduleKey(schedule.GroupName, schedule.Name), record: schedule };
    this.heap.push(due);
    if (due.atMs <= this.options.clock.now()) void this.pump();
    else if (due.atMs < this.wakeAtMs) this.arm();
  }

  /**
   * Starts every attempt due on the clock now and resolves once they, and any retries that become due by now,
   * have ended.
   */
  fireDue(): Promise<void> {
    return this.pump();
  }

  /** The last delivery attempts, oldest first. */
  deliveries(): readonly DeliveryRecord[] {
    return [...this.history];
  }

  /** Stops firing and waits up to `graceMs` for attempts under way. Their results are not stored. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    this.cancelWake?.();
    this.cancelWake = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
  }

  private pump(): Promise<void> {
    this.pumping ??= this.runPump().finally(() => {
      this.pumping = undefined;
      this.arm();
    });
    return this.pumping;
  }

  private async runPump(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const now = this.options.clock.now();
      while (this.inFlight.size < this.options.maxConcurrentDeliveries) {
        const next = this.heap.peek();
        if (next === undefined || next.atMs > now) break;
        this.heap.pop();
        if (this.options.store.schedule(next.key) === next.record) this.attempt(next.record);
      }
      if (this.inFlight.size === 0) {
        const next = this.heap.peek();
        if (next === undefined || next.atMs > this.options.clock.now()) return;
        continue;
      }
      await Promise.race(this.inFlight);
    }
  }

  private arm(): void {
    if (this.stopped) return;
    while (this.heap.size > 0) {
      const next = this.heap.peek() as Due;
      if (this.options.store.schedule(next.key) === next.record) break;
      this.heap.pop();
    }
    const next = this.heap.peek();
    if (next !== undefined && next.atMs === this.wakeAtMs && this.cancelWake !== undefined) return;
    this.cancelWake?.();
    this.cancelWake = undefined;
    this.wakeAtMs = Number.POSITIVE_INFINITY;
    if (next === undefined) return;
    this.wakeAtMs = next.atMs;
    this.cancelWake = this.options.clock.wakeAt(next.atMs, () => {
      this.cancelWake = undefined;
      this.wakeAtMs = Number.POSITIVE_INFINITY;
      void this.pump();
    });
  }

  private attempt(schedule: ScheduleData): void {
    const run = schedule.run;
    if (run === undefined) return;
    const attempt: Attempt = { schedule, executionId: randomBytes(8).toString('hex'), attemptNumber: run.attempts + 1 };
    const startedAtMs = this.options.clock.now();
    const settled: Promise<void> = this.options.targets
      .deliver(attempt)
      .then(
        () => undefined,
        (error: unknown) => (error instanceof DeliveryError ? error : new DeliveryError('Scheduler.InternalError', String(error), { cause: error })),
      )
      .then((error) => this.settle(attempt, startedAtMs, error))
      .catch((error: unknown) => this.record(attempt, startedAtMs, 'dropped', `emulator failed to record the attempt: ${String(error)}`))
      .finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
  }

  private async settle(attempt: Attempt, startedAtMs: number, error: DeliveryError | undefined): Promise<void> {
    const { schedule } = attempt;
    const key = scheduleKey(schedule.GroupName, schedule.Name);
    if (this.stopped || this.options.store.schedule(key) !== schedule) {
      this.record(attempt, startedAtMs, 'superseded', error?.message);
      return;
    }
    const now = this.options.clock.now();
    const run = schedule.run;
    if (run === undefined) return;
    if (error === undefined) {
      this.record(attempt, startedAtMs, 'delivered');
      this.complete(schedule, { outcome: 'delivered', atMs: now, attempts: attempt.attemptNumber });
      return;
    }

    const retry = attempt.attemptNumber; // retries made so far: attemptNumber - 1; the next is number attemptNumber
    const nextAttemptAtMs = now + Math.max(0, this.options.retryDelayMs(retry));
    const { MaximumRetryAttempts, MaximumEventAgeInSeconds } = schedule.Target.RetryPolicy;
    if (retry <= MaximumRetryAttempts && nextAttemptAtMs <= run.fireAtMs + MaximumEventAgeInSeconds * 1000) {
      this.record(attempt, startedAtMs, 'failed', `${error.code}: ${error.message}`);
      const next: ScheduleData = { ...schedule, run: { ...run, attempts: attempt.attemptNumber, nextAttemptAtMs } };
      this.options.store.putSchedule(next);
      this.track(next);
      return;
    }

    let outcome: 'dead-lettered' | 'dropped' = 'dropped';
    let cause = `${error.code}: ${error.message}`;
    if (schedule.Target.DeadLetterConfig?.Arn !== undefined) {
      try {
        await this.options.targets.deadLetter(attempt, error);
        outcome = 'dead-lettered';
      } catch (dlqError) {
        cause += `; the dead-letter queue failed too: ${(dlqError as Error).message}`;
      }
      if (this.stopped || this.options.store.schedule(key) !== schedule) {
        this.record(attempt, startedAtMs, 'superseded', cause);
        return;
      }
    }
    this.record(attempt, startedAtMs, outcome, cause);
    this.complete(schedule, { outcome, atMs: this.options.clock.now(), attempts: attempt.attemptNumber, error: cause });
  }

  /** A one-time schedule is done: deleted with ActionAfterCompletion DELETE, else kept without a run. */
  private complete(schedule: ScheduleData, completion: Completion): void {
    if (schedule.ActionAfterCompletion === 'DELETE') {
      this.options.store.deleteSchedule(scheduleKey(schedule.GroupName, schedule.Name));
      return;
    }
    const { run: _finished, ...rest } = schedule;
    this.options.store.putSchedule({ ...rest, completion });
  }

  private record(attempt: Attempt, startedAtMs: number, outcome: DeliveryRecord['outcome'], error?: string): void {
    const { schedule } = attempt;
    this.history.push({
      scheduleArn: schedule.Arn,
      name: schedule.Name,
      groupName: schedule.GroupName,
      executionId: attempt.executionId,
      attemptNumber: attempt.attemptNumber,
      dueAtMs: schedule.dueAtMs,
      startedAtMs,
      outcome,
      ...(error === undefined ? {} : { error }),
    });
    if (this.history.length > this.options.historySize) this.history.shift();
  }
}

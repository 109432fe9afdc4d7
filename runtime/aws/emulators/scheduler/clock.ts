/**
 * The time source of the Scheduler emulator. Schedules fire when `now()` has reached their time; the emulator asks
 * to be woken then with `wakeAt`.
 */
export interface EmulatorClock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Calls `wake` once, at or after `atMs` on this clock. Returns a function that cancels the call.
   * Implementations may wake early; the emulator checks `now()` again.
   */
  wakeAt(atMs: number, wake: () => void): () => void;
}

// setTimeout takes at most 2^31-1 ms; longer waits are re-armed.
const MAX_TIMER_MS = 2_147_483_647;

/** The wall clock (`Date.now()`) with `setTimeout`; the timers do not keep the process alive. */
export const systemEmulatorClock: EmulatorClock = {
  now: () => Date.now(),
  wakeAt(atMs, wake) {
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      const delayMs = atMs - Date.now();
      if (delayMs <= 0) {
        timer = undefined;
        wake();
        return;
      }
      timer = setTimeout(arm, Math.min(delayMs, MAX_TIMER_MS));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};

/**
 * A clock that moves only when told, for tests: time is skipped with {@link advanceTo}/{@link advanceBy}, which
 * wakes whoever waits for a time now reached (synchronously). Pair with `SchedulerEmulator.fireDue()` to wait
 * until the fires that became due are delivered.
 *
 * @example
 * const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
 * const scheduler = await startSchedulerEmulator({ clock, sqsEndpoint });
 * // create a schedule at(2030-01-01T00:05:00) …
 * clock.advanceBy(5 * 60_000);
 * await scheduler.fireDue();
 */
export class ManualClock implements EmulatorClock {
  private current: number;
  private readonly waiters = new Set<{ readonly atMs: number; readonly wake: () => void }>();

  constructor(startMs: number) {
    if (!Number.isFinite(startMs)) throw new Error(`ManualClock: start must be epoch milliseconds, got ${String(startMs)}`);
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  wakeAt(atMs: number, wake: () => void): () => void {
    const waiter = { atMs, wake };
    if (atMs <= this.current) {
      queueMicrotask(wake);
      return () => {};
    }
    this.waiters.add(waiter);
    return () => this.waiters.delete(waiter);
  }

  /** Moves the clock to `ms` (never backwards) and wakes the waiters whose time has come, earliest first. */
  advanceTo(ms: number): void {
    if (!Number.isFinite(ms) || ms < this.current) {
      throw new Error(`ManualClock: cannot move from ${this.current} back to ${String(ms)}`);
    }
    this.current = ms;
    const due = [...this.waiters].filter((w) => w.atMs <= ms).sort((a, b) => a.atMs - b.atMs);
    for (const waiter of due) {
      this.waiters.delete(waiter);
      waiter.wake();
    }
  }

  /** Moves the clock forward by `deltaMs` (≥ 0). */
  advanceBy(deltaMs: number): void {
    if (!Number.isFinite(deltaMs) || deltaMs < 0) throw new Error(`ManualClock: advanceBy needs a delta ≥ 0 ms, got ${String(deltaMs)}`);
    this.advanceTo(this.current + deltaMs);
  }
}

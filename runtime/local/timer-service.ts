import type { Clock } from '../ports.js';

/** A clock that can also call back at a given time: the system's, or a virtual one tests move by hand. */
export interface TimerService extends Clock {
  /** Calls `callback` at or after epoch ms `at`; returns a function that cancels it. */
  setTimer(at: number, callback: () => void): () => void;
}

export const systemTimers: TimerService = {
  now: () => Date.now(),
  setTimer(at, callback) {
    const handle = setTimeout(callback, Math.max(0, at - Date.now()));
    return () => clearTimeout(handle);
  },
};

/**
 * Virtual time for tests: nothing happens until {@link VirtualClock.advanceTo} or {@link VirtualClock.advanceBy}
 * moves the clock, which then runs every callback that came due, in time order.
 */
export class VirtualClock implements TimerService {
  private current: number;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, callback: () => void): () => void {
    const id = this.seq++;
    this.pending.set(id, { at, callback });
    if (at <= this.current) queueMicrotask(() => this.runDue());
    return () => this.pending.delete(id);
  }

  /** The time of the earliest pending callback. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const { at } of this.pending.values()) if (next === undefined || at < next) next = at;
    return next;
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  advanceTo(time: number): void {
    if (time > this.current) this.current = time;
    this.runDue();
  }

  private runDue(): void {
    for (;;) {
      let nextId: number | undefined;
      let next: { at: number; callback: () => void } | undefined;
      for (const [id, timer] of this.pending) {
        if (timer.at <= this.current && (next === undefined || timer.at < next.at)) {
          nextId = id;
          next = timer;
        }
      }
      if (next === undefined || nextId === undefined) return;
      this.pending.delete(nextId);
      next.callback();
    }
  }
}

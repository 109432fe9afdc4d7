import { RetryableError, ValidationError } from '../core/errors.js';
import { show } from '../core/typename.js';

/**
 * A cap on remote calls in flight at once (StateFun's `statefun.async.max-per-task`). Callers over the cap
 * wait in line (first come, first served) instead of failing: backpressure. A caller that reaches its
 * deadline while waiting gets a {@link RetryableError}.
 *
 * One limiter is shared by every remote transport of the process ({@link processInFlightLimiter}) unless a
 * transport is given its own.
 */
export class InFlightLimiter {
  private active = 0;
  private highWater = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];

  constructor(private max: number) {
    InFlightLimiter.check(max);
  }

  private static check(max: number): void {
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new ValidationError(`the cap on in-flight remote calls must be a whole number of at least 1, got ${show(max)}`);
    }
  }

  /** The cap. */
  get limit(): number {
    return this.max;
  }

  /** Calls holding a slot now. */
  get inFlight(): number {
    return this.active;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** The most calls ever in flight at once (for tests and metrics). */
  get peak(): number {
    return this.highWater;
  }

  /** Changes the cap; waiting callers are let in at once if it grew. */
  setLimit(max: number): void {
    InFlightLimiter.check(max);
    this.max = max;
    this.drain();
  }

  /**
   * Waits for a slot, then resolves a function that gives it back (call it exactly once).
   *
   * @param deadline epoch ms; waiting past it rejects with a {@link RetryableError}.
   */
  acquire(deadline: number): Promise<() => void> {
    if (this.active < this.max && this.waiting.length === 0) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const entry = {
        grant: () => {
          if (timer !== undefined) clearTimeout(timer);
          resolve(this.take());
        },
      };
      this.waiting.push(entry);
      if (Number.isFinite(deadline)) {
        timer = setTimeout(() => {
          const at = this.waiting.indexOf(entry);
          if (at < 0) return;
          this.waiting.splice(at, 1);
          reject(new RetryableError(`no remote call slot became free before the deadline (${this.max} calls in flight, ${this.waiting.length} more waiting)`));
        }, Math.max(0, deadline - Date.now()));
      }
    });
  }

  private take(): () => void {
    this.active++;
    if (this.active > this.highWater) this.highWater = this.active;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  private drain(): void {
    while (this.active < this.max && this.waiting.length > 0) this.waiting.shift()!.grant();
  }
}

/**
 * The process-wide cap, 1,024 calls by default (the value StateFun's documentation gives for
 * `statefun.async.max-per-task`). Change it with `processInFlightLimiter.setLimit(n)`.
 */
export const processInFlightLimiter = new InFlightLimiter(1024);

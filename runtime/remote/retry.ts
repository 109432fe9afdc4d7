import { describeError, isStatefunError, RetryableError } from '../core/errors.js';

/**
 * Retrying one remote call inside its budget, as StateFun's transports do: exponential backoff between
 * attempts, no attempt started that could not finish before the deadline.
 */

/** Backoff between attempts of one call. */
export interface BackoffOptions {
  /** Wait before the second attempt, in milliseconds. @default 10 (StateFun's initial backoff) */
  readonly initialBackoffMs?: number;
  /** Longest wait between two attempts, in milliseconds. @default 1000 */
  readonly maxBackoffMs?: number;
  /** Factor applied to the wait after each failed attempt. @default 2 */
  readonly multiplier?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = Object.freeze({ initialBackoffMs: 10, maxBackoffMs: 1000, multiplier: 2 });

/** An attempt is not started with less than this left: it could not do anything useful. */
export const MIN_ATTEMPT_MS = 5;

export interface RetryContext {
  /** Epoch ms by which the call must be over, attempts and waits included. */
  readonly deadline: number;
  /** Names the call in the final error, e.g. `POST http://fn:8000/greeter for example/greeter`. */
  readonly describe: string;
  readonly backoff?: BackoffOptions;
  /** When it returns true (e.g. the transport was closed), no further attempt is made. */
  readonly stopped?: () => boolean;
  /** Clock and sleep, replaceable in tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it resolves. A {@link TerminalError} or {@link ValidationError} from an attempt is
 * passed on at once; any other failure is retried after a backoff (at least the attempt's `retryAfterMs`,
 * if it asked for one) as long as the budget allows, then reported as a {@link RetryableError} that names
 * the number of attempts, the last failure (its cause) and the first one when it differs.
 *
 * @param attempt gets the number of the attempt (1 for the first) and the deadline it must keep.
 */
export async function withRetries<T>(attempt: (n: number, deadline: number) => Promise<T>, context: RetryContext): Promise<T> {
  const now = context.now ?? Date.now;
  const sleep = context.sleep ?? defaultSleep;
  const { initialBackoffMs, maxBackoffMs, multiplier } = { ...DEFAULT_BACKOFF, ...context.backoff };
  const started = now();
  let backoff = initialBackoffMs;
  let first: string | undefined;
  for (let n = 1; ; n++) {
    if (context.deadline - now() < MIN_ATTEMPT_MS) {
      throw new RetryableError(`${context.describe}: no time left for an attempt (budget spent before attempt ${n})`);
    }
    try {
      return await attempt(n, context.deadline);
    } catch (error) {
      if (isStatefunError(error, 'terminal') || isStatefunError(error, 'validation')) throw error;
      const cause = describeError(error);
      first ??= cause;
      const asked = isStatefunError(error, 'retryable') ? (error as RetryableError).retryAfterMs : undefined;
      // Equal jitter: between half and all of the backoff, so that callers failing together spread out.
      const wait = Math.max(Math.round(backoff / 2 + Math.random() * (backoff / 2)), asked ?? 0);
      const left = context.deadline - now();
      if (left - wait < MIN_ATTEMPT_MS || context.stopped?.() === true) {
        // The last attempt may only have had the end of the budget; the first failure tells more then.
        const before = first !== cause ? ` (first failure: ${first})` : '';
        throw new RetryableError(
          `${context.describe} failed after ${n} attempt${n === 1 ? '' : 's'} in ${now() - started} ms: ${cause}${before}`,
          { cause: error, ...(asked !== undefined ? { retryAfterMs: asked } : {}) },
        );
      }
      await sleep(wait);
      backoff = Math.min(maxBackoffMs, backoff * multiplier);
    }
  }
}

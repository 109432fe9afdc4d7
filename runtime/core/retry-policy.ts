import { describeError, isStatefunError, RetryableError } from './errors.js';

/**
 * How a failing message is retried before its address is parked (DESIGN I7): exponential backoff from
 * `initialBackoffMs`, times `multiplier` per attempt, capped at `maxBackoffMs`; after `maxAttempts` failed
 * attempts (or at once for a {@link TerminalError} or {@link ValidationError}: a bug retrying cannot fix) the address is parked with the message and the cause.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly multiplier: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 10,
  initialBackoffMs: 1000,
  maxBackoffMs: 5 * 60_000,
  multiplier: 2,
});

export type FailureStep =
  | { readonly kind: 'retry'; readonly afterMs: number; readonly cause: string }
  | { readonly kind: 'park'; readonly cause: string };

/**
 * Decides what follows failed attempt number `attempt` (1 for the first delivery).
 */
export function afterFailure(policy: RetryPolicy, attempt: number, error: unknown): FailureStep {
  const cause = describeError(error);
  if (isStatefunError(error, 'terminal') || isStatefunError(error, 'validation')) return { kind: 'park', cause };
  if (attempt >= policy.maxAttempts) {
    return { kind: 'park', cause: `${cause} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'})` };
  }
  const backoff = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** Math.max(0, attempt - 1));
  const asked = isStatefunError(error, 'retryable') ? (error as RetryableError).retryAfterMs : undefined;
  return { kind: 'retry', afterMs: Math.round(asked !== undefined ? Math.max(asked, 0) : backoff), cause };
}

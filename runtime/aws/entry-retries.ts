import { RetryableError, TerminalError } from '../core/errors.js';

/** One entry of a batch request that AWS did not accept (SQS, SNS, EventBridge and Kinesis answer per entry). */
export interface EntryFailure {
  /** Index of the entry in the list that was sent. */
  readonly index: number;
  readonly code: string;
  readonly message: string | undefined;
  /** True when sending it again cannot help (SQS/SNS `SenderFault`, an invalid entry). */
  readonly permanent: boolean;
}

export interface EntryRetryOptions {
  /** Attempts per entry, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** Wait before the second attempt; doubles after each. @default 50 */
  readonly baseDelayMs?: number;
  /** How to wait (tests pass a fake). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `entries` with `send` (one batch request), then sends again the entries that failed, with backoff,
 * until all are accepted. A permanent failure ends it with a {@link TerminalError} naming the entry; entries
 * still failing after `maxAttempts` with a {@link RetryableError} (the engine then retries the whole release,
 * which is idempotent). Errors of the request itself propagate as `send` throws them.
 *
 * @param describe names an entry in errors, e.g. `message shop/cart/alice#…`
 */
export async function sendWithEntryRetries<T>(
  what: string,
  entries: readonly T[],
  send: (entries: readonly T[]) => Promise<readonly EntryFailure[]>,
  describe: (entry: T) => string,
  options: EntryRetryOptions = {},
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const sleep = options.sleep ?? realSleep;
  let pending = entries;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const failures = await send(pending);
    if (failures.length === 0) return;
    const permanent = failures.find((f) => f.permanent);
    if (permanent !== undefined) {
      throw new TerminalError(`${what}: ${describe(pending[permanent.index]!)} was rejected: ${permanent.code}${permanent.message ? ` (${permanent.message})` : ''}`);
    }
    if (attempt >= maxAttempts) {
      const first = failures[0]!;
      throw new RetryableError(
        `${what}: ${failures.length} of ${pending.length} entries still failing after ${maxAttempts} attempts, ` +
          `e.g. ${describe(pending[first.index]!)}: ${first.code}${first.message ? ` (${first.message})` : ''}`,
      );
    }
    pending = failures.map((f) => pending[f.index]!);
    await sleep(baseDelayMs * 2 ** (attempt - 1));
  }
}

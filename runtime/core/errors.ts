/**
 * The few errors of statefun-aws, named by what happens next.
 *
 * - {@link ValidationError}: a definition, configuration or input is wrong; nothing was done. Fix the input.
 * - {@link TerminalError}: processing a message can never succeed; the address is parked (DESIGN I7), no retry.
 * - {@link RetryableError}: processing failed for a passing reason; it is retried with backoff
 *   (or after `retryAfterMs`), then parked once the retry policy is spent.
 * - {@link VersionConflictError}: a commit lost the single-writer race (I1); the turn is abandoned and
 *   its messages are redelivered to whoever holds the address now.
 *
 * Errors are recognised by a `Symbol.for` brand rather than `instanceof`, because a bundle may load two copies
 * of this module.
 */
const BRAND = Symbol.for('statefun-aws.error');

export type ErrorKind = 'validation' | 'terminal' | 'retryable' | 'version-conflict';

export abstract class StatefunError extends Error {
  abstract readonly kind: ErrorKind;
  readonly [BRAND] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A definition, configuration or input value is invalid. The message names the offending value. */
export class ValidationError extends StatefunError {
  readonly kind = 'validation' as const;
}

/** Processing cannot succeed however often it is tried: the address is parked with this error as the cause. */
export class TerminalError extends StatefunError {
  readonly kind = 'terminal' as const;
}

/** A passing failure: retry, optionally not before `retryAfterMs` has passed. */
export class RetryableError extends StatefunError {
  readonly kind = 'retryable' as const;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: ErrorOptions & { retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A conditional commit found another version than the one the turn read (I1): the writer was fenced off. */
export class VersionConflictError extends StatefunError {
  readonly kind = 'version-conflict' as const;
  constructor(
    readonly addressKey: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `commit for ${addressKey} expected version ${expectedVersion} but found ${actualVersion ?? 'another writer'}`,
      options,
    );
  }
}

/** True when `error` is one of ours (of the given kind, if named), from whichever copy of this module. */
export function isStatefunError(error: unknown, kind?: ErrorKind): error is StatefunError {
  if (typeof error !== 'object' || error === null || !(BRAND in error)) return false;
  return kind === undefined || (error as StatefunError).kind === kind;
}

/** A short, single-line description of any thrown value, for logs and parked-message causes. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}

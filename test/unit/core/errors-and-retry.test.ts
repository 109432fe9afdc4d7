import { describe, expect, it } from 'vitest';
import {
  describeError,
  isStatefunError,
  RetryableError,
  TerminalError,
  ValidationError,
  VersionConflictError,
} from '../../../runtime/core/errors.js';
import { afterFailure, DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../runtime/core/retry-policy.js';

describe('errors', () => {
  it('are recognised by brand, also when thrown by another copy of the module', () => {
    // A second bundle's TerminalError is a different class; only the Symbol.for brand is shared.
    const foreign = Object.assign(new Error('boom'), { [Symbol.for('statefun-aws.error')]: true, kind: 'terminal' });
    expect(isStatefunError(foreign, 'terminal')).toBe(true);
    expect(isStatefunError(foreign, 'retryable')).toBe(false);
    expect(isStatefunError(new Error('plain'))).toBe(false);
    expect(isStatefunError('terminal')).toBe(false);
    expect(isStatefunError(null)).toBe(false);
  });

  it('carry their kind, name and cause', () => {
    const cause = new Error('root');
    const e = new TerminalError('no', { cause });
    expect(e.kind).toBe('terminal');
    expect(e.name).toBe('TerminalError');
    expect(e.cause).toBe(cause);
    expect(new ValidationError('v').kind).toBe('validation');
    expect(new RetryableError('r', { retryAfterMs: 5 }).retryAfterMs).toBe(5);
  });

  it('a version conflict names the address and both versions', () => {
    const e = new VersionConflictError('shop/cart/alice', 3, 4);
    expect(e.kind).toBe('version-conflict');
    expect(e.message).toBe('commit for shop/cart/alice expected version 3 but found 4');
  });

  it('describeError gives one line for anything thrown', () => {
    expect(describeError(new TerminalError('x'))).toBe('TerminalError: x');
    expect(describeError('text')).toBe('text');
    expect(describeError({ code: 1 })).toBe('{"code":1}');
    expect(describeError(undefined)).toBe('undefined');
  });
});

describe('retry policy', () => {
  const policy: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 350, multiplier: 2 };

  it('backs off exponentially from the first failure, capped', () => {
    const waits = [1, 2, 3].map((attempt) => afterFailure(policy, attempt, new Error('x')));
    expect(waits).toEqual([
      { kind: 'retry', afterMs: 100, cause: 'Error: x' },
      { kind: 'retry', afterMs: 200, cause: 'Error: x' },
      { kind: 'retry', afterMs: 350, cause: 'Error: x' },
    ]);
  });

  it('parks after maxAttempts, saying how many', () => {
    expect(afterFailure(policy, 4, new Error('x'))).toEqual({ kind: 'park', cause: 'Error: x (gave up after 4 attempts)' });
    expect(afterFailure({ ...policy, maxAttempts: 1 }, 1, new Error('x'))).toEqual({ kind: 'park', cause: 'Error: x (gave up after 1 attempt)' });
  });

  it('parks a TerminalError or a ValidationError at the first attempt', () => {
    expect(afterFailure(policy, 1, new TerminalError('bad'))).toEqual({ kind: 'park', cause: 'TerminalError: bad' });
    expect(afterFailure(policy, 1, new ValidationError('bad'))).toEqual({ kind: 'park', cause: 'ValidationError: bad' });
  });

  it('honours retryAfterMs of a RetryableError instead of the backoff', () => {
    expect(afterFailure(policy, 1, new RetryableError('later', { retryAfterMs: 5000 }))).toMatchObject({ kind: 'retry', afterMs: 5000 });
    expect(afterFailure(policy, 1, new RetryableError('later', { retryAfterMs: -3 }))).toMatchObject({ kind: 'retry', afterMs: 0 });
  });

  it('defaults to 10 attempts from 1 s doubling up to 5 min', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxAttempts: 10, initialBackoffMs: 1000, maxBackoffMs: 300_000, multiplier: 2 });
    expect(afterFailure(DEFAULT_RETRY_POLICY, 9, new Error('x'))).toMatchObject({ kind: 'retry', afterMs: 256_000 });
    expect(afterFailure(DEFAULT_RETRY_POLICY, 10, new Error('x'))).toMatchObject({ kind: 'park' });
  });
});

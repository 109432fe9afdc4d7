import { describe, expect, it } from 'vitest';
import { isStatefunError, RetryableError, TerminalError } from '../../../runtime/core/errors.js';
import { resolveEndpointOptions } from '../../../runtime/remote/endpoint-options.js';
import { resolveTarget } from '../../../runtime/remote/endpoint-url.js';
import { InFlightLimiter } from '../../../runtime/remote/in-flight-limiter.js';
import { withRetries } from '../../../runtime/remote/retry.js';
import { isRetryableStatus, retryAfterMs } from '../../../runtime/remote/transport.js';

/** A virtual clock for the retry loop: sleeping moves time, nothing waits. */
function virtualTime(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => (now += ms),
    sleeps,
  };
}

async function rejection(call: Promise<unknown>): Promise<Error> {
  return call.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

describe('withRetries', () => {
  it('backs off exponentially (with jitter, between half and all of each step) up to the cap', async () => {
    const time = virtualTime();
    let attempts = 0;
    const result = await withRetries(
      () => (++attempts < 8 ? Promise.reject(new Error('flaky')) : Promise.resolve('ok')),
      { deadline: time.now() + 60_000, describe: 'call', backoff: { initialBackoffMs: 10, maxBackoffMs: 200, multiplier: 2 }, now: time.now, sleep: time.sleep },
    );
    expect(result).toBe('ok');
    const steps = [10, 20, 40, 80, 160, 200, 200];
    expect(time.sleeps).toHaveLength(steps.length);
    time.sleeps.forEach((slept, i) => {
      expect(slept).toBeGreaterThanOrEqual(steps[i]! / 2);
      expect(slept).toBeLessThanOrEqual(steps[i]!);
    });
  });

  it('passes a terminal error on at once', async () => {
    const time = virtualTime();
    let attempts = 0;
    const error = await rejection(withRetries(() => (attempts++, Promise.reject(new TerminalError('404'))), { deadline: time.now() + 60_000, describe: 'call', now: time.now, sleep: time.sleep }));
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect(attempts).toBe(1);
  });

  it('gives up when the next wait would not leave time for an attempt, naming the attempts and the last cause', async () => {
    const time = virtualTime();
    let attempts = 0;
    const error = await rejection(
      withRetries(
        () => {
          attempts++;
          time.advance(30); // every attempt takes 30 ms
          return Promise.reject(new Error(`failure ${attempts}`));
        },
        { deadline: time.now() + 200, describe: 'POST x', now: time.now, sleep: time.sleep },
      ),
    );
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect(error.message).toMatch(new RegExp(`^POST x failed after ${attempts} attempts in \\d+ ms: Error: failure ${attempts} \\(first failure: Error: failure 1\\)$`));
    expect(time.now()).toBeLessThanOrEqual(1_000_000 + 200);
    expect(attempts).toBeGreaterThan(2);
    expect((error.cause as Error).message).toBe(`failure ${attempts}`);
  });

  it('waits at least what a RetryableError asks, and gives up at once, passing the wish on, when the budget cannot', async () => {
    const time = virtualTime();
    let attempts = 0;
    await withRetries(() => (++attempts === 1 ? Promise.reject(new RetryableError('busy', { retryAfterMs: 700 })) : Promise.resolve(1)), {
      deadline: time.now() + 5_000,
      describe: 'call',
      now: time.now,
      sleep: time.sleep,
    });
    expect(time.sleeps).toEqual([700]);

    const error = await rejection(withRetries(() => Promise.reject(new RetryableError('busy', { retryAfterMs: 9_000 })), { deadline: time.now() + 5_000, describe: 'call', now: time.now, sleep: time.sleep }));
    expect((error as RetryableError).retryAfterMs).toBe(9_000);
  });

  it('makes no attempt after the deadline, nor once stopped', async () => {
    const time = virtualTime();
    let attempts = 0;
    const late = await rejection(withRetries(() => (attempts++, Promise.resolve(1)), { deadline: time.now() - 1, describe: 'call', now: time.now, sleep: time.sleep }));
    expect(late.message).toMatch(/no time left for an attempt/);
    expect(attempts).toBe(0);
    const stopped = await rejection(withRetries(() => (attempts++, Promise.reject(new Error('x'))), { deadline: time.now() + 60_000, describe: 'call', now: time.now, sleep: time.sleep, stopped: () => true }));
    expect(isStatefunError(stopped, 'retryable')).toBe(true);
    expect(attempts).toBe(1);
  });
});

describe('InFlightLimiter', () => {
  it('lets callers in first come, first served, as slots free up', async () => {
    const limiter = new InFlightLimiter(2);
    const order: string[] = [];
    const a = await limiter.acquire(Number.POSITIVE_INFINITY);
    const b = await limiter.acquire(Number.POSITIVE_INFINITY);
    const c = limiter.acquire(Number.POSITIVE_INFINITY).then((release) => (order.push('c'), release));
    const d = limiter.acquire(Number.POSITIVE_INFINITY).then((release) => (order.push('d'), release));
    expect([limiter.inFlight, limiter.queued]).toEqual([2, 2]);
    a();
    a(); // releasing twice frees one slot only
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect([limiter.inFlight, limiter.queued, limiter.peak]).toEqual([0, 0, 2]);
  });

  it('a larger cap lets waiting callers in at once', async () => {
    const limiter = new InFlightLimiter(1);
    await limiter.acquire(Number.POSITIVE_INFINITY);
    const waiting = limiter.acquire(Number.POSITIVE_INFINITY);
    limiter.setLimit(2);
    await waiting;
    expect(limiter.inFlight).toBe(2);
    expect(() => limiter.setLimit(0)).toThrow(/at least 1, got 0/);
  });
});

describe('resolveTarget (StateFun urlPathTemplate)', () => {
  it.each([
    ['http://fns:8000/statefun/{function.name}', 'shop/cart', { tls: false, host: 'fns', port: 8000, socketPath: undefined, path: '/statefun/cart' }],
    ['https://fns.example.com/{function.name}?v=1', 'shop/cart', { tls: true, host: 'fns.example.com', port: 443, socketPath: undefined, path: '/cart?v=1' }],
    ['http://[::1]/x', 'shop/cart', { tls: false, host: '::1', port: 80, socketPath: undefined, path: '/x' }],
    ['http+unix:///run/fns.sock/statefun/{function.name}', 'shop/cart', { tls: false, host: 'localhost', port: undefined, socketPath: '/run/fns.sock', path: '/statefun/cart' }],
    ['https+unix:///tmp/a/uds.sock', 'shop/cart', { tls: true, host: 'localhost', port: undefined, socketPath: '/tmp/a/uds.sock', path: '/' }],
    ['http://fns/{function.name}', 'com.example.v2/greeter', { path: '/greeter' }],
  ])('%s for %s', (template, type, expected) => {
    expect(resolveTarget(template, type)).toMatchObject(expected);
  });

  it.each([
    ['ftp://fns/{function.name}', /scheme "ftp" is not supported/],
    ['http+unix:///run/functions/{function.name}', /needs a socket file ending in .sock/],
    ['http+unix://host/fns.sock/x', /three slashes/],
    ['http://user:pw@fns/x', /credentials in the URL are not supported/],
    ['not a url {function.name}', /does not give a valid URL for shop\/cart: "not a url cart"/],
  ])('refuses %s', (template, message) => {
    expect(() => resolveTarget(template, 'shop/cart')).toThrow(message);
  });
});

describe('endpoint options', () => {
  it('fills in StateFun async transport defaults', () => {
    expect(resolveEndpointOptions({ urlPathTemplate: 'http://x/{function.name}' })).toMatchObject({
      callTimeoutMs: 120_000,
      connectTimeoutMs: 20_000,
      readTimeoutMs: 0,
      writeTimeoutMs: 0,
      poolTtlMs: 15_000,
      poolSize: 1024,
      payloadMaxBytes: 33_554_432,
    });
  });

  it('names the endpoint and the bad value', () => {
    expect(() => resolveEndpointOptions({ urlPathTemplate: 'http://x', callTimeoutMs: 0 })).toThrow(/remote endpoint "http:\/\/x": callTimeoutMs must be a whole number above zero, got 0/);
    expect(() => resolveEndpointOptions({ urlPathTemplate: 'http://x', readTimeoutMs: 1.5 })).toThrow(/readTimeoutMs must be a whole number of at least 0, got 1.5/);
    expect(() => resolveEndpointOptions({ urlPathTemplate: 'http://x', retry: { multiplier: 0.5 } })).toThrow(/retry.multiplier must be at least 1/);
    expect(() => resolveEndpointOptions({ urlPathTemplate: '' })).toThrow(/needs a urlPathTemplate/);
  });

  it('classifies statuses as StateFun does, and reads Retry-After', () => {
    expect([500, 503, 599, 408, 409, 420, 429, 499].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 422, 301, 307].some(isRetryableStatus)).toBe(false);
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

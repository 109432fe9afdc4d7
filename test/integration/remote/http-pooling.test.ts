import { afterEach, describe, expect, it } from 'vitest';
import type { InvocationRequest } from '../../../runtime/core/invocation.js';
import { encodeFromFunction } from '../../../runtime/remote/codec.js';
import { InFlightLimiter } from '../../../runtime/remote/in-flight-limiter.js';
import { RemoteFunctionInvoker } from '../../../runtime/remote/remote-invoker.js';
import { stringType } from '../../../runtime/sdk/types.js';
import { type Listener, readBody, sleep, startServer, type TestServer } from './servers.js';

const request = (id: string): InvocationRequest => ({
  target: { typename: 'example/greeter', id },
  state: [],
  invocations: [{ caller: undefined, argument: { typename: stringType.typename, value: stringType.serialize(id) } }],
});
const noEffects = encodeFromFunction({ mutations: [], messages: [], delayed: [], egress: [] });

/** Requests being handled right now by any server of a test, and the most at once. */
const handling = { now: 0, peak: 0 };

const slowly = (ms: number): Listener => (req, res) => {
  handling.now++;
  handling.peak = Math.max(handling.peak, handling.now);
  void readBody(req)
    .then(() => sleep(ms))
    .then(() => {
      handling.now--;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': noEffects.length });
      res.end(noEffects);
    });
};

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  handling.now = 0;
  handling.peak = 0;
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function serve(listener: Listener): Promise<TestServer> {
  const server = await startServer(listener);
  cleanup.push(() => server.close());
  return server;
}

describe('connection reuse and backpressure', () => {
  it('keeps connections alive: sequential calls share one connection', async () => {
    const server = await serve(slowly(0));
    const invoker = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/{function.name}` });
    cleanup.push(() => invoker.close());
    for (let i = 0; i < 20; i++) await invoker.invoke(request(`a${i}`), 5_000);
    expect(server.requests()).toBe(20);
    expect(server.connections()).toBe(1);
  });

  it('opens at most poolSize connections to an endpoint; further calls wait for one', async () => {
    const server = await serve(slowly(30));
    const invoker = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/{function.name}`, poolSize: 2 });
    cleanup.push(() => invoker.close());
    await Promise.all(Array.from({ length: 8 }, (_, i) => invoker.invoke(request(`p${i}`), 5_000)));
    expect(server.requests()).toBe(8);
    expect(server.connections()).toBe(2);
    expect(server.peakActive()).toBe(2);
  });

  it('closes idle pooled connections after poolTtlMs', async () => {
    const server = await serve(slowly(0));
    const invoker = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/{function.name}`, poolTtlMs: 50 });
    cleanup.push(() => invoker.close());
    await invoker.invoke(request('t1'), 5_000);
    await sleep(150);
    await invoker.invoke(request('t2'), 5_000);
    expect(server.connections()).toBe(2);
  });

  it('a call longer than poolTtlMs is not cut off by it', async () => {
    const server = await serve(slowly(200));
    const invoker = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/{function.name}`, poolTtlMs: 50 });
    cleanup.push(() => invoker.close());
    expect((await invoker.invoke(request('long'), 5_000)).kind).toBe('result');
    expect(server.requests()).toBe(1);
  });

  it('never has more calls in flight than the cap, across endpoints, and queues the rest instead of failing them', async () => {
    const limiter = new InFlightLimiter(3);
    const one = await serve(slowly(40));
    const two = await serve(slowly(40));
    const invokers = [one, two].map((s) => new RemoteFunctionInvoker({ urlPathTemplate: `${s.url}/{function.name}`, inFlight: limiter }));
    for (const invoker of invokers) cleanup.push(() => invoker.close());
    let peakQueued = 0;
    const watch = setInterval(() => (peakQueued = Math.max(peakQueued, limiter.queued)), 1);
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => invokers[i % 2]!.invoke(request(`c${i}`), 10_000)));
    clearInterval(watch);
    expect(outcomes.every((o) => o.kind === 'result')).toBe(true);
    expect(limiter.peak).toBe(3);
    expect(handling.peak).toBe(3);
    expect(one.requests() + two.requests()).toBe(12);
    expect(peakQueued).toBeGreaterThan(0);
    expect(limiter.inFlight).toBe(0);
  });

  it('a caller whose deadline passes while waiting for a slot gets a RetryableError and never sends', async () => {
    const limiter = new InFlightLimiter(1);
    const server = await serve(slowly(300));
    const invoker = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/{function.name}`, inFlight: limiter });
    cleanup.push(() => invoker.close());
    const first = invoker.invoke(request('first'), 5_000);
    const second = await invoker.invoke(request('second'), 100).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(second?.message).toMatch(/no remote call slot became free before the deadline/);
    expect((await first).kind).toBe('result');
    expect(server.requests()).toBe(1);
  });
});

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isStatefunError } from '../../../runtime/core/errors.js';
import type { InvocationRequest } from '../../../runtime/core/invocation.js';
import { encodeFromFunction } from '../../../runtime/remote/codec.js';
import type { HttpEndpointOptions } from '../../../runtime/remote/endpoint-options.js';
import { RemoteFunctionInvoker } from '../../../runtime/remote/remote-invoker.js';
import { stringType } from '../../../runtime/sdk/types.js';
import { type Listener, readBody, sleep, startServer, type TestServer } from './servers.js';

const request: InvocationRequest = {
  target: { typename: 'example/greeter', id: 'alice' },
  state: [],
  invocations: [{ caller: undefined, argument: { typename: stringType.typename, value: stringType.serialize('hi') } }],
};
const effects = encodeFromFunction({
  mutations: [],
  messages: [{ target: { typename: 'example/inbox', id: 'alice' }, argument: { typename: stringType.typename, value: stringType.serialize('hello') } }],
  delayed: [],
  egress: [],
});

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function serve(listener: Listener): Promise<TestServer> {
  const server = await startServer(listener);
  cleanup.push(() => server.close());
  return server;
}

function invokerFor(url: string, options: Partial<HttpEndpointOptions> = {}): RemoteFunctionInvoker {
  const invoker = new RemoteFunctionInvoker({ urlPathTemplate: `${url}/{function.name}`, ...options });
  cleanup.push(() => invoker.close());
  return invoker;
}

/** Runs the call and returns what it rejected with (fails the test if it resolved). */
async function failure(call: Promise<unknown>): Promise<Error> {
  const outcome = await call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected the call to fail, it gave ${JSON.stringify(outcome.value)}`);
  return outcome.error as Error;
}

const answer = (status: number, body: Uint8Array | string = effects, headers: Record<string, string> = { 'content-type': 'application/octet-stream' }): Listener =>
  (req, res) => {
    void readBody(req).then(() => {
      res.writeHead(status, headers);
      res.end(body);
    });
  };

describe('HTTP transport: what is retried and what is terminal', () => {
  it('retries 5xx until the function answers, and uses the answer', async () => {
    let calls = 0;
    const server = await serve((req, res) => (++calls <= 2 ? answer(503)(req, res) : answer(200)(req, res)));
    const outcome = await invokerFor(server.url).invoke(request, 5_000);
    expect(calls).toBe(3);
    expect(outcome.kind === 'result' && outcome.messages.length).toBe(1);
  });

  it('an SDK answering 500 all the time is retried inside the call budget, then a RetryableError', async () => {
    const server = await serve(answer(500, 'boom', { 'content-type': 'text/plain' }));
    const started = Date.now();
    const error = await failure(invokerFor(server.url, { callTimeoutMs: 500 }).invoke(request, 5_000));
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect(error.message).toMatch(/failed after \d+ attempts .*answered HTTP 500: "boom"/);
    expect(server.requests()).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it.each([408, 409, 429])('retries HTTP %i', async (status) => {
    let calls = 0;
    const server = await serve((req, res) => (++calls === 1 ? answer(status)(req, res) : answer(200)(req, res)));
    const outcome = await invokerFor(server.url).invoke(request, 5_000);
    expect([calls, outcome.kind]).toEqual([2, 'result']);
  });

  it('waits as long as a 429 asks with Retry-After, and passes it on when the budget cannot wait that long', async () => {
    let calls = 0;
    const server = await serve((req, res) => (++calls === 1 ? answer(429, '', { 'retry-after': '1' })(req, res) : answer(200)(req, res)));
    const started = Date.now();
    await invokerFor(server.url).invoke(request, 5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);

    const busy = await serve(answer(429, '', { 'retry-after': '30' }));
    const error = await failure(invokerFor(busy.url).invoke(request, 5_000));
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect((error as Error & { retryAfterMs?: number }).retryAfterMs).toBe(30_000);
    expect(busy.requests()).toBe(1);
  });

  it('a 404 is terminal at once: one request, the status and the reason in the error', async () => {
    const server = await serve(answer(404, 'no such function', { 'content-type': 'text/plain' }));
    const error = await failure(invokerFor(server.url).invoke(request, 5_000));
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect(error.message).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/greeter \(example\/greeter\): answered HTTP 404: "no such function"; not retried/);
    expect(server.requests()).toBe(1);
  });

  it('a redirect is not followed and is terminal', async () => {
    const server = await serve(answer(307, '', { location: 'http://127.0.0.1:1/elsewhere' }));
    const error = await failure(invokerFor(server.url).invoke(request, 5_000));
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect(error.message).toMatch(/HTTP 307 \(redirect to "http:\/\/127.0.0.1:1\/elsewhere", not followed\)/);
  });

  it('a garbage body is terminal', async () => {
    const server = await serve(answer(200, '<html><body>Welcome to nginx!</body></html>', {}));
    const error = await failure(invokerFor(server.url).invoke(request, 5_000));
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect(error.message).toMatch(/the response of function example\/greeter \(id "alice"\) \(43 bytes\) is not a FromFunction message: invalid wire type/);
    expect(server.requests()).toBe(1);
  });

  it('a 2xx of another content type is terminal; a missing one or one with parameters is accepted', async () => {
    const html = await serve(answer(200, effects, { 'content-type': 'text/html' }));
    const error = await failure(invokerFor(html.url).invoke(request, 5_000));
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect(error.message).toMatch(/answered 200 with content type "text\/html" instead of application\/octet-stream/);

    for (const headers of [{}, { 'content-type': 'Application/Octet-Stream; charset=binary' }]) {
      const server = await serve(answer(200, effects, headers));
      const outcome = await invokerFor(server.url).invoke(request, 5_000);
      expect(outcome.kind).toBe('result');
    }
  });

  it('sends POST with application/octet-stream both ways to the templated path', async () => {
    const seen: unknown[] = [];
    const server = await serve((req, res) => {
      seen.push([req.method, req.url, req.headers['content-type'], req.headers.accept]);
      answer(200)(req, res);
    });
    await invokerFor(`${server.url}/v1`).invoke(request, 5_000);
    expect(seen).toEqual([['POST', '/v1/greeter', 'application/octet-stream', 'application/octet-stream']]);
  });

  it('an empty 200 body means no effects', async () => {
    const server = await serve(answer(200, new Uint8Array(0)));
    const outcome = await invokerFor(server.url).invoke(request, 5_000);
    expect(outcome).toEqual({ kind: 'result', completed: 1, mutations: [], messages: [], delayed: [], egress: [] });
  });
});

describe('HTTP transport: timeouts and deadlines', () => {
  it('a function slower than the call timeout fails with a RetryableError when the budget is spent', async () => {
    const server = await serve((req, res) => {
      void sleep(2_000).then(() => answer(200)(req, res));
    });
    const started = Date.now();
    const error = await failure(invokerFor(server.url, { callTimeoutMs: 300 }).invoke(request, 10_000));
    const took = Date.now() - started;
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect(error.message).toMatch(/no complete answer within \d+ ms/);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_500);
  });

  it("honours the caller's deadline when it ends before the call budget", async () => {
    const server = await serve((req, res) => {
      void sleep(2_000).then(() => answer(200)(req, res));
    });
    const started = Date.now();
    const error = await failure(invokerFor(server.url, { callTimeoutMs: 60_000 }).invoke(request, 250));
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('a read timeout ends an attempt that goes quiet, and the next attempt may succeed', async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      if (++calls === 1) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(effects.subarray(0, 3)); // then silence
        return;
      }
      answer(200)(req, res);
    });
    const started = Date.now();
    const outcome = await invokerFor(server.url, { readTimeoutMs: 150 }).invoke(request, 5_000);
    expect(outcome.kind === 'result' && outcome.messages.length).toBe(1);
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('a read timeout also bounds the wait for the first byte of the answer (okhttp semantics)', async () => {
    const server = await serve((req, res) => {
      void sleep(1_000).then(() => answer(200)(req, res));
    });
    const error = await failure(invokerFor(server.url, { readTimeoutMs: 100, callTimeoutMs: 600 }).invoke(request, 5_000));
    expect(isStatefunError(error, 'retryable')).toBe(true);
    // Without the read timeout the first attempt would have waited out the whole budget.
    expect(server.requests()).toBeGreaterThanOrEqual(2);
  });

  it('a connect timeout ends an attempt whose connection never completes (a TLS handshake that never answers)', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          silent.close(() => resolve());
        }),
    );
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    const error = await failure(invokerFor(`https://127.0.0.1:${port}`, { connectTimeoutMs: 100, callTimeoutMs: 600 }).invoke(request, 5_000));
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect(error.message).toMatch(/could not connect within 100 ms \(connect timeout\)/);
    // Without the connect timeout the first attempt would have hung for the whole budget.
    expect(sockets.length).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('connection refused is retried, then a RetryableError naming the cause', async () => {
    const server = await serve(answer(200));
    const url = server.url;
    await server.close();
    const error = await failure(invokerFor(url, { callTimeoutMs: 200 }).invoke(request, 5_000));
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect(error.message).toMatch(/connection failed \(ECONNREFUSED\)/);
  });
});

describe('HTTP transport: payload limits', () => {
  it('a response over payloadMaxBytes is terminal, whether announced or streamed', async () => {
    const big = new Uint8Array(4096);
    const announced = await serve(answer(200, big, { 'content-type': 'application/octet-stream', 'content-length': String(big.length) }));
    const error = await failure(invokerFor(announced.url, { payloadMaxBytes: 1024 }).invoke(request, 5_000));
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect(error.message).toMatch(/the response of 4096 bytes exceeds payloadMaxBytes \(1024\)/);

    const streamed = await serve((req, res) => {
      void readBody(req).then(() => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(big);
        res.end(big);
      });
    });
    const error2 = await failure(invokerFor(streamed.url, { payloadMaxBytes: 5000 }).invoke(request, 5_000));
    expect(isStatefunError(error2, 'terminal')).toBe(true);
    expect(error2.message).toMatch(/the response exceeds payloadMaxBytes \(5000\) after 8192 bytes/);
  });

  it('a request over payloadMaxBytes is terminal and not sent', async () => {
    const server = await serve(answer(200));
    const huge: InvocationRequest = { ...request, invocations: [{ caller: undefined, argument: { typename: 'x/y', value: new Uint8Array(2048) } }] };
    const error = await failure(invokerFor(server.url, { payloadMaxBytes: 1024 }).invoke(huge, 5_000));
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect(error.message).toMatch(/the request of \d+ bytes exceeds payloadMaxBytes \(1024\)/);
    expect(server.requests()).toBe(0);
  });
});

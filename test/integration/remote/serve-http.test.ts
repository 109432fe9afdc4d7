import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStatefunError } from '../../../runtime/core/errors.js';
import type { InvocationRequest } from '../../../runtime/core/invocation.js';
import { RemoteFunctionInvoker } from '../../../runtime/remote/remote-invoker.js';
import { createRequestReplyListener } from '../../../runtime/remote/serve-http.js';
import { defineFunction } from '../../../runtime/sdk/function.js';
import { intType, stringType } from '../../../runtime/sdk/types.js';
import { valueSpec } from '../../../runtime/sdk/value-spec.js';
import { startServer, type TestServer } from './servers.js';

/** One TypeScript definition, as it also runs embedded. */
const counter = defineFunction({
  typename: 'example/counter',
  specs: { count: valueSpec(intType) },
  handler(ctx, message) {
    const text = message.asString();
    if (text === 'flaky') throw new Error('try again later');
    const count = (ctx.storage.count ?? 0) + 1;
    ctx.storage.count = count;
    ctx.sendAfter({ seconds: 5 }, { to: 'example/counter', id: ctx.self.id, value: 'tick' }, { cancellationToken: 'tick' });
    ctx.sendEgress({ egress: 'example/out', value: `${text} ${count}` });
  },
});

let server: TestServer;
let invoker: RemoteFunctionInvoker;
beforeAll(async () => {
  server = await startServer(createRequestReplyListener([counter], { payloadMaxBytes: 4096 }));
  invoker = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/{function.name}`, callTimeoutMs: 500 });
});
afterAll(async () => {
  await invoker.close();
  await server.close();
});

const request = (text: string, state: InvocationRequest['state']): InvocationRequest => ({
  target: { typename: 'example/counter', id: 'c1' },
  state,
  invocations: [{ caller: undefined, argument: { typename: stringType.typename, value: stringType.serialize(text) } }],
});

describe('a TypeScript function served over HTTP, invoked by RemoteFunctionInvoker', () => {
  it('negotiates its states, then runs and returns its effects', async () => {
    expect(await invoker.invoke(request('hi', []), 5_000)).toEqual({
      kind: 'incomplete',
      missing: [{ name: 'count', typename: intType.typename, expiration: { mode: 'none', ttlMs: 0 } }],
    });
    const outcome = await invoker.invoke(request('hi', [{ name: 'count', typename: intType.typename, value: intType.serialize(41) }]), 5_000);
    expect(outcome).toEqual({
      kind: 'result',
      completed: 1,
      mutations: [{ kind: 'modify', name: 'count', value: { typename: intType.typename, value: intType.serialize(42) } }],
      messages: [],
      delayed: [{ kind: 'delay', delayMs: 5000, target: { typename: 'example/counter', id: 'c1' }, argument: { typename: stringType.typename, value: stringType.serialize('tick') }, cancellationToken: 'tick' }],
      egress: [{ egress: 'example/out', argument: { typename: stringType.typename, value: stringType.serialize('hi 42') } }],
    });
  });

  it('a failing handler is retried (500); a terminal failure is not (422)', async () => {
    const state = [{ name: 'count', typename: intType.typename, value: undefined }];
    let before = server.requests();
    const flaky = await invoker.invoke(request('flaky', state), 5_000).catch((e: unknown) => e);
    expect(isStatefunError(flaky, 'retryable')).toBe(true);
    expect((flaky as Error).message).toMatch(/HTTP 500: "RetryableError: function example\/counter \(id \\"c1\\"\) failed on message #0 of 1: Error: try again later"/);
    expect(server.requests() - before).toBeGreaterThan(1);

    before = server.requests();
    const wrongType = { ...request('x', state), invocations: [{ caller: undefined, argument: { typename: 'x/y', value: new Uint8Array(0) } }] };
    const terminal = await invoker.invoke(wrongType, 5_000).catch((e: unknown) => e);
    expect(isStatefunError(terminal, 'terminal')).toBe(true);
    expect((terminal as Error).message).toMatch(/HTTP 422: .*expected a message of type io.statefun.types\/string, got x\/y"; not retried/);
    expect(server.requests() - before).toBe(1);
  });

  it('answers 405 to other methods and 413 to bodies over its limit', async () => {
    const get = await fetch(`${server.url}/counter`);
    expect(get.status).toBe(405);
    const big = await fetch(`${server.url}/counter`, { method: 'POST', body: new Uint8Array(10_000), headers: { 'content-type': 'application/octet-stream' } });
    expect(big.status).toBe(413);
  });
});

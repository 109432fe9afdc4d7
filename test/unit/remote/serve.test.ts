import { describe, expect, it } from 'vitest';
import { isStatefunError, TerminalError } from '../../../runtime/core/errors.js';
import type { InvocationRequest, StateEntry } from '../../../runtime/core/invocation.js';
import { decodeFromFunction, encodeToFunction } from '../../../runtime/remote/codec.js';
import { createRequestReplyHandler, httpStatusFor } from '../../../runtime/remote/serve.js';
import { createLambdaRequestReplyHandler } from '../../../runtime/remote/serve-lambda.js';
import { defineFunction } from '../../../runtime/sdk/function.js';
import { intType, jsonType, stringType } from '../../../runtime/sdk/types.js';
import { valueSpec } from '../../../runtime/sdk/value-spec.js';

const Greet = jsonType<{ name: string }>('example/Greet');
let ran = 0;
const greeter = defineFunction({
  typename: 'example/greeter',
  specs: { seen: valueSpec(intType), last: valueSpec(stringType, { expireAfterWrite: { minutes: 5 } }) },
  accepts: Greet,
  handler(ctx, message) {
    ran++;
    const { name } = message.as(Greet);
    if (name === 'crash') throw new Error('boom');
    const seen = (ctx.storage.seen ?? 0) + 1;
    ctx.storage.seen = seen;
    ctx.storage.last = name;
    ctx.send({ to: 'example/inbox', id: name, value: `Hello ${name} #${seen}` });
  },
});
const dynamic = defineFunction({
  typename: 'example/dynamic',
  handler(ctx) {
    const visits = ctx.state('visits', valueSpec(intType));
    visits.set((visits.get() ?? 0) + 1);
  },
});

const greet = (name: string) => ({ caller: undefined, argument: { typename: Greet.typename, value: Greet.serialize({ name }) } });
const req = (target: string, state: StateEntry[], names: string[] = ['Ann']): InvocationRequest => ({ target: { typename: target, id: 'a' }, state, invocations: names.map(greet) });
const empty = (name: string): StateEntry => ({ name, typename: '', value: undefined });

const handle = createRequestReplyHandler([greeter, dynamic]);

async function rejection(call: Promise<unknown>): Promise<Error> {
  return call.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

describe('createRequestReplyHandler', () => {
  it('answers IncompleteInvocationContext with every declared state missing, without running user code', async () => {
    ran = 0;
    const request = req('example/greeter', [empty('seen')]);
    const answer = decodeFromFunction(await handle(encodeToFunction(request)), request);
    expect(answer).toEqual({ kind: 'incomplete', missing: [{ name: 'last', typename: 'io.statefun.types/string', expiration: { mode: 'after-write', ttlMs: 300_000 } }] });
    expect(ran).toBe(0);
  });

  it('runs the batch once the states are sent (empty ones without a type, as StateFun sends them)', async () => {
    const request = req('example/greeter', [empty('seen'), empty('last')], ['Ann', 'Bob']);
    const answer = decodeFromFunction(await handle(encodeToFunction(request)), request);
    expect(answer).toMatchObject({
      kind: 'result',
      completed: 2,
      mutations: [
        { kind: 'modify', name: 'seen', value: { typename: intType.typename, value: intType.serialize(2) } },
        { kind: 'modify', name: 'last', value: { typename: stringType.typename, value: stringType.serialize('Bob') } },
      ],
    });
    if (answer.kind === 'result') expect(answer.messages.map((m) => stringType.deserialize(m.argument.value))).toEqual(['Hello Ann #1', 'Hello Bob #2']);
  });

  it('announces a state registered at run time, and runs once it is sent empty and untyped', async () => {
    const first = req('example/dynamic', []);
    expect(decodeFromFunction(await handle(encodeToFunction(first)), first)).toEqual({
      kind: 'incomplete',
      missing: [{ name: 'visits', typename: intType.typename, expiration: { mode: 'none', ttlMs: 0 } }],
    });
    const second = req('example/dynamic', [empty('visits')]);
    expect(decodeFromFunction(await handle(encodeToFunction(second)), second)).toMatchObject({
      kind: 'result',
      mutations: [{ kind: 'modify', name: 'visits', value: { typename: intType.typename, value: intType.serialize(1) } }],
    });
  });

  it('fails the whole batch when one message fails: 500 (retry) for errors, 422 (park) for terminal errors', async () => {
    const crash = await rejection(handle(encodeToFunction(req('example/greeter', [empty('seen'), empty('last')], ['Ann', 'crash']))));
    expect(isStatefunError(crash, 'retryable')).toBe(true);
    expect(crash.message).toMatch(/function example\/greeter \(id "a"\) failed on message #1 of 2: Error: boom/);
    expect(httpStatusFor(crash)).toBe(500);

    const wrongType = { ...req('example/greeter', [empty('seen'), empty('last')]), invocations: [{ caller: undefined, argument: { typename: 'x/y', value: new Uint8Array(0) } }] };
    const terminal = await rejection(handle(encodeToFunction(wrongType)));
    expect(isStatefunError(terminal, 'terminal')).toBe(true);
    expect(terminal.message).toMatch(/expected a message of type example\/Greet, got x\/y/);
    expect(httpStatusFor(terminal)).toBe(422);
  });

  it('answers 404 for a function type it does not serve and 400 for a body that is not a request', async () => {
    const unknown = await rejection(handle(encodeToFunction(req('example/nobody', []))));
    expect(unknown.message).toMatch(/no function of type "example\/nobody" is served here \(serving "example\/greeter", "example\/dynamic"\)/);
    expect(httpStatusFor(unknown)).toBe(404);
    const garbage = await rejection(handle(Uint8Array.of(0xff, 0xff)));
    expect(httpStatusFor(garbage)).toBe(400);
    expect(httpStatusFor(new TerminalError('x'))).toBe(422);
    expect(httpStatusFor(new Error('x'))).toBe(500);
  });

  it('refuses the same function type twice', () => {
    expect(() => createRequestReplyHandler([greeter, greeter])).toThrow(/function type "example\/greeter" is given twice/);
  });
});

describe('createLambdaRequestReplyHandler', () => {
  const lambda = createLambdaRequestReplyHandler([greeter]);
  const request = req('example/greeter', [empty('seen'), empty('last')]);
  const body = Buffer.from(encodeToFunction(request)).toString('base64');

  it('answers a function URL / HTTP API event with the base64 FromFunction', async () => {
    const result = await lambda({ body, isBase64Encoded: true, requestContext: { http: { method: 'POST' } } }, { getRemainingTimeInMillis: () => 10_000 });
    expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: { 'content-type': 'application/octet-stream' } });
    expect(decodeFromFunction(Buffer.from(result.body, 'base64'), request).kind).toBe('result');
  });

  it('answers the Lambda invoke transport payload, which has no requestContext', async () => {
    const result = await lambda({ body, isBase64Encoded: true });
    expect(result.statusCode).toBe(200);
  });

  it('refuses other methods, and reports failures as text with their status', async () => {
    expect((await lambda({ body, isBase64Encoded: true, requestContext: { http: { method: 'GET' } } })).statusCode).toBe(405);
    const bad = await lambda({ body: 'bm90IGEgcmVxdWVzdA==', isBase64Encoded: true });
    expect(bad).toMatchObject({ statusCode: 400, isBase64Encoded: false });
    expect(bad.body).toMatch(/not a ToFunction message|holds no invocation batch/);
  });
});

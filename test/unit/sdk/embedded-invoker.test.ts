import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Address } from '../../../runtime/core/address.js';
import { isStatefunError, TerminalError } from '../../../runtime/core/errors.js';
import type { InvocationOutcome, InvocationRequest, StateEntry } from '../../../runtime/core/invocation.js';
import { embeddedInvoker } from '../../../runtime/sdk/embedded-invoker.js';
import { type Context, defineFunction, type FunctionDefinition, type Specs } from '../../../runtime/sdk/function.js';
import type { Message } from '../../../runtime/sdk/message.js';
import { boolType, intType, jsonType, stringType, type Type } from '../../../runtime/sdk/types.js';
import { valueSpec } from '../../../runtime/sdk/value-spec.js';

const self: Address = { typename: 'test/fn', id: 'me' };
const caller: Address = { typename: 'test/other', id: 'you' };
const Order = jsonType<{ n: number }>('test/Order');

function typed<T>(type: Type<T>, value: T) {
  return { typename: type.typename, value: type.serialize(value) };
}

function request(messages: string[], state: StateEntry[] = []): InvocationRequest {
  return { target: self, state, invocations: messages.map((m, i) => ({ caller: i % 2 === 0 ? caller : undefined, argument: typed(stringType, m) })) };
}

function define<S extends Specs>(specs: S, handler: (ctx: Context<S>, message: Message) => void | Promise<void>): FunctionDefinition<S> {
  return defineFunction({ typename: 'test/fn', specs, handler });
}

type Result = Extract<InvocationOutcome, { kind: 'result' }>;

async function run(definition: FunctionDefinition, req: InvocationRequest, timeoutMs = Number.POSITIVE_INFINITY): Promise<InvocationOutcome> {
  return embeddedInvoker(definition).invoke(req, timeoutMs);
}

async function result(definition: FunctionDefinition, req: InvocationRequest, timeoutMs?: number): Promise<Result> {
  const outcome = await run(definition, req, timeoutMs);
  if (outcome.kind !== 'result') throw new Error(`expected a result, got ${JSON.stringify(outcome)}`);
  return outcome;
}

const countState = (n: number | undefined): StateEntry => ({ name: 'count', typename: intType.typename, value: n === undefined ? undefined : intType.serialize(n) });

describe('the embedded invoker runs a batch as StateFun would', () => {
  it('runs each message in order with its own caller, and later messages see earlier writes', async () => {
    const seen: Array<[string, string | undefined, number | undefined]> = [];
    const fn = define({ count: valueSpec(intType) }, (ctx, message) => {
      seen.push([message.asString(), ctx.caller?.id, ctx.storage.count]);
      ctx.storage.count = (ctx.storage.count ?? 0) + 1;
    });
    const out = await result(fn, request(['a', 'b', 'c'], [countState(10)]));
    expect(seen).toEqual([
      ['a', 'you', 10],
      ['b', undefined, 11],
      ['c', 'you', 12],
    ]);
    expect(out.completed).toBe(3);
    expect(out.failure).toBeUndefined();
    expect(out.mutations).toEqual([{ kind: 'modify', name: 'count', value: typed(intType, 13) }]);
  });

  it('gives ctx.now() the turn time of the request, the one its delays count from', async () => {
    const seen: number[] = [];
    const fn = define({}, (ctx) => {
      seen.push(ctx.now().getTime());
    });
    const turnTime = Date.UTC(2026, 0, 1);
    await result(fn, { ...request(['a', 'b']), now: turnTime });
    expect(seen).toEqual([turnTime, turnTime]);
  });

  it('collects messages, delayed messages, cancellations and egress of each message in order', async () => {
    const fn = define({}, (ctx, message) => {
      const m = message.asString();
      ctx.send({ to: 'test/other', id: m, value: `hello ${m}` });
      ctx.sendAfter({ seconds: 10 }, { to: 'test/other', id: m, value: true }, { cancellationToken: `t-${m}` });
      ctx.cancelDelayedMessage(`old-${m}`);
      ctx.sendEgress({ egress: 'test/out', value: m });
    });
    const out = await result(fn, request(['a', 'b']));
    expect(out.messages).toEqual([
      { target: { typename: 'test/other', id: 'a' }, argument: typed(stringType, 'hello a') },
      { target: { typename: 'test/other', id: 'b' }, argument: typed(stringType, 'hello b') },
    ]);
    expect(out.delayed).toEqual([
      { kind: 'delay', delayMs: 10_000, target: { typename: 'test/other', id: 'a' }, argument: typed(boolType, true), cancellationToken: 't-a' },
      { kind: 'cancel', cancellationToken: 'old-a' },
      { kind: 'delay', delayMs: 10_000, target: { typename: 'test/other', id: 'b' }, argument: typed(boolType, true), cancellationToken: 't-b' },
      { kind: 'cancel', cancellationToken: 'old-b' },
    ]);
    expect(out.egress).toEqual([
      { egress: 'test/out', argument: typed(stringType, 'a') },
      { egress: 'test/out', argument: typed(stringType, 'b') },
    ]);
  });

  it('a message failing at k keeps the effects and writes of 0..k-1 and none of its own', async () => {
    const boom = new Error('boom at b');
    const seenAfter: Array<number | undefined> = [];
    const fn = define({ count: valueSpec(intType) }, (ctx, message) => {
      const m = message.asString();
      seenAfter.push(ctx.storage.count);
      ctx.storage.count = (ctx.storage.count ?? 0) + 100;
      ctx.send({ to: 'test/other', id: m, value: m });
      ctx.sendEgress({ egress: 'test/out', value: m });
      ctx.sendAfter('1 min', { to: 'test/other', id: m, value: m });
      if (m === 'b') throw boom;
    });
    const out = await result(fn, request(['a', 'b', 'c'], [countState(1)]));
    expect(out.completed).toBe(1);
    expect(out.failure).toBe(boom);
    expect(out.mutations).toEqual([{ kind: 'modify', name: 'count', value: typed(intType, 101) }]);
    expect(out.messages.map((m) => m.target.id)).toEqual(['a']);
    expect(out.egress).toHaveLength(1);
    expect(out.delayed).toHaveLength(1);
    // c never ran
    expect(seenAfter).toEqual([1, 101]);
  });

  it('an async handler failing on the first message completes nothing', async () => {
    const fn = define({}, async (ctx) => {
      ctx.send({ to: 'test/other', id: 'x', value: 'x' });
      await Promise.resolve();
      throw new TerminalError('no');
    });
    const out = await result(fn, request(['a', 'b']));
    expect(out.completed).toBe(0);
    expect(isStatefunError(out.failure, 'terminal')).toBe(true);
    expect(out.messages).toEqual([]);
  });

  it('assigning undefined deletes a state', async () => {
    const fn = define({ count: valueSpec(intType) }, (ctx) => {
      ctx.storage.count = undefined;
    });
    expect((await result(fn, request(['a'], [countState(3)]))).mutations).toEqual([{ kind: 'delete', name: 'count' }]);
  });

  it('writing a zero value writes it (as zero bytes), it does not delete', async () => {
    const fn = define({ count: valueSpec(intType) }, (ctx) => {
      ctx.storage.count = 0;
    });
    expect((await result(fn, request(['a'], [countState(3)]))).mutations).toEqual([
      { kind: 'modify', name: 'count', value: { typename: intType.typename, value: new Uint8Array(0) } },
    ]);
  });

  it('reading a declared state the request did not carry answers incomplete and keeps no effects', async () => {
    const fn = define({ count: valueSpec(intType, { expireAfterInvoke: '1 h' }) }, (ctx) => {
      ctx.send({ to: 'test/other', id: 'x', value: 'x' });
      void ctx.storage.count;
    });
    expect(await run(fn, request(['a']))).toEqual({
      kind: 'incomplete',
      missing: [{ name: 'count', typename: intType.typename, expiration: { mode: 'after-invoke', ttlMs: 3_600_000 } }],
    });
  });

  it('a state carried with another type than declared is asked for again with the declared type', async () => {
    const fn = define({ count: valueSpec(intType) }, (ctx) => {
      void ctx.storage.count;
    });
    const outcome = await run(fn, request(['a'], [{ name: 'count', typename: stringType.typename, value: undefined }]));
    expect(outcome).toMatchObject({ kind: 'incomplete', missing: [{ name: 'count', typename: intType.typename }] });
  });

  it('the signal for a missing state cannot be swallowed by the handler', async () => {
    const fn = define({ count: valueSpec(intType) }, (ctx) => {
      try {
        void ctx.storage.count;
      } catch {
        // a handler that catches everything
      }
    });
    expect((await run(fn, request(['a']))).kind).toBe('incomplete');
  });
});

describe('dynamic state: ctx.state(name, spec)', () => {
  const dyn = define({}, (ctx) => {
    const cell = ctx.state('visits', valueSpec(intType, { expireAfterWrite: '1 day' }));
    cell.set((cell.get() ?? 0) + 1);
  });

  it('answers incomplete with the spec when the state is not registered yet', async () => {
    expect(await run(dyn, request(['a']))).toEqual({
      kind: 'incomplete',
      missing: [{ name: 'visits', typename: intType.typename, expiration: { mode: 'after-write', ttlMs: 86_400_000 } }],
    });
  });

  it('reads and writes it once the request carries it', async () => {
    const out = await result(dyn, request(['a', 'b'], [{ name: 'visits', typename: intType.typename, value: intType.serialize(5) }]));
    expect(out.mutations).toEqual([{ kind: 'modify', name: 'visits', value: typed(intType, 7) }]);
  });

  it('clear() deletes it', async () => {
    const fn = define({}, (ctx) => ctx.state('visits', valueSpec(intType)).clear());
    const out = await result(fn, request(['a'], [{ name: 'visits', typename: intType.typename, value: intType.serialize(5) }]));
    expect(out.mutations).toEqual([{ kind: 'delete', name: 'visits' }]);
  });

  it('refuses registering a declared state with another type or expiry', async () => {
    const fn = define({ count: valueSpec(intType) }, (ctx) => {
      ctx.state('count', valueSpec(stringType));
    });
    const out = await result(fn, request(['a']));
    expect(out.completed).toBe(0);
    expect(isStatefunError(out.failure, 'validation')).toBe(true);
    expect(String(out.failure)).toContain('registers state "count" as io.statefun.types/string');
  });

  it('refuses a spec that is not a valueSpec as a ValidationError (parked at once, not retried)', async () => {
    const fn = define({}, (ctx) => {
      ctx.state('visits', intType as never);
    });
    const out = await result(fn, request(['a']));
    expect(isStatefunError(out.failure, 'validation'), String(out.failure)).toBe(true);
    expect(String(out.failure)).toContain('state "visits" of function test/fn');
  });

  it('refuses an invalid state name, naming it and the function', async () => {
    const fn = define({}, (ctx) => {
      ctx.state('not-valid', valueSpec(intType));
    });
    const out = await result(fn, request(['a']));
    expect(String(out.failure)).toContain('"not-valid"');
    expect(String(out.failure)).toContain('test/fn');
  });
});

describe('context checks', () => {
  async function failureOf(handler: (ctx: Context) => void): Promise<string> {
    const out = await result(define({}, handler), request(['a']));
    expect(out.completed).toBe(0);
    expect(isStatefunError(out.failure, 'validation'), `expected a ValidationError, got ${String(out.failure)}`).toBe(true);
    return (out.failure as Error).message;
  }

  it('sendAfter refuses a delay without a unit, naming the function', async () => {
    expect(await failureOf((ctx) => ctx.sendAfter(1000 as never, { to: 'test/other', id: 'x', value: 'x' }))).toBe(
      'delay of ctx.sendAfter in function test/fn: 1000 has no unit; write e.g. { seconds: 10 } or "10 s"',
    );
  });

  it('sendAfter reads unit strings and objects', async () => {
    const out = await result(
      define({}, (ctx) => {
        ctx.sendAfter('2 min', { to: 'test/other', id: 'x', value: 'x' });
        ctx.sendAfter({ days: 3 }, { to: 'test/other', id: 'x', value: 'x' });
      }),
      request(['a']),
    );
    expect(out.delayed.map((d) => (d.kind === 'delay' ? d.delayMs : -1))).toEqual([120_000, 259_200_000]);
  });

  it('sendAfter refuses an empty cancellation token', async () => {
    expect(await failureOf((ctx) => ctx.sendAfter('1 s', { to: 'test/other', id: 'x', value: 'x' }, { cancellationToken: '' }))).toContain(
      'cancellation token',
    );
  });

  it('cancelDelayedMessage refuses an empty token', async () => {
    expect(await failureOf((ctx) => ctx.cancelDelayedMessage(''))).toContain('non-empty token');
  });

  it('send refuses a bad target typename, an empty id and a value without a type', async () => {
    expect(await failureOf((ctx) => ctx.send({ to: 'other', id: 'x', value: 'x' }))).toContain('"other"');
    expect(await failureOf((ctx) => ctx.send({ to: 'test/other', id: '', value: 'x' }))).toContain('must be a non-empty string');
    expect(await failureOf((ctx) => ctx.send({ to: 'test/other', id: 'x', value: { n: 1 } }))).toContain('pass a type');
  });

  it('send takes the type from the target definition', async () => {
    const target = defineFunction({ typename: 'test/orders', accepts: Order, handler: () => {} });
    const out = await result(
      define({}, (ctx) => ctx.send({ to: target, id: 'o', value: { n: 3 } })),
      request(['a']),
    );
    expect(out.messages).toEqual([{ target: { typename: 'test/orders', id: 'o' }, argument: typed(Order, { n: 3 }) }]);
  });

  it('sendEgress refuses a bad egress name and a value without a type', async () => {
    expect(await failureOf((ctx) => ctx.sendEgress({ egress: 'nope', value: 'x' }))).toContain('"nope"');
    expect(await failureOf((ctx) => ctx.sendEgress({ egress: 'test/out', value: 5 }))).toContain('pass a type');
  });

  it('storage is typed by the declared specs', async () => {
    const fn = define({ count: valueSpec(intType), name: valueSpec(stringType) }, (ctx) => {
      expectTypeOf(ctx.storage.count).toEqualTypeOf<number | undefined>();
      expectTypeOf(ctx.storage.name).toEqualTypeOf<string | undefined>();
      // @ts-expect-error a string is not an int
      ctx.storage.count = 'three';
    });
    const out = await result(fn, request(['a'], [countState(1), { name: 'name', typename: stringType.typename, value: undefined }]));
    // and at run time the int type refuses it, naming the value
    expect(isStatefunError(out.failure, 'validation')).toBe(true);
    expect(String(out.failure)).toContain('"three"');
  });

  it('a context used after its batch ended refuses to record anything', async () => {
    let kept: Context | undefined;
    await result(define({}, (ctx) => void (kept = ctx)), request(['a']));
    expect(() => kept!.send({ to: 'test/other', id: 'x', value: 'x' })).toThrow(/after its batch ended/);
  });

  it('a handler still running at the deadline fails the batch as retryable, keeping earlier messages', async () => {
    const fn = define({}, async (ctx, message) => {
      ctx.send({ to: 'test/other', id: message.asString(), value: 'x' });
      if (message.asString() === 'slow') await new Promise(() => {});
    });
    const out = await result(fn, request(['fast', 'slow']), 30);
    expect(out.completed).toBe(1);
    expect(isStatefunError(out.failure, 'retryable')).toBe(true);
    expect(out.messages.map((m) => m.target.id)).toEqual(['fast']);
  });
});

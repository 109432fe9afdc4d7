import { describe, expect, it } from 'vitest';
import type { Address } from '../../../runtime/core/address.js';
import { asResent, type Envelope, messageId, NO_ARGUMENT } from '../../../runtime/core/envelope.js';
import { RetryableError, TerminalError } from '../../../runtime/core/errors.js';
import type { InvocationEffects } from '../../../runtime/core/invocation.js';
import { NEVER_EXPIRES, type StateSpecDecl } from '../../../runtime/core/state-spec.js';
import type { Delivery, DeliveryOutcome } from '../../../runtime/engine/turn-runner.js';
import { intType, stringType } from '../../../runtime/sdk/types.js';
import { type Answer, harness, ScriptedInvoker } from './fakes.js';

const T0 = Date.UTC(2026, 0, 1);
/** The incarnation of a record first committed at T0, as ids spell it. */
const INC = T0.toString(36);
const cart: Address = { typename: 'shop/cart', id: 'alice' };
const stock: Address = { typename: 'shop/stock', id: 'apples' };
const str = (s: string) => ({ typename: stringType.typename, value: stringType.serialize(s) });
const int = (n: number) => ({ typename: intType.typename, value: intType.serialize(n) });
const text = (bytes: Uint8Array): string => stringType.deserialize(bytes);
const countSpec: StateSpecDecl = { name: 'count', typename: intType.typename, expiration: NEVER_EXPIRES };

function ingress(key: string, target: Address = cart): Envelope {
  return { id: `ingress:${key}`, target, caller: undefined, argument: str(key), origin: { kind: 'ingress', key, keyed: false, acceptedAt: T0 } };
}

function control(command: 'replay' | 'skip', messageId?: string): Envelope {
  return {
    id: `control:${command}:${Math.random()}`,
    target: cart,
    caller: undefined,
    argument: NO_ARGUMENT,
    origin: { kind: 'control', command, issuedAt: T0, ...(messageId !== undefined ? { messageId } : {}) },
  };
}

const first = (...envelopes: Envelope[]): Delivery[] => envelopes.map((envelope) => ({ envelope, attempt: 1 }));
const again = (attempt: number, ...envelopes: Envelope[]): Delivery[] => envelopes.map((envelope) => ({ envelope, attempt }));
const kinds = (outcomes: DeliveryOutcome[]): string[] => outcomes.map((o) => (o.kind === 'done' ? o.how : 'retry'));

/** A cart that counts messages, sends one to stock and one egress record per message; fails where told. */
function counter(fail: (message: string) => Error | undefined = () => undefined) {
  return new ScriptedInvoker((request, i): Answer => {
    const message = text(request.invocations[i]!.argument.value);
    const failure = fail(message);
    if (failure !== undefined) return failure;
    const stored = request.state.find((s) => s.name === 'count')?.value;
    const before = stored === undefined ? 0 : intType.deserialize(stored);
    // the request carries the state as the batch began: count the messages before this one
    return {
      mutations: [{ kind: 'modify', name: 'count', value: int(before + i + 1) }],
      messages: [{ target: stock, argument: str(`from ${message}`) }],
      egress: [{ egress: 'test/out', argument: str(message) }],
    } satisfies Partial<InvocationEffects>;
  });
}

function setup(invoker = counter(), options: { maxBatch?: number } = {}) {
  const h = harness();
  h.functions.bind('shop/cart', invoker, { specs: [countSpec], ...options });
  h.functions.bind('shop/stock', new ScriptedInvoker(() => ({})));
  return { ...h, invoker };
}

const count = (h: ReturnType<typeof setup>): number | undefined => {
  const v = h.store.record(cart).values.get('count');
  return v === undefined ? undefined : intType.deserialize(v.value);
};

describe('TurnRunner: a turn', () => {
  it('commits state, consumption and effects, then releases the effects', async () => {
    const h = setup();
    const outcomes = await h.runner().run(cart, first(ingress('a'), ingress('b')));
    expect(kinds(outcomes)).toEqual(['consumed', 'consumed']);
    expect(h.store.commits).toHaveLength(1);
    expect(count(h)).toBe(2);
    expect(h.bus.sent.map((m) => m.id)).toEqual([`shop/cart/alice#${INC}.1.0`, `shop/cart/alice#${INC}.1.1`]);
    expect(h.egress.published.map((r) => r.key)).toEqual([`shop/cart/alice#${INC}.1.e0`, `shop/cart/alice#${INC}.1.e1`]);
  });

  it('processes a redelivered message alone, so one bad message cannot hold a batch back', async () => {
    const h = setup();
    await h.runner().run(cart, again(2, ingress('a'), ingress('b'), ingress('c')));
    expect(h.invoker.batches(text)).toEqual([['a'], ['b'], ['c']]);
  });
});

describe('TurnRunner: commit failures', () => {
  it('a version conflict retries every message at once and releases nothing', async () => {
    const h = setup();
    h.store.failNext.push('conflict');
    const outcomes = await h.runner().run(cart, first(ingress('a'), ingress('b')));
    expect(outcomes).toEqual([
      { kind: 'retry', afterMs: 0, cause: expect.stringContaining('expected version 0') as string },
      { kind: 'retry', afterMs: 0, cause: expect.stringContaining('expected version 0') as string },
    ]);
    expect(h.bus.sent).toEqual([]);
    expect(h.egress.published).toEqual([]);
    expect(h.scheduler.scheduled).toEqual([]);
    expect(h.store.commits).toEqual([]);
    expect(h.metrics.counts.conflict).toBe(1);
  });

  it('a crash before the commit retries with backoff and writes nothing', async () => {
    const h = setup();
    h.store.failNext.push(new Error('connection reset'));
    const outcomes = await h.runner().run(cart, first(ingress('a')));
    expect(outcomes).toEqual([{ kind: 'retry', afterMs: 1000, cause: 'commit or release failed: Error: connection reset' }]);
    expect(h.bus.sent).toEqual([]);
  });

  it('a release failing after the commit retries the consumed messages; their redelivery releases the outbox again as re-sent copies', async () => {
    const h = setup();
    h.bus.failNext.push(new Error('SQS down'));
    const runner = h.runner();
    const outcomes = await runner.run(cart, first(ingress('a'), ingress('b')));
    expect(kinds(outcomes)).toEqual(['retry', 'retry']);
    expect(h.store.commits).toHaveLength(1);
    expect(h.bus.sent).toEqual([]);

    const redelivered = await runner.run(cart, again(2, ingress('a'), ingress('b')));
    expect(kinds(redelivered)).toEqual(['duplicate', 'duplicate']);
    expect(h.store.commits).toHaveLength(1); // not applied twice
    expect(count(h)).toBe(2);
    expect(h.bus.sent.map((m) => m.id)).toEqual([`shop/cart/alice#${INC}.1.0`, `shop/cart/alice#${INC}.1.1`]);
    expect(h.bus.sent.every((m) => m.origin.kind === 'function' && m.origin.resent === true)).toBe(true);
    // egress went out in parallel with the failed send, and again with the re-release: sinks dedup by key (I6)
    expect(h.egress.published.map((r) => r.key)).toEqual([`shop/cart/alice#${INC}.1.e0`, `shop/cart/alice#${INC}.1.e1`, `shop/cart/alice#${INC}.1.e0`, `shop/cart/alice#${INC}.1.e1`]);
    expect(h.invoker.requests).toHaveLength(1);
  });

  it('a new message proves an acknowledged turn was released: no release again', async () => {
    const h = setup();
    const runner = h.runner();
    await runner.run(cart, first(ingress('a')));
    await runner.run(cart, first(ingress('b')));
    expect(h.bus.sent.map((m) => m.id)).toEqual([`shop/cart/alice#${INC}.1.0`, `shop/cart/alice#${INC}.2.0`]);
  });

  it('without ordered acknowledgements, the last outbox is released again before the next turn', async () => {
    const h = setup();
    const runner = h.runner({ releaseProvenByAck: false });
    await runner.run(cart, first(ingress('a')));
    await runner.run(cart, first(ingress('b')));
    expect(h.bus.sent.map((m) => m.id)).toEqual([`shop/cart/alice#${INC}.1.0`, `shop/cart/alice#${INC}.1.0`, `shop/cart/alice#${INC}.2.0`]);
    expect(h.bus.sent[1]!.origin).toMatchObject({ resent: true });
  });
});

describe('TurnRunner: state registration', () => {
  const visits: StateSpecDecl = { name: 'visits', typename: intType.typename, expiration: { mode: 'after-write', ttlMs: 60_000 } };

  it('an incomplete answer registers the specs through the SpecStore and resends the batch with them', async () => {
    const h = harness();
    const invoker = new ScriptedInvoker((request): Answer => {
      const state = request.state.find((s) => s.name === 'visits');
      if (state === undefined) return { incomplete: [visits] };
      return { mutations: [{ kind: 'modify', name: 'visits', value: int(1) }] };
    });
    h.functions.bind('shop/cart', invoker);
    const outcomes = await h.runner().run(cart, first(ingress('a'), ingress('b')));
    expect(kinds(outcomes)).toEqual(['consumed', 'consumed']);
    expect(h.specStore.registrations).toEqual([{ functionType: 'shop/cart', specs: [visits] }]);
    expect(invoker.requests).toHaveLength(2);
    expect(invoker.requests[1]!.invocations).toEqual(invoker.requests[0]!.invocations);
    expect(invoker.requests[1]!.state).toEqual([{ name: 'visits', typename: intType.typename, value: undefined }]);
    expect(h.store.record(cart).values.get('visits')).toEqual({ typename: intType.typename, value: intType.serialize(1), expiresAt: T0 + 60_000 });

    // a new runner (a new process) loads the registration and asks no more
    const fresh = new ScriptedInvoker((request): Answer => (request.state.some((s) => s.name === 'visits') ? {} : { incomplete: [visits] }));
    h.functions.bind('shop/cart', fresh);
    await h.runner().run(cart, first(ingress('c')));
    expect(fresh.requests).toHaveLength(1);
  });

  it('a function that keeps answering incomplete is parked, not looped forever', async () => {
    const h = harness();
    let n = 0;
    h.functions.bind('shop/cart', new ScriptedInvoker((): Answer => ({ incomplete: [{ ...visits, name: `s${n++}` }] })));
    const outcomes = await h.runner().run(cart, first(ingress('a')));
    expect(kinds(outcomes)).toEqual(['parked']);
    expect(h.store.record(cart).parked?.reason).toContain('kept answering that states are missing');
  });

  it('an invalid spec from the function parks the address, naming the state', async () => {
    const h = harness();
    h.functions.bind('shop/cart', new ScriptedInvoker((): Answer => ({ incomplete: [{ name: 'bad name', typename: 'x/y', expiration: NEVER_EXPIRES }] })));
    await h.runner().run(cart, first(ingress('a')));
    expect(h.store.record(cart).parked?.reason).toContain('"bad name"');
  });
});

describe('TurnRunner: invalid effects park the address', () => {
  it('a message to a function type that is not bound', async () => {
    const h = setup(new ScriptedInvoker((): Answer => ({ messages: [{ target: { typename: 'shop/nowhere', id: 'x' }, argument: str('?') }] })));
    const outcomes = await h.runner().run(cart, first(ingress('a')));
    expect(kinds(outcomes)).toEqual(['parked']);
    expect(h.store.record(cart).parked?.reason).toContain('"shop/nowhere"');
    expect(h.deadLetters.of(cart)[0]!.cause).toContain('no such function type is bound');
    expect(h.bus.sent).toEqual([]);
  });

  it('a delayed message to a function type that is not bound', async () => {
    const h = setup(
      new ScriptedInvoker((): Answer => ({
        delayed: [{ kind: 'delay', delayMs: 1000, target: { typename: 'shop/later', id: 'x' }, argument: str('?'), cancellationToken: undefined }],
      })),
    );
    await h.runner().run(cart, first(ingress('a')));
    expect(h.store.record(cart).parked?.reason).toContain('"shop/later"');
    expect(h.scheduler.scheduled).toEqual([]);
  });

  it('a record for an egress that does not exist', async () => {
    const h = setup(new ScriptedInvoker((): Answer => ({ egress: [{ egress: 'test/missing', argument: str('?') }] })));
    await h.runner().run(cart, first(ingress('a')));
    expect(h.store.record(cart).parked?.reason).toContain('egress "test/missing"');
    expect(h.egress.published).toEqual([]);
  });

  it('in a batch, only the message with the invalid effect is parked; the ones before it commit', async () => {
    const h = setup(
      new ScriptedInvoker((request, i): Answer =>
        text(request.invocations[i]!.argument.value) === 'b' ? { egress: [{ egress: 'test/missing', argument: str('?') }] } : {},
      ),
    );
    const outcomes = await h.runner().run(cart, first(ingress('a'), ingress('b'), ingress('c')));
    expect(kinds(outcomes)).toEqual(['consumed', 'parked', 'parked']);
    expect(h.deadLetters.ids(cart)).toEqual(['ingress:b', 'ingress:c']);
  });

  it('a message for a function type that is not bound parks its address', async () => {
    const h = harness();
    const outcomes = await h.runner().run(cart, first(ingress('a')));
    expect(kinds(outcomes)).toEqual(['parked']);
    expect(h.store.record(cart).parked?.reason).toContain('no function is bound for type "shop/cart"');
  });
});

describe('TurnRunner: failures and parking', () => {
  it('a failing message in a batch of 3: the one before commits, it and the one after are retried', async () => {
    const h = setup(counter((m) => (m === 'b' ? new Error('b broke') : undefined)));
    const outcomes = await h.runner().run(cart, first(ingress('a'), ingress('b'), ingress('c')));
    expect(outcomes).toEqual([
      { kind: 'done', how: 'consumed' },
      { kind: 'retry', afterMs: 1000, cause: 'Error: b broke' },
      { kind: 'retry', afterMs: 1000, cause: 'Error: b broke' },
    ]);
    expect(count(h)).toBe(1);
    expect(h.store.record(cart).lastConsumed).toEqual(['ingress:a']);
    expect(h.bus.sent.map((m) => text(m.argument.value))).toEqual(['from a']);
  });

  it('backs off longer with each attempt', async () => {
    const h = setup(counter(() => new Error('down')));
    const outcomes = await h.runner().run(cart, again(2, ingress('a')));
    expect(outcomes).toEqual([{ kind: 'retry', afterMs: 2000, cause: 'Error: down' }]);
  });

  it('after maxAttempts the address is parked with the message and every later one as dead letters, in order', async () => {
    const h = setup(counter((m) => (m === 'b' ? new Error('b broke') : undefined)));
    const outcomes = await h.runner().run(cart, again(3, ingress('b'), ingress('c'), ingress('d')));
    expect(kinds(outcomes)).toEqual(['parked', 'parked', 'parked']);
    const letters = h.deadLetters.of(cart);
    expect(letters.map((l) => l.envelope.id)).toEqual(['ingress:b', 'ingress:c', 'ingress:d']);
    expect(letters[0]!.cause).toBe('Error: b broke (gave up after 3 attempts)');
    expect(letters[1]!.cause).toBe('behind a failed message of a parked address: Error: b broke (gave up after 3 attempts)');
    expect(letters.map((l) => l.attempts)).toEqual([3, 3, 3]);
    expect(h.store.record(cart).parked).toEqual({ since: T0, reason: 'Error: b broke (gave up after 3 attempts)', messageId: 'ingress:b' });
    expect(h.metrics.counts.parked).toBe(1);
  });

  it('a TerminalError parks at the first attempt', async () => {
    const h = setup(counter(() => new TerminalError('cannot ever work')));
    const outcomes = await h.runner().run(cart, first(ingress('a')));
    expect(kinds(outcomes)).toEqual(['parked']);
    expect(h.store.record(cart).parked?.reason).toBe('TerminalError: cannot ever work');
  });

  it('a RetryableError with retryAfterMs is retried after that long', async () => {
    const h = setup(counter(() => new RetryableError('throttled', { retryAfterMs: 7000 })));
    expect(await h.runner().run(cart, first(ingress('a')))).toEqual([{ kind: 'retry', afterMs: 7000, cause: 'RetryableError: throttled' }]);
  });

  it('a remote-style rejection of a whole batch of 3 is retried one by one to find the bad message', async () => {
    const h = setup();
    const invoker = new ScriptedInvoker(() => ({}));
    const rejecting = {
      requests: [] as string[][],
      async invoke(request: Parameters<ScriptedInvoker['invoke']>[0]) {
        const names = request.invocations.map((i) => text(i.argument.value));
        this.requests.push(names);
        if (names.includes('b')) throw new TerminalError('b is poison');
        return invoker.invoke(request);
      },
    };
    h.functions.bind('shop/cart', rejecting, { specs: [countSpec] });
    const outcomes = await h.runner().run(cart, first(ingress('a'), ingress('b'), ingress('c')));
    expect(kinds(outcomes)).toEqual(['consumed', 'parked', 'parked']);
    expect(rejecting.requests).toEqual([['a', 'b', 'c'], ['a'], ['b', 'c'], ['b']]);
  });

  it('a parked address appends new messages to its dead letters without invoking anything', async () => {
    const h = setup(counter((m) => (m === 'a' ? new TerminalError('bad a') : undefined)));
    const runner = h.runner();
    await runner.run(cart, first(ingress('a')));
    const outcomes = await runner.run(cart, first(ingress('b'), ingress('c')));
    expect(kinds(outcomes)).toEqual(['parked', 'parked']);
    expect(h.deadLetters.ids(cart)).toEqual(['ingress:a', 'ingress:b', 'ingress:c']);
    expect(h.deadLetters.of(cart)[1]!.cause).toBe('arrived while the address was parked: TerminalError: bad a');
    expect(h.invoker.requests).toHaveLength(1);
  });
});

describe('TurnRunner: replay and skip', () => {
  /** Parks the cart on "a" (while `broken` is true), then queues b and c behind it. */
  async function parkedOnA() {
    const state = { broken: true };
    const h = setup(counter((m) => (m === 'a' && state.broken ? new TerminalError('bad a') : undefined)));
    const runner = h.runner();
    await runner.run(cart, first(ingress('a')));
    await runner.run(cart, first(ingress('b'), ingress('c')));
    return { h, runner, state };
  }

  it('a replay that fails on a later letter parks on that letter', async () => {
    const state = { failing: 'a' };
    const h = setup(counter((m) => (m === state.failing ? new TerminalError(`bad ${m}`) : undefined)));
    const runner = h.runner();
    await runner.run(cart, first(ingress('a')));
    await runner.run(cart, first(ingress('b'), ingress('c')));
    state.failing = 'b';
    await runner.run(cart, first(control('replay')));
    expect(h.store.record(cart).parked).toMatchObject({ reason: 'TerminalError: bad b', messageId: 'ingress:b' });
    expect(h.deadLetters.ids(cart)).toEqual(['ingress:b', 'ingress:c']);
    expect(count(h)).toBe(1);
  });

  it('replay unparks the address and processes its dead letters in order', async () => {
    const { h, runner, state } = await parkedOnA();
    state.broken = false;
    const outcomes = await runner.run(cart, first(control('replay')));
    expect(kinds(outcomes)).toEqual(['consumed']);
    expect(h.store.record(cart).parked).toBeUndefined();
    expect(h.invoker.batches(text).slice(1)).toEqual([['a', 'b', 'c']]);
    expect(count(h)).toBe(3);
    expect(h.deadLetters.ids(cart)).toEqual([]);
    // and new messages flow again
    expect(kinds(await runner.run(cart, first(ingress('d'))))).toEqual(['consumed']);
    expect(count(h)).toBe(4);
  });

  it('messages after the control message in the same batch run after the replayed ones', async () => {
    const { h, runner, state } = await parkedOnA();
    state.broken = false;
    const outcomes = await runner.run(cart, first(control('replay'), ingress('d')));
    expect(kinds(outcomes)).toEqual(['consumed', 'consumed']);
    expect(h.invoker.batches(text).slice(1).flat()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a replay that fails again leaves the address parked with the new cause and its letters in place', async () => {
    const { h, runner } = await parkedOnA();
    const outcomes = await runner.run(cart, first(control('replay')));
    expect(kinds(outcomes)).toEqual(['consumed']);
    expect(h.store.record(cart).parked?.reason).toBe('TerminalError: bad a');
    expect(h.deadLetters.ids(cart)).toEqual(['ingress:a', 'ingress:b', 'ingress:c']);
  });

  it('skip drops the first dead letter and replays the rest', async () => {
    const { h, runner } = await parkedOnA();
    await runner.run(cart, first(control('skip')));
    expect(h.store.record(cart).parked).toBeUndefined();
    expect(h.invoker.batches(text).slice(1)).toEqual([['b', 'c']]);
    expect(h.deadLetters.ids(cart)).toEqual([]);
    expect(count(h)).toBe(2);
  });

  it('skip with a message id drops that letter', async () => {
    const { h, runner, state } = await parkedOnA();
    state.broken = false;
    await runner.run(cart, first(control('skip', 'ingress:b')));
    expect(h.invoker.batches(text).slice(1)).toEqual([['a', 'c']]);
  });

  it('a park that fails to commit leaves no dead letter behind, so a later replay cannot apply its message again', async () => {
    const state = { failing: 'a' };
    const h = setup(counter((m) => (m === state.failing ? new Error(`bad ${m}`) : undefined)));
    const runner = h.runner();
    h.store.failNext.push(new Error('crash while parking'));
    expect(kinds(await runner.run(cart, again(3, ingress('a'))))).toEqual(['retry']);
    expect(h.store.record(cart).parked).toBeUndefined();
    expect(h.deadLetters.ids(cart)).toEqual([]);
    // the retry succeeds
    state.failing = 'b';
    expect(kinds(await runner.run(cart, again(4, ingress('a'))))).toEqual(['consumed']);
    // later the address parks on b; replaying must not bring a back
    expect(kinds(await runner.run(cart, again(3, ingress('b'), ingress('c'))))).toEqual(['parked', 'parked']);
    expect(h.deadLetters.ids(cart)).toEqual(['ingress:b', 'ingress:c']);
    state.failing = 'none';
    const before = h.invoker.requests.length;
    await runner.run(cart, first(control('replay')));
    expect(h.store.record(cart).parked).toBeUndefined();
    expect(h.invoker.batches(text).slice(before)).toEqual([['b', 'c']]);
    expect(count(h)).toBe(3);
  });

  it('a skip retried after a failure drops no further message', async () => {
    const state = { broken: true };
    const h = setup(counter((m) => (m === 'a' && state.broken ? new TerminalError('bad a') : undefined)));
    const runner = h.runner();
    await runner.run(cart, first(ingress('a'), ingress('b'), ingress('c')));
    expect(h.deadLetters.ids(cart)).toEqual(['ingress:a', 'ingress:b', 'ingress:c']);
    // the skip removes a, then its replay of b and c fails to commit: the control message comes again
    h.store.failNext.push(new Error('crash during the replay'));
    expect(kinds(await runner.run(cart, first(control('skip'))))).toEqual(['retry']);
    expect(h.deadLetters.ids(cart)).toEqual(['ingress:b', 'ingress:c']);
    await runner.run(cart, again(2, control('skip')));
    expect(h.store.record(cart).parked).toBeUndefined();
    expect(count(h)).toBe(2);
    expect(h.invoker.batches(text).at(-1)).toEqual(['b', 'c']);
  });

  it('a control message to an address that is not parked is ignored', async () => {
    const h = setup();
    const outcomes = await h.runner().run(cart, first(control('replay'), control('skip')));
    expect(kinds(outcomes)).toEqual(['ignored', 'ignored']);
    expect(h.invoker.requests).toEqual([]);
    expect(h.store.commits).toEqual([]);
  });

  it('a replay removes every dead letter it got through, also ones that turn out to be duplicates', async () => {
    // b arrives twice while parked (a redelivery). The second copy was already applied by the time it is
    // replayed, so it is dropped as a duplicate; it must leave the dead letters with the rest.
    const h = setup(counter((m) => (m === 'a' ? new TerminalError('bad a') : undefined)));
    const runner = h.runner();
    const bob: Address = { typename: 'shop/user', id: 'bob' };
    const fromBob: Envelope = {
      id: messageId('shop/user/bob', 0, 4, 0),
      target: cart,
      caller: bob,
      argument: str('b'),
      origin: { kind: 'function', sender: bob, incarnation: 0, turn: 4, index: 0, sentAt: T0 },
    };
    await runner.run(cart, first(ingress('a')));
    await runner.run(cart, first(fromBob));
    // skip "a": b runs; then a copy of b that was already parked is replayed on its own
    await runner.run(cart, first(control('skip')));
    expect(h.store.record(cart).parked).toBeUndefined();
    expect(h.deadLetters.ids(cart)).toEqual([]);

    // park again on a new message, and put the late copy of b behind it
    const bad = ingress('a');
    await runner.run(cart, first({ ...bad, id: 'ingress:a2' }));
    await runner.run(cart, first(asResent(fromBob)));
    expect(h.deadLetters.ids(cart)).toEqual(['ingress:a2', fromBob.id]);
    // skipping the bad message replays the copy of b, which is a duplicate: nothing may be left behind
    await runner.run(cart, first(control('skip')));
    expect(h.store.record(cart).parked).toBeUndefined();
    expect(h.deadLetters.ids(cart)).toEqual([]);
    expect(await h.deadLetters.addressesWithLetters()).toEqual([]);
    expect(count(h)).toBe(1);
  });

  it('replay applies a message parked as ambiguous: the operator vouched that it was not applied', async () => {
    const h = setup();
    const runner = h.runner();
    const bob: Address = { typename: 'shop/user', id: 'bob' };
    // The cart forgot every sender up to T0 + 1 min; bob's copy from T0 may or may not have been applied.
    h.store.records.set('shop/cart/alice', { ...h.store.record(cart), dedup: { marks: new Map(), forgottenUntil: T0 + 60_000 } });
    const copy = asResent({
      id: messageId('shop/user/bob', 0, 9, 0),
      target: cart,
      caller: bob,
      argument: str('late'),
      origin: { kind: 'function', sender: bob, incarnation: 0, turn: 9, index: 0, sentAt: T0 },
    } satisfies Envelope);
    expect(kinds(await runner.run(cart, first(copy)))).toEqual(['parked']);
    expect(h.store.record(cart).parked?.reason).toContain('replay it if it was not applied, skip it if it was');
    expect(h.invoker.requests).toEqual([]);

    await runner.run(cart, first(control('replay')));
    expect(h.store.record(cart).parked).toBeUndefined();
    expect(h.invoker.batches(text)).toEqual([['late']]);
    expect(count(h)).toBe(1);
    expect(h.deadLetters.ids(cart)).toEqual([]);
    // and it is remembered now: a further copy is a duplicate
    expect(kinds(await runner.run(cart, first(copy)))).toEqual(['duplicate']);
  });

  it('replay vouches only for the message the address is parked on: a second ambiguous copy parks on its own', async () => {
    const h = setup();
    const runner = h.runner();
    h.store.records.set('shop/cart/alice', { ...h.store.record(cart), dedup: { marks: new Map(), forgottenUntil: T0 + 60_000 } });
    const copy = (sender: string, value: string): Envelope => {
      const from: Address = { typename: 'shop/user', id: sender };
      return asResent({
        id: messageId(`shop/user/${sender}`, 0, 9, 0),
        target: cart,
        caller: from,
        argument: str(value),
        origin: { kind: 'function', sender: from, incarnation: 0, turn: 9, index: 0, sentAt: T0 },
      });
    };
    await runner.run(cart, first(copy('bob', 'x'), copy('carol', 'y')));
    expect(h.deadLetters.ids(cart)).toEqual(['shop/user/bob#0.9.0', 'shop/user/carol#0.9.0']);
    await runner.run(cart, first(control('replay')));
    expect(h.invoker.batches(text)).toEqual([['x']]);
    expect(h.store.record(cart).parked?.messageId).toBe('shop/user/carol#0.9.0');
    expect(h.store.record(cart).parked?.reason).toContain('"shop/user/carol#0.9.0"');
    await runner.run(cart, first(control('replay')));
    expect(h.invoker.batches(text)).toEqual([['x'], ['y']]);
    expect(h.store.record(cart).parked).toBeUndefined();
  });

  it('skip drops a message parked as ambiguous and applies nothing', async () => {
    const h = setup();
    const runner = h.runner();
    h.store.records.set('shop/cart/alice', { ...h.store.record(cart), dedup: { marks: new Map(), forgottenUntil: T0 + 60_000 } });
    const bob: Address = { typename: 'shop/user', id: 'bob' };
    const copy = asResent({
      id: messageId('shop/user/bob', 0, 9, 0),
      target: cart,
      caller: bob,
      argument: str('late'),
      origin: { kind: 'function', sender: bob, incarnation: 0, turn: 9, index: 0, sentAt: T0 },
    } satisfies Envelope);
    await runner.run(cart, first(copy, ingress('after')));
    expect(h.deadLetters.ids(cart)).toEqual([copy.id, 'ingress:after']);
    await runner.run(cart, first(control('skip')));
    expect(h.store.record(cart).parked).toBeUndefined();
    expect(h.invoker.batches(text)).toEqual([['after']]);
  });
});

describe('TurnRunner: release before anything else', () => {
  it('releases an unreleased outbox before parking a redelivered message whose type is no longer bound', async () => {
    const h = setup();
    h.bus.failNext.push(new Error('crash during release'));
    await h.runner().run(cart, first(ingress('a')));
    expect(h.bus.sent).toEqual([]);
    // the function type disappears (a redeploy without it) before the redelivery
    h.functions.bindings.delete('shop/cart');
    const outcomes = await h.runner().run(cart, again(2, ingress('a')));
    // the committed turn's effects must still leave (DESIGN I4), whatever happens to the message next
    expect(h.bus.sent.map((m) => m.id)).toEqual([`shop/cart/alice#${INC}.1.0`]);
    expect(h.bus.sent[0]!.origin).toMatchObject({ resent: true });
    // the address is parked (nothing can run it); its turn's effects are out, and they stay out
    expect(kinds(outcomes)).toEqual(['parked']);
    expect(h.store.record(cart).outbox).toBeUndefined();
    expect(h.store.record(cart).parked?.reason).toContain('no function is bound for type "shop/cart"');
  });
});

describe('TurnRunner: the deadline', () => {
  it('starts no turn when the budget is spent', async () => {
    const h = setup();
    const outcomes = await h.runner({ safetyMarginMs: 1000 }).run(cart, first(ingress('a')), T0 + 500);
    expect(outcomes).toEqual([{ kind: 'retry', afterMs: 0, cause: 'time budget of this run spent' }]);
    expect(h.invoker.requests).toEqual([]);
  });

  it('stops between turns once the deadline passes, leaving the rest for a redelivery', async () => {
    const h = harness();
    const invoker = new ScriptedInvoker((): Answer => {
      h.clock.time += 10_000;
      return {};
    });
    h.functions.bind('shop/cart', invoker, { maxBatch: 1 });
    const outcomes = await h.runner({ safetyMarginMs: 1000 }).run(cart, first(ingress('a'), ingress('b'), ingress('c')), T0 + 15_000);
    expect(kinds(outcomes)).toEqual(['consumed', 'consumed', 'retry']);
    expect(invoker.requests).toHaveLength(2);
  });
});

import { describe, expect, it } from 'vitest';
import type { Address } from '../../../runtime/core/address.js';
import { DEFAULT_DEDUP_POLICY } from '../../../runtime/core/dedup.js';
import { asResent, type Envelope, messageId, NO_ARGUMENT, timerFireEnvelope } from '../../../runtime/core/envelope.js';
import { isStatefunError } from '../../../runtime/core/errors.js';
import type { DelayedEffect, InvocationEffects } from '../../../runtime/core/invocation.js';
import { type AddressRecord, emptyRecord, type PendingTimer, type StoredValue } from '../../../runtime/core/record.js';
import { NEVER_EXPIRES, type StateSpecDecl } from '../../../runtime/core/state-spec.js';
import { applyTurn, planTurn, type TurnContext, type TurnOutcome } from '../../../runtime/core/turn.js';
import type { TypedValue } from '../../../runtime/core/typed-value.js';
import { intType, stringType } from '../../../runtime/sdk/types.js';

const T0 = Date.UTC(2026, 0, 1);
const HOUR_MS = 3_600_000;
/** The incarnation of a record first committed at T0, as ids spell it. */
const INC = T0.toString(36);
const MIN = 60_000;
const self: Address = { typename: 'shop/cart', id: 'alice' };
const other: Address = { typename: 'shop/stock', id: 'apples' };
const int = (n: number): TypedValue => ({ typename: intType.typename, value: intType.serialize(n) });
const str = (s: string): TypedValue => ({ typename: stringType.typename, value: stringType.serialize(s) });

const countSpec: StateSpecDecl = { name: 'count', typename: intType.typename, expiration: NEVER_EXPIRES };

function ctx(overrides: Partial<TurnContext> = {}): TurnContext {
  return { self, now: T0, specs: [countSpec], maxBatch: 10, dedup: DEFAULT_DEDUP_POLICY, releaseProvenByAck: true, ...overrides };
}

let ingressSeq = 0;
function ingress(value: TypedValue = str('hi'), target: Address = self): Envelope {
  const key = `k${++ingressSeq}`;
  return { id: `ingress:${key}`, target, caller: undefined, argument: value, origin: { kind: 'ingress', key, keyed: false, acceptedAt: T0 } };
}

function fromSender(sender: Address, turn: number, index: number, sentAt = T0): Envelope {
  return {
    id: messageId(`${sender.typename}/${sender.id}`, 0, turn, index),
    target: self,
    caller: sender,
    argument: str('m'),
    origin: { kind: 'function', sender, incarnation: 0, turn, index, sentAt },
  };
}

function effects(partial: Partial<InvocationEffects> = {}): InvocationEffects {
  return { mutations: [], messages: [], delayed: [], egress: [], ...partial };
}

/** Plans `deliveries` and applies an outcome where every invocation completed with `fx`. */
function turn(record: AddressRecord, deliveries: Envelope[], fx: Partial<InvocationEffects> = {}, c: TurnContext = ctx()) {
  const plan = planTurn(record, deliveries, c);
  const completed = plan.request?.invocations.length ?? 0;
  const result = applyTurn(record, plan, { completed, ...effects(fx) }, c);
  return { plan, result };
}

function withValues(values: Record<string, StoredValue>, base: AddressRecord = emptyRecord()): AddressRecord {
  return { ...base, values: new Map(Object.entries(values)) };
}

function withTimers(timers: PendingTimer[], base: AddressRecord = emptyRecord()): AddressRecord {
  return { ...base, timers: new Map(timers.map((t) => [t.timerId, t])) };
}

function terminalMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isStatefunError(error, 'terminal'), `expected a TerminalError, got ${String(error)}`).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a TerminalError, nothing was thrown');
}

describe('applyTurn: effects in StateFun order', () => {
  it('numbers messages before zero-delay sends, then timers, then egress, and writes state', () => {
    const { result } = turn(emptyRecord(), [ingress()], {
      messages: [
        { target: other, argument: str('a') },
        { target: other, argument: str('b') },
      ],
      delayed: [
        { kind: 'delay', delayMs: 0, target: other, argument: str('now'), cancellationToken: undefined },
        { kind: 'delay', delayMs: 5000, target: other, argument: str('later'), cancellationToken: 'tok' },
      ],
      egress: [{ egress: 'io.statefun.playground/egress', argument: str('out') }],
      mutations: [{ kind: 'modify', name: 'count', value: int(7) }],
    });
    const record = result.record!;
    expect(record.version).toBe(1);
    expect(result.effects.messages.map((m) => [m.id, stringType.deserialize(m.argument.value)])).toEqual([
      [`shop/cart/alice#${INC}.1.0`, 'a'],
      [`shop/cart/alice#${INC}.1.1`, 'b'],
      [`shop/cart/alice#${INC}.1.2`, 'now'],
    ]);
    expect(result.effects.messages.every((m) => m.caller === self && m.origin.kind === 'function' && m.origin.sentAt === T0)).toBe(true);
    expect(result.effects.timers).toEqual([{ kind: 'schedule', timer: { timerId: `shop/cart/alice#${INC}.1.t1`, owner: self, dueAt: T0 + 5000 } }]);
    expect(record.timers.get(`shop/cart/alice#${INC}.1.t1`)).toMatchObject({ token: 'tok', dueAt: T0 + 5000, target: other });
    expect(result.effects.egress).toEqual([
      { key: `shop/cart/alice#${INC}.1.e0`, egress: 'io.statefun.playground/egress', argument: str('out'), source: self, at: T0 },
    ]);
    expect(intType.deserialize(record.values.get('count')!.value)).toBe(7);
    expect(record.outbox).toMatchObject({ turn: 1, messages: result.effects.messages, timers: result.effects.timers, egress: result.effects.egress });
    expect(record.lastConsumed).toEqual(result.consumed.map((e) => e.id));
  });

  it('applies delayed messages and cancellations in the order asked: cancel-then-send keeps the new one', () => {
    const send: DelayedEffect = { kind: 'delay', delayMs: MIN, target: other, argument: str('x'), cancellationToken: 't' };
    const cancel: DelayedEffect = { kind: 'cancel', cancellationToken: 't' };
    const sendThenCancel = turn(emptyRecord(), [ingress()], { delayed: [send, cancel] }).result;
    expect(sendThenCancel.record!.timers.size).toBe(0);
    const cancelThenSend = turn(emptyRecord(), [ingress()], { delayed: [cancel, send] }).result;
    expect([...cancelThenSend.record!.timers.keys()]).toEqual([`shop/cart/alice#${INC}.1.t1`]);
  });

  it('throws nothing and writes nothing when the function asked for nothing but consumed a message', () => {
    const { result } = turn(emptyRecord(), [ingress()]);
    expect(result.record!.version).toBe(1);
    expect(result.effects).toEqual({ messages: [], timers: [], egress: [] });
  });

  it('gives the same ids for the same input (deterministic), and new ids for the next turn', () => {
    const record = emptyRecord();
    const deliveries = [ingress(), ingress()];
    const fx = {
      messages: [{ target: other, argument: str('a') }],
      delayed: [{ kind: 'delay' as const, delayMs: 10, target: other, argument: str('b'), cancellationToken: undefined }],
      egress: [{ egress: 'a/b', argument: str('c') }],
    };
    const first = turn(record, deliveries, fx).result;
    const again = turn(record, deliveries, fx).result;
    expect(again.effects).toEqual(first.effects);
    expect(again.record).toEqual(first.record);
    const next = turn(first.record!, [ingress()], fx).result;
    expect(next.effects.messages[0]!.id).toBe(`shop/cart/alice#${INC}.2.0`);
    expect(next.effects.timers[0]!.timer.timerId).toBe(`shop/cart/alice#${INC}.2.t0`);
    expect(next.effects.egress[0]!.key).toBe(`shop/cart/alice#${INC}.2.e0`);
  });

  it('never lets commit times go backwards, even if the clock does', () => {
    const record = { ...emptyRecord(), lastCommitAt: T0 + 10_000 };
    const { result } = turn(record, [ingress()], { messages: [{ target: other, argument: str('a') }] }, ctx({ now: T0 }));
    expect(result.record!.lastCommitAt).toBe(T0 + 10_000);
    expect(result.effects.messages[0]!.origin).toMatchObject({ sentAt: T0 + 10_000 });
  });

  it('tells the function the turn time its delays count from', () => {
    const delayed: DelayedEffect = { kind: 'delay', cancellationToken: undefined, delayMs: 5_000, target: self, argument: str('later') };
    for (const [lastCommitAt, now] of [[0, T0], [T0 + 10_000, T0]] as const) {
      const { plan, result } = turn({ ...emptyRecord(), lastCommitAt }, [ingress()], { delayed: [delayed] }, ctx({ now }));
      const turnTime = Math.max(now, lastCommitAt);
      expect(plan.request!.now).toBe(turnTime);
      expect(result.effects.timers[0]!.timer.dueAt).toBe(turnTime + 5_000);
    }
  });
});

describe('applyTurn: invalid requests of the function are terminal', () => {
  it('MODIFY of a state that is not registered', () => {
    const message = terminalMessage(() => turn(emptyRecord(), [ingress()], { mutations: [{ kind: 'modify', name: 'ghost', value: int(1) }] }));
    expect(message).toContain('"ghost"');
    expect(message).toContain('shop/cart');
    expect(message).toContain('not registered');
  });

  it('DELETE of a state that is not registered', () => {
    expect(terminalMessage(() => turn(emptyRecord(), [ingress()], { mutations: [{ kind: 'delete', name: 'ghost' }] }))).toContain('"ghost"');
  });

  it('MODIFY with a value of another type than registered names both types', () => {
    const message = terminalMessage(() => turn(emptyRecord(), [ingress()], { mutations: [{ kind: 'modify', name: 'count', value: str('7') }] }));
    expect(message).toContain('io.statefun.types/string');
    expect(message).toContain('io.statefun.types/int');
    expect(message).toContain('"count"');
  });

  it('a cancellation with an empty token', () => {
    expect(terminalMessage(() => turn(emptyRecord(), [ingress()], { delayed: [{ kind: 'cancel', cancellationToken: '' }] }))).toMatch(
      /empty cancellation token/,
    );
  });

  for (const delayMs of [-1, 1.5, Number.NaN, 2 ** 60]) {
    it(`a delay of ${delayMs} ms`, () => {
      const delayed: DelayedEffect[] = [{ kind: 'delay', delayMs, target: other, argument: str('x'), cancellationToken: undefined }];
      expect(terminalMessage(() => turn(emptyRecord(), [ingress()], { delayed }))).toContain(`invalid delay ${String(delayMs)}`);
    });
  }
});

describe('state type check on read', () => {
  it('a stored value of another type than the registered spec is terminal, naming both types', () => {
    const record = withValues({ count: { typename: stringType.typename, value: stringType.serialize('7'), expiresAt: undefined } });
    const message = terminalMessage(() => planTurn(record, [ingress()], ctx()));
    expect(message).toContain('holds a value of type io.statefun.types/string');
    expect(message).toContain('registers it as io.statefun.types/int');
    expect(message).toContain('"count"');
  });

  it('an expired value of another type reads as empty instead', () => {
    const record = withValues({ count: { typename: stringType.typename, value: stringType.serialize('7'), expiresAt: T0 } });
    expect(planTurn(record, [ingress()], ctx()).request!.state).toEqual([{ name: 'count', typename: intType.typename, value: undefined }]);
  });

  it('the request carries every registered state, empty ones without a value', () => {
    const specs = [countSpec, { name: 'name', typename: stringType.typename, expiration: NEVER_EXPIRES }];
    const record = withValues({ count: { typename: intType.typename, value: intType.serialize(3), expiresAt: undefined } });
    expect(planTurn(record, [ingress()], ctx({ specs })).request!.state).toEqual([
      { name: 'count', typename: intType.typename, value: intType.serialize(3) },
      { name: 'name', typename: stringType.typename, value: undefined },
    ]);
  });
});

describe('expiration', () => {
  const ttl = 10 * MIN;

  it('after-write: a value expires exactly ttl after its write: present a millisecond before, empty at the boundary', () => {
    const spec: StateSpecDecl = { name: 'count', typename: intType.typename, expiration: { mode: 'after-write', ttlMs: ttl } };
    const written = turn(emptyRecord(), [ingress()], { mutations: [{ kind: 'modify', name: 'count', value: int(1) }] }, ctx({ specs: [spec] })).result.record!;
    expect(written.values.get('count')!.expiresAt).toBe(T0 + ttl);

    const before = planTurn(written, [ingress()], ctx({ specs: [spec], now: T0 + ttl - 1 }));
    expect(before.request!.state[0]!.value).toEqual(intType.serialize(1));

    const at = ctx({ specs: [spec], now: T0 + ttl });
    const plan = planTurn(written, [ingress()], at);
    expect(plan.request!.state[0]!.value).toBeUndefined();
    const committed = applyTurn(written, plan, { completed: 1, ...effects() }, at).record!;
    expect(committed.values.has('count')).toBe(false);
  });

  it('after-write: reading does not extend the life of a value', () => {
    const spec: StateSpecDecl = { name: 'count', typename: intType.typename, expiration: { mode: 'after-write', ttlMs: ttl } };
    const written = turn(emptyRecord(), [ingress()], { mutations: [{ kind: 'modify', name: 'count', value: int(1) }] }, ctx({ specs: [spec] })).result.record!;
    const read = turn(written, [ingress()], {}, ctx({ specs: [spec], now: T0 + ttl - 1 })).result.record!;
    expect(read.values.get('count')!.expiresAt).toBe(T0 + ttl);
  });

  it('after-invoke: any invocation refreshes the value, even one that does not touch it', () => {
    const spec: StateSpecDecl = { name: 'count', typename: intType.typename, expiration: { mode: 'after-invoke', ttlMs: ttl } };
    const written = turn(emptyRecord(), [ingress()], { mutations: [{ kind: 'modify', name: 'count', value: int(1) }] }, ctx({ specs: [spec] })).result.record!;
    expect(written.values.get('count')!.expiresAt).toBe(T0 + ttl);
    const touched = turn(written, [ingress()], {}, ctx({ specs: [spec], now: T0 + ttl - 1 })).result.record!;
    expect(touched.values.get('count')!.expiresAt).toBe(T0 + 2 * ttl - 1);
    // still there where it would have expired without the invocation
    const later = planTurn(touched, [ingress()], ctx({ specs: [spec], now: T0 + ttl + 5 * MIN }));
    expect(later.request!.state[0]!.value).toEqual(intType.serialize(1));
  });

  it('after-invoke: without an invocation the value expires at the boundary and is dropped at the next commit', () => {
    const spec: StateSpecDecl = { name: 'count', typename: intType.typename, expiration: { mode: 'after-invoke', ttlMs: ttl } };
    const written = turn(emptyRecord(), [ingress()], { mutations: [{ kind: 'modify', name: 'count', value: int(1) }] }, ctx({ specs: [spec] })).result.record!;
    const { plan, result } = turn(written, [ingress()], {}, ctx({ specs: [spec], now: T0 + ttl }));
    expect(plan.request!.state[0]!.value).toBeUndefined();
    expect(result.record!.values.has('count')).toBe(false);
  });

  it('after-invoke: a turn that only forwards a due timer invokes nothing and refreshes nothing', () => {
    const spec: StateSpecDecl = { name: 'count', typename: intType.typename, expiration: { mode: 'after-invoke', ttlMs: ttl } };
    const timer: PendingTimer = { timerId: 't1', token: undefined, dueAt: T0 + MIN, target: other, argument: str('x') };
    const record = withTimers([timer], withValues({ count: { typename: intType.typename, value: intType.serialize(1), expiresAt: T0 + ttl } }));
    const { result } = turn(record, [timerFireEnvelope(self, 't1', T0 + MIN)], {}, ctx({ specs: [spec], now: T0 + MIN }));
    expect(result.record!.values.get('count')!.expiresAt).toBe(T0 + ttl);
    expect(result.effects.messages).toHaveLength(1);
  });
});

describe('delayed messages and cancellation tokens', () => {
  const pending = (timerId: string, token: string | undefined, dueAt = T0 + MIN): PendingTimer => ({
    timerId,
    token,
    dueAt,
    target: other,
    argument: str(timerId),
  });

  it('reusing a pending token replaces the earlier delayed message', () => {
    const record = withTimers([pending('old', 'r')], { ...emptyRecord(), version: 4 });
    const { result } = turn(record, [ingress()], {
      delayed: [{ kind: 'delay', delayMs: 2 * MIN, target: other, argument: str('new'), cancellationToken: 'r' }],
    });
    expect([...result.record!.timers.keys()]).toEqual(['shop/cart/alice#0.5.t0']);
    expect(result.effects.timers).toEqual([
      { kind: 'cancel', timer: { timerId: 'old', owner: self, dueAt: T0 + MIN } },
      { kind: 'schedule', timer: { timerId: 'shop/cart/alice#0.5.t0', owner: self, dueAt: T0 + 2 * MIN } },
    ]);
  });

  it('a cancellation only reaches timers of this address: tokens are scoped per sender', () => {
    // Another address may use the same token; its timers live in its own record, which this turn never sees.
    const record = withTimers([pending('mine', 'a')]);
    const { result } = turn(record, [ingress()], { delayed: [{ kind: 'cancel', cancellationToken: 'b' }] });
    expect(result.effects.timers).toEqual([]);
    expect([...result.record!.timers.keys()]).toEqual(['mine']);
    const cancelled = turn(record, [ingress()], { delayed: [{ kind: 'cancel', cancellationToken: 'a' }] }).result;
    expect(cancelled.effects.timers).toEqual([{ kind: 'cancel', timer: { timerId: 'mine', owner: self, dueAt: T0 + MIN } }]);
    expect(cancelled.record!.timers.size).toBe(0);
  });

  it('cancelling an unknown token is not an error', () => {
    expect(turn(emptyRecord(), [ingress()], { delayed: [{ kind: 'cancel', cancellationToken: 'nothing' }] }).result.effects.timers).toEqual([]);
  });

  it('zero delay without a token is a direct send; with a token it is a timer due at once', () => {
    const direct = turn(emptyRecord(), [ingress()], {
      delayed: [{ kind: 'delay', delayMs: 0, target: other, argument: str('x'), cancellationToken: undefined }],
    }).result;
    expect(direct.effects.messages).toHaveLength(1);
    expect(direct.effects.timers).toEqual([]);
    expect(direct.record!.timers.size).toBe(0);

    const tokened = turn(emptyRecord(), [ingress()], {
      delayed: [{ kind: 'delay', delayMs: 0, target: other, argument: str('x'), cancellationToken: 'z' }],
    }).result;
    expect(tokened.effects.messages).toHaveLength(0);
    expect(tokened.effects.timers).toEqual([{ kind: 'schedule', timer: { timerId: `shop/cart/alice#${INC}.1.t0`, owner: self, dueAt: T0 } }]);
  });

  it('an empty token on a delayed message means no token', () => {
    const { result } = turn(emptyRecord(), [ingress()], {
      delayed: [{ kind: 'delay', delayMs: 0, target: other, argument: str('x'), cancellationToken: '' }],
    });
    expect(result.effects.messages).toHaveLength(1);
  });

  it('a due timer to another address is forwarded from its owner and leaves the pending set', () => {
    const record = withTimers([pending('t1', 'tok')], { ...emptyRecord(), version: 2 });
    const { plan, result } = turn(record, [timerFireEnvelope(self, 't1', T0 + MIN)], {}, ctx({ now: T0 + MIN }));
    expect(plan.request).toBeUndefined();
    expect(plan.items.map((i) => i.kind)).toEqual(['forward']);
    expect(result.effects.messages).toEqual([
      {
        id: 'shop/cart/alice#0.3.0',
        target: other,
        caller: self,
        argument: str('t1'),
        origin: { kind: 'function', sender: self, incarnation: 0, turn: 3, index: 0, sentAt: T0 + MIN },
      },
    ]);
    expect(result.record!.timers.size).toBe(0);
    // the token is free again
    const reused = turn(result.record!, [ingress()], {
      delayed: [{ kind: 'delay', delayMs: MIN, target: other, argument: str('again'), cancellationToken: 'tok' }],
    }).result;
    expect(reused.effects.timers.map((op) => op.kind)).toEqual(['schedule']);
  });

  it('a due timer to itself invokes the function with itself as caller', () => {
    const timer: PendingTimer = { timerId: 't1', token: undefined, dueAt: T0, target: self, argument: str('wake') };
    const plan = planTurn(withTimers([timer]), [timerFireEnvelope(self, 't1', T0)], ctx());
    expect(plan.request!.invocations).toEqual([{ caller: self, argument: str('wake') }]);
  });

  it('a fire of a timer no longer pending, or fired twice in one batch, is skipped as stale', () => {
    const timer: PendingTimer = { timerId: 't1', token: undefined, dueAt: T0, target: self, argument: str('wake') };
    const fire = timerFireEnvelope(self, 't1', T0);
    const twice = planTurn(withTimers([timer]), [fire, fire], ctx());
    expect(twice.items.map((i) => i.kind)).toEqual(['invoke', 'skip']);
    const cancelled = planTurn(emptyRecord(), [fire], ctx());
    expect(cancelled.items).toEqual([{ kind: 'skip', envelope: fire, reason: 'stale-timer' }]);
    expect(applyTurn(emptyRecord(), cancelled, { completed: 0, ...effects() }, ctx()).record).toBeUndefined();
  });
});

describe('planTurn', () => {
  const bob: Address = { typename: 'shop/user', id: 'bob' };

  it('skips what the address already applied, by sender mark and by id within the batch', () => {
    const record: AddressRecord = { ...emptyRecord(), dedup: { marks: new Map([['shop/user/bob', { incarnation: 0, turn: 2, index: 0, sentAt: T0, seenAt: T0 }]]), forgottenUntil: 0 } };
    const m = fromSender(bob, 3, 0);
    const plan = planTurn(record, [fromSender(bob, 2, 0), m, m], ctx());
    expect(plan.items.map((i) => i.kind)).toEqual(['skip', 'invoke', 'skip']);
    expect(plan.request!.invocations).toHaveLength(1);
  });

  it('remembers the senders it applied, with (incarnation, turn, index) and when it applied them', () => {
    const { result } = turn(emptyRecord(), [fromSender(bob, 3, 0), fromSender(bob, 3, 1)]);
    expect(result.record!.dedup.marks.get('shop/user/bob')).toEqual({ incarnation: 0, turn: 3, index: 1, sentAt: T0, seenAt: T0 });
  });

  it('takes a sender re-created under a later incarnation for a new sender, whatever its turn numbers', () => {
    const record: AddressRecord = { ...emptyRecord(), dedup: { marks: new Map([['shop/user/bob', { incarnation: 5, turn: 90, index: 3, sentAt: T0, seenAt: T0 }]]), forgottenUntil: 0 } };
    const reborn = { ...fromSender(bob, 1, 0), id: 'reborn' };
    const again: Envelope = { ...reborn, origin: { ...(reborn.origin as Extract<Envelope['origin'], { kind: 'function' }>), incarnation: 6 } };
    const stale: Envelope = { ...fromSender(bob, 90, 3), origin: { ...(fromSender(bob, 90, 3).origin as Extract<Envelope['origin'], { kind: 'function' }>), incarnation: 5 } };
    expect(planTurn(record, [again, stale], ctx()).items.map((i) => i.kind)).toEqual(['invoke', 'skip']);
  });

  it('keeps the mark of a message applied after a long backlog for the full window from when it was applied', () => {
    const late = ctx({ now: T0 + 2 * HOUR_MS });
    const { result } = turn(emptyRecord(), [fromSender(bob, 1, 0, T0)], {}, late);
    expect(result.record!.dedup.marks.get('shop/user/bob')).toMatchObject({ sentAt: T0, seenAt: T0 + 2 * HOUR_MS });
  });

  it('takes at most maxBatch invocations and leaves the rest for the next turn', () => {
    const deliveries = [ingress(), ingress(), ingress()];
    const plan = planTurn(emptyRecord(), deliveries, ctx({ maxBatch: 2 }));
    expect(plan.request!.invocations).toHaveLength(2);
    expect(plan.rest).toEqual([deliveries[2]]);
  });

  it('a control message for an address that is not parked is ignored and commits nothing', () => {
    const control: Envelope = { id: 'c1', target: self, caller: undefined, argument: NO_ARGUMENT, origin: { kind: 'control', command: 'replay', issuedAt: T0 } };
    const plan = planTurn(emptyRecord(), [control], ctx());
    expect(plan.items).toEqual([{ kind: 'skip', envelope: control, reason: 'ignored' }]);
    expect(applyTurn(emptyRecord(), plan, { completed: 0, ...effects() }, ctx()).record).toBeUndefined();
  });

  it('parks from a re-sent copy the address may have forgotten, taking the messages before it', () => {
    const record: AddressRecord = { ...emptyRecord(), dedup: { marks: new Map(), forgottenUntil: T0 } };
    const first = ingress();
    const ambiguous = asResent(fromSender(bob, 1, 0, T0 - 5));
    const after = ingress();
    const plan = planTurn(record, [first, ambiguous, after], ctx());
    expect(plan.items.map((i) => i.envelope)).toEqual([first]);
    expect(plan.parkFrom?.envelope).toBe(ambiguous);
    expect(plan.parkFrom?.reason).toContain(`message "${ambiguous.id}" was sent again after a failure`);
    expect(plan.parkFrom?.reason).toContain('2026-01-01T00:00:00.000Z');
    expect(plan.rest).toEqual([]);
  });
});

describe('applyTurn after a partial failure', () => {
  it('consumes the messages before the failed invocation (and skips among them) with their effects, and nothing after', () => {
    const a = ingress(str('a'));
    const fire = timerFireEnvelope(self, 'gone', T0); // a stale fire between a and b: skip
    const b = ingress(str('b'));
    const c = ingress(str('c'));
    const plan = planTurn(emptyRecord(), [a, fire, b, c], ctx());
    const outcome: TurnOutcome = { completed: 1, ...effects({ messages: [{ target: other, argument: str('from a') }] }) };
    const result = applyTurn(emptyRecord(), plan, outcome, ctx());
    expect(result.consumed).toEqual([a, fire]);
    expect(result.unconsumed).toEqual([b, c]);
    expect(result.record!.lastConsumed).toEqual([a.id, fire.id]);
    expect(result.effects.messages).toHaveLength(1);
  });

  it('commits nothing when the first invocation failed and nothing was skipped before it', () => {
    const plan = planTurn(emptyRecord(), [ingress(), ingress()], ctx());
    const result = applyTurn(emptyRecord(), plan, { completed: 0, ...effects() }, ctx());
    expect(result.record).toBeUndefined();
    expect(result.consumed).toEqual([]);
    expect(result.unconsumed).toHaveLength(2);
  });
});

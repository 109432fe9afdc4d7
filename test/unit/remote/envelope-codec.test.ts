import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Envelope, NO_ARGUMENT, timerFireEnvelope } from '../../../runtime/core/envelope.js';
import { isStatefunError } from '../../../runtime/core/errors.js';
import { decodeEnvelope, encodeEnvelope } from '../../../runtime/remote/envelope-codec.js';
import { WireEnvelope } from '../../../runtime/remote/wire.js';

const cart = { typename: 'shop/cart', id: 'alice' };
const checkout = { typename: 'shop/checkout', id: 'alice' };
const order = { typename: 'shop/Order', value: Uint8Array.of(1, 2, 3) };

const examples: Record<string, Envelope> = {
  function: { id: 'shop/cart/alice#7.0', target: checkout, caller: cart, argument: order, origin: { kind: 'function', sender: cart, incarnation: 1_763_000_000_000, turn: 7, index: 0, sentAt: 1_763_769_600_000 } },
  'function, resent, far turn': {
    id: 'x',
    target: checkout,
    caller: cart,
    argument: order,
    origin: { kind: 'function', sender: cart, incarnation: 1, turn: 2 ** 40, index: 3, sentAt: 1, resent: true },
  },
  ingress: { id: 'ingress:k-1', target: checkout, caller: undefined, argument: order, origin: { kind: 'ingress', key: 'k-1', keyed: true, acceptedAt: 5 } },
  'ingress, minted, resent': { id: 'ingress:m', target: checkout, caller: undefined, argument: order, origin: { kind: 'ingress', key: 'm', keyed: false, acceptedAt: 5, resent: true } },
  timer: timerFireEnvelope(cart, 'shop/cart/alice#7.t0', 1_763_769_660_000),
  'control replay': { id: 'c1', target: cart, caller: undefined, argument: NO_ARGUMENT, origin: { kind: 'control', command: 'replay', issuedAt: 9 } },
  'control skip one': { id: 'c2', target: cart, caller: undefined, argument: NO_ARGUMENT, origin: { kind: 'control', command: 'skip', messageId: 'shop/cart/alice#3.1', issuedAt: 9 } },
  'zero-length user value': { id: 'z', target: checkout, caller: undefined, argument: { typename: 'io.statefun.types/int', value: new Uint8Array(0) }, origin: { kind: 'ingress', key: 'z', keyed: false, acceptedAt: 0 } },
};

describe('envelope codec', () => {
  for (const [name, envelope] of Object.entries(examples)) {
    it(`round-trips a ${name} envelope`, () => {
      expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
    });
  }

  it('leaves the argument of signal envelopes (timers, control) off the wire', () => {
    const timer = examples.timer!;
    expect(WireEnvelope.decode(encodeEnvelope(timer)).argument).toBeNull();
    const withUserValue = { ...timer, argument: { typename: 'x/y', value: new Uint8Array(0) } };
    expect(decodeEnvelope(encodeEnvelope(withUserValue)).argument).toEqual({ typename: 'x/y', value: new Uint8Array(0) });
  });

  it('reads resent: false back as absent', () => {
    const first: Envelope = { ...examples.ingress!, origin: { kind: 'ingress', key: 'k-1', keyed: true, acceptedAt: 5, resent: false } };
    expect(decodeEnvelope(encodeEnvelope(first))).toEqual(examples.ingress);
  });

  it('refuses bytes that are not a valid envelope, naming the problem', () => {
    const problems: Array<[Uint8Array, RegExp]> = [
      [Uint8Array.of(0xff, 0xff, 0xff), /an envelope \(3 bytes\) does not parse/],
      [WireEnvelope.encode({ target: { namespace: 'a', type: 'b', id: 'c' } }).finish(), /has no id/],
      [WireEnvelope.encode({ id: 'x', target: { namespace: 'a', type: 'b', id: 'c' } }).finish(), /envelope "x" has no origin/],
      [WireEnvelope.encode({ id: 'x', timerOrigin: { timerId: 't' } }).finish(), /the target of envelope "x" is missing/],
      [WireEnvelope.encode({ id: 'x', target: { namespace: 'a', type: 'b', id: 'c' }, controlOrigin: { command: 0 } }).finish(), /unknown command 0/],
      [WireEnvelope.encode({ id: 'x', target: { namespace: 'a', type: 'b', id: 'c' }, ingressOrigin: { keyed: true } }).finish(), /ingress origin of envelope "x" has no key/],
    ];
    for (const [bytes, message] of problems) {
      let thrown: unknown;
      try {
        decodeEnvelope(bytes);
      } catch (error) {
        thrown = error;
      }
      expect(isStatefunError(thrown, 'terminal')).toBe(true);
      expect((thrown as Error).message).toMatch(message);
    }
  });

  it('round-trips any envelope (property)', () => {
    const address = fc.record({ typename: fc.constantFrom('a/b', 'shop.v2/cart'), id: fc.string({ minLength: 1, maxLength: 10 }) });
    const time = fc.nat({ max: 2 ** 45 });
    const origin = fc.oneof(
      fc.record({ kind: fc.constant('function' as const), sender: address, incarnation: time, turn: fc.maxSafeNat(), index: fc.nat({ max: 2 ** 32 - 1 }), sentAt: time, resent: fc.constant(true) }, { requiredKeys: ['kind', 'sender', 'incarnation', 'turn', 'index', 'sentAt'] }),
      fc.record({ kind: fc.constant('ingress' as const), key: fc.string({ minLength: 1 }), keyed: fc.boolean(), acceptedAt: time, resent: fc.constant(true) }, { requiredKeys: ['kind', 'key', 'keyed', 'acceptedAt'] }),
      fc.record({ kind: fc.constant('timer' as const), timerId: fc.string({ minLength: 1 }), dueAt: time }),
      fc.record({ kind: fc.constant('control' as const), command: fc.constantFrom('replay' as const, 'skip' as const), messageId: fc.string({ minLength: 1 }), issuedAt: time }, { requiredKeys: ['kind', 'command', 'issuedAt'] }),
    );
    const envelope: fc.Arbitrary<Envelope> = fc.record({
      id: fc.string({ minLength: 1 }),
      target: address,
      caller: fc.option(address, { nil: undefined }),
      argument: fc.record({ typename: fc.constantFrom('x/y', 'io.statefun.types/string'), value: fc.uint8Array({ maxLength: 20 }) }),
      origin,
    });
    fc.assert(
      fc.property(envelope, (e) => {
        expect(decodeEnvelope(encodeEnvelope(e))).toEqual(e);
      }),
      { numRuns: 500 },
    );
  });
});

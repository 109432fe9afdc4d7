import { kafkaEgressMessage, kinesisEgressMessage, messageBuilder } from 'apache-flink-statefun';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Address } from '../../../runtime/core/address.js';
import { isStatefunError } from '../../../runtime/core/errors.js';
import type { InvocationEffects, InvocationRequest } from '../../../runtime/core/invocation.js';
import type { StateSpecDecl } from '../../../runtime/core/state-spec.js';
import { decodeFromFunction, decodeToFunction, encodeFromFunction, encodeToFunction } from '../../../runtime/remote/codec.js';
import { FromFunction, KafkaProducerRecord, KinesisEgressRecord } from '../../../runtime/remote/wire.js';
import { intType, stringType } from '../../../runtime/sdk/types.js';
import { officialHandler, StateFun, type Context, type Message } from './official-sdk.js';

const greeter: Address = { typename: 'example/greeter', id: 'alice' };
const str = (s: string) => ({ typename: stringType.typename, value: stringType.serialize(s) });
const int = (n: number) => ({ typename: intType.typename, value: intType.serialize(n) });

function request(overrides: Partial<InvocationRequest> = {}): InvocationRequest {
  return { target: greeter, state: [], invocations: [{ caller: undefined, argument: str('hi') }], ...overrides };
}

/** Expects `fn` to throw a TerminalError whose message matches. */
function expectTerminal(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isStatefunError(thrown, 'terminal'), `expected a TerminalError, got ${String(thrown)}`).toBe(true);
  expect((thrown as Error).message).toMatch(message);
}

describe('encodeToFunction, read by the official StateFun JS SDK', () => {
  it('carries the target, every state (empty ones without a value) and each invocation with its caller', async () => {
    const seen: unknown[] = [];
    const sdk = officialHandler([
      {
        typename: 'example/greeter',
        specs: [
          { name: 'seen', type: StateFun.intType() },
          { name: 'last', type: StateFun.stringType() },
        ],
        fn(ctx: Context, message: Message) {
          seen.push({
            self: `${ctx.self.typename}/${ctx.self.id}`,
            caller: ctx.caller === null ? null : `${ctx.caller.typename}/${ctx.caller.id}`,
            message: message.asString(),
            seen: ctx.storage.seen as unknown,
            last: ctx.storage.last as unknown,
          });
        },
      },
    ]);
    const body = encodeToFunction(
      request({
        state: [
          { name: 'seen', typename: intType.typename, value: intType.serialize(41) },
          { name: 'last', typename: stringType.typename, value: undefined },
        ],
        invocations: [
          { caller: undefined, argument: str('from ingress') },
          { caller: { typename: 'shop/cart', id: 'id/with/slashes' }, argument: str('from a function') },
        ],
      }),
    );
    const answer = decodeFromFunction(await sdk(body), request());
    expect(answer.kind).toBe('result');
    expect(seen).toEqual([
      { self: 'example/greeter/alice', caller: null, message: 'from ingress', seen: 41, last: null },
      { self: 'example/greeter/alice', caller: 'shop/cart/id/with/slashes', message: 'from a function', seen: 41, last: null },
    ]);
  });

  it('sends zero values of built-in types as present (has_value) with zero bytes', async () => {
    const got: unknown[] = [];
    const sdk = officialHandler([{ typename: 'example/greeter', specs: [{ name: 'n', type: StateFun.intType() }], fn: (ctx: Context, m: Message) => void got.push(m.asInt(), ctx.storage.n) }]);
    await sdk(encodeToFunction(request({ state: [{ name: 'n', typename: intType.typename, value: new Uint8Array(0) }], invocations: [{ caller: undefined, argument: int(0) }] })));
    expect(got).toEqual([0, 0]);
  });
});

describe('decodeFromFunction, of answers of the official StateFun JS SDK', () => {
  it('reads an IncompleteInvocationContext with every missing state, its type and its expiration', async () => {
    const sdk = officialHandler([
      {
        typename: 'example/greeter',
        specs: [
          { name: 'plain', type: StateFun.stringType() },
          { name: 'by_write', type: StateFun.intType(), expireAfterWrite: 60_000 },
          { name: 'by_call', type: StateFun.jsonType('example/Profile'), expireAfterCall: 2 ** 40 },
        ],
        fn: () => {
          throw new Error('must not run');
        },
      },
    ]);
    const answer = decodeFromFunction(await sdk(encodeToFunction(request())), request());
    expect(answer).toEqual({
      kind: 'incomplete',
      missing: [
        { name: 'plain', typename: 'io.statefun.types/string', expiration: { mode: 'none', ttlMs: 0 } },
        { name: 'by_write', typename: 'io.statefun.types/int', expiration: { mode: 'after-write', ttlMs: 60_000 } },
        { name: 'by_call', typename: 'example/Profile', expiration: { mode: 'after-invoke', ttlMs: 2 ** 40 } },
      ],
    });
  });

  it('reads state mutations, messages, delayed messages with and without tokens, cancellations and egress', async () => {
    const sdk = officialHandler([
      {
        typename: 'example/greeter',
        specs: [
          { name: 'seen', type: StateFun.intType() },
          { name: 'gone', type: StateFun.stringType() },
        ],
        fn(ctx: Context, message: Message) {
          ctx.storage.seen = 7;
          ctx.storage.gone = null;
          ctx.send(messageBuilder({ typename: 'example/other', id: 'bob', value: message.asString() ?? '' }));
          ctx.sendAfter(1500, messageBuilder({ typename: 'example/other', id: 'bob', value: 'later' }));
          ctx.sendAfter(2 ** 33, messageBuilder({ typename: 'example/other', id: 'carol', value: 3, valueType: StateFun.intType() }), 'token-1');
          ctx.cancelDelayedMessage('token-0');
          ctx.send(kafkaEgressMessage({ typename: 'example/kafka', topic: 'greetings', key: 'alice', value: 'hello' }));
          ctx.send(kinesisEgressMessage({ typename: 'example/kinesis', stream: 'greetings', partitionKey: 'alice', hashKey: '42', value: 'hello' }));
        },
      },
    ]);
    const req = request({
      state: [
        { name: 'seen', typename: intType.typename, value: undefined },
        { name: 'gone', typename: stringType.typename, value: stringType.serialize('x') },
      ],
    });
    const answer = decodeFromFunction(await sdk(encodeToFunction(req)), req);
    expect(answer.kind).toBe('result');
    if (answer.kind !== 'result') return;
    expect(answer.completed).toBe(1);
    expect(answer.mutations).toEqual([
      { kind: 'modify', name: 'seen', value: int(7) },
      { kind: 'delete', name: 'gone' },
    ]);
    expect(answer.messages).toEqual([{ target: { typename: 'example/other', id: 'bob' }, argument: str('hi') }]);
    expect(answer.delayed).toEqual([
      { kind: 'delay', delayMs: 1500, target: { typename: 'example/other', id: 'bob' }, argument: str('later'), cancellationToken: undefined },
      { kind: 'delay', delayMs: 2 ** 33, target: { typename: 'example/other', id: 'carol' }, argument: int(3), cancellationToken: 'token-1' },
      { kind: 'cancel', cancellationToken: 'token-0' },
    ]);
    expect(answer.egress.map((e) => [e.egress, e.argument.typename])).toEqual([
      ['example/kafka', 'type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord'],
      ['example/kinesis', 'type.googleapis.com/io.statefun.sdk.egress.KinesisEgressRecord'],
    ]);
    const kafka = KafkaProducerRecord.decode(answer.egress[0]!.argument.value);
    expect({ key: kafka.key, topic: kafka.topic, value: Buffer.from(kafka.valueBytes).toString() }).toEqual({ key: 'alice', topic: 'greetings', value: 'hello' });
    const kinesis = KinesisEgressRecord.decode(answer.egress[1]!.argument.value);
    expect({ pk: kinesis.partitionKey, stream: kinesis.stream, hash: kinesis.explicitHashKey, value: Buffer.from(kinesis.valueBytes).toString() }).toEqual({
      pk: 'alice',
      stream: 'greetings',
      hash: '42',
      value: 'hello',
    });
  });

  it('treats an empty body as a result without effects for the whole batch', () => {
    const req = request({ invocations: [{ caller: undefined, argument: str('a') }, { caller: undefined, argument: str('b') }] });
    expect(decodeFromFunction(new Uint8Array(0), req)).toEqual({ kind: 'result', completed: 2, mutations: [], messages: [], delayed: [], egress: [] });
  });
});

describe('decodeFromFunction refuses bodies it cannot use, with a TerminalError naming the problem', () => {
  const encode = (response: Parameters<typeof FromFunction.encode>[0]) => FromFunction.encode(response).finish();

  it('garbage bytes', () => {
    expectTerminal(() => decodeFromFunction(new TextEncoder().encode('<html>Bad gateway</html>'), request()), /response of function example\/greeter \(id "alice"\) \(24 bytes\)/);
  });

  it('a body that parses but holds neither answer', () => {
    expectTerminal(() => decodeFromFunction(Uint8Array.of(0x08, 0x01), request()), /neither an invocation_result nor an incomplete_invocation_context/);
  });

  it('an outgoing message without a target', () => {
    const body = encode({ invocationResult: { outgoingMessages: [{ argument: { typename: 'a/b', hasValue: true } }] } });
    expectTerminal(() => decodeFromFunction(body, request()), /the target of outgoing message #0 of the response of function example\/greeter .* is missing/);
  });

  it('an argument with an empty typename', () => {
    const body = encode({ invocationResult: { outgoingMessages: [{ target: { namespace: 'a', type: 'b', id: 'c' }, argument: { typename: '' } }] } });
    expectTerminal(() => decodeFromFunction(body, request()), /typename of the argument of outgoing message #0/);
  });

  it('a target without a namespace, or with an empty id', () => {
    const noNamespace = encode({ invocationResult: { outgoingMessages: [{ target: { type: 'b', id: 'c' }, argument: { typename: 'a/b' } }] } });
    expectTerminal(() => decodeFromFunction(noNamespace, request()), /function type of the target of outgoing message #0/);
    const noId = encode({ invocationResult: { delayedInvocations: [{ target: { namespace: 'a', type: 'b' }, argument: { typename: 'a/b' } }] } });
    expectTerminal(() => decodeFromFunction(noId, request()), /target of delayed invocation #0 .*\(a\/b\) has an empty id/);
  });

  it('a cancellation request without a token', () => {
    const body = encode({ invocationResult: { delayedInvocations: [{ isCancellationRequest: true }] } });
    expectTerminal(() => decodeFromFunction(body, request()), /delayed invocation #0 .* cancellation request without a cancellation_token/);
  });

  it('an egress message without its namespace', () => {
    const body = encode({ invocationResult: { outgoingEgresses: [{ egressType: 'kafka', argument: { typename: 'a/b' } }] } });
    expectTerminal(() => decodeFromFunction(body, request()), /egress message #0 .* names egress "\/kafka"/);
  });

  it('a MODIFY without a value, an unknown mutation type, a mutation without a state name', () => {
    expectTerminal(() => decodeFromFunction(encode({ invocationResult: { stateMutations: [{ mutationType: 1, stateName: 'seen' }] } }), request()), /new value of state "seen" .* is missing/);
    expectTerminal(() => decodeFromFunction(encode({ invocationResult: { stateMutations: [{ mutationType: 7 as 0, stateName: 'seen' }] } }), request()), /unknown mutation type 7/);
    expectTerminal(() => decodeFromFunction(encode({ invocationResult: { stateMutations: [{ mutationType: 0 }] } }), request()), /state mutation #0 .* has no state name/);
  });

  it('a delay beyond the safe integers, a missing value without a type, an unknown expire mode', () => {
    const farDelay = encode({ invocationResult: { delayedInvocations: [{ delayInMs: 2 ** 60, target: { namespace: 'a', type: 'b', id: 'c' }, argument: { typename: 'a/b' } }] } });
    expectTerminal(() => decodeFromFunction(farDelay, request()), /delay_in_ms of delayed invocation #0 .* 1152921504606846976 is not a safe integer/);
    expectTerminal(() => decodeFromFunction(encode({ incompleteInvocationContext: { missingValues: [{ stateName: 'seen' }] } }), request()), /"seen"\) has no type_typename/);
    const badMode = encode({ incompleteInvocationContext: { missingValues: [{ stateName: 'seen', typeTypename: 'a/b', expirationSpec: { mode: 9 as 0, expireAfterMillis: 1 } }] } });
    expectTerminal(() => decodeFromFunction(badMode, request()), /unknown expire mode 9/);
  });
});

describe('the serving side', () => {
  it('decodeToFunction reads what encodeToFunction wrote; empty states come back untyped, as StateFun sends them', () => {
    const req = request({
      state: [
        { name: 'seen', typename: intType.typename, value: intType.serialize(3) },
        { name: 'empty', typename: stringType.typename, value: undefined },
      ],
      invocations: [
        { caller: { typename: 'shop/cart', id: 'bob' }, argument: str('x') },
        { caller: undefined, argument: int(0) },
      ],
    });
    expect(decodeToFunction(encodeToFunction(req))).toEqual({ ...req, state: [req.state[0], { name: 'empty', typename: '', value: undefined }] });
  });

  it('decodeToFunction refuses a body without an invocation batch or without invocations', () => {
    expectTerminal(() => decodeToFunction(new Uint8Array(0)), /holds no invocation batch/);
    expectTerminal(() => decodeToFunction(encodeToFunction(request({ invocations: [] }))), /holds no invocations/);
  });

  it('encodeFromFunction writes missing states as the official SDKs do', () => {
    const missing: StateSpecDecl[] = [
      { name: 'a', typename: 'x/y', expiration: { mode: 'none', ttlMs: 0 } },
      { name: 'b', typename: 'x/z', expiration: { mode: 'after-invoke', ttlMs: 5000 } },
    ];
    expect(decodeFromFunction(encodeFromFunction({ missing }), request())).toEqual({ kind: 'incomplete', missing });
  });

  const address = fc.record({
    typename: fc.tuple(fc.stringMatching(/^[a-z][a-z.]{0,8}$/), fc.stringMatching(/^[a-z][a-z_]{0,8}$/)).map(([ns, n]) => `${ns}/${n}`),
    id: fc.string({ minLength: 1, maxLength: 12 }),
  });
  const value = fc.record({ typename: fc.constantFrom('io.statefun.types/int', 'type.googleapis.com/a.B', 'x/y'), value: fc.uint8Array({ maxLength: 16 }) });
  const token = fc.string({ minLength: 1, maxLength: 8 });
  const effects: fc.Arbitrary<InvocationEffects> = fc.record({
    mutations: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('delete' as const), name: fc.stringMatching(/^[a-z_]{1,6}$/) }),
        fc.record({ kind: fc.constant('modify' as const), name: fc.stringMatching(/^[a-z_]{1,6}$/), value }),
      ),
      { maxLength: 3 },
    ),
    messages: fc.array(fc.record({ target: address, argument: value }), { maxLength: 3 }),
    delayed: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('cancel' as const), cancellationToken: token }),
        fc.record({ kind: fc.constant('delay' as const), delayMs: fc.maxSafeNat(), target: address, argument: value, cancellationToken: fc.option(token, { nil: undefined }) }),
      ),
      { maxLength: 3 },
    ),
    egress: fc.array(fc.record({ egress: address.map((a) => a.typename), argument: value }), { maxLength: 3 }),
  });

  it('effects survive encodeFromFunction → decodeFromFunction unchanged (property)', () => {
    fc.assert(
      fc.property(effects, (e) => {
        const answer = decodeFromFunction(encodeFromFunction(e), request());
        expect(answer).toEqual({ kind: 'result', completed: 1, ...e });
      }),
      { numRuns: 300 },
    );
  });
});

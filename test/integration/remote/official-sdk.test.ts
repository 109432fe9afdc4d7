import { type Context, kafkaEgressMessage, kinesisEgressMessage, type Message, messageBuilder, StateFun } from 'apache-flink-statefun';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Address } from '../../../runtime/core/address.js';
import { isStatefunError } from '../../../runtime/core/errors.js';
import type { InvocationOutcome, InvocationRequest, StateEntry } from '../../../runtime/core/invocation.js';
import { RemoteFunctionInvoker } from '../../../runtime/remote/remote-invoker.js';
import { KafkaProducerRecord, KinesisEgressRecord } from '../../../runtime/remote/wire.js';
import { intType, stringType } from '../../../runtime/sdk/types.js';
import { officialSdkListener, startServer, type TestServer } from './servers.js';

/** Functions written with the official StateFun JS SDK, exactly as its users write them. */
const GreetRequest = StateFun.jsonType<{ name: string }>('example/GreetRequest');
const functions = [
  {
    typename: 'example/greeter',
    specs: [
      { name: 'seen', type: StateFun.intType() },
      { name: 'last_name', type: StateFun.stringType(), expireAfterWrite: 60_000 },
    ],
    fn(ctx: Context, message: Message) {
      const { name } = message.as(GreetRequest)!;
      const seen = ((ctx.storage.seen as number | null) ?? 0) + 1;
      ctx.storage.seen = seen;
      ctx.storage.last_name = name;
      const to = ctx.caller ?? { typename: 'example/inbox', id: name };
      ctx.send(messageBuilder({ typename: to.typename, id: to.id, value: `Hello ${name}, #${seen}` }));
    },
  },
  {
    typename: 'example/reminder',
    fn(ctx: Context, message: Message) {
      const command = message.asString()!;
      if (command === 'remind') ctx.sendAfter(2500, messageBuilder({ typename: 'example/reminder', id: ctx.self.id, value: 'ring' }), `r-${ctx.self.id}`);
      if (command === 'nudge') ctx.sendAfter(10, messageBuilder({ typename: 'example/greeter', id: ctx.self.id, value: 7, valueType: StateFun.intType() }));
      if (command === 'cancel') ctx.cancelDelayedMessage(`r-${ctx.self.id}`);
    },
  },
  {
    typename: 'example/publisher',
    fn(ctx: Context, message: Message) {
      ctx.send(kafkaEgressMessage({ typename: 'example/kafka', topic: 'greetings', key: ctx.self.id, value: message.asString() }));
      ctx.send(kinesisEgressMessage({ typename: 'example/kinesis', stream: 'greetings', partitionKey: ctx.self.id, value: message.asString() }));
    },
  },
];

const json = (value: unknown) => ({ typename: 'example/GreetRequest', value: new TextEncoder().encode(JSON.stringify(value)) });
const str = (value: string) => ({ typename: stringType.typename, value: stringType.serialize(value) });
const soon = (): number => 10_000;

let server: TestServer;
let invoker: RemoteFunctionInvoker;

beforeAll(async () => {
  server = await startServer(officialSdkListener(functions));
  invoker = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/statefun/{function.name}`, callTimeoutMs: 5_000 });
});

afterAll(async () => {
  await invoker.close();
  await server.close();
});

function result(outcome: InvocationOutcome): Extract<InvocationOutcome, { kind: 'result' }> {
  if (outcome.kind !== 'result') throw new Error(`expected a result, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('RemoteFunctionInvoker against the official StateFun JS SDK', () => {
  const alice: Address = { typename: 'example/greeter', id: 'alice' };

  it('registers states: the first call answers IncompleteInvocationContext, the call with the states succeeds', async () => {
    const request: InvocationRequest = { target: alice, state: [], invocations: [{ caller: undefined, argument: json({ name: 'Alice' }) }] };
    const first = await invoker.invoke(request, soon());
    expect(first).toEqual({
      kind: 'incomplete',
      missing: [
        { name: 'seen', typename: 'io.statefun.types/int', expiration: { mode: 'none', ttlMs: 0 } },
        { name: 'last_name', typename: 'io.statefun.types/string', expiration: { mode: 'after-write', ttlMs: 60_000 } },
      ],
    });
    const registered: StateEntry[] = [
      { name: 'seen', typename: intType.typename, value: undefined },
      { name: 'last_name', typename: stringType.typename, value: undefined },
    ];
    const second = result(await invoker.invoke({ ...request, state: registered }, soon()));
    expect(second.completed).toBe(1);
    expect(second.mutations).toEqual([
      { kind: 'modify', name: 'seen', value: { typename: intType.typename, value: intType.serialize(1) } },
      { kind: 'modify', name: 'last_name', value: str('Alice') },
    ]);
    expect(second.messages).toEqual([{ target: { typename: 'example/inbox', id: 'Alice' }, argument: str('Hello Alice, #1') }]);
  });

  it('runs a batch of several invocations in order, each with its caller, over the state sent', async () => {
    const bob = { typename: 'example/friend', id: 'bob' };
    const carol = { typename: 'example/friend', id: 'carol' };
    const outcome = result(
      await invoker.invoke(
        {
          target: alice,
          state: [
            { name: 'seen', typename: intType.typename, value: intType.serialize(41) },
            { name: 'last_name', typename: stringType.typename, value: undefined },
          ],
          invocations: [
            { caller: bob, argument: json({ name: 'Bob' }) },
            { caller: undefined, argument: json({ name: 'Dan' }) },
            { caller: carol, argument: json({ name: 'Carol' }) },
          ],
        },
        soon(),
      ),
    );
    expect(outcome.completed).toBe(3);
    expect(outcome.messages).toEqual([
      { target: bob, argument: str('Hello Bob, #42') },
      { target: { typename: 'example/inbox', id: 'Dan' }, argument: str('Hello Dan, #43') },
      { target: carol, argument: str('Hello Carol, #44') },
    ]);
    expect(outcome.mutations).toContainEqual({ kind: 'modify', name: 'seen', value: { typename: intType.typename, value: intType.serialize(44) } });
  });

  it('reads delayed messages with and without a cancellation token, and cancellations', async () => {
    const reminder: Address = { typename: 'example/reminder', id: 'r1' };
    const outcome = result(
      await invoker.invoke(
        { target: reminder, state: [], invocations: ['remind', 'nudge', 'cancel'].map((c) => ({ caller: undefined, argument: str(c) })) },
        soon(),
      ),
    );
    expect(outcome.delayed).toEqual([
      { kind: 'delay', delayMs: 2500, target: reminder, argument: str('ring'), cancellationToken: 'r-r1' },
      { kind: 'delay', delayMs: 10, target: { typename: 'example/greeter', id: 'r1' }, argument: { typename: intType.typename, value: intType.serialize(7) }, cancellationToken: undefined },
      { kind: 'cancel', cancellationToken: 'r-r1' },
    ]);
  });

  it('reads Kafka and Kinesis egress records', async () => {
    const outcome = result(await invoker.invoke({ target: { typename: 'example/publisher', id: 'p1' }, state: [], invocations: [{ caller: undefined, argument: str('hi') }] }, soon()));
    expect(outcome.egress.map((e) => e.egress)).toEqual(['example/kafka', 'example/kinesis']);
    const kafka = KafkaProducerRecord.decode(outcome.egress[0]!.argument.value);
    expect([kafka.topic, kafka.key, Buffer.from(kafka.valueBytes).toString()]).toEqual(['greetings', 'p1', 'hi']);
    const kinesis = KinesisEgressRecord.decode(outcome.egress[1]!.argument.value);
    expect([kinesis.stream, kinesis.partitionKey, Buffer.from(kinesis.valueBytes).toString()]).toEqual(['greetings', 'p1', 'hi']);
  });

  it('retries a type error in the SDK (it answers 500) inside the call budget, then rejects with a RetryableError', async () => {
    const impatient = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/{function.name}`, callTimeoutMs: 600 });
    try {
      const before = server.requests();
      const started = Date.now();
      // A string where the greeter reads GreetRequest JSON: `message.as` throws, the SDK answers 500.
      const call = impatient.invoke({ target: alice, state: [{ name: 'seen', typename: intType.typename, value: undefined }, { name: 'last_name', typename: stringType.typename, value: undefined }], invocations: [{ caller: undefined, argument: str('not json') }] }, soon());
      const error = await call.then(() => undefined, (e: unknown) => e);
      expect(isStatefunError(error, 'retryable')).toBe(true);
      expect((error as Error).message).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/greeter \(example\/greeter\) failed after \d+ attempts in \d+ ms: .*HTTP 500/);
      expect(server.requests() - before).toBeGreaterThan(1);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await impatient.close();
    }
  });

  it('a state of another type than the SDK declares also fails in the SDK and is retried', async () => {
    const impatient = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/{function.name}`, callTimeoutMs: 400 });
    try {
      const wrong = { target: alice, state: [{ name: 'seen', typename: stringType.typename, value: stringType.serialize('x') }, { name: 'last_name', typename: stringType.typename, value: undefined }], invocations: [{ caller: undefined, argument: json({ name: 'A' }) }] };
      const error = await impatient.invoke(wrong, soon()).then(() => undefined, (e: unknown) => e);
      expect(isStatefunError(error, 'retryable')).toBe(true);
    } finally {
      await impatient.close();
    }
  });
});

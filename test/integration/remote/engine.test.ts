import { type Context, kafkaEgressMessage, type Message, messageBuilder, StateFun } from 'apache-flink-statefun';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionBinding } from '../../../runtime/core/function-binding.js';
import { createTestRuntime } from '../../../runtime/local/testing/test-runtime.js';
import { RemoteFunctionInvoker } from '../../../runtime/remote/remote-invoker.js';
import { intType, jsonType, stringType } from '../../../runtime/sdk/types.js';
import { officialSdkListener, startServer, type TestServer } from './servers.js';

/**
 * The whole path: the engine's turn runner (in the in-memory test runtime) invoking functions written with
 * the official StateFun JS SDK through RemoteFunctionInvoker, states negotiated on first contact.
 */
const Greet = jsonType<{ name: string }>('example/Greet');
const sdkFunctions = [
  {
    typename: 'example/greeter',
    specs: [{ name: 'seen', type: StateFun.intType() }],
    fn(ctx: Context, message: Message) {
      const seen = ((ctx.storage.seen as number | null) ?? 0) + 1;
      ctx.storage.seen = seen;
      const { name } = message.as(StateFun.jsonType<{ name: string }>('example/Greet'))!;
      ctx.send(messageBuilder({ typename: 'example/inbox', id: name, value: `Hello ${name} #${seen}` }));
      ctx.sendAfter(60_000, messageBuilder({ typename: 'example/inbox', id: name, value: `Bye ${name}` }), `bye-${name}`);
      if (seen > 1) ctx.cancelDelayedMessage(`bye-${name}`);
      ctx.send(kafkaEgressMessage({ typename: 'example/kafka', topic: 'greetings', key: name, value: `greeted ${seen}` }));
    },
  },
  { typename: 'example/inbox', specs: [{ name: 'last', type: StateFun.stringType() }], fn: (ctx: Context, m: Message) => void (ctx.storage.last = m.asString()) },
];

let server: TestServer;
let invoker: RemoteFunctionInvoker;
beforeAll(async () => {
  server = await startServer(officialSdkListener(sdkFunctions));
  invoker = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/{function.name}` });
});
afterAll(async () => {
  await invoker.close();
  await server.close();
});

const binding = (typename: string): FunctionBinding => ({ typename, invoker, specs: [], maxBatch: 10, callTimeoutMs: 10_000 });

describe('engine + RemoteFunctionInvoker + official SDK', () => {
  it('negotiates states, commits state, messages, delayed messages, cancellations and egress', async () => {
    // Deadlines are epoch ms; the transport measures them against the wall clock.
    const runtime = createTestRuntime({ bindings: [binding('example/greeter'), binding('example/inbox')], egresses: ['example/kafka'], startTime: Date.now() });
    try {
      await runtime.send({ to: 'example/greeter', id: 'g', value: { name: 'Ann' }, type: Greet });
      await runtime.send({ to: 'example/greeter', id: 'g', value: { name: 'Bob' }, type: Greet });
      expect(intType.deserialize(runtime.storedValues({ typename: 'example/greeter', id: 'g' }).get('seen')!.value)).toBe(2);
      expect(runtime.messages({ to: 'example/inbox' }).map((m) => m.as(stringType))).toEqual(['Hello Ann #1', 'Hello Bob #2']);
      expect(runtime.egress('example/kafka')).toHaveLength(2);

      await runtime.advance({ minutes: 2 });
      // Ann's goodbye fired; Bob's was cancelled in the same turn that scheduled it.
      expect(runtime.messages({ to: 'example/inbox' }).map((m) => m.as(stringType))).toEqual(['Hello Ann #1', 'Hello Bob #2', 'Bye Ann']);
      expect(stringType.deserialize(runtime.storedValues({ typename: 'example/inbox', id: 'Ann' }).get('last')!.value)).toBe('Bye Ann');
      expect(await runtime.parked()).toEqual([]);
    } finally {
      await runtime.stop();
    }
  });

  it('parks the address at once when the endpoint answers with something unusable (terminal)', async () => {
    const notFound = await startServer((_req, res) => {
      res.writeHead(404);
      res.end('no such function');
    });
    const lost = new RemoteFunctionInvoker({ urlPathTemplate: `${notFound.url}/{function.name}` });
    const runtime = createTestRuntime({ bindings: [{ ...binding('example/lost'), invoker: lost }], startTime: Date.now() });
    try {
      await runtime.send({ to: 'example/lost', id: 'x', value: 'hi' });
      const parked = await runtime.parked();
      expect(parked.map((p) => p.address)).toEqual([{ typename: 'example/lost', id: 'x' }]);
      expect(parked[0]!.info.reason).toMatch(/answered HTTP 404: "no such function"; not retried/);
      expect(notFound.requests()).toBe(1);
    } finally {
      await runtime.stop();
      await lost.close();
      await notFound.close();
    }
  });

  it('retries an endpoint failing with 500 (here: the SDK does not know the type), then parks the address', async () => {
    const impatient = new RemoteFunctionInvoker({ urlPathTemplate: `${server.url}/{function.name}`, callTimeoutMs: 100 });
    const runtime = createTestRuntime({ bindings: [{ ...binding('example/nobody'), invoker: impatient }], startTime: Date.now(), retry: { maxAttempts: 2, initialBackoffMs: 10 } });
    try {
      await runtime.send({ to: 'example/nobody', id: 'x', value: 'hi' });
      expect(await runtime.parked()).toEqual([]);
      await runtime.advance({ seconds: 1 });
      const parked = await runtime.parked();
      expect(parked.map((p) => p.address)).toEqual([{ typename: 'example/nobody', id: 'x' }]);
      expect(parked[0]!.info.reason).toMatch(/answered HTTP 500.*gave up after 2 attempts/);
    } finally {
      await runtime.stop();
      await impatient.close();
    }
  });
});

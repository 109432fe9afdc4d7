/**
 * Batches with the official JS SDK under `statefun dev`: one request in flight per address; messages that
 * arrive meanwhile queue and go out together as the next batch, in arrival order, at most
 * `maxNumBatchRequests` per batch. Other addresses do not wait for a busy one. A batch the SDK fails (it
 * answers 500 for the whole batch) is narrowed down: the messages before the failing one are applied once, the
 * failing one parks its address with the ones after it.
 */
import { type Context, egressMessageBuilder, type Message, StateFun } from 'apache-flink-statefun';
import { afterEach, describe, expect, it } from 'vitest';
import {
  batchSizes,
  documents,
  endpointYaml,
  eventually,
  gate,
  parkedEventually,
  playgroundYaml,
  put,
  type Running,
  type SdkEndpoint,
  sdk,
  serveSdk,
  startYamlApp,
  stateValues,
  takePayloads,
  type TempApp,
  tempApp,
  startSdkApp,
  PlaygroundEgressRecord,
} from './harness.js';

const Log = StateFun.jsonType<string[]>('conf/Log');

let app: TempApp;
let dev: Running | undefined;
let endpoint: SdkEndpoint | undefined;

afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  await endpoint?.close();
  endpoint = undefined;
  await app.remove();
});

describe('batches with the official JS SDK', () => {
  it('sendsMessagesQueuedWhileACallIsInFlightAsTheNextBatchInArrivalOrderUpToMaxNumBatchRequests', async () => {
    const held = gate();
    const recorder = {
      typename: 'conf/recorder',
      specs: [{ name: 'log', type: Log }],
      async fn(ctx: Context, message: Message) {
        const text = message.asString()!;
        // A slow function: the first message's call stays in flight until the test lets it go.
        if (text === 'first') await held.wait;
        ctx.storage.log = [...((ctx.storage.log as string[] | null) ?? []), text];
        ctx.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic: 'seen', payload: `${ctx.self.id}:${text}` }, valueType: PlaygroundEgressRecord }));
      },
    };
    app = await tempApp({});
    endpoint = await serveSdk(sdk(recorder));
    await app.write(
      'module.yaml',
      documents(endpointYaml({ functions: 'conf/*', urlPathTemplate: `${endpoint.url}/statefun/{function.name}`, maxNumBatchRequests: 4 }), playgroundYaml(['seen'])),
    );
    dev = await startYamlApp(app);

    await put(dev, '/conf/recorder/a', 'first');
    await eventually(() => endpoint!.requestsFor('conf/recorder/a').some((r) => r.outcome === 'pending' && r.args[0] === 'first'), 10_000, 'the first call in flight');

    // While a's call is in flight, six more messages for a queue up (each is durable when PUT answers) ...
    const queued = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
    for (const text of queued) await put(dev, '/conf/recorder/a', text);
    // ... and another address of the same function type is not held up by it.
    await put(dev, '/conf/recorder/b', 'other');
    expect(await takePayloads(dev, 'seen', 1)).toEqual(['b:other']);
    expect(endpoint.requestsFor('conf/recorder/a').filter((r) => r.outcome !== 'incomplete')).toHaveLength(1);

    held.open();
    expect(await takePayloads(dev, 'seen', 7)).toEqual(['first', ...queued].map((t) => `a:${t}`));
    // What the SDK saw: the first message alone, then the queue in arrival order, 4 (maxNumBatchRequests) at most.
    expect(batchSizes(endpoint, 'conf/recorder/a')).toEqual([1, 4, 2]);
    expect(endpoint.requestsFor('conf/recorder/a').filter((r) => r.outcome === 'result').map((r) => r.args)).toEqual([['first'], ['m1', 'm2', 'm3', 'm4'], ['m5', 'm6']]);
    expect(await stateValues(app.dataDir, 'conf/recorder/a')).toEqual({ log: ['first', ...queued] });
  });

  it('runsOneBatchAsOneTurnWhoseStateEachInvocationSeesUpdatedByTheOneBefore', async () => {
    const held = gate();
    const adder = {
      typename: 'conf/adder',
      specs: [{ name: 'sum', type: StateFun.intType() }],
      async fn(ctx: Context, message: Message) {
        const n = message.asInt()!;
        if (n === 0) await held.wait;
        const sum = ((ctx.storage.sum as number | null) ?? 0) + n;
        ctx.storage.sum = sum;
        ctx.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic: 'sums', payload: `+${n}=${sum}` }, valueType: PlaygroundEgressRecord }));
      },
    };
    ({ app, endpoint, dev } = await startSdkApp(sdk(adder), ['sums']));

    // io.statefun.types/int values through the playground ingress: the body is the value's bytes (sfixed32 wrapper, field 1).
    const int = (n: number): Buffer => Buffer.concat([Buffer.from([0x0d]), Buffer.from(new Int32Array([n]).buffer)]);
    const putInt = async (n: number): Promise<void> => {
      const res = await dev!.ingress('/conf/adder/x', { method: 'PUT', headers: { 'content-type': 'application/vnd.io.statefun.types/int' }, body: int(n) });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    };
    await putInt(0);
    await eventually(() => endpoint!.requestsFor('conf/adder/x').some((r) => r.outcome === 'pending'), 10_000, 'the first call in flight');
    for (const n of [1, 2, 3]) await putInt(n);
    held.open();
    expect(await takePayloads(dev, 'sums', 4)).toEqual(['+0=0', '+1=1', '+2=3', '+3=6']);
    expect(batchSizes(endpoint, 'conf/adder/x')).toEqual([1, 3]);
    expect(await stateValues(app.dataDir, 'conf/adder/x')).toEqual({ sum: 6 });
  });

  it('appliesTheMessagesBeforeAFailingOneOfABatchOnceAndParksTheFailingOneWithThoseAfterIt', { timeout: 120_000 }, async () => {
    const held = gate();
    const picky = {
      typename: 'conf/picky',
      specs: [{ name: 'log', type: Log }],
      async fn(ctx: Context, message: Message) {
        const text = message.asString()!;
        if (text === 'first') await held.wait;
        if (text === 'boom') throw new Error('boom');
        ctx.storage.log = [...((ctx.storage.log as string[] | null) ?? []), text];
        ctx.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic: 'seen', payload: text }, valueType: PlaygroundEgressRecord }));
      },
    };
    app = await tempApp({});
    endpoint = await serveSdk(sdk(picky));
    const transport = '{ type: io.statefun.transports.v1/async, call: 1s }';
    await app.write('module.yaml', documents(endpointYaml({ functions: 'conf/*', urlPathTemplate: `${endpoint.url}/{function.name}`, transport }), playgroundYaml(['seen'])));
    dev = await startYamlApp(app);

    await put(dev, '/conf/picky/p', 'first');
    await eventually(() => endpoint!.requestsFor('conf/picky/p').some((r) => r.outcome === 'pending'), 10_000, 'the first call in flight');
    for (const text of ['m1', 'boom', 'm3']) await put(dev, '/conf/picky/p', text);
    held.open();

    const parked = await parkedEventually(dev, 'conf/picky/p', 60_000);
    expect(parked.reason).toMatch(/answered HTTP 500/);
    expect(parked.letters).toBe(2);
    // The batch of three went out (and failed as a whole) before the runtime narrowed it down.
    expect(endpoint.requestsFor('conf/picky/p').some((r) => r.args.join() === 'm1,boom,m3' && r.outcome === 'http-error')).toBe(true);
    expect(await takePayloads(dev, 'seen', 2)).toEqual(['first', 'm1']);
    expect(await stateValues(app.dataDir, 'conf/picky/p')).toEqual({ log: ['first', 'm1'] });
    expect(endpoint.requestsFor('conf/picky/p').filter((r) => r.args.join() === 'm1' && r.outcome === 'result')).toHaveLength(1);
  });
});

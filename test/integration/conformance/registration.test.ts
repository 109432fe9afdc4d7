/**
 * State registration with the official JS SDK under `statefun dev`: the SDK declares its states only by
 * answering IncompleteInvocationContext; the runtime registers them, resends, and keeps the registrations in
 * its data directory, so after a restart no request goes out without them again.
 */
import { join } from 'node:path';
import { type Context, egressMessageBuilder, type Message, StateFun } from 'apache-flink-statefun';
import { afterEach, describe, expect, it } from 'vitest';
import {
  documents,
  endpointYaml,
  playgroundYaml,
  put,
  type Running,
  type SdkEndpoint,
  sdk,
  serveSdk,
  startYamlApp,
  stateValues,
  stateView,
  takePayloads,
  type TempApp,
  tempApp,
  startSdkApp,
  PlaygroundEgressRecord,
} from './harness.js';

const Visit = StateFun.jsonType<{ name: string }>('conf/Visit');
const counter = {
  typename: 'conf/counter',
  specs: [
    { name: 'count', type: StateFun.intType() },
    { name: 'last', type: StateFun.stringType(), expireAfterWrite: 3_600_000 },
  ],
  fn(ctx: Context, message: Message) {
    const { name } = message.as(Visit)!;
    const count = ((ctx.storage.count as number | null) ?? 0) + 1;
    ctx.storage.count = count;
    ctx.storage.last = name;
    ctx.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic: 'counts', payload: `${ctx.self.id} ${name} #${count}` }, valueType: PlaygroundEgressRecord }));
  },
};

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

describe.each([
  { transport: 'http on 127.0.0.1', unix: false },
  { transport: 'http+unix', unix: true },
])('state registration with the official JS SDK over $transport', ({ unix }) => {
  it('registersOnIncompleteInvocationContextPersistsTheRegistrationsAndNeedsNoRoundTripAfterARestart', async () => {
    app = await tempApp({});
    endpoint = await serveSdk(sdk(counter), unix ? { socketPath: join(app.dir, 'functions.sock') } : {});
    await app.write('module.yaml', documents(endpointYaml({ functions: 'conf/*', urlPathTemplate: `${endpoint.url}/statefun/{function.name}` }), playgroundYaml(['counts'])));
    dev = await startYamlApp(app);

    await put(dev, '/conf/counter/alice', '{"name": "Alice"}', 'conf/Visit');
    expect(await takePayloads(dev, 'counts', 1)).toEqual(['alice Alice #1']);

    // The first request carried no state: the SDK answered which states it needs and ran no code; the runtime
    // registered them and sent the same invocation again with both states.
    const first = endpoint.requestsFor('conf/counter/alice');
    expect(first.map((r) => ({ path: r.path, states: [...r.states].sort(), args: r.args, outcome: r.outcome }))).toEqual([
      { path: '/statefun/counter', states: [], args: ['{"name":"Alice"}'], outcome: 'incomplete' },
      { path: '/statefun/counter', states: ['count', 'last'], args: ['{"name":"Alice"}'], outcome: 'result' },
    ]);
    expect(await stateValues(app.dataDir, 'conf/counter/alice')).toEqual({ count: 1, last: 'Alice' });
    const view = await stateView(dev, 'conf/counter/alice');
    // The expiration the SDK declared (expireAfterWrite) was registered with the state.
    expect(view.values.find((v) => v.name === 'last')?.expiresAt).toBeGreaterThan(Date.now());
    expect(view.values.find((v) => v.name === 'count')?.expiresAt).toBeUndefined();

    // Registrations belong to the function type: another address needs no round trip.
    await put(dev, '/conf/counter/bob', '{"name": "Bob"}', 'conf/Visit');
    expect(await takePayloads(dev, 'counts', 1)).toEqual(['bob Bob #1']);
    expect(endpoint.requestsFor('conf/counter/bob').map((r) => [[...r.states].sort(), r.outcome])).toEqual([[['count', 'last'], 'result']]);

    // After a restart (StateFun would have forgotten them), the first request already carries both states.
    await dev.server.stop();
    dev = await startYamlApp(app);
    const before = endpoint.seen.length;
    await put(dev, '/conf/counter/alice', '{"name": "Alice"}', 'conf/Visit');
    expect(await takePayloads(dev, 'counts', 1)).toEqual(['alice Alice #2']);
    const after = endpoint.seen.slice(before);
    expect(after.map((r) => ({ target: r.target, states: [...r.states].sort(), outcome: r.outcome }))).toEqual([
      { target: 'conf/counter/alice', states: ['count', 'last'], outcome: 'result' },
    ]);
    expect(await stateValues(app.dataDir, 'conf/counter/alice')).toEqual({ count: 2, last: 'Alice' });
  });
});

describe('state registration when the SDK adds a state', () => {
  it('registersOnlyTheNewStateAndKeepsTheValuesOfTheOthers', async () => {
    ({ app, endpoint, dev } = await startSdkApp(sdk(counter), ['counts']));
    await put(dev, '/conf/counter/carol', '{"name": "Carol"}', 'conf/Visit');
    expect(await takePayloads(dev, 'counts', 1)).toEqual(['carol Carol #1']);

    // A new version of the functions service declares one more state.
    endpoint.swap(
      sdk({
        ...counter,
        specs: [...counter.specs, { name: 'visits', type: Visit }],
        fn(ctx: Context, message: Message) {
          counter.fn(ctx, message);
          ctx.storage.visits = { name: `${(ctx.storage.visits as { name: string } | null)?.name ?? ''}+` };
        },
      }),
    );
    const before = endpoint.seen.length;
    await put(dev, '/conf/counter/carol', '{"name": "Carol"}', 'conf/Visit');
    expect(await takePayloads(dev, 'counts', 1)).toEqual(['carol Carol #2']);
    expect(endpoint.seen.slice(before).map((r) => [[...r.states].sort(), r.outcome])).toEqual([
      [['count', 'last'], 'incomplete'],
      [['count', 'last', 'visits'], 'result'],
    ]);
    expect(await stateValues(app.dataDir, 'conf/counter/carol')).toEqual({ count: 2, last: 'Carol', visits: { name: '+' } });
  });
});

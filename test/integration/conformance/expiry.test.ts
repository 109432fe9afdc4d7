/**
 * State expiry as the official JS SDK declares it (`expireAfterWrite`, `expireAfterCall`), under `statefun dev`:
 * an expired value reaches the function as empty; after-call expiry is pushed back by every invocation, also
 * one that does not write the state.
 */
import { type Context, egressMessageBuilder, type Message, StateFun } from 'apache-flink-statefun';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventually,
  put,
  type Running,
  type SdkEndpoint,
  sdk,
  stateView,
  takePayloads,
  type TempApp,
  startSdkApp,
  PlaygroundEgressRecord,
} from './harness.js';

const expiring = {
  typename: 'conf/expiring',
  specs: [
    { name: 'written', type: StateFun.stringType(), expireAfterWrite: 300 },
    { name: 'touched', type: StateFun.stringType(), expireAfterCall: 60_000 },
  ],
  fn(ctx: Context, message: Message) {
    const storage = ctx.storage as { written: string | null; touched: string | null };
    const command = message.asString()!;
    ctx.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic: 'seen', payload: `written=${storage.written} touched=${storage.touched}` }, valueType: PlaygroundEgressRecord }));
    if (command === 'write') {
      storage.written = 'w';
      storage.touched = 't';
    }
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

describe('state expiry declared by the official JS SDK', () => {
  it('sendsAValueExpiredAfterWriteAsEmptyAndPushesAfterCallExpiryBackOnEveryInvocation', async () => {
    ({ app, endpoint, dev } = await startSdkApp(sdk(expiring), ['seen']));

    await put(dev, '/conf/expiring/e', 'write');
    expect(await takePayloads(dev, 'seen', 1)).toEqual(['written=null touched=null']);
    const expiresAt = async (name: string): Promise<number | undefined> => (await stateView(dev!, 'conf/expiring/e')).values.find((v) => v.name === name)?.expiresAt;
    await eventually(async () => (await expiresAt('touched')) !== undefined, 10_000, 'the write committed');
    const touchedFirst = (await expiresAt('touched'))!;

    // Read until the after-write value has expired: the function then gets it as empty, while the after-call
    // value, read (not written) on each of these invocations, stays.
    let last = '';
    await eventually(
      async () => {
        await put(dev!, '/conf/expiring/e', 'read');
        last = (await takePayloads(dev!, 'seen', 1))[0]!;
        return last === 'written=null touched=t';
      },
      20_000,
      'the after-write value expired',
    );
    expect(last).toBe('written=null touched=t');
    expect((await stateView(dev, 'conf/expiring/e')).values.map((v) => v.name)).toEqual(['touched']);
    expect(await expiresAt('touched')).toBeGreaterThan(touchedFirst);
  });
});

/**
 * Failing SDK endpoints under `statefun dev`: a function that throws (the SDK answers 500) is retried inside
 * the call budget and across delivery attempts, then its address is parked; a passing failure is applied once;
 * a function slower than the endpoint's call timeout (module.yaml `transport.call`, `timeouts.call`) is given
 * up on and parked, while the same function behind an endpoint with a longer timeout completes. Never a global
 * stall: other addresses, of the same function type too, keep flowing while one fails.
 */
import { type Context, egressMessageBuilder, type Message, StateFun } from 'apache-flink-statefun';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_RETRY_POLICY } from '../../../runtime/local/dev/dev-server.js';
import {
  documents,
  endpointYaml,
  eventually,
  parkedEventually,
  playgroundYaml,
  put,
  type Running,
  type SdkEndpoint,
  sdk,
  serveSdk,
  sleep,
  startYamlApp,
  statefun,
  stateValues,
  takePayloads,
  type TempApp,
  tempApp,
  startSdkApp,
  PlaygroundEgressRecord,
} from './harness.js';

const emit = (ctx: Context, payload: string): void =>
  ctx.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic: 'out', payload }, valueType: PlaygroundEgressRecord }));

/** Counts its messages; throws (so the SDK answers 500) for "boom", and for the next `failures.left` calls. */
function flaky(failures: { left: number }, broken = true) {
  return {
    typename: 'conf/flaky',
    specs: [{ name: 'count', type: StateFun.intType() }],
    fn(ctx: Context, message: Message) {
      const text = message.asString()!;
      if (broken && text === 'boom') throw new Error('boom');
      if (failures.left > 0) {
        failures.left--;
        throw new Error('passing failure');
      }
      const count = ((ctx.storage.count as number | null) ?? 0) + 1;
      ctx.storage.count = count;
      emit(ctx, `${ctx.self.id} ${text} ${count}`);
    },
  };
}

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

describe('an SDK answering 500', () => {
  it('isRetriedThenItsAddressIsParkedWhileOtherAddressesKeepFlowingAndAReplayOnTheFixedFunctionAppliesItsMessages', { timeout: 120_000 }, async () => {
    app = await tempApp({});
    endpoint = await serveSdk(sdk(flaky({ left: 0 })));
    // A call budget of 1 s: each delivery attempt retries the 500s for a second, then the runtime backs off.
    const transport = '{ type: io.statefun.transports.v1/async, call: 1s }';
    await app.write('module.yaml', documents(endpointYaml({ functions: 'conf/*', urlPathTemplate: `${endpoint.url}/{function.name}`, transport }), playgroundYaml(['out'])));
    dev = await startYamlApp(app);
    const dir = ['--data-dir', app.dataDir];

    await put(dev, '/conf/flaky/x', 'boom');
    await eventually(() => endpoint!.requestsFor('conf/flaky/x').some((r) => r.outcome === 'http-error'), 10_000, 'a 500 for x');
    // x keeps failing; y and z, of the same function type, are not held up by it.
    await put(dev, '/conf/flaky/x', 'after');
    await put(dev, '/conf/flaky/y', 'fine');
    await put(dev, '/conf/flaky/z', 'fine');
    expect((await takePayloads(dev, 'out', 2)).sort()).toEqual(['y fine 1', 'z fine 1']);

    const parked = await parkedEventually(dev, 'conf/flaky/x', 60_000);
    expect(parked.reason).toMatch(
      new RegExp(`^RetryableError: POST http://127\\.0\\.0\\.1:\\d+/flaky \\(conf/flaky\\) failed after \\d+ attempts in \\d+ ms: .*answered HTTP 500.* \\(gave up after ${DEV_RETRY_POLICY.maxAttempts} attempts\\)$`),
    );
    expect(parked.letters).toBe(2);
    const failed = endpoint.requestsFor('conf/flaky/x').filter((r) => r.outcome === 'http-error');
    // Retried inside each call budget and across the delivery attempts: more requests than attempts.
    expect(failed.length).toBeGreaterThan(DEV_RETRY_POLICY.maxAttempts);
    expect(failed.every((r) => r.args.join() === 'boom' && r.status === 500)).toBe(true);
    expect((await statefun('parked', ...dir)).out).toContain('conf/flaky/x');

    // The functions service is fixed: a replay applies both messages, in order, once.
    endpoint.swap(sdk(flaky({ left: 0 }, false)));
    expect(await statefun('parked', 'replay', 'conf/flaky/x', ...dir)).toMatchObject({ code: 0, err: '' });
    expect(await takePayloads(dev, 'out', 2)).toEqual(['x boom 1', 'x after 2']);
    expect(await stateValues(app.dataDir, 'conf/flaky/x')).toEqual({ count: 2 });
    expect(await stateValues(app.dataDir, 'conf/flaky/y')).toEqual({ count: 1 });
  });

  it('appliesAMessageOnceWhenTheFunctionFailsAFewTimesThenSucceeds', async () => {
    const failures = { left: 0 };
    ({ app, endpoint, dev } = await startSdkApp(sdk(flaky(failures)), ['out']));
    await put(dev, '/conf/flaky/w', 'warm up');
    expect(await takePayloads(dev, 'out', 1)).toEqual(['w warm up 1']);

    failures.left = 3;
    const before = endpoint.requestsFor('conf/flaky/w').length;
    await put(dev, '/conf/flaky/w', 'again');
    expect(await takePayloads(dev, 'out', 1)).toEqual(['w again 2']);
    expect(endpoint.requestsFor('conf/flaky/w').slice(before).map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(await stateValues(app.dataDir, 'conf/flaky/w')).toEqual({ count: 2 });
    expect((await dev.egress('out')).status).toBe(404);
  });
});

describe('an SDK slower than its call timeout', () => {
  const sleeper = (ns: string) => ({
    typename: `${ns}/sleeper`,
    async fn(ctx: Context, message: Message) {
      const text = message.asString()!;
      if (text === 'slow') await sleep(1_500);
      emit(ctx, `${ctx.self.typename}/${ctx.self.id} ${text}`);
    },
  });

  it('givesUpOnEachCallAtTheModuleYamlTimeoutParksTheAddressAndLetsOtherCallsThrough', { timeout: 120_000 }, async () => {
    app = await tempApp({});
    endpoint = await serveSdk(sdk(sleeper('hasty'), sleeper('patient'), sleeper('okhttp')));
    await app.write(
      'module.yaml',
      documents(
        endpointYaml({ functions: 'hasty/*', urlPathTemplate: `${endpoint.url}/{function.name}`, transport: '{ type: io.statefun.transports.v1/async, call: 500ms }' }),
        endpointYaml({
          functions: 'okhttp/*',
          urlPathTemplate: `${endpoint.url}/{function.name}`,
          // As in StateFun, no timeout may be longer than the call timeout.
          transport: '{ type: io.statefun.transports.v1/okhttp, timeouts: { call: 500ms, connect: 500ms, read: 500ms, write: 500ms } }',
        }),
        endpointYaml({ functions: 'patient/*', urlPathTemplate: `${endpoint.url}/{function.name}`, transport: '{ type: io.statefun.transports.v1/async, call: 10s }' }),
        playgroundYaml(['out']),
      ),
    );
    dev = await startYamlApp(app);

    await put(dev, '/hasty/sleeper/s', 'slow');
    await put(dev, '/okhttp/sleeper/s', 'slow');
    await put(dev, '/patient/sleeper/s', 'slow');
    await put(dev, '/hasty/sleeper/q', 'quick');
    // The same slow function completes behind the endpoint whose timeout allows it; the quick call of the hasty
    // endpoint's function type goes through while its slow address is being retried.
    expect((await takePayloads(dev, 'out', 2)).sort()).toEqual(['hasty/sleeper/q quick', 'patient/sleeper/s slow']);

    for (const ns of ['hasty', 'okhttp']) {
      const parked = await parkedEventually(dev, `${ns}/sleeper/s`, 60_000);
      // The call timeout, or the read timeout of the same length, whichever fired first.
      const budget = /(?:no complete answer within|nothing read for) (\d+) ms/.exec(parked.reason);
      expect(budget, parked.reason).not.toBeNull();
      expect(Number(budget![1])).toBeLessThanOrEqual(500);
      expect(parked.reason).toMatch(new RegExp(`\\(gave up after ${DEV_RETRY_POLICY.maxAttempts} attempts\\)$`));
      // Each delivery attempt made one call, which the runtime abandoned at the timeout.
      const calls = endpoint.requestsFor(`${ns}/sleeper/s`);
      expect(calls).toHaveLength(DEV_RETRY_POLICY.maxAttempts);
      await eventually(() => calls.every((r) => r.outcome === 'aborted'), 10_000, `every call of ${ns}/sleeper/s abandoned (${calls.map((r) => r.outcome).join()})`);
    }
    expect(endpoint.requestsFor('patient/sleeper/s').map((r) => r.outcome)).toEqual(['result']);
    expect((await dev.egress('out')).status).toBe(404);
  });
});

describe('an SDK endpoint that is not up yet', () => {
  it('receivesTheMessagesSentBeforeItStartedOnceItListens', async () => {
    // A port nothing listens on yet: where the functions service will come up (as with docker-compose, where
    // StateFun may start before the functions).
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    app = await tempApp({});
    await app.write('module.yaml', documents(endpointYaml({ functions: 'conf/*', urlPathTemplate: `http://127.0.0.1:${port}/{function.name}` }), playgroundYaml(['out'])));
    dev = await startYamlApp(app);
    await put(dev, '/conf/flaky/early', 'before the functions');
    await put(dev, '/conf/flaky/early', 'also before');
    await sleep(300);
    expect((await dev.egress('out')).status).toBe(404);

    endpoint = await serveSdk(sdk(flaky({ left: 0 })), { port });
    expect(await takePayloads(dev, 'out', 2)).toEqual(['early before the functions 1', 'early also before 2']);
    expect(await stateValues(app.dataDir, 'conf/flaky/early')).toEqual({ count: 2 });
    expect((await statefun('parked', '--data-dir', app.dataDir)).out).toBe('no parked addresses');
  });
});

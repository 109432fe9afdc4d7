import { afterEach, describe, expect, it } from 'vitest';
import { COUNTER_TS, eventually, jsonHeaders, nextPayload, PLAYGROUND_YAML, type Running, startDev, type TempApp, tempApp } from './dev-helpers.js';

let app: TempApp;
let dev: Running | undefined;

afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  await app.remove();
});

const post = (running: Running, id: string, key: string): Promise<Response> =>
  running.ingress(`/test/counter/${id}`, { headers: { ...jsonHeaders('test/Greet'), 'idempotency-key': key }, body: JSON.stringify({ name: id }) });

describe('statefun dev across restarts', () => {
  it('appliesAnIdempotencyKeyOnceAlsoAfterARestart', async () => {
    app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': COUNTER_TS });
    dev = await startDev(app);
    expect((await post(dev, 'Bob', 'once')).headers.get('statefun-duplicate')).toBe('false');
    expect(await nextPayload(dev, 'greetings')).toBe('hello Bob #1');
    await dev.server.stop();

    dev = await startDev(app);
    expect(dev.server.recovery.snapshot).toBeDefined();
    const again = await post(dev, 'Bob', 'once');
    expect(again.status).toBe(200);
    expect(again.headers.get('statefun-duplicate')).toBe('true');
    expect((await post(dev, 'Bob', 'twice')).headers.get('statefun-duplicate')).toBe('false');
    expect(await nextPayload(dev, 'greetings')).toBe('hello Bob #2');
  });

  it('neverServesAPoppedPayloadAgainNorLosesAnUnpoppedOne', async () => {
    app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': COUNTER_TS });
    dev = await startDev(app);
    for (const name of ['one', 'two', 'three']) await post(dev, 'x', name);
    await eventually(() => dev!.server.backend.egressRecords('io.statefun.playground/egress').length === 3, 5000, 'three greetings');
    expect(await nextPayload(dev, 'greetings')).toBe('hello x #1');
    await dev.server.stop();

    dev = await startDev(app);
    expect(await nextPayload(dev, 'greetings')).toBe('hello x #2');
    expect(await nextPayload(dev, 'greetings')).toBe('hello x #3');
    expect((await dev.egress('greetings')).status).toBe(404);
  });

});

import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../runtime/cli/run.js';
import type { CliIo } from '../../../runtime/cli/io.js';
import { AdminClient } from '../../../runtime/cli/admin-client.js';
import type { StatusView } from '../../../runtime/local/dev/admin-protocol.js';
import { COUNTER_TS, eventually, jsonHeaders, nextPayload, PLAYGROUND_YAML, type Running, startDev, type TempApp, tempApp } from './dev-helpers.js';

let app: TempApp;
let dev: Running | undefined;

afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  await app.remove();
});

interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function statefun(...argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await run(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The counter, failing terminally for the name "boom" (so its address parks at once). */
const FAILING_TS = COUNTER_TS.replace('import { defineFunction,', 'import { TerminalError, defineFunction,').replace(
  'const count =',
  "if (message.is(Greet) && message.as(Greet).name === 'boom') throw new TerminalError('boom is not a name');\n    const count =",
);

describe('statefun send, state and parked', () => {
  it('sendsAndReadsStateThroughTheAdminApiOfARunningServer', async () => {
    app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': COUNTER_TS });
    dev = await startDev(app);
    const dir = ['--data-dir', app.dataDir];
    const sent = await statefun('send', 'test/counter', 'Bob', '{"name":"Bob"}', ...dir);
    expect(sent).toMatchObject({ code: 0, err: '' });
    expect(sent.out).toMatch(/^sent test\/Greet to test\/counter\/Bob: ingress:/);
    expect(await nextPayload(dev, 'greetings')).toBe('hello Bob #1');

    const again = await statefun('send', 'test/counter', 'Bob', 'plain text', '--type', 'io.statefun.types/string', '--idempotency-key', 'k', ...dir);
    expect(again.code).toBe(0);
    expect(await nextPayload(dev, 'greetings')).toBe('hello plain text #2');
    const dup = await statefun('send', 'test/counter', 'Bob', 'plain text', '--type', 'io.statefun.types/string', '--idempotency-key', 'k', ...dir);
    expect(dup.out).toMatch(/already sent with this idempotency key/);

    await dev.server.runtime.idle();
    const state = await statefun('state', 'test/counter', 'Bob', ...dir);
    expect(state).toMatchObject({ code: 0, err: '' });
    expect(state.out).toBe('test/counter/Bob  (version 2)\n  count (io.statefun.types/int) = 2');
    const json = await statefun('state', 'test/counter/Bob', '--json', ...dir);
    expect(JSON.parse(json.out)).toMatchObject({ address: 'test/counter/Bob', version: 2, values: [{ name: 'count', typename: 'io.statefun.types/int', value: 2 }] });
    expect((await statefun('state', 'test/counter', 'nobody', ...dir)).out).toBe('test/counter/nobody has no state');
  });

  it('servesItsStatusAndAReloadOverTheAdminSocket', async () => {
    app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': COUNTER_TS });
    dev = await startDev(app);
    const client = new AdminClient(dev.server.adminSocket);
    const status = await client.get<StatusView>('/v1/status');
    expect(status).toMatchObject({ pid: process.pid, functions: ['test/counter  embedded'], accepts: { 'test/counter': 'test/Greet' }, generation: 1 });
    expect(await client.post('/v1/reload')).toMatchObject({ ok: true, generation: 2 });
    await expect(client.get('/v1/nothing')).rejects.toThrow(/no admin route GET \/v1\/nothing/);
    await expect(client.get('/v1/state?address=bad')).rejects.toThrow(/is not an address/);
  });

  it('listsShowsSkipsAndReplaysParkedAddresses', async () => {
    app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': FAILING_TS });
    dev = await startDev(app);
    const dir = ['--data-dir', app.dataDir];
    for (const name of ['boom', 'after']) {
      await dev.ingress('/test/counter/p', { headers: jsonHeaders('test/Greet'), body: JSON.stringify({ name }) });
    }
    await eventually(async () => (await statefun('parked', ...dir)).out.includes('2 messages'), 5000, 'a parked address');
    const list = await statefun('parked', 'list', ...dir);
    expect(list.out).toMatch(/^1 parked address:\n {2}test\/counter\/p {2}since .* {2}2 messages {2}TerminalError: boom is not a name$/);
    expect(dev.logs.some((l) => l.startsWith('parked test/counter/p: TerminalError: boom is not a name'))).toBe(true);

    const show = await statefun('parked', 'show', 'test/counter/p', ...dir);
    expect(show.code).toBe(0);
    expect(show.out).toContain('1. ingress:');
    expect(show.out).toContain('test/Greet {\n       "name": "boom"\n     }');
    expect(show.out).toContain('test/Greet {\n       "name": "after"\n     }');

    const replay = await statefun('parked', 'replay', 'test/counter', 'p', ...dir);
    expect(replay.code).toBe(1);
    expect(replay.out).toMatch(/test\/counter\/p is still parked: TerminalError: boom is not a name/);

    const skip = await statefun('parked', 'skip', 'test/counter/p', ...dir);
    expect(skip).toMatchObject({ code: 0, out: 'skipped one message and replayed test/counter/p: it is flowing again' });
    expect(await nextPayload(dev, 'greetings')).toBe('hello after #1');
    expect((await statefun('parked', ...dir)).out).toBe('no parked addresses');
    const notParked = await statefun('parked', 'show', 'test/counter/p', ...dir);
    expect(notParked).toMatchObject({ code: 1, err: 'statefun: test/counter/p is not parked' });
  });

  it('worksOnAStoppedDataDirectoryAndTheNextStartCatchesUp', async () => {
    app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': FAILING_TS });
    dev = await startDev(app);
    await dev.ingress('/test/counter/q', { headers: jsonHeaders('test/Greet'), body: '{"name":"boom"}' });
    await dev.ingress('/test/counter/r', { headers: jsonHeaders('test/Greet'), body: '{"name":"Rae"}' });
    expect(await nextPayload(dev, 'greetings')).toBe('hello Rae #1');
    await eventually(() => dev!.server.backend.recordOf('test/counter/q')?.parked !== undefined, 5000, 'q parked');
    await dev.server.stop();
    dev = undefined;
    const dir = ['--data-dir', app.dataDir];

    const state = await statefun('state', 'test/counter', 'r', ...dir);
    expect(state.out).toBe('test/counter/r  (version 1)\n  count (io.statefun.types/int) = 1');
    const sent = await statefun('send', 'test/counter', 'r', '{"name":"Rae"}', '--type', 'test/Greet', ...dir);
    expect(sent.code).toBe(0);
    expect(sent.out).toMatch(/no statefun dev runs: it waits in .* for the next start/);
    expect((await statefun('parked', 'list', ...dir)).out).toMatch(/test\/counter\/q/);
    const skip = await statefun('parked', 'skip', 'test/counter/q', ...dir);
    expect(skip.out).toMatch(/skip of test\/counter\/q queued: it runs when statefun dev next starts/);

    dev = await startDev(app);
    expect(await nextPayload(dev, 'greetings')).toBe('hello Rae #2');
    await eventually(() => dev!.server.backend.recordOf('test/counter/q')?.parked === undefined, 5000, 'q unparked');
    expect((await statefun('parked', ...dir)).out).toBe('no parked addresses');
  });

  it('reportsAMissingDataDirectoryAsARuntimeError', async () => {
    app = await tempApp({});
    const result = await statefun('state', 'test/counter', 'x', '--data-dir', app.path('nowhere'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/no data directory at .*nowhere/);
  });
});

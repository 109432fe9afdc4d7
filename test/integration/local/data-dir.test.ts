import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineFunction, embeddedBinding, intType, playgroundEgressRecord, stringType, valueSpec } from 'statefun-aws';
import { StaticFunctionRegistry } from '../../../runtime/engine/function-registry.js';
import { openDataDir, type OpenDataDir } from '../../../runtime/local/durable/data-dir.js';
import { LocalRuntime } from '../../../runtime/local/runtime.js';
import { systemTimers } from '../../../runtime/local/timer-service.js';

const counter = defineFunction({
  typename: 'test/counter',
  specs: { count: valueSpec(intType) },
  handler(ctx) {
    const count = (ctx.storage.count ?? 0) + 1;
    ctx.storage.count = count;
    ctx.sendEgress(playgroundEgressRecord({ topic: 'counts', payload: `${ctx.self.id}=${count}` }));
  },
});

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'statefun-datadir-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start(dir: string, snapshotAfterBytes?: number): Promise<{ data: OpenDataDir; runtime: LocalRuntime }> {
  const data = await openDataDir(dir, { clock: systemTimers, ...(snapshotAfterBytes !== undefined ? { snapshotAfterBytes } : {}) });
  const registry = new StaticFunctionRegistry().bind(embeddedBinding(counter));
  const runtime = new LocalRuntime({ backend: data.backend, functions: registry, egress: { has: () => true }, timers: systemTimers });
  runtime.start();
  return { data, runtime };
}

async function send(runtime: LocalRuntime, id: string, n: number): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, () => runtime.ingest({ target: { typename: counter.typename, id }, argument: { typename: stringType.typename, value: stringType.serialize('tick') } })),
  );
  await runtime.idle();
}

function count(data: OpenDataDir, id: string): number | undefined {
  const stored = data.backend.recordOf(`${counter.typename}/${id}`)?.values.get('count');
  return stored === undefined ? undefined : intType.deserialize(stored.value);
}

describe('data directory', () => {
  it('keepsStateMessagesAndEgressAcrossACleanRestart', async () => {
    const dir = await tempDir();
    let { data, runtime } = await start(dir);
    await send(runtime, 'x', 20);
    await runtime.stop();
    await data.close();
    ({ data, runtime } = await start(dir));
    expect(count(data, 'x')).toBe(20);
    expect(data.backend.egressRecords('io.statefun.playground/egress')).toHaveLength(20);
    await send(runtime, 'x', 1);
    expect(count(data, 'x')).toBe(21);
    await runtime.stop();
    await data.close();
  });

  it('recoversFromTheJournalAloneWhenTheProcessDiesWithoutClosing', async () => {
    const dir = await tempDir();
    const first = await start(dir);
    await send(first.runtime, 'y', 15);
    await first.runtime.stop();
    // No close(): no final snapshot, the lock stays — as after SIGKILL (the lock names this live process,
    // so drop it the way a new process would find it stale).
    await rm(join(dir, 'LOCK'));
    const second = await start(dir);
    expect(second.data.recovery.entries).toBeGreaterThan(15);
    expect(count(second.data, 'y')).toBe(15);
    await second.runtime.stop();
    await second.data.close();
  });

  it('cutsOffATornLastWrite', async () => {
    const dir = await tempDir();
    const first = await start(dir);
    await send(first.runtime, 'z', 5);
    await first.runtime.stop();
    const segments = (await readdir(join(dir, 'journal'))).filter((n) => n.endsWith('.log'));
    const last = join(dir, 'journal', segments.sort().at(-1)!);
    const before = (await stat(last)).size;
    await appendFile(last, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 9, 9]));
    await rm(join(dir, 'LOCK'));
    const second = await start(dir);
    expect(second.data.recovery.tornBytes).toBe(10);
    expect((await stat(last)).size).toBe(before);
    expect(count(second.data, 'z')).toBe(5);
    await second.runtime.stop();
    await second.data.close();
  });

  it('snapshotsAndDropsOldSegmentsWhileRunning', async () => {
    const dir = await tempDir();
    const { data, runtime } = await start(dir, 4096);
    for (let i = 0; i < 10; i++) await send(runtime, `k${i % 3}`, 10);
    await runtime.stop();
    await data.journal.drained();
    await new Promise((r) => setTimeout(r, 50));
    const files = await readdir(join(dir, 'journal'));
    expect(files.filter((n) => n.startsWith('snapshot-')).length).toBeGreaterThanOrEqual(1);
    expect(files.filter((n) => n.endsWith('.log')).length).toBeLessThanOrEqual(2);
    await rm(join(dir, 'LOCK'));
    const second = await start(dir, 4096);
    expect(second.data.recovery.snapshot).toBeDefined();
    expect([count(second.data, 'k0'), count(second.data, 'k1'), count(second.data, 'k2')]).toEqual([40, 30, 30]);
    await second.runtime.stop();
    await second.data.close();
  });

  it('refusesADirectoryLockedByAnotherLiveProcessAndTakesOverAStaleLock', async () => {
    const dir = await tempDir();
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'LOCK'), String(other.pid));
      await expect(openDataDir(dir, { clock: systemTimers })).rejects.toThrow(`in use by process ${other.pid}`);
    } finally {
      other.kill('SIGKILL');
    }
    await new Promise((resolve) => other.once('exit', resolve));
    const data = await openDataDir(dir, { clock: systemTimers });
    await data.close();
  });
});

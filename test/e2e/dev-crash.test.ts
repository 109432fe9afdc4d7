/**
 * End to end: the built `statefun dev` as a child process, killed with SIGKILL again and again while clients
 * drive load through the playground ingress, restarted on the same data directory each time.
 *
 * Clients send each message with an Idempotency-Key and retry it (same key) until they get an answer, as a
 * client of an HTTP API should. At the end every counter must equal the number of distinct keys sent to its
 * address, and every egress record must have arrived exactly once: in the file sink, and on the playground
 * egress.
 *
 * Runs `dist/runtime/cli/main.js`: run `npm run build` first.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningDataDirs } from '../../runtime/cli/running-servers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/runtime/cli/main.js');
const ADDRESSES = 12;
const MESSAGES = 1500;
const CLIENTS = 24;
const KILLS = 5;

const MODULE_TS = `
import { defineFunction, intType, jsonType, playgroundEgressRecord, valueSpec } from 'statefun-aws';

const Tick = jsonType<{ n: number }>('e2e/Tick');
const Seen = jsonType<{ address: string; n: number; count: number }>('e2e/Seen');

export const counter = defineFunction({
  typename: 'e2e/counter',
  specs: { count: valueSpec(intType) },
  accepts: Tick,
  handler(ctx, message) {
    const { n } = message.as(Tick);
    const count = (ctx.storage.count ?? 0) + 1;
    ctx.storage.count = count;
    ctx.sendEgress({ egress: 'e2e/file', value: { address: ctx.self.id, n, count }, type: Seen });
    ctx.sendEgress(playgroundEgressRecord({ topic: 'ticks', payload: ctx.self.id + ':' + n }));
  },
});
`;

function moduleYaml(ingress: number, egress: number): string {
  return `
kind: io.statefun.playground.v1/ingress
spec:
  port: ${ingress}
---
kind: io.statefun.playground.v1/egress
spec:
  port: ${egress}
  topics: [ticks]
---
kind: io.statefun-aws.file.v1/egress
spec:
  id: e2e/file
  path: out/seen.jsonl
`;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** One `statefun dev` child, with its output kept for diagnosis. */
class DevProcess {
  readonly output: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  constructor(private readonly appDir: string) {}

  /** Starts it and resolves once it printed "ready". */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [CLI, 'dev', this.appDir, '--no-watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
    await new Promise<void>((ready, fail) => {
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        this.output.push(text);
        if (this.output.length > 400) this.output.splice(0, 200);
        if (/ready in \d+ ms/.test(text)) ready();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void this.exited!.then((code) => fail(new Error(`statefun dev exited with ${code} before it was ready:\n${this.output.join('')}`)));
    });
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child?.kill(signal);
    const code = (await this.exited) ?? null;
    this.child = undefined;
    return code;
  }

  get running(): boolean {
    return this.child !== undefined;
  }
}

interface Message {
  readonly address: string;
  readonly n: number;
  readonly key: string;
}

/** Posts until the server answers 200; connection failures and 503 (killed, restarting) are retried, same key. */
async function deliver(port: number, message: Message, stats: { retries: number }): Promise<void> {
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/e2e/counter/${message.address}`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.e2e/Tick', 'idempotency-key': message.key },
        body: JSON.stringify({ n: message.n }),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      if (res.status === 200) return;
      if (res.status !== 503) throw new Error(`unexpected ${res.status} for ${message.key}: ${text}`);
    } catch (error) {
      if ((error as Error).message.startsWith('unexpected')) throw error;
    }
    stats.retries++;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, dev: DevProcess): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what} did not happen within ${timeoutMs} ms; statefun dev said:\n${dev.output.join('').slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let appDir: string;

beforeAll(() => {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: this end-to-end test runs the built statefun command; run "npm run build" first`);
  }
});
afterAll(async () => {
  if (appDir !== undefined) await rm(appDir, { recursive: true, force: true });
  // Killed servers leave their "running" notes in the temp folder; listing the running ones removes those.
  runningDataDirs();
});

describe('statefun dev under SIGKILL', () => {
  it('appliesEveryMessageExactlyOnceAndEmitsEveryRecordOnceAcrossRepeatedCrashes', { timeout: 300_000 }, async () => {
    appDir = await mkdtemp(join(tmpdir(), 'statefun-e2e-'));
    const ingress = await freePort();
    const egress = await freePort();
    await writeFile(join(appDir, 'module.yaml'), moduleYaml(ingress, egress));
    await writeFile(join(appDir, 'module.ts'), MODULE_TS);
    const dev = new DevProcess(appDir);
    await dev.start();

    const messages: Message[] = Array.from({ length: MESSAGES }, (_, n) => ({ address: `a${n % ADDRESSES}`, n, key: `m-${n}` }));
    const stats = { retries: 0, kills: 0 };
    let next = 0;
    const clients = Array.from({ length: CLIENTS }, async () => {
      for (let i = next++; i < messages.length; i = next++) {
        const m = messages[i]!;
        await deliver(ingress, m, stats);
        // A client that lost the answer sends again: some messages go twice on purpose.
        if (m.n % 7 === 0) await deliver(ingress, m, stats);
      }
    });
    let loadDone = false;
    const load = Promise.all(clients).finally(() => {
      loadDone = true;
    });

    // Kill mid-load, then restart on the same data directory, again and again.
    while (stats.kills < KILLS && !loadDone) {
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 500));
      if (loadDone) break;
      expect(await dev.kill('SIGKILL')).toBe(null);
      stats.kills++;
      await dev.start();
    }
    await load;
    expect(stats.kills).toBeGreaterThanOrEqual(2);

    // Every message was accepted; now let the runtime catch up, then read everything out.
    const seenFile = join(appDir, 'out/seen.jsonl');
    const readSeen = async (): Promise<Array<{ key: string; value: { address: string; n: number; count: number } }>> =>
      (await readFile(seenFile, 'utf8').catch(() => ''))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { key: string; value: { address: string; n: number; count: number } });
    await waitFor(async () => (await readSeen()).length >= MESSAGES, 120_000, `${MESSAGES} records in the file sink`, dev);

    const seen = await readSeen();
    expect(seen).toHaveLength(MESSAGES);
    expect(new Set(seen.map((r) => r.key)).size).toBe(MESSAGES);
    expect(new Set(seen.map((r) => r.value.n)).size).toBe(MESSAGES);
    const perAddress = new Map<string, number[]>();
    for (const { value } of seen) perAddress.set(value.address, [...(perAddress.get(value.address) ?? []), value.count]);
    for (let a = 0; a < ADDRESSES; a++) {
      const sent = messages.filter((m) => m.address === `a${a}`).length;
      // Counts 1..sent, each once: no message applied twice, none lost.
      expect([...(perAddress.get(`a${a}`) ?? [])].sort((x, y) => x - y)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    }

    // The playground egress hands out each record once.
    const payloads: string[] = [];
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${egress}/ticks`);
      if (res.status === 404) break;
      expect(res.status).toBe(200);
      payloads.push(await res.text());
    }
    expect(payloads).toHaveLength(MESSAGES);
    expect(new Set(payloads).size).toBe(MESSAGES);

    // The counters, read through the CLI and the admin API.
    const run = promisify(execFile);
    for (let a = 0; a < ADDRESSES; a++) {
      const { stdout } = await run(process.execPath, [CLI, 'state', 'e2e/counter', `a${a}`, '--json', '--data-dir', join(appDir, '.statefun')]);
      const view = JSON.parse(stdout) as { values: Array<{ name: string; value: number }> };
      expect(view.values.find((v) => v.name === 'count')?.value).toBe(messages.filter((m) => m.address === `a${a}`).length);
    }

    expect(await dev.kill('SIGTERM')).toBe(0);
    console.log(`e2e: ${MESSAGES} messages to ${ADDRESSES} addresses by ${CLIENTS} clients, ${stats.kills} SIGKILLs, ${stats.retries} client retries`);
  });
});

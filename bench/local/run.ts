/**
 * Benchmark of the local runtime (issue: the engine and `statefun dev`), and of Restate on the same workload.
 *
 *   node bench/run.mjs local [--rounds 3] [--requests 200000] [--restate-requests 20000] [--timers 1000] [--no-restate]
 *
 * Also measures delayed-message precision on `statefun dev` (1,000 delays of 0.1–3 s, `--timers`).
 *
 * Workload: a counter function over 1,000 addresses, one-way messages through the HTTP ingress, sent by the
 * same keep-alive load generator (bench/load/http-load.ts) to both systems, closed loop with 64 connections
 * (as Restate's reference figures were measured), then open loop at half the measured rate for latency.
 * "Messages/s" counts until all effects are visible: every counter read back sums to what was sent.
 * Everything runs inside a network namespace that has only loopback (Restate checks for updates online at
 * every start), so run it as root; otherwise Restate is skipped and said so. Runs of the two systems are
 * interleaved; medians are reported. Results also go to bench/results/.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createTestRuntime } from 'statefun-aws/testing';
import { type LoadResult, runLoad } from '../load/http-load.js';
import { counter } from './app/functions.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bench = join(root, 'bench');
const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = flag('rounds', 3);
const REQUESTS = flag('requests', 200_000);
const RESTATE_REQUESTS = flag('restate-requests', 20_000);
const CONNECTIONS = flag('connections', 64);
const PEAK_CONNECTIONS = flag('peak-connections', 256);
const KEYS = 1000;
const HARNESS_MESSAGES = flag('harness-messages', 1_000_000);
const TIMERS = flag('timers', 1000);
const WANT_RESTATE = !args.includes('--no-restate');
const INGRESS_PORT = 18090;

// ---- network namespace -------------------------------------------------------------------------------------

if (process.env.STATEFUN_BENCH_NETNS !== '1') {
  const root = process.getuid?.() === 0 && spawnSync('unshare', ['--net', 'true']).status === 0;
  if (root) {
    const child = spawnSync('unshare', ['--net', '--', 'bash', '-c', `ip link set lo up && exec "${process.execPath}" "${fileURLToPath(import.meta.url)}" "$@"`, 'bash', ...args], {
      stdio: 'inherit',
      env: { ...process.env, STATEFUN_BENCH_NETNS: '1' },
    });
    process.exit(child.status ?? 1);
  }
  console.log('note: not root (or no unshare): running without a loopback-only network namespace; Restate is skipped');
}
const IN_NETNS = process.env.STATEFUN_BENCH_NETNS === '1';

// ---- helpers ---------------------------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await sleep(10);
  }
}

function httpJson(options: { socketPath?: string; port?: number; method: string; path: string; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', ...options, headers: options.body === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function pollUntil(total: number, readAll: () => Promise<number>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const seen = await readAll();
    if (seen >= total) return;
    if (Date.now() > until) throw new Error(`only ${seen} of ${total} effects visible after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function readAllConcurrently(read: (key: number) => Promise<number>): Promise<number> {
  let sum = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < KEYS) {
        // Not `sum += await read(…)`: that reads `sum` before the await, and concurrent readers lose additions.
        const value = await read(next++);
        sum += value;
      }
    }),
  );
  return sum;
}

function peakRssMb(pid: number): number {
  try {
    const status = execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' });
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000).then(() => child.kill('SIGKILL'))]);
}

// ---- the in-memory harness ----------------------------------------------------------------------------------

async function harness(): Promise<number> {
  const t = createTestRuntime({ functions: [counter] });
  const started = performance.now();
  const batch = 50_000;
  for (let sent = 0; sent < HARNESS_MESSAGES; sent += batch) {
    for (let i = sent; i < sent + batch; i++) void t.ingest({ to: counter, id: `k${i % KEYS}`, value: 'x' });
    await t.run();
  }
  const perSec = HARNESS_MESSAGES / ((performance.now() - started) / 1000);
  await t.stop();
  return perSec;
}

// ---- statefun dev -------------------------------------------------------------------------------------------

interface StatefunRun {
  readonly oneWay: LoadResult;
  readonly effectsPerSec: number;
  /** The same, with PEAK_CONNECTIONS connections: what the runtime sustains when latency is not the limit. */
  readonly peak: LoadResult;
  readonly peakEffectsPerSec: number;
  readonly halfRate: LoadResult;
  readonly ingressToHandlerP99: number | undefined;
  /** How late delayed messages arrived, by the handler's clock (ms). */
  readonly timerLateness: { readonly min: number; readonly p50: number; readonly p99: number; readonly max: number };
  readonly peakRssMb: number;
  /** From spawning `statefun dev` (fresh data directory, app compiled from TypeScript) to its ingress accepting. */
  readonly startupMs: number;
}

async function statefun(): Promise<StatefunRun> {
  const dataDir = await mkdtemp(join(tmpdir(), 'statefun-bench-'));
  const spawned = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist/runtime/cli/main.js'), 'dev', join(bench, 'local/app'), '--data-dir', dataDir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForPort(INGRESS_PORT);
    const startupMs = performance.now() - spawned;
    const admin = JSON.parse(await readFile(join(dataDir, 'admin.json'), 'utf8')) as { socket: string };
    const body = Buffer.from('x');
    const send = (i: number) => ({
      method: 'POST',
      path: `/bench/counter/k${i % KEYS}`,
      headers: { 'Content-Type': 'application/vnd.bench/Tick' },
      body,
    });
    const read = async (key: number): Promise<number> => {
      const res = await httpJson({ socketPath: admin.socket, method: 'GET', path: `/v1/state?address=${encodeURIComponent(`bench/counter/k${key}`)}` });
      const view = JSON.parse(res.body) as { values?: Array<{ name: string; base64: string }> };
      const b64 = view.values?.find((v) => v.name === 'count')?.base64;
      if (b64 === undefined) return 0;
      const bytes = Buffer.from(b64, 'base64');
      return bytes.length === 5 ? bytes.readInt32LE(1) : 0;
    };
    // Warm up, and fill every counter once.
    await runLoad({ host: '127.0.0.1', port: INGRESS_PORT, connections: CONNECTIONS, requests: 20_000, request: send });
    const base = await readAllConcurrently(read);
    const started = performance.now();
    const oneWay = await runLoad({ host: '127.0.0.1', port: INGRESS_PORT, connections: CONNECTIONS, requests: REQUESTS, request: send });
    await pollUntil(base + oneWay.requests - oneWay.errors, () => readAllConcurrently(read), 120_000);
    const effectsPerSec = oneWay.requests / ((performance.now() - started) / 1000);
    const peakBase = await readAllConcurrently(read);
    const peakStarted = performance.now();
    const peak = await runLoad({ host: '127.0.0.1', port: INGRESS_PORT, connections: PEAK_CONNECTIONS, requests: REQUESTS, request: send });
    await pollUntil(peakBase + peak.requests - peak.errors, () => readAllConcurrently(read), 120_000);
    const peakEffectsPerSec = peak.requests / ((performance.now() - peakStarted) / 1000);
    const rate = Math.round(effectsPerSec / 2);
    const metricsBefore = await httpJson({ socketPath: admin.socket, method: 'POST', path: '/v1/metrics/reset' }).catch(() => undefined);
    const halfRate = await runLoad({
      host: '127.0.0.1',
      port: INGRESS_PORT,
      connections: 256,
      requests: rate * 10,
      ratePerSec: rate,
      request: send,
    });
    let ingressToHandlerP99: number | undefined;
    if (metricsBefore?.status === 200) {
      const metrics = JSON.parse((await httpJson({ socketPath: admin.socket, method: 'GET', path: '/v1/metrics' })).body) as {
        delivered?: Record<string, { p99: number }>;
      };
      ingressToHandlerP99 = metrics.delivered?.['bench/counter']?.p99;
    }
    const timerLateness = await measureTimers(admin.socket);
    return { oneWay, effectsPerSec, peak, peakEffectsPerSec, halfRate, ingressToHandlerP99, timerLateness, peakRssMb: peakRssMb(child.pid!), startupMs };
  } finally {
    await stop(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Arms TIMERS delayed messages (100 ms – 3 s, spread over 100 addresses) through the ingress, waits for all to
 * arrive, and returns how late they were.
 */
async function measureTimers(adminSocket: string): Promise<StatefunRun['timerLateness']> {
  const addresses = 100;
  const delays = Array.from({ length: TIMERS }, (_, i) => 100 + Math.round(((i * 7919) % TIMERS) * (2900 / TIMERS)));
  await runLoad({
    host: '127.0.0.1',
    port: INGRESS_PORT,
    connections: 16,
    requests: TIMERS,
    request: (i) => ({
      method: 'POST',
      path: `/bench/timer/t${i % addresses}`,
      headers: { 'Content-Type': 'application/vnd.bench/Arm' },
      body: Buffer.from(JSON.stringify({ delayMs: delays[i] })),
    }),
  });
  const read = async (key: number): Promise<number[]> => {
    const res = await httpJson({ socketPath: adminSocket, method: 'GET', path: `/v1/state?address=${encodeURIComponent(`bench/timer/t${key}`)}` });
    const view = JSON.parse(res.body) as { values?: Array<{ name: string; base64: string }> };
    const b64 = view.values?.find((v) => v.name === 'lateness')?.base64;
    return b64 === undefined ? [] : (JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as number[]);
  };
  const until = Date.now() + 30_000;
  for (;;) {
    const all = (await Promise.all(Array.from({ length: addresses }, (_, k) => read(k)))).flat();
    if (all.length >= TIMERS) {
      const sorted = all.sort((a, b) => a - b);
      const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
      return { min: sorted[0]!, p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! };
    }
    if (Date.now() > until) throw new Error(`only ${all.length} of ${TIMERS} delayed messages arrived within 30 s`);
    await sleep(250);
  }
}

// ---- Restate ------------------------------------------------------------------------------------------------

interface RestateRun {
  readonly oneWay: LoadResult;
  readonly effectsPerSec: number;
  readonly requestResponse: LoadResult;
}

async function prepareRestate(): Promise<string> {
  const server = join(bench, 'node_modules/@restatedev/restate-server-linux-x64/bin/restate-server');
  if (!existsSync(server)) {
    console.log('installing the Restate server and SDK into bench/node_modules (install scripts off)…');
    execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: bench, stdio: 'inherit' });
  }
  await build({
    entryPoints: [join(bench, 'restate/counter-service.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: join(bench, '.build/counter-service.mjs'),
    logLevel: 'warning',
  });
  return server;
}

async function restate(server: string): Promise<RestateRun> {
  const baseDir = await mkdtemp(join(tmpdir(), 'restate-bench-'));
  const env = {
    ...process.env,
    RESTATE_DISABLE_TELEMETRY: 'true',
    RESTATE_BIND_IP: '127.0.0.1',
    RESTATE_BASE_DIR: baseDir,
    RESTATE_LISTEN_MODE: 'tcp',
  };
  const srv = spawn(server, ['--no-logo'], { env, stdio: 'ignore' });
  const svc = spawn(process.execPath, [join(bench, '.build/counter-service.mjs')], { env: { ...process.env, PORT: '9080' }, stdio: 'ignore' });
  try {
    await waitForPort(9070);
    await waitForPort(9080);
    await waitForPort(8080);
    for (let i = 0; ; i++) {
      const res = await httpJson({ port: 9070, method: 'POST', path: '/deployments', body: JSON.stringify({ uri: 'http://127.0.0.1:9080' }) });
      if (res.status < 300) break;
      if (i > 50) throw new Error(`registering the Restate deployment failed: ${res.status} ${res.body}`);
      await sleep(200);
    }
    const send = (i: number) => ({ method: 'POST', path: `/Counter/k${i % KEYS}/add/send` });
    const call = (i: number) => ({ method: 'POST', path: `/Counter/k${i % KEYS}/add` });
    const read = async (key: number): Promise<number> => {
      const res = await httpJson({ port: 8080, method: 'POST', path: `/Counter/k${key}/get` });
      return Number(res.body) || 0;
    };
    await runLoad({ host: '127.0.0.1', port: 8080, connections: CONNECTIONS, requests: 2000, request: send });
    await pollUntil(2000, () => readAllConcurrently(read), 120_000);
    const started = performance.now();
    const oneWay = await runLoad({ host: '127.0.0.1', port: 8080, connections: CONNECTIONS, requests: RESTATE_REQUESTS, request: send });
    await pollUntil(2000 + oneWay.requests - oneWay.errors, () => readAllConcurrently(read), 300_000);
    const effectsPerSec = oneWay.requests / ((performance.now() - started) / 1000);
    const requestResponse = await runLoad({ host: '127.0.0.1', port: 8080, connections: CONNECTIONS, requests: RESTATE_REQUESTS, request: call });
    return { oneWay, effectsPerSec, requestResponse };
  } finally {
    await stop(svc);
    await stop(srv);
    await rm(baseDir, { recursive: true, force: true });
  }
}

// ---- main ---------------------------------------------------------------------------------------------------

if (!existsSync(join(root, 'dist/runtime/cli/main.js'))) {
  console.log('building statefun-aws (npm run build)…');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
const restateServer = WANT_RESTATE && IN_NETNS ? await prepareRestate() : undefined;

const harnessRuns: number[] = [];
const ours: StatefunRun[] = [];
const theirs: RestateRun[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  harnessRuns.push(await harness());
  ours.push(await statefun());
  if (restateServer !== undefined) theirs.push(await restate(restateServer));
  const o = ours.at(-1)!;
  const r = theirs.at(-1);
  console.log(
    `round ${round}: harness ${fmt(harnessRuns.at(-1)!)} msg/s | statefun ${fmt(o.effectsPerSec)} msg/s, ack p99 ${fmt(o.oneWay.latencyMs.p99, 1)} ms` +
      (r === undefined ? '' : ` | restate ${fmt(r.effectsPerSec)} msg/s, ack p99 ${fmt(r.oneWay.latencyMs.p99, 1)} ms`),
  );
}

const m = {
  harness: median(harnessRuns),
  statefun: median(ours.map((o) => o.effectsPerSec)),
  statefunPeak: median(ours.map((o) => o.peakEffectsPerSec)),
  statefunPeakAckP99: median(ours.map((o) => o.peak.latencyMs.p99)),
  statefunAckP50: median(ours.map((o) => o.oneWay.latencyMs.p50)),
  statefunAckP99: median(ours.map((o) => o.oneWay.latencyMs.p99)),
  halfRate: median(ours.map((o) => o.halfRate.perSec)),
  halfRateAckP99: median(ours.map((o) => o.halfRate.latencyMs.p99)),
  ingressToHandlerP99: ours.some((o) => o.ingressToHandlerP99 !== undefined) ? median(ours.map((o) => o.ingressToHandlerP99 ?? NaN)) : undefined,
  timerLatenessP50: median(ours.map((o) => o.timerLateness.p50)),
  timerLatenessP99: median(ours.map((o) => o.timerLateness.p99)),
  timerLatenessMax: Math.max(...ours.map((o) => o.timerLateness.max)),
  timerLatenessMin: Math.min(...ours.map((o) => o.timerLateness.min)),
  peakRssMb: Math.max(...ours.map((o) => o.peakRssMb)),
  startupMs: median(ours.map((o) => o.startupMs)),
  restate: theirs.length > 0 ? median(theirs.map((r) => r.effectsPerSec)) : undefined,
  restateAckP50: theirs.length > 0 ? median(theirs.map((r) => r.oneWay.latencyMs.p50)) : undefined,
  restateAckP99: theirs.length > 0 ? median(theirs.map((r) => r.oneWay.latencyMs.p99)) : undefined,
  restateCallsPerSec: theirs.length > 0 ? median(theirs.map((r) => r.requestResponse.perSec)) : undefined,
  restateCallP99: theirs.length > 0 ? median(theirs.map((r) => r.requestResponse.latencyMs.p99)) : undefined,
};

const rows: Array<[string, string, string]> = [
  ['in-memory harness (messages/s)', fmt(m.harness), '≥ 200,000'],
  [`statefun dev, one-way, ${CONNECTIONS} conns (messages/s, all effects visible)`, fmt(m.statefun), ''],
  ['  ack latency p50 / p99 (ms)', `${fmt(m.statefunAckP50, 2)} / ${fmt(m.statefunAckP99, 2)}`, ''],
  [`statefun dev, one-way, ${PEAK_CONNECTIONS} conns (messages/s, all effects visible)`, fmt(m.statefunPeak), '≥ 20,000'],
  ['  ack latency p99 (ms)', fmt(m.statefunPeakAckP99, 2), ''],
  [`  at half rate (${fmt(m.halfRate)}/s): ack p99 (ms)`, fmt(m.halfRateAckP99, 2), ''],
  ['  at half rate: ingress-to-handler p99 (ms)', m.ingressToHandlerP99 === undefined ? 'n/a' : fmt(m.ingressToHandlerP99, 2), '≤ 10'],
  [`  delayed messages (${fmt(TIMERS)}, 0.1–3 s): late by p50 / p99 / max (ms)`, `${fmt(m.timerLatenessP50)} / ${fmt(m.timerLatenessP99)} / ${fmt(m.timerLatenessMax)}`, '≤ 50'],
  ['  delayed messages: earliest (ms after due; never early)', fmt(m.timerLatenessMin), '≥ 0'],
  ['  peak memory (MB, VmHWM)', fmt(m.peakRssMb), ''],
  ['  startup: spawn to ingress accepting (ms)', fmt(m.startupMs), '≈ 1,000'],
];
if (m.restate !== undefined) {
  rows.push(
    [`Restate 1.7.12, one-way, ${CONNECTIONS} conns (messages/s, all effects visible)`, fmt(m.restate), ''],
    ['  ack latency p50 / p99 (ms)', `${fmt(m.restateAckP50!, 2)} / ${fmt(m.restateAckP99!, 2)}`, ''],
    ['  request-response calls/s, p99 (ms)', `${fmt(m.restateCallsPerSec!)}, ${fmt(m.restateCallP99!, 1)}`, ''],
    ['ratio: throughput statefun / Restate', `${fmt(m.statefun / m.restate, 1)}×`, '≥ 10×'],
    ['ratio: ack p99 statefun / Restate', `${fmt(m.statefunAckP99 / m.restateAckP99!, 3)}`, '≤ 0.2'],
  );
}
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`\nmedians of ${ROUNDS} rounds, ${KEYS} keys, ${fmt(REQUESTS)} statefun / ${fmt(RESTATE_REQUESTS)} Restate requests${IN_NETNS ? ', loopback-only network namespace' : ''}`);
for (const [name, value, goal] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(16)}  ${goal}`);
await mkdir(join(bench, 'results'), { recursive: true });
const file = join(bench, 'results', `local-${new Date().toISOString().replaceAll(':', '-')}.json`);
await writeFile(file, JSON.stringify({ rounds: ROUNDS, requests: REQUESTS, restateRequests: RESTATE_REQUESTS, connections: CONNECTIONS, medians: m, ours, theirs, harnessRuns }, null, 2));
console.log(`\nresults: ${file}`);

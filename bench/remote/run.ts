/**
 * Remote function invocation benchmark: what the request-reply client costs on top of the network.
 *
 * Run (from the repository root):
 *   node bench/run.mjs remote [--seconds=5] [--batch=10] [--concurrency=32]
 *
 * Measures, against a trivial endpoint on 127.0.0.1 running on its own thread:
 * - runtime overhead per message: encoding the ToFunction, decoding the FromFunction and the invoker's
 *   own work, with an in-memory transport (no network), at the given batch size (goal: < 0.1 ms);
 * - latency of one batch (p50/p99) through RemoteFunctionInvoker, against a bare keep-alive node:http POST
 *   of the same bytes; the difference is the latency the client adds;
 * - batches/s and messages/s with one caller and with `--concurrency` callers;
 * - bytes on the wire per message (bodies, and HTTP headers shared by the batch).
 * The endpoint either answers a precomputed FromFunction (`raw`: measures the client alone) or runs the
 * official StateFun JS SDK with a counter function (`sdk`: a realistic endpoint).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import type { InvocationEffects, InvocationRequest } from '../../runtime/core/invocation.js';
import { decodeFromFunction, encodeFromFunction, encodeToFunction } from '../../runtime/remote/codec.js';
import { InFlightLimiter } from '../../runtime/remote/in-flight-limiter.js';
import { RemoteFunctionInvoker } from '../../runtime/remote/remote-invoker.js';
import type { RequestReplyTransport } from '../../runtime/remote/transport.js';
import { intType, jsonType } from '../../runtime/sdk/types.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const SECONDS = Number(args.get('seconds') ?? 5);
const BATCH = Number(args.get('batch') ?? 10);
const CONCURRENCY = Number(args.get('concurrency') ?? 32);

const Order = jsonType<{ sku: string; quantity: number; note: string }>('shop/Order');
const Cart = jsonType<{ items: string[] }>('shop/Cart');

function batchRequest(size: number): InvocationRequest {
  return {
    target: { typename: 'shop/cart', id: 'customer-000042' },
    state: [
      { name: 'count', typename: intType.typename, value: intType.serialize(1234) },
      { name: 'cart', typename: Cart.typename, value: Cart.serialize({ items: ['sku-1', 'sku-2', 'sku-3'] }) },
    ],
    invocations: Array.from({ length: size }, (_, i) => ({
      caller: { typename: 'shop/checkout', id: `customer-${i}` },
      argument: { typename: Order.typename, value: Order.serialize({ sku: `sku-${i}`, quantity: 1, note: 'gift wrap' }) },
    })),
  };
}

function batchEffects(size: number): InvocationEffects {
  return {
    mutations: [{ kind: 'modify', name: 'count', value: { typename: intType.typename, value: intType.serialize(1234 + size) } }],
    messages: Array.from({ length: size }, (_, i) => ({
      target: { typename: 'shop/checkout', id: `customer-${i}` },
      argument: { typename: Order.typename, value: Order.serialize({ sku: `sku-${i}`, quantity: 1, note: 'added' }) },
    })),
    delayed: [],
    egress: [],
  };
}

/** The endpoint, in a process of its own so that the client's CPU time can be measured apart from it. */
const ENDPOINT = `
const http = require('node:http');
const config = JSON.parse(process.env.BENCH_ENDPOINT);
let listener;
if (config.kind === 'raw') {
  const answer = Buffer.from(config.answer, 'base64');
  listener = (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': answer.length });
      res.end(answer);
    });
  };
} else {
  const { StateFun, messageBuilder } = require(config.sdkPath);
  const statefun = new StateFun();
  statefun.bind({
    typename: 'shop/cart',
    specs: [{ name: 'count', type: StateFun.intType() }, { name: 'cart', type: StateFun.jsonType('shop/Cart') }],
    fn(ctx, message) {
      ctx.storage.count = (ctx.storage.count ?? 0) + 1;
      ctx.send(messageBuilder({ typename: ctx.caller.typename, id: ctx.caller.id, value: message.rawValueBytes.toString(), valueType: StateFun.stringType() }));
    },
  });
  const handler = statefun.handler();
  listener = (req, res) => void handler(req, res);
}
let headerBytes = 0;
const server = http.createServer((req, res) => {
  headerBytes = req.rawHeaders.reduce((n, h) => n + h.length + 2, 0) + req.method.length + req.url.length + 14;
  listener(req, res);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'headers') process.send({ headerBytes });
  if (m === 'stop') process.exit(0);
});
`;

interface Endpoint {
  readonly url: string;
  requestHeaderBytes(): Promise<number>;
  stop(): Promise<void>;
}

async function startEndpoint(kind: 'raw' | 'sdk', answer: Uint8Array): Promise<Endpoint> {
  const { createRequire } = await import('node:module');
  const sdkPath = createRequire(`${process.cwd()}/package.json`).resolve('apache-flink-statefun');
  const env = { ...process.env, BENCH_ENDPOINT: JSON.stringify({ kind, answer: Buffer.from(answer).toString('base64'), sdkPath }) };
  const child = spawn(process.execPath, ['-e', ENDPOINT], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return {
    url: `http://127.0.0.1:${port}`,
    requestHeaderBytes: () =>
      new Promise((resolve) => {
        child.once('message', (m: { headerBytes: number }) => resolve(m.headerBytes));
        child.send('headers');
      }),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Latency samples of `a` and `b`, alternating calls so that both see the same machine (it may be busy). */
async function timeBoth(seconds: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number[], number[]]> {
  const samples: [number[], number[]] = [[], []];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (const [i, run] of [a, b].entries()) {
      const started = performance.now();
      await run();
      samples[i]!.push(performance.now() - started);
    }
  }
  return [samples[0].sort((x, y) => x - y), samples[1].sort((x, y) => x - y)];
}

/** Calls per second with `callers` concurrent callers, and the client's CPU time per call (µs). */
async function throughput(seconds: number, callers: number, run: () => Promise<unknown>): Promise<{ perSecond: number; cpuUs: number }> {
  let done = 0;
  const cpu = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        await run();
        done++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { perSecond: done / seconds, cpuUs: (used.user + used.system) / done };
}

/**
 * CPU time of `rounds` calls of `run`, in µs per message: the best of 5 runs (CPU time, and the best run,
 * keep the figure stable on a busy machine).
 */
async function cpuPerMessage(rounds: number, messages: number, run: () => unknown): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < rounds; i++) await run();
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / rounds / messages);
  }
  return best;
}

/** Runtime overhead without network: codec and invoker with a transport answering precomputed bytes. */
async function overheadPerMessage(request: InvocationRequest, answer: Uint8Array): Promise<{ encodeUs: number; decodeUs: number; invokeUs: number }> {
  const transport: RequestReplyTransport = { exchange: () => Promise.resolve(answer), close: () => Promise.resolve() };
  const invoker = new RemoteFunctionInvoker({ transport });
  const n = request.invocations.length;
  const rounds = 20_000;
  await cpuPerMessage(2_000, n, () => invoker.invoke(request, Number.POSITIVE_INFINITY));
  const encodeUs = await cpuPerMessage(rounds, n, () => encodeToFunction(request));
  const decodeUs = await cpuPerMessage(rounds, n, () => decodeFromFunction(answer, request));
  const invokeUs = await cpuPerMessage(rounds, n, () => invoker.invoke(request, Number.POSITIVE_INFINITY));
  return { encodeUs, decodeUs, invokeUs };
}

async function main(): Promise<void> {
  const request = batchRequest(BATCH);
  const answer = encodeFromFunction(batchEffects(BATCH));
  const body = encodeToFunction(request);
  const rows: Array<[string, string]> = [];
  const fmt = (n: number, digits = 1): string => n.toFixed(digits);

  const overhead = await overheadPerMessage(request, answer);
  rows.push([`runtime overhead / message, batch ${BATCH} (encode + decode + invoker, no network, CPU)`, `${fmt(overhead.invokeUs, 2)} µs (encode ${fmt(overhead.encodeUs, 2)} µs, decode ${fmt(overhead.decodeUs, 2)} µs)`]);

  for (const kind of ['raw', 'sdk'] as const) {
    const endpoint = await startEndpoint(kind, answer);
    const invoker = new RemoteFunctionInvoker({ urlPathTemplate: `${endpoint.url}/{function.name}`, inFlight: new InFlightLimiter(1024) });
    const deadline = (): number => Date.now() + 30_000;
    const invoke = (): Promise<unknown> => invoker.invoke(request, deadline());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
    const { port } = new URL(endpoint.url) as unknown as AddressInfo;
    const bare = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.request({ agent, host: '127.0.0.1', port, method: 'POST', path: '/cart', headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => resolve(n));
        });
        req.on('error', reject);
        req.end(body);
      });

    const responseBytes = await bare();
    await timeBoth(0.5, invoke, bare);
    const [viaInvoker, viaBare] = await timeBoth(SECONDS, invoke, bare);
    const single = 1000 / (viaInvoker.reduce((a, b) => a + b, 0) / viaInvoker.length);
    const many = await throughput(SECONDS, CONCURRENCY, invoke);
    const manyBare = await throughput(SECONDS, CONCURRENCY, bare);
    const overheadUs = (many.cpuUs - manyBare.cpuUs) / BATCH;
    const headerBytes = await endpoint.requestHeaderBytes();

    const label = kind === 'raw' ? 'raw endpoint (precomputed answer)' : 'official StateFun JS SDK endpoint';
    rows.push([`${label}: batch latency p50 / p99, invoker`, `${fmt(percentile(viaInvoker, 50), 3)} / ${fmt(percentile(viaInvoker, 99), 3)} ms`]);
    rows.push([`${label}: batch latency p50 / p99, bare node:http POST`, `${fmt(percentile(viaBare, 50), 3)} / ${fmt(percentile(viaBare, 99), 3)} ms`]);
    rows.push([`${label}: latency added by the client per batch (p50)`, `${fmt(percentile(viaInvoker, 50) - percentile(viaBare, 50), 3)} ms`]);
    rows.push([`${label}: batches/s, 1 caller`, `${fmt(single, 0)} (${fmt(single * BATCH, 0)} messages/s)`]);
    rows.push([`${label}: batches/s, ${CONCURRENCY} callers`, `${fmt(many.perSecond, 0)} (${fmt(many.perSecond * BATCH, 0)} messages/s; bare POSTs: ${fmt(manyBare.perSecond, 0)}/s)`]);
    rows.push([`${label}: client CPU / batch, invoker vs bare POST`, `${fmt(many.cpuUs, 0)} µs vs ${fmt(manyBare.cpuUs, 0)} µs → ${fmt(overheadUs, 1)} µs / message added`]);
    if (kind === 'raw') {
      rows.push([`bytes on the wire / message, batch ${BATCH}: ToFunction body`, `${fmt(body.length / BATCH)} B (${body.length} B per batch)`]);
      rows.push([`bytes on the wire / message, batch ${BATCH}: FromFunction body`, `${fmt(responseBytes / BATCH)} B (${responseBytes} B per batch)`]);
      rows.push([`bytes on the wire / message, batch ${BATCH}: HTTP request headers`, `${fmt(headerBytes / BATCH)} B (${headerBytes} B per batch, shared)`]);
    }
    agent.destroy();
    await invoker.close();
    await endpoint.stop();
  }

  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\nremote invocation benchmark — batch ${BATCH}, ${SECONDS} s per measurement, node ${process.version}\n\n`);
  for (const [key, value] of rows) process.stdout.write(`${key.padEnd(width)}  ${value}\n`);
  process.stdout.write(`\ngoal: runtime overhead < 100 µs per message at batch 10 — ${overhead.invokeUs < 100 ? 'met' : 'NOT met'}\n`);
}

await main();

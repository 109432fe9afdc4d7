/**
 * The conformance harness: functions written with the official StateFun JS SDK (`apache-flink-statefun`
 * 3.3.0), served by node:http on 127.0.0.1 or a Unix socket, bound by a StateFun module.yaml and run by an
 * in-process `statefun dev`, driven through its playground ingress and read back through its playground
 * egress, its admin API and the `statefun` commands.
 *
 * The SDK endpoint serves what the SDK's own `handler()` answers, byte for byte; it only looks on: each
 * request is decoded (target, state names, arguments) and each answer classified, with a wire reader of the
 * tests' own (protowire.ts), so that tests can check what the SDK saw (batch sizes, registration round trips,
 * retries, calls given up by the runtime).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { StateFun } from 'apache-flink-statefun';
import { run } from '../../../runtime/cli/run.js';
import type { CliIo } from '../../../runtime/cli/io.js';
import { AdminClient } from '../../../runtime/cli/admin-client.js';
import type { ParkedSummary, StateView } from '../../../runtime/local/dev/admin-protocol.js';
import { decodeValue } from '../../../runtime/local/dev/value-format.js';
import { fromFunctionKind, readToFunction } from './protowire.js';
import { eventually, type Running, startDev, type TempApp, tempApp } from '../dev/dev-helpers.js';

export { eventually, jsonHeaders, nextPayload, type Running, type TempApp, tempApp } from '../dev/dev-helpers.js';

/** An in-process `statefun dev` of the app's module.yaml alone (no code module), on free ports. */
export function startYamlApp(app: TempApp, file = 'module.yaml'): Promise<Running> {
  return startDev(app, { app: { modules: [app.path(file)], args: [] } });
}

/** One request the SDK endpoint received, decoded, and what became of it. */
export interface SeenRequest {
  /** Request path, e.g. `/statefun/counter`. */
  readonly path: string;
  /** Target address `ns/type/id` (`?` when the body did not decode). */
  readonly target: string;
  /** Names of the states the request carried. */
  readonly states: readonly string[];
  /** The invocations' arguments as text: strings and numbers as they are, JSON compact. */
  readonly args: readonly string[];
  /** Filled in when the exchange ends. */
  outcome: 'pending' | 'result' | 'incomplete' | 'http-error' | 'aborted';
  status: number;
}

export interface SdkEndpoint {
  /** Base URL: `http://127.0.0.1:<port>` or `http+unix:///…/fn.sock`. */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly seen: SeenRequest[];
  /** Requests for one address (`ns/type/id`). */
  requestsFor(address: string): SeenRequest[];
  /** Serves another set of functions from now on (a redeploy of the functions service). */
  swap(statefun: StateFun): void;
  close(): Promise<void>;
}

/** Binds functions to a new `StateFun`, as the SDK's README shows. */
export function sdk(...functions: Parameters<StateFun['bind']>[0][]): StateFun {
  const statefun = new StateFun();
  for (const fn of functions) statefun.bind(fn);
  return statefun;
}

/**
 * Serves `statefun` with node:http on 127.0.0.1 (`port`, default a free one), or on `socketPath`. Each request's body is
 * handed to the SDK's `handle` unchanged and the SDK writes the response itself.
 */
export async function serveSdk(statefun: StateFun, options: { readonly socketPath?: string; readonly port?: number } = {}): Promise<SdkEndpoint> {
  let current = statefun;
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const request = observe(req.url ?? '/', body);
      seen.push(request);
      res.once('close', () => {
        if (!res.writableFinished) request.outcome = 'aborted';
      });
      const end = res.end.bind(res) as (chunk?: unknown) => http.ServerResponse;
      (res as { end: (chunk?: unknown) => http.ServerResponse }).end = (chunk?: unknown) => {
        request.status = res.statusCode;
        // An answer written after the runtime gave up on the call reaches no one: the call stays 'aborted'.
        if (request.outcome === 'pending') request.outcome = res.statusCode !== 200 ? 'http-error' : answerKind(chunk);
        return end(chunk);
      };
      // The SDK reads the request as a stream of chunks; it gets the very bytes the runtime sent.
      await current.handle(Readable.from([body]), res);
    })().catch((error: unknown) => {
      res.destroy(error as Error);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => {
    if (options.socketPath !== undefined) server.listen(options.socketPath, resolve);
    else server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const url = options.socketPath !== undefined ? `http+unix://${options.socketPath}` : `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    requestsFor: (address) => seen.filter((r) => r.target === address),
    swap: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function observe(path: string, body: Buffer): SeenRequest {
  try {
    const request = readToFunction(body);
    return {
      path,
      target: request.target,
      states: request.states,
      args: request.invocations.map((i) => argumentText(i.argument.typename, i.argument.value)),
      outcome: 'pending',
      status: 0,
    };
  } catch {
    return { path, target: '?', states: [], args: [], outcome: 'pending', status: 0 };
  }
}

function argumentText(typename: string, bytes: Uint8Array): string {
  const value = decodeValue(typename, bytes);
  switch (value.kind) {
    case 'builtin':
      return String(value.value);
    case 'json':
      return JSON.stringify(value.value);
    case 'bytes':
      return value.base64;
  }
}

function answerKind(chunk: unknown): SeenRequest['outcome'] {
  const kind = fromFunctionKind(chunk instanceof Uint8Array ? chunk : new Uint8Array());
  return kind === 'incomplete' ? 'incomplete' : 'result';
}

/** Sizes of the batches the SDK ran for `address` (registration round trips left out). */
export function batchSizes(endpoint: SdkEndpoint, address: string): number[] {
  return endpoint
    .requestsFor(address)
    .filter((r) => r.outcome === 'result')
    .map((r) => r.args.length);
}

/**
 * An `io.statefun.endpoints.v2/http` endpoint, as a StateFun module.yaml document. `transport` is YAML for
 * `spec.transport`, indented by the caller's choice of flow style, e.g. `{ type: io.statefun.transports.v1/async, call: 1s }`.
 */
export function endpointYaml(options: { functions: string; urlPathTemplate: string; maxNumBatchRequests?: number; transport?: string }): string {
  return [
    'kind: io.statefun.endpoints.v2/http',
    'spec:',
    `  functions: ${options.functions}`,
    `  urlPathTemplate: ${options.urlPathTemplate}`,
    ...(options.maxNumBatchRequests !== undefined ? [`  maxNumBatchRequests: ${options.maxNumBatchRequests}`] : []),
    ...(options.transport !== undefined ? [`  transport: ${options.transport}`] : []),
  ].join('\n');
}

/** The playground ingress and egress as StateFun's playground declares them (ports replaced by free ones). */
export function playgroundYaml(topics: readonly string[]): string {
  return `kind: io.statefun.playground.v1/ingress
spec:
  port: 8090
---
kind: io.statefun.playground.v1/egress
spec:
  port: 8091
  topics: [${topics.join(', ')}]`;
}

export const documents = (...docs: string[]): string => `${docs.join('\n---\n')}\n`;

/** The playground egress's record type, as functions written with the official SDK send it. */
export const PlaygroundEgressRecord = StateFun.jsonType<{ topic: string; payload: string }>('io.statefun.playground/EgressRecord');

/**
 * The usual app under test: a fresh app folder, `statefun` served over HTTP, a module.yaml binding `conf/*` to
 * it next to the playground ingress and an egress of `topics`, and `statefun dev` running that.
 */
export async function startSdkApp(statefun: StateFun, topics: readonly string[]): Promise<{ app: TempApp; endpoint: SdkEndpoint; dev: Running }> {
  const app = await tempApp({});
  let endpoint: SdkEndpoint | undefined;
  try {
    endpoint = await serveSdk(statefun);
    await app.write('module.yaml', documents(endpointYaml({ functions: 'conf/*', urlPathTemplate: `${endpoint.url}/{function.name}` }), playgroundYaml(topics)));
    return { app, endpoint, dev: await startYamlApp(app) };
  } catch (error) {
    await endpoint?.close();
    await app.remove();
    throw error;
  }
}

/** `curl -X PUT -H "Content-Type: application/vnd.<typename>" -d '<body>' localhost:8090<path>` */
export async function put(dev: Running, path: string, body: string, typename?: string): Promise<void> {
  const res = await dev.ingress(path, {
    method: 'PUT',
    ...(typename !== undefined ? { headers: { 'content-type': `application/vnd.${typename}` } } : {}),
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`PUT ${path} answered ${res.status}: ${text}`);
}

/** Every payload on an egress topic until `count` arrived (polling `GET /<topic>`), in order. */
export async function takePayloads(dev: Running, topic: string, count: number, timeoutMs = 30_000): Promise<string[]> {
  const payloads: string[] = [];
  await eventually(
    async () => {
      const res = await dev.egress(topic);
      if (res.status === 200) payloads.push(await res.text());
      else await res.arrayBuffer();
      return payloads.length >= count;
    },
    timeoutMs,
    `${count} payloads on topic ${topic} (got ${JSON.stringify(payloads)})`,
  );
  return payloads;
}

export interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs a `statefun` command in this process, as `statefun <argv…>` would from a shell. */
export async function statefun(...argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await run(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `statefun state <address> --json`, parsed: the values decoded by name. */
export async function stateValues(dataDir: string, address: string): Promise<Record<string, unknown>> {
  const result = await statefun('state', address, '--json', '--data-dir', dataDir);
  if (result.code !== 0) throw new Error(`statefun state ${address} failed: ${result.err}`);
  const view = JSON.parse(result.out) as { values: Array<{ name: string; value?: unknown; base64?: string }> };
  return Object.fromEntries(view.values.map((v) => [v.name, v.value ?? v.base64]));
}

/** The admin API's view of an address. */
export function stateView(dev: Running, address: string): Promise<StateView> {
  return new AdminClient(dev.server.adminSocket).get<StateView>(`/v1/state?address=${encodeURIComponent(address)}`);
}

/** The admin API's parked addresses. */
export function parkedList(dev: Running): Promise<ParkedSummary[]> {
  return new AdminClient(dev.server.adminSocket).get<ParkedSummary[]>('/v1/parked');
}

/** Waits until `address` is parked and resolves its parked summary. */
export async function parkedEventually(dev: Running, address: string, timeoutMs = 30_000): Promise<ParkedSummary> {
  let found: ParkedSummary | undefined;
  await eventually(
    async () => {
      found = (await parkedList(dev)).find((p) => p.address === address);
      return found !== undefined;
    },
    timeoutMs,
    `${address} parked`,
  );
  return found!;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise with its resolver, to hold an SDK function until the test lets it go. */
export function gate(): { readonly wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

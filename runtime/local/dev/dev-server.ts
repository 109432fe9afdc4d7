import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Address } from '../../core/address.js';
import { addressKey } from '../../core/address.js';
import { describeError } from '../../core/errors.js';
import type { RetryPolicy } from '../../core/retry-policy.js';
import type { EgressRecord } from '../../core/record.js';
import type { AppModel } from '../../module/app.js';
import { EGRESS_KINDS, INGRESS_KINDS } from '../../module/kinds.js';
import { PLAYGROUND_INGRESS_ID } from '../../module/playground.js';
import { formatWarning } from '../../module/source.js';
import { type Metrics, noMetrics } from '../../ports.js';
import type { LocalBackend } from '../backend.js';
import { openDataDir, type OpenDataDir, type Recovery } from '../durable/data-dir.js';
import { LocalRuntime } from '../runtime.js';
import { systemTimers } from '../timer-service.js';
import type { ReloadResult, StatusView } from './admin-protocol.js';
import { LatencyMetrics } from '../latency-metrics.js';
import { adminSocketPath, startAdminServer } from './admin-server.js';
import { type AppSpec, AppLoader, type LoadedApp } from './app-loader.js';
import { EgressDrain, type SinkWriter } from './egress-drain.js';
import { openFileSink } from './file-sink.js';
import { bindFunctions, type BoundFunctions } from './function-bindings.js';
import { logSink } from './log-sink.js';
import { type PlaygroundEgress, startPlaygroundEgress } from './playground-egress.js';
import { type RunningServer, startPlaygroundIngress } from './playground-ingress.js';
import { RemoteInvokers } from './remote-invokers.js';
import { SourceWatcher } from './source-watcher.js';
import { SwappableFunctionRegistry } from './swappable-registry.js';

export interface DevServerOptions {
  readonly app: AppSpec;
  /** Where the journal, snapshots, bundles and the admin socket live. */
  readonly dataDir: string;
  /** Interface the ingress and egress ports listen on. @default 127.0.0.1 */
  readonly host?: string;
  /** Listen on free ports instead of the ports module.yaml declares (tests). @default false */
  readonly freePorts?: boolean;
  /** Reload the functions when their sources change. @default true */
  readonly watch?: boolean;
  /** `fdatasync` each group commit (see `openDataDir`). @default true */
  readonly fsync?: boolean;
  /** Where the banner, warnings, reloads and parked addresses are reported. @default console.log */
  readonly log?: (line: string) => void;
  /** Where log egresses print records. @default standard output */
  readonly print?: (line: string) => void;
}

/** Where an ingress or egress of the app is served. */
export interface Endpoint {
  readonly id: string;
  readonly kind: string;
  /** `http://127.0.0.1:8090`, a file path, `stdout`, or undefined when statefun dev does not serve this kind. */
  readonly where: string | undefined;
  readonly note: string;
}

export interface DevServer {
  readonly dataDir: string;
  readonly backend: LocalBackend;
  readonly runtime: LocalRuntime;
  /** Port of the playground ingress, if the app has one. */
  readonly ingressPort: number | undefined;
  /** Port of the playground egress, if the app has one. */
  readonly egressPort: number | undefined;
  readonly adminSocket: string;
  readonly recovery: Recovery;
  readonly startupMs: number;
  /** What the banner shows, one line each. */
  readonly banner: readonly string[];
  readonly endpoints: readonly Endpoint[];
  status(): StatusView;
  /** Rebuilds and reloads the functions now; a failure keeps the running code. */
  reload(): Promise<ReloadResult>;
  /** Stops serving, finishes running turns and sinks, and closes the data directory. */
  stop(): Promise<void>;
}

const REMOTE_GRACE_MS = 120_000;

/**
 * Retries under `statefun dev`: a failing message is retried 5 times over about 8 s, then its address is parked,
 * so a bug shows up as a parked address while you watch rather than after minutes of backoff.
 */
export const DEV_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 6, initialBackoffMs: 250, maxBackoffMs: 10_000, multiplier: 2 });

/** What a running dev server holds, released in this order on stop (or when starting fails halfway). */
interface Resources {
  watcher?: SourceWatcher;
  ingress?: RunningServer;
  admin?: RunningServer;
  runtime?: LocalRuntime;
  drains: EgressDrain[];
  playgroundEgress?: PlaygroundEgress;
  loader?: AppLoader;
  remotes?: RemoteInvokers;
  data?: OpenDataDir;
}

async function release(r: Resources, log: (line: string) => void): Promise<void> {
  const steps: Array<[string, (() => Promise<void> | void) | undefined]> = [
    ['watcher', r.watcher && (() => r.watcher!.close())],
    ['ingress', r.ingress && (() => r.ingress!.close())],
    ['admin', r.admin && (() => r.admin!.close())],
    ['runtime', r.runtime && (() => r.runtime!.stop())],
    // After the runtime: what the last turns emitted still goes out.
    ['sinks', async () => {
      for (const drain of r.drains) await drain.stop();
    }],
    ['egress', r.playgroundEgress && (() => r.playgroundEgress!.close())],
    ['modules', r.loader && (() => r.loader!.close())],
    ['remote endpoints', r.remotes && (() => r.remotes!.close())],
    ['data directory', r.data && (() => r.data!.close())],
  ];
  for (const [what, step] of steps) {
    if (step === undefined) continue;
    try {
      await step();
    } catch (error) {
      log(`error: stopping ${what}: ${describeError(error)}`);
    }
  }
}

/**
 * Runs an app on this machine: `statefun dev`. One process, durable state in the data directory, the StateFun
 * playground ingress and egress on their ports, log and file egresses, an admin API on a Unix socket, and the
 * functions reloaded whenever their sources change (turns already running finish on the old code).
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const resources: Resources = { drains: [] };
  try {
    return await boot(options, resources, started, log);
  } catch (error) {
    await release(resources, log);
    throw error;
  }
}

async function boot(options: DevServerOptions, r: Resources, started: number, log: (line: string) => void): Promise<DevServer> {
  const print = options.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolve(options.dataDir);
  await mkdir(join(dataDir, 'sinks'), { recursive: true });
  const data = (r.data = await openDataDir(dataDir, { clock: systemTimers, ...(options.fsync !== undefined ? { fsync: options.fsync } : {}) }));
  const { backend } = data;
  // Bundles of an earlier run (one killed before it could remove them): this process holds the lock now.
  await rm(join(dataDir, 'build'), { recursive: true, force: true });
  const loader = (r.loader = new AppLoader(options.app, join(dataDir, 'build')));
  const remotes = (r.remotes = new RemoteInvokers());

  let loaded: LoadedApp = await loader.load();
  let bound: BoundFunctions = await bindFunctions(loaded.model, remotes);
  const registry = new SwappableFunctionRegistry(bound.registry);
  const model: AppModel = loaded.model;
  const warnings = [...model.warnings.map(formatWarning), ...bound.warnings];
  const endpoints: Endpoint[] = [];

  // Egresses: the playground's port, sinks for log and file, the rest kept in the data directory.
  const drains = new Map<string, EgressDrain>();
  const addDrain = (egress: string, writer: SinkWriter): void => {
    const drain = new EgressDrain(backend, egress, writer, (error) => log(`error: egress ${egress}: ${describeError(error)}`));
    drains.set(egress, drain);
    r.drains.push(drain);
  };
  for (const spec of model.egresses.values()) {
    const base = { id: spec.id, kind: spec.kind };
    let endpoint: Endpoint;
    switch (spec.kind) {
      case EGRESS_KINDS.playground: {
        const egress = (r.playgroundEgress = await startPlaygroundEgress({
          port: options.freePorts === true ? 0 : spec.port,
          host,
          topics: spec.topics,
          backend,
          warn: (message) => log(`warning: ${message}`),
        }));
        endpoint = { ...base, where: `http://${hostForUrl(host)}:${egress.port}`, note: `GET /<topic>  topics: ${spec.topics.join(', ')}` };
        break;
      }
      case EGRESS_KINDS.log:
        addDrain(spec.id, logSink(spec, print));
        endpoint = { ...base, where: 'stdout', note: `log (${spec.format})` };
        break;
      case EGRESS_KINDS.file:
        addDrain(spec.id, await openFileSink(spec, backend, join(dataDir, 'sinks')));
        endpoint = { ...base, where: spec.path, note: `file (${spec.format})` };
        break;
      default:
        endpoint = { ...base, where: undefined, note: 'not delivered by statefun dev; its records are kept in the data directory' };
        warnings.push(`egress ${spec.id} (${spec.kind}): ${endpoint.note}`);
    }
    endpoints.push(endpoint);
  }
  const egressNames = new Set(model.egresses.keys());
  const onEgress = (record: EgressRecord): void => {
    const drain = drains.get(record.egress);
    if (drain !== undefined) drain.notify();
    else r.playgroundEgress?.offer(record);
  };

  const lastReported = new Map<string, number>();
  const latencies = new LatencyMetrics();
  const metrics: Metrics = {
    ...noMetrics,
    delivered: (functionType: string, latencyMs: number) => latencies.delivered(functionType, latencyMs),
    invoked: (functionType: string, messages: number, durationMs: number) => latencies.invoked(functionType, messages, durationMs),
    duplicateDropped: (functionType: string) => latencies.duplicateDropped(functionType),
    conflict: (functionType: string) => latencies.conflict(functionType),
    retried: (functionType: string, cause: string) => {
      latencies.retried(functionType);
      // Once per function type and cause every 10 s: a failing function under load must not flood the terminal.
      const key = `${functionType}\u0000${cause}`;
      const now = Date.now();
      if ((lastReported.get(key) ?? 0) > now - 10_000) return;
      if (lastReported.size > 1000) lastReported.clear();
      lastReported.set(key, now);
      log(`error in ${functionType} (retrying): ${cause}`);
    },
    parked: (address: Address, cause: string) => {
      latencies.parked(address);
      log(`parked ${addressKey(address)}: ${cause}\n  (statefun parked show ${addressKey(address)}, then replay or skip)`);
    },
  };
  const runtime = (r.runtime = new LocalRuntime({
    backend,
    functions: registry,
    egress: { has: (name) => egressNames.has(name) },
    timers: systemTimers,
    metrics,
    retry: DEV_RETRY_POLICY,
    onError: (error) => log(`error: ${describeError(error)}`),
    onEgressAppended: onEgress,
  }));
  runtime.start();
  for (const drain of drains.values()) drain.notify();

  // Ingresses.
  let ingressPort: number | undefined;
  for (const spec of model.ingresses.values()) {
    const base = { id: spec.id, kind: spec.kind };
    if (spec.kind !== INGRESS_KINDS.playground) {
      const endpoint = { ...base, where: undefined, note: 'not served by statefun dev' };
      warnings.push(`ingress ${spec.id} (${spec.kind}): ${endpoint.note}`);
      endpoints.unshift(endpoint);
      continue;
    }
    const ingress = (r.ingress = await startPlaygroundIngress({
      port: options.freePorts === true ? 0 : spec.port,
      host,
      ingest: (message) => runtime.ingest(message),
      functions: registry,
      routers: () => loaded.model.routersOf(PLAYGROUND_INGRESS_ID),
    }));
    ingressPort = ingress.port;
    endpoints.unshift({ ...base, where: `http://${hostForUrl(host)}:${ingress.port}`, note: 'PUT|POST /<namespace>/<type>/<id>' });
  }

  // Reloading: one at a time; a change during a reload triggers one more.
  let generation = 1;
  let reloading: Promise<ReloadResult> | undefined;
  let again = false;
  const fingerprint = (app: AppModel): string =>
    JSON.stringify([[...app.ingresses.values()].map(({ source: _s, ...rest }) => rest), [...app.egresses.values()].map(({ source: _s, ...rest }) => rest)]);
  const startedWith = fingerprint(model);
  const reloadOnce = async (): Promise<ReloadResult> => {
    const begun = Date.now();
    try {
      const next = await loader.load();
      const nextBound = await bindFunctions(next.model, remotes);
      registry.swap(nextBound.registry);
      remotes.retainOnly(next.model.endpoints, REMOTE_GRACE_MS);
      loaded = next;
      bound = nextBound;
      generation++;
      r.watcher?.watch(next.sources);
      for (const warning of [...next.model.warnings.map(formatWarning), ...nextBound.warnings]) log(`warning: ${warning}`);
      const restart = fingerprint(next.model) !== startedWith ? ' (ingress and egress changes take effect after a restart)' : '';
      const message = `reloaded in ${Date.now() - begun} ms: ${nextBound.lines.map((l) => l.split('  ')[0]).join(', ')}${restart}`;
      log(message);
      return { ok: true, generation, message };
    } catch (error) {
      // Watch every source file next to the known ones: the fix may be in a file the failed build added.
      r.watcher?.watch(loaded.sources, true);
      const message = `reload failed; still running the previous code:\n${error instanceof Error ? error.message : String(error)}`;
      log(message);
      return { ok: false, generation, message };
    }
  };
  const reload = (): Promise<ReloadResult> => {
    if (reloading !== undefined) {
      again = true;
      return reloading;
    }
    reloading = reloadOnce().finally(() => {
      reloading = undefined;
      if (again) {
        again = false;
        void reload();
      }
    });
    return reloading;
  };
  if (options.watch !== false) {
    r.watcher = new SourceWatcher(() => void reload());
    r.watcher.watch(loaded.sources);
  }

  const status = (): StatusView => ({
    pid: process.pid,
    dataDir,
    app: options.app.modules,
    startedAt: started,
    functions: bound.lines,
    accepts: Object.fromEntries([...bound.embedded].map(([t, a]) => [t, a.accepts ?? null])),
    ingresses: endpoints.filter((e) => e.kind.endsWith('/ingress')).map(describeEndpoint),
    egresses: endpoints.filter((e) => e.kind.endsWith('/egress')).map(describeEndpoint),
    generation,
  });
  r.admin = await startAdminServer({ dataDir, backend, ingest: (m) => runtime.ingest(m), status, reload, now: () => Date.now(), metrics: latencies });

  const startupMs = Date.now() - started;
  const banner = bannerLines({
    options,
    dataDir,
    bound,
    endpoints,
    recovery: data.recovery,
    watched: options.watch === false ? undefined : loaded.sources.length,
    warnings,
    startupMs,
  });
  let stopping: Promise<void> | undefined;
  return {
    dataDir,
    backend,
    runtime,
    ingressPort,
    egressPort: r.playgroundEgress?.port,
    adminSocket: adminSocketPath(dataDir),
    recovery: data.recovery,
    startupMs,
    banner,
    endpoints,
    status,
    reload,
    stop: () =>
      (stopping ??= (async () => {
        await reloading?.catch(() => {});
        await release(r, log);
      })()),
  };
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function describeEndpoint(e: Endpoint): string {
  return `${e.id}  ${e.where ?? '-'}  ${e.note}`;
}

function bannerLines(args: {
  options: DevServerOptions;
  dataDir: string;
  bound: BoundFunctions;
  endpoints: readonly Endpoint[];
  recovery: Recovery;
  watched: number | undefined;
  warnings: readonly string[];
  startupMs: number;
}): string[] {
  const { recovery } = args;
  const lines = [`statefun dev: ${args.options.app.modules.map(relative).join(', ')}`];
  const pad = (label: string): string => `  ${label.padEnd(10)}`;
  for (const line of args.bound.lines) lines.push(`${pad('function')}${line}`);
  if (args.bound.lines.length === 0) lines.push(`${pad('function')}(none bound)`);
  for (const e of args.endpoints) lines.push(`${pad(e.kind.endsWith('/ingress') ? 'ingress' : 'egress')}${e.id}  ${e.where === undefined ? '(not served)' : relative(e.where)}  ${e.note}`);
  const recovered =
    recovery.entries === 0 && recovery.snapshot === undefined
      ? 'new'
      : `recovered ${recovery.entries} journal entries${recovery.snapshot !== undefined ? ` after snapshot ${recovery.snapshot}` : ''}` +
        `${recovery.tornBytes > 0 ? `, cut ${recovery.tornBytes} torn bytes` : ''} in ${recovery.durationMs} ms`;
  lines.push(`${pad('data')}${relative(args.dataDir)}  (${recovered})`);
  lines.push(`${pad('admin')}${relative(adminSocketPath(args.dataDir))}  (statefun send | state | parked)`);
  if (args.watched !== undefined) lines.push(`${pad('watching')}${args.watched} source file${args.watched === 1 ? '' : 's'}: changes reload the functions`);
  for (const warning of args.warnings) lines.push(`warning: ${warning}`);
  lines.push(`ready in ${args.startupMs} ms`);
  return lines;
}

/** A path relative to the working directory when that is shorter. */
function relative(path: string): string {
  if (!path.startsWith('/')) return path;
  const cwd = process.cwd();
  if (path === cwd) return '.';
  return path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
}

/**
 * Helpers for the `statefun dev` integration tests: temporary apps, a dev server on free ports, and HTTP.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DevServer, type DevServerOptions, startDevServer } from '../../../runtime/local/dev/dev-server.js';

export interface TempApp {
  readonly dir: string;
  readonly dataDir: string;
  write(file: string, text: string): Promise<void>;
  path(file: string): string;
  remove(): Promise<void>;
}

/** A temporary app folder with the given files. */
export async function tempApp(files: Readonly<Record<string, string>>): Promise<TempApp> {
  const dir = await mkdtemp(join(tmpdir(), 'statefun-dev-'));
  const app: TempApp = {
    dir,
    dataDir: join(dir, '.statefun'),
    path: (file) => join(dir, file),
    async write(file, text) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  for (const [file, text] of Object.entries(files)) await app.write(file, text);
  return app;
}

/** The playground ingress and egress on (declared) ports; the dev server replaces them with free ones. */
export const PLAYGROUND_YAML = `
kind: io.statefun.playground.v1/ingress
spec:
  port: 8090
---
kind: io.statefun.playground.v1/egress
spec:
  port: 8091
  topics: [greetings, counts]
`;

/** A counter that greets: state `count`, a greeting on topic `greetings` with the count. */
export const COUNTER_TS = `
import { defineFunction, intType, jsonType, playgroundEgressRecord, stringType, valueSpec } from 'statefun-aws';

export const Greet = jsonType<{ name: string }>('test/Greet');

export const counter = defineFunction({
  typename: 'test/counter',
  specs: { count: valueSpec(intType) },
  accepts: Greet,
  handler(ctx, message) {
    const count = (ctx.storage.count ?? 0) + 1;
    ctx.storage.count = count;
    const name = message.is(Greet) ? message.as(Greet).name : message.as(stringType);
    ctx.sendEgress(playgroundEgressRecord({ topic: 'greetings', payload: \`hello \${name} #\${count}\` }));
  },
});
`;

export interface Running {
  readonly server: DevServer;
  readonly logs: string[];
  readonly printed: string[];
  ingress(path: string, init?: RequestInit): Promise<Response>;
  egress(topic: string): Promise<Response>;
}

/** Starts a dev server for `app` on free ports, collecting what it logs and prints. */
export async function startDev(app: TempApp, options: Partial<DevServerOptions> = {}): Promise<Running> {
  const logs: string[] = [];
  const printed: string[] = [];
  const server = await startDevServer({
    app: { modules: [app.path('module.yaml'), app.path('module.ts')], args: [] },
    dataDir: app.dataDir,
    freePorts: true,
    fsync: false,
    watch: false,
    log: (line) => logs.push(line),
    print: (line) => printed.push(line),
    ...options,
  });
  return {
    server,
    logs,
    printed,
    ingress: (path, init = {}) => fetch(`http://127.0.0.1:${server.ingressPort}${path}`, { method: 'POST', ...init }),
    egress: (topic) => fetch(`http://127.0.0.1:${server.egressPort}/${topic}`),
  };
}

/** Polls the egress topic until a payload arrives (or `timeoutMs` passes). */
export async function nextPayload(running: Running, topic: string, timeoutMs = 5000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await running.egress(topic);
    if (res.status === 200) return res.text();
    await res.arrayBuffer();
    if (Date.now() > until) throw new Error(`no payload on topic ${topic} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until `check` holds, polling. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const jsonHeaders = (typename: string): Record<string, string> => ({ 'content-type': `application/vnd.${typename}` });

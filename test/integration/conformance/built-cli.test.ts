/**
 * The greeter tutorial as a user runs it, all in child processes: the functions service bundled from
 * examples/statefun-playground/greeter/server.ts with esbuild and run by node, the built `statefun dev` on the
 * tutorial's module.yaml, the README's curl commands, and the built `statefun state` and `statefun parked`.
 *
 * Runs `dist/runtime/cli/main.js`: run `npm run build` first.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runningDataDirs } from '../../../runtime/cli/running-servers.js';
import { curl, curlCommands, curlUntilFound, EXAMPLES, FUNCTIONS_URL } from './tutorials.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist/runtime/cli/main.js');

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

/** A child process whose output is kept, resolved once a line matching `ready` appeared. */
class Child {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
    const keep = (chunk: Buffer): void => void this.output.push(chunk.toString('utf8'));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  async ready(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!pattern.test(this.output.join(''))) {
      if (exited || Date.now() > until) throw new Error(`not ready (${pattern}):\n${this.output.join('')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

const children: Child[] = [];
let dir: string | undefined;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: this test runs the built statefun command; run "npm run build" first`);
});

afterEach(async () => {
  for (const child of children.splice(0).reverse()) await child.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
  runningDataDirs();
});

describe('the greeter tutorial with the built statefun command', () => {
  it('servesTheReadmesRequestsAndAnswersStatefunStateAndParkedFromOtherProcesses', async () => {
    dir = await mkdtemp(join(tmpdir(), 'statefun-cli-'));
    // The README bundles with --packages=external next to the sources; here everything goes into one file
    // in a temporary folder, which has no node_modules to resolve packages from.
    await build({
      entryPoints: [join(EXAMPLES, 'greeter/server.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: join(dir, 'functions/server.mjs'),
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    const functionsPort = await freePort();
    const functions = new Child([join(dir, 'functions/server.mjs')], { PORT: String(functionsPort), HOST: '127.0.0.1' });
    children.push(functions);
    await functions.ready(/StateFun functions served on http:\/\/127\.0\.0\.1:\d+\/statefun/);

    // The tutorial's module.yaml, with free ports for what it declares as 8090, 8091 and localhost:8000.
    const [ingressPort, egressPort] = [await freePort(), await freePort()];
    const yaml = (await readFile(join(EXAMPLES, 'greeter/module.yaml'), 'utf8'))
      .replace('port: 8090', `port: ${ingressPort}`)
      .replace('port: 8091', `port: ${egressPort}`)
      .replace(FUNCTIONS_URL, `http://127.0.0.1:${functionsPort}`);
    const app = join(dir, 'greeter');
    await mkdir(app);
    await writeFile(join(app, 'module.yaml'), yaml);
    const dev = new Child([CLI, 'dev', app, '--no-watch']);
    children.push(dev);
    await dev.ready(/ready in \d+ ms/);
    expect(dev.output.join('')).toMatch(new RegExp(`function +example/\\* +http://127\\.0\\.0\\.1:${functionsPort}/statefun`));

    const readme = await readFile(join(EXAMPLES, 'greeter/README.md'), 'utf8');
    const [greet, read] = curlCommands(readme);
    const ports = { ingressPort, egressPort };
    for (const expected of ['Welcome Bob', 'Nice to see you again Bob', 'Third time is a charm Bob']) {
      expect(await curl(ports, greet!)).toEqual({ status: 200, body: '' });
      expect(await curlUntilFound(ports, read!)).toBe(expected);
    }

    const run = promisify(execFile);
    const dataDir = join(app, '.statefun');
    const state = await run(process.execPath, [CLI, 'state', 'example/person', 'Bob', '--data-dir', dataDir]);
    expect(state.stdout).toBe('example/person/Bob  (version 3)\n  visits (io.statefun.types/int) = 3\n');
    const parked = await run(process.execPath, [CLI, 'parked', '--data-dir', dataDir]);
    expect(parked.stdout).toBe('no parked addresses\n');

    expect(await dev.stop()).toBe(0);
    expect(dev.output.join('')).toContain('stopped');
  });
});

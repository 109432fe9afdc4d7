/**
 * Runs StateFun playground tutorials of examples/statefun-playground under an in-process `statefun dev`: the
 * functions (official JS SDK) on a free port, the tutorial's module.yaml with only its endpoint URL pointed
 * there, and the README's curl commands replayed against the ingress and egress ports.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { StateFun } from 'apache-flink-statefun';
import { eventually, type Running, type SdkEndpoint, serveSdk, startYamlApp, type TempApp, tempApp } from './harness.js';

export const EXAMPLES = resolve(import.meta.dirname, '../../../examples/statefun-playground');

/** Where the tutorials' module.yaml files expect the functions service. */
export const FUNCTIONS_URL = 'http://localhost:8000';

/** A tutorial running under `statefun dev`, its functions served from some URL. */
export interface TutorialApp {
  readonly app: TempApp;
  /** The running dev server (a new one after {@link TutorialApp.restart}). */
  readonly dev: Running;
  /** The README's text. */
  readonly readme: string;
  /** Stops `statefun dev` and starts it again on the same data directory. */
  restart(): Promise<Running>;
  stop(): Promise<void>;
}

/** A tutorial whose functions (official JS SDK) this process serves. */
export interface Tutorial extends TutorialApp {
  readonly endpoint: SdkEndpoint;
}

/**
 * Starts the tutorial `name` with its functions: a `StateFun` to serve on a free port, or the base URL of a
 * functions service already running (e.g. another SDK's).
 */
export async function startTutorial(name: string, functions: StateFun): Promise<Tutorial>;
export async function startTutorial(name: string, functions: string): Promise<TutorialApp>;
export async function startTutorial(name: string, functions: StateFun | string): Promise<Tutorial | TutorialApp> {
  const dir = join(EXAMPLES, name);
  const yaml = await readFile(join(dir, 'module.yaml'), 'utf8');
  if (!yaml.includes(`urlPathTemplate: ${FUNCTIONS_URL}/`)) throw new Error(`${name}/module.yaml does not serve its functions from ${FUNCTIONS_URL}`);
  const endpoint = typeof functions === 'string' ? undefined : await serveSdk(functions);
  const app = await tempApp({ 'module.yaml': yaml.replaceAll(FUNCTIONS_URL, endpoint?.url ?? (functions as string)) });
  let dev = await startYamlApp(app);
  const readme = await readFile(join(dir, 'README.md'), 'utf8');
  const tutorial: TutorialApp = {
    app,
    get dev() {
      return dev;
    },
    readme,
    async restart() {
      await dev.server.stop();
      dev = await startYamlApp(app);
      return dev;
    },
    async stop() {
      await dev.server.stop();
      await endpoint?.close();
      await app.remove();
    },
  };
  return endpoint === undefined ? tutorial : Object.assign(tutorial, { endpoint });
}

/** Where the playground ingress (8090 in a README) and egress (8091) actually listen. */
export interface Ports {
  readonly ingressPort: number | undefined;
  readonly egressPort: number | undefined;
}

export interface CurlResult {
  readonly status: number;
  readonly body: string;
}

/**
 * Runs one `curl` command line of a README against the dev server: `-X`, `-H`, `-d`, and a URL on
 * `localhost:8090` (the ingress) or `localhost:8091` (the egress), which go to the dev server's actual ports.
 */
export async function curl(target: Running | Ports, command: string): Promise<CurlResult> {
  const ports = 'server' in target ? target.server : target;
  const words = shellWords(command.replace(/^\$\s*/, ''));
  if (words[0] !== 'curl') throw new Error(`not a curl command: ${command}`);
  let method: string | undefined;
  const headers: Record<string, string> = {};
  let data: string | undefined;
  let url: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-X') method = words[++i];
    else if (word === '-H') {
      const [name, ...value] = words[++i]!.split(':');
      headers[name!.trim().toLowerCase()] = value.join(':').trim();
    } else if (word === '-d') data = words[++i];
    else if (word.startsWith('-')) throw new Error(`unsupported curl option ${word} in: ${command}`);
    else url = word;
  }
  const match = /^(?:http:\/\/)?localhost:(8090|8091)(\/.*)$/.exec(url ?? '');
  if (match === null) throw new Error(`no localhost:8090|8091 URL in: ${command}`);
  const port = match[1] === '8090' ? ports.ingressPort : ports.egressPort;
  // curl -d sends a form content type unless one is given, and POST unless -X says otherwise.
  if (data !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(`http://127.0.0.1:${port}${match[2]}`, { method: method ?? (data !== undefined ? 'POST' : 'GET'), headers, ...(data !== undefined ? { body: data } : {}) });
  return { status: res.status, body: await res.text() };
}

/** Repeats a `curl -X GET localhost:8091/<topic>` until it answers 200 (the egress answers 404 while empty). */
export async function curlUntilFound(target: Running | Ports, command: string, timeoutMs = 30_000): Promise<string> {
  let body: string | undefined;
  await eventually(
    async () => {
      const result = await curl(target, command);
      if (result.status === 200) body = result.body;
      return body !== undefined;
    },
    timeoutMs,
    `an answer to ${command}`,
  );
  return body!;
}

/** The `curl` command lines in a README, `$ ` prompts removed. */
export function curlCommands(readme: string): string[] {
  return readme
    .split('\n')
    .map((line) => line.trim().replace(/^\$\s*/, ''))
    .filter((line) => line.startsWith('curl '));
}

/** Splits a command line into words the way a POSIX shell does for '…' and "…" quoting (no escapes inside '…'). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unbalanced ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        text += line[j];
        j++;
      }
      if (j >= line.length) throw new Error(`unbalanced " in: ${line}`);
      word = (word ?? '') + text;
      i = j + 1;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

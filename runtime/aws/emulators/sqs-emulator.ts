import { buildApp } from 'fauxqs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkPort, LOOPBACK } from './free-port.js';
import { type EmulatorProcess, spawnEmulatorEntry } from './node-entry.js';
import { findPackageDir } from './package-dir.js';

/** The SQS emulator package and the version whose internals this launcher relies on. */
export const FAUXQS_PACKAGE = { name: 'fauxqs', version: '1.9.2' } as const;

export interface SqsEmulatorOptions {
  /** Port on 127.0.0.1. @default - a free port */
  readonly port?: number;
  /** Region assumed for requests whose signature names none. @default 'us-east-1' */
  readonly region?: string;
}

/** A running SQS emulator. Queue URLs it hands out use the host the request was sent to (`127.0.0.1:<port>`). */
export interface SqsEmulator {
  /** `http://127.0.0.1:<port>`; setting `AWS_ENDPOINT_URL_SQS` to it routes SDK clients there. */
  readonly endpoint: string;
  readonly port: number;
  /** Closes the server (open connections included) and drops all queues. Idempotent. */
  stop(): Promise<void>;
}

/** An SQS emulator running in its own process group. */
export interface SqsEmulatorProcess extends SqsEmulator {
  readonly pid: number;
}

type FauxqsStores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;
type SqsStore = FauxqsStores['sqsStore'];

/**
 * Runs fauxqs 1.9.2 in this process, bound to 127.0.0.1 only.
 *
 * fauxqs's own CLI binds 0.0.0.0 and mints queue URLs on `sqs.<region>.localhost`, which does not resolve here.
 * So the app is built around an `SqsStore` whose `host` is unset: queue URLs then take the request's Host header.
 */
export async function startSqsEmulator(options: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const sqsStore = await newSqsStore();
  if (options.region !== undefined) sqsStore.region = options.region;
  // buildApp makes the SNS and S3 stores itself when they are not given (fauxqs dist/app.js).
  const app = buildApp({ logger: false, stores: { sqsStore } as FauxqsStores });
  await app.listen({ host: LOOPBACK, port: checkPort(options.port ?? 0, 'SQS emulator') });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error(`SQS emulator: unexpected address ${String(address)}`);
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${LOOPBACK}:${address.port}`,
    port: address.port,
    stop: () => (closing ??= app.close().then(() => undefined)),
  };
}

/**
 * Runs the SQS emulator in a child process (`sqs-emulator-main`), leader of its own process group, and resolves
 * once it listens. `stop()` stops it by PID. The child also exits when this process goes away.
 */
export async function spawnSqsEmulator(options: SqsEmulatorOptions = {}): Promise<SqsEmulatorProcess> {
  const args: string[] = [];
  if (options.port !== undefined) args.push('--port', String(checkPort(options.port, 'SQS emulator')));
  if (options.region !== undefined) args.push('--region', options.region);
  const child: EmulatorProcess = await spawnEmulatorEntry(new URL('./sqs-emulator-main.js', import.meta.url), args, 'SQS emulator');
  return { endpoint: child.endpoint, port: child.port, pid: child.pid, stop: () => child.stop() };
}

async function newSqsStore(): Promise<SqsStore> {
  // dist/sqs/sqsStore.js is not in fauxqs's exports map, so it is loaded by file path.
  const file = join(findPackageDir(FAUXQS_PACKAGE.name, FAUXQS_PACKAGE.version), 'dist', 'sqs', 'sqsStore.js');
  const loaded = (await import(pathToFileURL(file).href)) as { SqsStore?: new () => SqsStore };
  if (typeof loaded.SqsStore !== 'function') throw new Error(`${file} no longer exports SqsStore`);
  const store = new loaded.SqsStore();
  store.host = '';
  return store;
}

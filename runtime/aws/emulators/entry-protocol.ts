import { parseArgs } from 'node:util';

/**
 * How an emulator entry script tells its parent it is up: one stdout line, this marker followed by a JSON
 * {@link ReadyAnnouncement}. A person running the script by hand reads the same line.
 */
export const READY_MARKER = 'emulator-ready ';

export interface ReadyAnnouncement {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
}

/** Prints the readiness line of this process. */
export function announceReady(endpoint: string, port: number): void {
  const announcement: ReadyAnnouncement = { endpoint, port, pid: process.pid };
  process.stdout.write(`${READY_MARKER}${JSON.stringify(announcement)}\n`);
}

/**
 * Calls `stop` once, then exits, when this process is asked to end: SIGTERM, SIGINT, or the parent that started
 * it with an IPC channel going away (so an emulator never outlives the test run that started it).
 */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (why: string): void => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator did not stop cleanly after ${why}: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (process.connected) {
    process.once('disconnect', () => shutdown('parent gone'));
    process.channel?.unref();
  }
}

/** The `--name value` options of an entry script; unknown options are an error naming them. */
export function entryOptions<const K extends string>(names: readonly K[]): Partial<Record<K, string>> {
  const options = Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));
  const { values } = parseArgs({ args: process.argv.slice(2), options, strict: true, allowPositionals: false });
  return values as Partial<Record<K, string>>;
}

/** Parses a `--port` value (absent: 0, a free port). */
export function portOption(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be an integer in 0..65535, got ${value}`);
  return port;
}

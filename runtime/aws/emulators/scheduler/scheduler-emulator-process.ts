import { checkPort } from '../free-port.js';
import { spawnEmulatorEntry } from '../node-entry.js';

/** Options of a Scheduler emulator in its own process (wall clock; no in-process Lambda targets). */
export interface SchedulerEmulatorProcessOptions {
  /** Port on 127.0.0.1. @default - a free port */
  readonly port?: number;
  /** Directory for durable state. @default - memory only */
  readonly dataDir?: string;
  /** SQS endpoint for SQS targets and dead-letter queues. @default - none: SQS deliveries fail */
  readonly sqsEndpoint?: string;
  /** Region in the ARNs it mints. @default 'us-east-1' */
  readonly region?: string;
}

/** A Scheduler emulator running in a child process that leads its own process group. */
export interface SchedulerEmulatorProcess {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM (it closes cleanly, releasing its data directory), SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * Runs the Scheduler emulator out of process (`scheduler-emulator-main`) and resolves once it listens.
 * The child also exits when this process goes away.
 */
export async function spawnSchedulerEmulator(options: SchedulerEmulatorProcessOptions = {}): Promise<SchedulerEmulatorProcess> {
  const args: string[] = [];
  if (options.port !== undefined) args.push('--port', String(checkPort(options.port, 'Scheduler emulator')));
  if (options.dataDir !== undefined) args.push('--data-dir', options.dataDir);
  if (options.sqsEndpoint !== undefined) args.push('--sqs-endpoint', options.sqsEndpoint);
  if (options.region !== undefined) args.push('--region', options.region);
  return spawnEmulatorEntry(new URL('./scheduler-emulator-main.js', import.meta.url), args, 'Scheduler emulator');
}

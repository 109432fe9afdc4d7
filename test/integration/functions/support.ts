/** Helpers for the handler tests against the emulators: apps on the AWS path, in-process, via `startAwsLocal`. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as functions from '../../../functions/index.js';
import type { AppModel } from '../../../runtime/module/app.js';
import { type AwsLocal, type AwsLocalOptions, startAwsLocal } from '../../../runtime/aws/local/aws-local.js';
import type { AwsEmulatorEndpoints } from '../../support/emulators.js';

export interface StartedApp {
  readonly local: AwsLocal;
  readonly lines: string[];
  stop(): Promise<void>;
}

/** Runs `model` on the AWS path against the shared emulators, with the `functions/` handlers, on free ports. */
export async function startOnEmulators(
  model: AppModel,
  emulators: AwsEmulatorEndpoints,
  options: Partial<Omit<AwsLocalOptions, 'model' | 'factories' | 'emulators'>> = {},
): Promise<StartedApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'statefun-aws-test-'));
  const lines: string[] = [];
  const local = await startAwsLocal({
    model,
    factories: functions,
    dataDir,
    emulators,
    prefix: `t-${randomUUID().slice(0, 8)}`,
    freePorts: true,
    functionTimeoutMs: 20_000,
    log: (line) => lines.push(line),
    ...options,
  });
  return {
    local,
    lines,
    stop: async () => {
      await local.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

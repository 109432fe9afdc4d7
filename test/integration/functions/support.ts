/** Helpers for the handler tests against the emulators: apps on the AWS path, in-process, via `startAwsLocal`. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import * as functions from '../../../functions/index.js';
import type { AppModel } from '../../../runtime/module/app.js';
import { type AwsLocal, type AwsLocalOptions, type HandlerFactories, startAwsLocal } from '../../../runtime/aws/local/aws-local.js';
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
  options: Partial<Omit<AwsLocalOptions, 'model' | 'factories' | 'emulators'>> & { readonly factories?: Partial<HandlerFactories> } = {},
): Promise<StartedApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'statefun-aws-test-'));
  const lines: string[] = [];
  const { factories, ...rest } = options;
  const local = await startAwsLocal({
    model,
    factories: { ...functions, ...factories },
    dataDir,
    emulators,
    prefix: `t-${randomUUID().slice(0, 8)}`,
    freePorts: true,
    functionTimeoutMs: 20_000,
    log: (line) => lines.push(line),
    ...rest,
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

/**
 * Resolves once nothing is left to do: the queue of addresses and the delay queue hold no message (visible,
 * in flight or delayed) and no handler runs, twice in a row.
 */
export async function quiescent(app: StartedApp, timeoutMs = 60_000): Promise<void> {
  const { local } = app;
  const empty = async (url: string): Promise<boolean> => {
    const { Attributes = {} } = await local.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    return Object.values(Attributes).every((v) => v === '0');
  };
  let quietRounds = 0;
  await eventually(
    async () => {
      const idle = [...local.pollers.values()].every((p) => p.inFlight === 0) && (await empty(local.resources.queue.url)) && (await empty(local.resources.delayQueue.url));
      quietRounds = idle ? quietRounds + 1 : 0;
      return quietRounds >= 2 ? true : undefined;
    },
    'the queues to drain',
    timeoutMs,
  );
}

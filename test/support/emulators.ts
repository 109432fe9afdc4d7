/**
 * The AWS emulators of the integration tests: DynamoDB Local, the SQS emulator and the Scheduler emulator wired
 * to it, each in its own process group, started together and stopped by PID.
 *
 * - `vitest.integration.config.ts` starts one set per run in its globalSetup (`emulators.global-setup.ts`) and
 *   hands the endpoints to every test file (`inject('awsEmulators')`, and the `AWS_ENDPOINT_URL_*` variables).
 * - A test file calls {@link useAwsEmulators} to get them; run under a config without that globalSetup, it
 *   starts a set of its own for the file instead.
 */
import { afterAll, beforeAll, inject } from 'vitest';
import {
  emulatorCredentials,
  EMULATOR_REGION,
  spawnSchedulerEmulator,
  spawnSqsEmulator,
  startDynamoDbLocal,
} from '../../runtime/aws/emulators/index.js';

/** Where the emulators listen, and how to talk to them. Serialisable (handed from globalSetup to test files). */
export interface AwsEmulatorEndpoints {
  readonly region: string;
  readonly dynamodb: string;
  readonly sqs: string;
  readonly scheduler: string;
  /** PIDs of the emulator processes (each leads its own process group). */
  readonly pids: { readonly dynamodb: number; readonly sqs: number; readonly scheduler: number };
}

declare module 'vitest' {
  export interface ProvidedContext {
    awsEmulators: AwsEmulatorEndpoints;
  }
}

export interface RunningAwsEmulators {
  readonly endpoints: AwsEmulatorEndpoints;
  /** Stops all three by PID and waits until they exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and the SQS emulator side by side, then the Scheduler emulator delivering to that SQS
 * emulator. If one fails to start, the others are stopped before the error is thrown.
 */
export async function startAwsEmulators(): Promise<RunningAwsEmulators> {
  const started: Array<{ stop(): Promise<void> }> = [];
  const track = <T extends { stop(): Promise<void> }>(emulator: T): T => {
    started.push(emulator);
    return emulator;
  };
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(started.map((emulator) => emulator.stop()));
  };
  try {
    const [dynamodb, sqs] = await Promise.all([startDynamoDbLocal().then(track), spawnSqsEmulator().then(track)]);
    const scheduler = track(await spawnSchedulerEmulator({ sqsEndpoint: sqs.endpoint, region: EMULATOR_REGION }));
    let stopping: Promise<void> | undefined;
    return {
      endpoints: {
        region: EMULATOR_REGION,
        dynamodb: dynamodb.endpoint,
        sqs: sqs.endpoint,
        scheduler: scheduler.endpoint,
        pids: { dynamodb: dynamodb.pid, sqs: sqs.pid, scheduler: scheduler.pid },
      },
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The environment that routes default-configured `@aws-sdk/*` clients to the emulators: service endpoints,
 * region and dummy credentials.
 */
export function awsEmulatorEnv(endpoints: AwsEmulatorEndpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SCHEDULER: endpoints.scheduler,
    AWS_REGION: endpoints.region,
    AWS_ACCESS_KEY_ID: emulatorCredentials().accessKeyId,
    AWS_SECRET_ACCESS_KEY: emulatorCredentials().secretAccessKey,
  };
}

/** Client configuration for one emulator: `new SQSClient(clientConfig(endpoints.sqs))`. */
export function clientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint, region: EMULATOR_REGION, credentials: emulatorCredentials() };
}

/**
 * The emulators for the calling test file: those of the run's globalSetup when there is one, else a set started
 * in `beforeAll` and stopped in `afterAll` of this file. Sets the `AWS_ENDPOINT_URL_*` variables (see
 * {@link awsEmulatorEnv}) for the file's tests. Call at the top of a test file; use the getter inside tests/hooks.
 */
export function useAwsEmulators(): () => AwsEmulatorEndpoints {
  let endpoints: AwsEmulatorEndpoints | undefined = inject('awsEmulators');
  let own: RunningAwsEmulators | undefined;
  const previousEnv = new Map<string, string | undefined>();
  beforeAll(async () => {
    if (endpoints === undefined) {
      own = await startAwsEmulators();
      endpoints = own.endpoints;
    }
    for (const [name, value] of Object.entries(awsEmulatorEnv(endpoints))) {
      previousEnv.set(name, process.env[name]);
      process.env[name] = value;
    }
  });
  afterAll(async () => {
    for (const [name, value] of previousEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await own?.stop();
  });
  return () => {
    if (endpoints === undefined) throw new Error('useAwsEmulators(): the emulators are only available inside tests and hooks');
    return endpoints;
  };
}

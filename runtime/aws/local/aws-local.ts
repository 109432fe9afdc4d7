import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../../core/errors.js';
import type { AppModel } from '../../module/app.js';
import { EGRESS_KINDS, INGRESS_KINDS } from '../../module/kinds.js';
import { PLAYGROUND_INGRESS_ID } from '../../module/playground.js';
import { formatWarning } from '../../module/source.js';
import type { AwsClients, HandlerOptions } from '../app-runtime.js';
import { EMULATOR_REGION, emulatorCredentials, spawnSchedulerEmulator, spawnSqsEmulator, startDynamoDbLocal } from '../emulators/index.js';
import type { HttpApiEvent, HttpApiResult, LambdaContext, SqsBatchResponse, SqsEvent } from '../lambda/events.js';
import { discardMetrics, lineLogger, type RuntimeLogger } from '../observability.js';
import { ENV } from '../runtime-env.js';
import { type HttpGateway, startHttpGateway } from './http-gateway.js';
import { type PlaygroundEgressQueue, startPlaygroundEgressQueue } from './playground-egress-queue.js';
import { type LocalResources, provisionLocal } from './provision.js';
import { SqsPoller, type SqsPollerOptions } from './sqs-poller.js';

/**
 * `statefun dev --aws-local`: the app on the AWS path, on this machine. DynamoDB Local, the SQS emulator and
 * the Scheduler emulator stand in for AWS; the resources are made as the CDK construct makes them; the
 * `functions/` handlers run in-process, fed by pollers that build the events Lambda would (SQS batches with
 * partial batch failures, API Gateway HTTP API requests); and the playground ingress and egress of the app are
 * served on their ports on top, so the same example apps run in both modes.
 */

/** The handler factories of `functions/` (passed in, so that exactly those run). */
export interface HandlerFactories {
  createDispatcher(options: HandlerOptions): LambdaLike<SqsEvent, SqsBatchResponse>;
  createHttpIngress(options: HandlerOptions): LambdaLike<HttpApiEvent, HttpApiResult>;
  createSqsIngress(options: HandlerOptions): LambdaLike<SqsEvent, SqsBatchResponse>;
  createDelayForwarder(options: HandlerOptions): LambdaLike<SqsEvent, SqsBatchResponse>;
}

export interface LambdaLike<E, R> {
  (event: E, context: LambdaContext): Promise<R>;
  close(): Promise<void>;
}

/** Where running emulators are (tests and benchmarks start their own). */
export interface EmulatorEndpoints {
  readonly region: string;
  readonly dynamodb: string;
  readonly sqs: string;
  readonly scheduler: string;
}

export interface AwsLocalOptions {
  /** The app, composed (`AppLoader` of `statefun dev` makes it from module files). */
  readonly model: AppModel;
  readonly factories: HandlerFactories;
  /** Where the emulators keep their data and `aws-local.json` is written. */
  readonly dataDir: string;
  /** Use these emulators instead of starting them. */
  readonly emulators?: EmulatorEndpoints;
  /** Prefix of the table, queues and schedule group. @default 'statefun' */
  readonly prefix?: string;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** Listen on free ports instead of the ports module.yaml declares. @default false */
  readonly freePorts?: boolean;
  /** Port of `io.statefun-aws.http.v1/ingress` ingresses. @default 8080, or free with `freePorts` */
  readonly httpPort?: number;
  /** The functions' timeout (what `getRemainingTimeInMillis` counts down from). @default 30_000 */
  readonly functionTimeoutMs?: number;
  /** Visibility timeout of the queues the handlers consume. @default 6 × the function timeout (the construct's rule) */
  readonly visibilityTimeoutSeconds?: number;
  /** Dispatcher invocations at once. @default 4 */
  readonly concurrency?: number;
  /** SDK clients to use (e.g. with request counting or fault injection); default ones point at the emulators. */
  readonly clients?: Partial<AwsClients>;
  /** Extra handler options (e.g. a retry policy), for every handler. */
  readonly handlerOptions?: Partial<HandlerOptions>;
  /** Extra poller options per queue: `dispatcher`, `delays`, or an SQS ingress id (fault injection). */
  readonly pollerOptions?: (queue: string) => Partial<SqsPollerOptions>;
  /** Where the banner, warnings and errors go. @default console.log */
  readonly log?: (line: string) => void;
  /** The handlers' logger. @default warnings and errors, one line each, to `log` */
  readonly logger?: RuntimeLogger;
}

export interface AwsLocal {
  readonly resources: LocalResources;
  readonly emulators: EmulatorEndpoints;
  /** The handlers' environment, and the endpoints of the emulators (for `statefun parked --aws`). */
  readonly env: Readonly<Record<string, string>>;
  /** Pollers by queue: `dispatcher`, `delays`, and one per SQS ingress id. */
  readonly pollers: ReadonlyMap<string, SqsPoller>;
  /** Port of the playground ingress, if the app has one. */
  readonly ingressPort: number | undefined;
  /** Port of the playground egress, if the app has one. */
  readonly egressPort: number | undefined;
  /** Ports of HTTP ingresses by id. */
  readonly httpPorts: ReadonlyMap<string, number>;
  readonly clients: Pick<AwsClients, 'dynamodb' | 'sqs' | 'scheduler'>;
  readonly banner: readonly string[];
  stop(): Promise<void>;
}

/** File in the data directory with the environment of a running `statefun dev --aws-local`. */
export const AWS_LOCAL_FILE = 'aws-local.json';

export async function startAwsLocal(options: AwsLocalOptions): Promise<AwsLocal> {
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolve(options.dataDir);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`error: stopping: ${describeError(error)}`);
      }
    }
    stops.length = 0;
  };
  try {
    const emulators = options.emulators ?? (await startEmulators(join(dataDir, 'aws-local'), stops));
    const clientConfig = (endpoint: string) => ({ endpoint, region: emulators.region, credentials: emulatorCredentials() });
    const owned = {
      dynamodb: options.clients?.dynamodb ?? new DynamoDBClient(clientConfig(emulators.dynamodb)),
      sqs: options.clients?.sqs ?? new SQSClient(clientConfig(emulators.sqs)),
      scheduler: options.clients?.scheduler ?? new SchedulerClient(clientConfig(emulators.scheduler)),
    };
    stops.push(() => {
      for (const [name, client] of Object.entries(owned)) if (options.clients?.[name as keyof typeof owned] === undefined) client.destroy();
      return Promise.resolve();
    });
    const functionTimeoutMs = options.functionTimeoutMs ?? 30_000;
    const resources = await provisionLocal(options.model, {
      ...owned,
      prefix: options.prefix ?? 'statefun',
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? Math.ceil((6 * functionTimeoutMs) / 1000),
    });
    const env: Record<string, string> = {
      ...resources.env,
      AWS_REGION: emulators.region,
      AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodb,
      AWS_ENDPOINT_URL_SQS: emulators.sqs,
      AWS_ENDPOINT_URL_SCHEDULER: emulators.scheduler,
      AWS_ACCESS_KEY_ID: emulatorCredentials().accessKeyId,
      AWS_SECRET_ACCESS_KEY: emulatorCredentials().secretAccessKey,
    };
    const logger = options.logger ?? lineLogger(log, 'warn');
    const handlerOptions = (extra: Record<string, string> = {}): HandlerOptions => ({
      app: options.model,
      env: { ...env, ...extra },
      clients: { ...options.clients, ...owned },
      logger,
      metrics: discardMetrics,
      ...options.handlerOptions,
    });
    const onError = (error: unknown): void => log(`error: ${describeError(error)}`);
    const source = (arn: string) => ({ arn, region: emulators.region });
    const pollers = new Map<string, SqsPoller>();
    const addPoller = (name: string, handler: LambdaLike<SqsEvent, SqsBatchResponse>, queue: { url: string; arn: string }, extra: Partial<SqsPollerOptions> = {}): void => {
      const poller = new SqsPoller({ name, sqs: owned.sqs, queueUrl: queue.url, source: source(queue.arn), handler, functionTimeoutMs, onError, ...extra, ...options.pollerOptions?.(name) });
      pollers.set(name, poller);
      stops.push(async () => {
        await poller.stop();
        await handler.close();
      });
      poller.start();
    };
    const { factories } = options;
    addPoller('dispatcher', factories.createDispatcher(handlerOptions()), resources.queue, { concurrency: options.concurrency ?? 4 });
    addPoller('delays', factories.createDelayForwarder(handlerOptions()), resources.delayQueue, { concurrency: 2 });
    for (const [id, queue] of resources.ingressQueues) {
      const spec = options.model.ingresses.get(id);
      addPoller(id, factories.createSqsIngress(handlerOptions({ [ENV.ingressId]: id })), queue, {
        concurrency: 2,
        batchSize: spec?.kind === INGRESS_KINDS.sqs ? Math.min(10, spec.batchSize) : 10,
      });
    }

    const httpPorts = new Map<string, number>();
    let ingressPort: number | undefined;
    let egressPort: number | undefined;
    let nextHttpPort = options.httpPort ?? 8080;
    const lines: string[] = [];
    for (const spec of options.model.ingresses.values()) {
      if (spec.kind !== INGRESS_KINDS.playground && spec.kind !== INGRESS_KINDS.http) {
        if (spec.kind !== INGRESS_KINDS.sqs) lines.push(`ingress   ${spec.id}  (not served by --aws-local: ${spec.kind})`);
        else lines.push(`ingress   ${spec.id}  SQS ${resources.ingressQueues.get(spec.id)?.url ?? '?'}`);
        continue;
      }
      const handler = factories.createHttpIngress(handlerOptions({ [ENV.ingressId]: spec.id }));
      const port = options.freePorts === true ? 0 : spec.kind === INGRESS_KINDS.playground ? spec.port : nextHttpPort++;
      const gateway: HttpGateway = await startHttpGateway({ host, port, handler });
      stops.push(async () => {
        await gateway.close();
        await handler.close();
      });
      httpPorts.set(spec.id, gateway.port);
      if (spec.id === PLAYGROUND_INGRESS_ID) ingressPort = gateway.port;
      const note = spec.kind === INGRESS_KINDS.playground || spec.routes.length === 0 ? 'PUT|POST /<namespace>/<type>/<id>' : spec.routes.map((r) => `${r.method} ${r.path}`).join(', ');
      lines.push(`ingress   ${spec.id}  http://${host}:${gateway.port}${spec.kind === INGRESS_KINDS.http && spec.basePath !== '/' ? spec.basePath : ''}  ${note}  (API Gateway HTTP API → http-ingress)`);
    }
    for (const spec of options.model.egresses.values()) {
      const binding = resources.egressBindings.get(spec.id);
      if (spec.kind === EGRESS_KINDS.playground && binding !== undefined && 'queueUrl' in binding) {
        const egress: PlaygroundEgressQueue = await startPlaygroundEgressQueue({
          host,
          port: options.freePorts === true ? 0 : spec.port,
          topics: spec.topics,
          sqs: owned.sqs,
          queueUrl: binding.queueUrl,
          warn: (message) => log(`warning: ${message}`),
        });
        stops.push(() => egress.close());
        egressPort = egress.port;
        lines.push(`egress    ${spec.id}  http://${host}:${egress.port}  GET /<topic>  (from SQS ${binding.queueUrl})`);
      } else if (binding !== undefined) {
        lines.push(`egress    ${spec.id}  ${Object.values(binding)[0]}`);
      } else if (spec.kind === EGRESS_KINDS.log) {
        lines.push(`egress    ${spec.id}  (log lines)`);
      }
    }
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, AWS_LOCAL_FILE), `${JSON.stringify({ pid: process.pid, env }, undefined, 2)}\n`);
    const banner = [
      ...[...options.model.functions.keys()].map((t) => `function  ${t}  embedded`),
      ...options.model.endpoints.map((e) => `function  ${e.functions.kind === 'exact' ? e.functions.typename : `${e.functions.namespace}/*`}  remote`),
      ...lines,
      `aws       DynamoDB ${emulators.dynamodb}  SQS ${emulators.sqs}  Scheduler ${emulators.scheduler}`,
      `          table ${resources.tableName}, queues ${resources.queue.url} and ${resources.delayQueue.url}, schedule group ${resources.scheduleGroup}`,
      `parked    statefun parked list --aws --data-dir ${dataDir}`,
      ...resources.unsupportedEgresses.map((e) => `warning: egress ${e} has no emulator here: records sent to it park their sender`),
      ...options.model.warnings.map((w) => `warning: ${formatWarning(w)}`),
    ];
    return {
      resources,
      emulators,
      env,
      pollers,
      ingressPort,
      egressPort,
      httpPorts,
      clients: owned,
      banner,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startEmulators(dir: string, stops: Array<() => Promise<void>>): Promise<EmulatorEndpoints> {
  await mkdir(join(dir, 'dynamodb'), { recursive: true });
  const [dynamodb, sqs] = await Promise.all([startDynamoDbLocal({ dbPath: join(dir, 'dynamodb') }), spawnSqsEmulator()]);
  stops.push(() => dynamodb.stop(), () => sqs.stop());
  const scheduler = await spawnSchedulerEmulator({ sqsEndpoint: sqs.endpoint, region: EMULATOR_REGION, dataDir: join(dir, 'scheduler') });
  stops.push(() => scheduler.stop());
  return { region: EMULATOR_REGION, dynamodb: dynamodb.endpoint, sqs: sqs.endpoint, scheduler: scheduler.endpoint };
}

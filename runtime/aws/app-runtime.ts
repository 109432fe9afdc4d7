import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DedupPolicy } from '../core/dedup.js';
import { ValidationError } from '../core/errors.js';
import type { FunctionInvoker } from '../core/invocation.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../core/retry-policy.js';
import { show } from '../core/typename.js';
import { EgressRouter } from '../engine/egress-router.js';
import { StaticFunctionRegistry } from '../engine/function-registry.js';
import { TurnRunner } from '../engine/turn-runner.js';
import { type AppModel, composeApp } from '../module/app.js';
import type { EgressSpec } from '../module/egress.js';
import type { EmbeddedModule } from '../module/embedded-module.js';
import type { EndpointSpec } from '../module/endpoint.js';
import { EGRESS_KINDS } from '../module/kinds.js';
import { parseModuleYaml } from '../module/module-file.js';
import { type Clock, type EgressSink, systemClock } from '../ports.js';
import { bindEndpoint } from '../remote/bind-endpoint.js';
import { httpOptionsFromSpec } from '../remote/http-options-from-spec.js';
import { InFlightLimiter } from '../remote/in-flight-limiter.js';
import { RemoteFunctionInvoker } from '../remote/remote-invoker.js';
import { embeddedBinding } from '../sdk/binding.js';
import { awsBackend } from './aws-backend.js';
import type { AwsClients, BackendFactory } from './backend-context.js';
import { LambdaTransport } from './lambda-transport.js';
import {
  HandlerMetrics,
  type MetricsPublisher,
  powertoolsLogger,
  emfMetricsPublisher,
  type RuntimeLogger,
} from './observability.js';
import type { RuntimeBackend } from './runtime-backend.js';
import { type Env, readRuntimeEnv, type RuntimeEnv } from './runtime-env.js';

/**
 * The app runtime of one Lambda container: the app bundled with the function, the AWS clients and the engine,
 * built once per container from the environment (functions/README.md) and shared by every invocation.
 */

/** The app the construct bundles with each handler (functions/README.md, "The bundled app"). */
export interface AppSource {
  /** Embedded modules (defineModule) and module.yaml texts, as `statefun dev` would load them. */
  readonly modules: ReadonlyArray<EmbeddedModule | { readonly yaml: string; readonly file: string }>;
  /** Global configuration (StateFun's `--key value` arguments). */
  readonly config?: Readonly<Record<string, string>>;
}

export type { AwsClients, BackendContext, BackendFactory } from './backend-context.js';

/** Options every handler factory takes (functions/README.md). */
export interface HandlerOptions {
  /** The app: what the construct bundles, or an app already composed (e.g. by `statefun dev --aws-local`). */
  readonly app: AppSource | AppModel;
  /** @default process.env */
  readonly env?: Env;
  /** SDK clients to use instead of default ones (tests point them at the emulators). */
  readonly clients?: Partial<AwsClients>;
  /** Builds the backend. @default the DynamoDB, SQS FIFO and EventBridge Scheduler adapters */
  readonly backend?: BackendFactory;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default Powertools Logger (JSON on standard output) */
  readonly logger?: RuntimeLogger;
  /** @default CloudWatch embedded metric format on standard output */
  readonly metrics?: MetricsPublisher;
  /** Overrides of the retry policy (`STATEFUN_RETRY_MAX_ATTEMPTS` sets `maxAttempts`). */
  readonly retry?: Partial<RetryPolicy>;
  readonly dedup?: DedupPolicy;
}

/** The runtime of one container. */
export interface AppRuntime {
  readonly model: AppModel;
  readonly env: RuntimeEnv;
  readonly clients: AwsClients;
  readonly backend: RuntimeBackend;
  readonly functions: StaticFunctionRegistry;
  readonly egress: EgressRouter;
  readonly clock: Clock;
  readonly logger: RuntimeLogger;
  readonly metrics: HandlerMetrics;
  /** The cap on remote calls in flight in this container (`STATEFUN_MAX_REMOTE_IN_FLIGHT`). */
  readonly remoteInFlight: InFlightLimiter;
  readonly retry: RetryPolicy;
  /**
   * The engine for deliveries from an ordered stream acknowledged after release (`releaseProvenByAck: true`):
   * the FIFO queue the dispatcher consumes.
   */
  readonly runner: TurnRunner;
  /** The engine for messages processed directly, outside the queue (`releaseProvenByAck: false`). */
  readonly directRunner: TurnRunner;
  /** Closes remote invokers and the clients this runtime made. */
  close(): Promise<void>;
}

/** True for an app already composed. */
function isAppModel(app: AppSource | AppModel): app is AppModel {
  return typeof (app as Partial<AppModel>).resolveFunction === 'function';
}

/** Composes the bundled app. */
export async function loadApp(app: AppSource | AppModel): Promise<AppModel> {
  if (isAppModel(app)) return app;
  if (typeof app !== 'object' || app === null || !Array.isArray(app.modules)) {
    throw new ValidationError(`app must be { modules: [...] } (functions/README.md, "The bundled app"), got ${show(app)}`);
  }
  const modules = app.modules.map((m) => {
    const text = m as { readonly yaml?: unknown; readonly file?: unknown };
    return typeof text.yaml === 'string' ? parseModuleYaml(text.yaml, { file: typeof text.file === 'string' ? text.file : 'module.yaml', baseDir: '.' }) : (m as EmbeddedModule);
  });
  return composeApp({ modules, ...(app.config !== undefined ? { config: app.config } : {}) });
}

/** The default SDK clients: region, endpoints and credentials from the environment (as Lambda sets them). */
export function awsClients(injected: Partial<AwsClients> = {}): { clients: AwsClients; destroy: () => void } {
  const made: Array<{ destroy(): void }> = [];
  const lazy = <K extends keyof AwsClients>(key: K, make: () => AwsClients[K]): (() => AwsClients[K]) => {
    let client: AwsClients[K] | undefined = injected[key];
    return () => {
      if (client === undefined) {
        const fresh = make();
        made.push(fresh);
        client = fresh;
      }
      return client;
    };
  };
  const get = {
    dynamodb: lazy('dynamodb', () => new DynamoDBClient({})),
    sqs: lazy('sqs', () => new SQSClient({})),
    scheduler: lazy('scheduler', () => new SchedulerClient({})),
    lambda: lazy('lambda', () => new LambdaClient({ maxAttempts: 1 })),
    sns: lazy('sns', () => new SNSClient({})),
    eventbridge: lazy('eventbridge', () => new EventBridgeClient({})),
    kinesis: lazy('kinesis', () => new KinesisClient({})),
  };
  const clients: AwsClients = {
    get dynamodb() {
      return get.dynamodb();
    },
    get sqs() {
      return get.sqs();
    },
    get scheduler() {
      return get.scheduler();
    },
    get lambda() {
      return get.lambda();
    },
    get sns() {
      return get.sns();
    },
    get eventbridge() {
      return get.eventbridge();
    },
    get kinesis() {
      return get.kinesis();
    },
  };
  return { clients, destroy: () => made.forEach((c) => c.destroy()) };
}

/**
 * Builds the runtime of a container: composes the app, reads the environment, makes the clients and the
 * backend, binds every function (embedded in-process; remote over HTTP or Lambda, sharing one in-flight cap),
 * registers the egresses, and makes the engine.
 */
export async function createAppRuntime(options: HandlerOptions): Promise<AppRuntime> {
  const env = readRuntimeEnv(options.env ?? process.env);
  const model = await loadApp(options.app);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? powertoolsLogger(env.serviceName);
  const { clients, destroy } = awsClients(options.clients);
  const remoteInFlight = new InFlightLimiter(env.maxRemoteInFlight);
  const metrics = new HandlerMetrics(
    options.metrics ?? emfMetricsPublisher({ namespace: env.metricsNamespace, serviceName: env.serviceName }),
    () => remoteInFlight.inFlight,
  );
  const backendFactory = options.backend ?? awsBackend;
  const backend = backendFactory({ env, clients, clock, logger });

  const closers: Array<() => Promise<void>> = [];
  const functions = await bindFunctions(model, { clients, clock, remoteInFlight, closers });

  const egress = new EgressRouter();
  const unsupported: string[] = [];
  for (const spec of model.egresses.values()) {
    const sink = backend.egressSink(spec, env.egressBindings.get(spec.id)) ?? fallbackSink(spec, logger);
    if (sink === undefined) unsupported.push(`${spec.id} (${spec.kind})`);
    else egress.register(spec.id, sink);
  }
  if (unsupported.length > 0) {
    logger.warn('egresses that cannot be delivered on AWS: records sent to them park their sender', { egresses: unsupported });
  }
  for (const id of env.egressBindings.keys()) {
    if (!model.egresses.has(id)) throw new ValidationError(`STATEFUN_EGRESS_BINDINGS binds egress ${show(id)}, which the app does not declare`);
  }

  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAttempts: env.retryMaxAttempts, ...options.retry };
  const runnerDeps = {
    store: backend.store,
    deadLetters: backend.deadLetters,
    specStore: backend.specStore,
    bus: backend.bus,
    scheduler: backend.scheduler,
    egress,
    functions,
    clock,
    metrics,
    retry,
    ...(options.dedup !== undefined ? { dedup: options.dedup } : {}),
  };
  let closing: Promise<void> | undefined;
  return {
    model,
    env,
    clients,
    backend,
    functions,
    egress,
    clock,
    logger,
    metrics,
    remoteInFlight,
    retry,
    runner: new TurnRunner({ ...runnerDeps, releaseProvenByAck: true }),
    directRunner: new TurnRunner({ ...runnerDeps, releaseProvenByAck: false }),
    close: () =>
      (closing ??= (async () => {
        await Promise.allSettled(closers.map((close) => close()));
        backend.close?.call(backend);
        destroy();
      })()),
  };
}

/** Egress kinds that need no AWS resource: the log egress writes to the function's log. */
function fallbackSink(spec: EgressSpec, logger: RuntimeLogger): EgressSink | undefined {
  if (spec.kind !== EGRESS_KINDS.log) return undefined;
  return {
    publish(records) {
      for (const r of records) {
        logger.info('egress record', {
          egress: r.egress,
          key: r.key,
          typename: r.argument.typename,
          value: Buffer.from(r.argument.value.buffer, r.argument.value.byteOffset, r.argument.value.byteLength).toString('base64'),
        });
      }
      return Promise.resolve();
    },
  };
}

interface BindContext {
  readonly clients: AwsClients;
  readonly clock: Clock;
  readonly remoteInFlight: InFlightLimiter;
  readonly closers: Array<() => Promise<void>>;
}

/** Binds every function of the app: embedded ones in-process, remote ones over HTTP or Lambda. */
export async function bindFunctions(model: AppModel, context: BindContext): Promise<StaticFunctionRegistry> {
  const registry = new StaticFunctionRegistry();
  for (const fn of model.functions.values()) registry.bind(embeddedBinding(fn.definition, context.clock));
  for (const endpoint of model.endpoints) {
    bindEndpoint(registry, endpoint, await remoteInvoker(endpoint, context));
  }
  return registry;
}

async function remoteInvoker(endpoint: EndpointSpec, context: BindContext): Promise<FunctionInvoker> {
  const { transport } = endpoint;
  let invoker: RemoteFunctionInvoker;
  if (transport.kind === 'lambda') {
    invoker = new RemoteFunctionInvoker({
      transport: new LambdaTransport({
        functionName: transport.functionName,
        ...(transport.qualifier !== undefined ? { qualifier: transport.qualifier } : {}),
        // A function in another region gets a client of its own; the container's client serves its own region.
        ...(transport.region !== undefined ? { region: transport.region } : { client: context.clients.lambda }),
        callTimeoutMs: transport.callTimeoutMs,
        payloadMaxBytes: transport.payloadMaxBytes,
        inFlight: context.remoteInFlight,
      }),
    });
  } else {
    invoker = new RemoteFunctionInvoker(await httpOptionsFromSpec(transport, context.remoteInFlight));
  }
  context.closers.push(() => invoker.close());
  return invoker;
}

/**
 * A handler's runtime, made once per container on first use (or eagerly, during the init phase, when the
 * factory is called). A failed build is forgotten, so the next invocation tries again.
 */
export function lazyRuntime(options: HandlerOptions): () => Promise<AppRuntime> {
  let pending: Promise<AppRuntime> | undefined;
  const get = (): Promise<AppRuntime> => {
    if (pending === undefined) {
      const building = createAppRuntime(options);
      pending = building;
      building.catch(() => {
        if (pending === building) pending = undefined;
      });
    }
    return pending;
  };
  return get;
}

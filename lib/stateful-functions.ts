import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ValidationError } from '../runtime/core/errors.js';
import { AddressQueue, type AddressQueueProps } from './address-queue.js';
import { DelayInfrastructure } from './delay-infrastructure.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import type { EgressTarget } from './egress.js';
import { HttpIngress, type HttpIngressOptions } from './http-ingress.js';
import { acknowledge } from './nag.js';
import { Observability, type StatefunAlarmOptions } from './observability.js';
import { SqsIngress, type SqsIngressOptions } from './sqs-ingress.js';
import { StatefunApp } from './statefun-app.js';
import type { FunctionObservability, StatefunBundlingOptions, StatefunFunction, StatefunLogLevel } from './statefun-function.js';
import { StatefunTable, type StatefunTableProps } from './statefun-table.js';

/** Logs, metrics, tracing, alarms and dashboard of an app. */
export interface StatefunObservabilityOptions {
  /**
   * `POWERTOOLS_SERVICE_NAME`: the `service` key of every log line and dimension of every metric.
   *
   * @default - `<stack name>-<construct id>`
   */
  readonly serviceName?: string;
  /**
   * `POWERTOOLS_METRICS_NAMESPACE`: the CloudWatch namespace of the handlers' metrics.
   *
   * @default 'StatefunAws'
   */
  readonly metricsNamespace?: string;
  /**
   * Level of the handlers' logs (`POWERTOOLS_LOG_LEVEL`, and Lambda's filter of JSON application logs).
   *
   * @default 'INFO'
   */
  readonly logLevel?: StatefunLogLevel;
  /**
   * How long the functions' and the API's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log groups when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * X-Ray active tracing on every function.
   *
   * @default true
   */
  readonly tracing?: boolean;
  /** @default - alarms on, without actions */
  readonly alarms?: StatefunAlarmOptions;
  /**
   * Create a CloudWatch dashboard.
   *
   * @default true
   */
  readonly dashboard?: boolean;
}

/** Settings of the delay infrastructure. */
export interface StatefunDelayOptions {
  /**
   * Timeout of the forwarder function.
   *
   * @default Duration.seconds(30)
   */
  readonly forwarderTimeout?: Duration;
  /**
   * Memory of the forwarder function, in MiB.
   *
   * @default 512
   */
  readonly forwarderMemorySize?: number;
  /**
   * Most concurrent forwarder invocations (2 to 1000).
   *
   * @default 5
   */
  readonly forwarderMaxConcurrency?: number;
  /**
   * Receives of one delay-queue message before it is dead-lettered.
   *
   * @default 20
   */
  readonly maxReceiveCount?: number;
}

export interface StatefulFunctionsProps {
  /**
   * The app's modules, in order: module.yaml files (`.yaml`/`.yml`) and TypeScript or JavaScript modules
   * exporting a module made with `defineModule(...)` or function definitions, as `statefun dev` takes them.
   * They are composed at synth time (which ingresses, egresses and remote functions to provision) and
   * bundled with every function. Relative paths resolve against the working directory.
   */
  readonly modules: readonly string[];
  /**
   * The app's global configuration (StateFun's `--key value` arguments).
   *
   * @default - none
   */
  readonly config?: Readonly<Record<string, string>>;
  /**
   * The folder of the project's lock file (generated entries are written below it).
   *
   * @default - the nearest folder with a lock file, from the working directory up
   */
  readonly projectRoot?: string;
  /** @default - on-demand, point-in-time recovery, AWS owned key, retained */
  readonly table?: StatefunTableProps;
  /**
   * The FIFO queue of addresses.
   *
   * @default - visibility timeout 6 × the dispatcher's timeout, standard throughput, content-based deduplication,
   * dead-lettered after 20 receives, 14 days' retention
   */
  readonly queue?: AddressQueueProps;
  /** @default - 1 minute timeout, 1024 MiB, batches of 10, at most 20 concurrent, parked after 10 attempts */
  readonly dispatcher?: DispatcherOptions;
  /** @default - forwarder with 30 s timeout, 512 MiB, at most 5 concurrent */
  readonly delays?: StatefunDelayOptions;
  /**
   * The HTTP API of the app's HTTP ingresses (`io.statefun-aws.http.v1/ingress`, and the playground ingress).
   * Created only when the app declares one.
   *
   * @default - 100 requests/s, bursts of 200, bodies up to 256 KiB, idempotency keys kept 24 hours
   */
  readonly httpIngress?: HttpIngressOptions;
  /** @default - each SQS ingress consumes the queue its module names; at most 5 concurrent routers */
  readonly sqsIngress?: SqsIngressOptions;
  /**
   * Resources of egresses, by egress id, when the stack creates them (see {@link EgressTarget}).
   *
   * @default - every egress uses the queue, topic, bus or stream its module names
   */
  readonly egresses?: Readonly<Record<string, EgressTarget>>;
  /** @default - service `<stack>-<id>`, namespace StatefunAws, INFO logs kept a month, tracing, alarms, dashboard */
  readonly observability?: StatefunObservabilityOptions;
  /** @default - minified ES module with source maps, everything bundled (the AWS SDK included) */
  readonly bundling?: StatefunBundlingOptions;
}

/**
 * Stateful Functions, serverless on AWS: an app's modules deployed on SQS FIFO, Lambda, DynamoDB and
 * EventBridge Scheduler. Creates
 * - the state table ({@link StatefunTable});
 * - the FIFO queue of addresses and its dead-letter queue ({@link AddressQueue});
 * - the dispatcher function consuming it ({@link Dispatcher});
 * - the delay queue, forwarder, schedule group, Scheduler role and dead-letter queues ({@link DelayInfrastructure});
 * - an HTTP API for the app's HTTP ingresses ({@link HttpIngress}) and routers for its SQS ingresses
 *   ({@link SqsIngress}), when it declares them;
 * - least-privilege grants on its egresses and remote Lambda functions;
 * - alarms and a dashboard ({@link Observability}).
 *
 * @example
 * const app = new StatefulFunctions(this, 'Onboarding', {
 *   modules: ['examples/onboarding/module.ts', 'examples/onboarding-stack/module.yaml'],
 *   egresses: { 'io.statefun.playground/egress': EgressTarget.queue(emails) },
 * });
 * app.grantSendMessages(producer);
 */
export class StatefulFunctions extends Construct {
  readonly app: StatefunApp;
  readonly table: StatefunTable;
  readonly addressQueue: AddressQueue;
  readonly delay: DelayInfrastructure;
  readonly dispatcher: Dispatcher;
  /** Undefined when the app declares no HTTP ingress. */
  readonly httpIngress: HttpIngress | undefined;
  /** Undefined when the app declares no SQS ingress. */
  readonly sqsIngress: SqsIngress | undefined;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: StatefulFunctionsProps) {
    super(scope, id);
    if (typeof props !== 'object' || props === null) throw new ValidationError(`StatefulFunctions ${this.node.path}: props with modules are required`);
    this.app = StatefunApp.fromModules({
      modules: props.modules,
      ...(props.config !== undefined ? { config: props.config } : {}),
      ...(props.projectRoot !== undefined ? { projectRoot: props.projectRoot } : {}),
    });
    const { manifest } = this.app;
    for (const component of manifest.localOnly) {
      Annotations.of(this).addWarningV2(
        'statefun-aws:local-only',
        `${component.source}: ${component.kind} ${component.id} is for statefun dev only and is not deployed; functions sending to it park on AWS`,
      );
    }
    for (const egress of manifest.egresses) {
      if (egress.type === 'playground' && props.egresses?.[egress.id] === undefined) {
        Annotations.of(this).addWarningV2(
          'statefun-aws:local-only',
          `${egress.source}: ${egress.kind} ${egress.id} has no resource on AWS and is not bound to a queue (egresses: { '${egress.id}': EgressTarget.queue(queue) }); functions sending to it park on AWS`,
        );
      }
    }
    for (const warning of manifest.warnings) Annotations.of(this).addWarningV2('statefun-aws:module', warning);

    const o = props.observability ?? {};
    const settings = observabilitySettings(this, o);
    const dispatcherTimeout = props.dispatcher?.timeout ?? Duration.minutes(1);
    const bundling = props.bundling !== undefined ? { bundling: props.bundling } : {};

    this.table = new StatefunTable(this, 'State', props.table ?? {});
    this.addressQueue = new AddressQueue(this, 'Queue', {
      ...props.queue,
      visibilityTimeout: props.queue?.visibilityTimeout ?? Duration.seconds(6 * dispatcherTimeout.toSeconds({ integral: false })),
    });
    this.delay = new DelayInfrastructure(this, 'Delays', {
      app: this.app,
      table: this.table,
      addressQueue: this.addressQueue,
      observability: settings,
      removalPolicy: props.table?.removalPolicy ?? RemovalPolicy.RETAIN,
      ...bundling,
      ...props.delays,
    });
    this.dispatcher = new Dispatcher(this, 'Dispatcher', {
      ...props.dispatcher,
      app: this.app,
      table: this.table,
      addressQueue: this.addressQueue,
      delay: this.delay,
      observability: settings,
      ...bundling,
      ...(props.egresses !== undefined ? { egresses: props.egresses } : {}),
    });
    this.httpIngress =
      manifest.httpIngresses.length === 0
        ? undefined
        : new HttpIngress(this, 'HttpIngress', {
            ...props.httpIngress,
            app: this.app,
            table: this.table,
            addressQueue: this.addressQueue,
            observability: settings,
            ingresses: manifest.httpIngresses,
            ...bundling,
          });
    if (this.httpIngress === undefined && props.httpIngress !== undefined) {
      throw new ValidationError(`StatefulFunctions ${this.node.path}: httpIngress is set, but no module declares an HTTP ingress (io.statefun-aws.http.v1/ingress)`);
    }
    this.sqsIngress =
      manifest.sqsIngresses.length === 0
        ? undefined
        : new SqsIngress(this, 'SqsIngress', {
            ...props.sqsIngress,
            app: this.app,
            table: this.table,
            addressQueue: this.addressQueue,
            observability: settings,
            ingresses: manifest.sqsIngresses,
            ...bundling,
          });
    if (this.sqsIngress === undefined && props.sqsIngress?.queues !== undefined && Object.keys(props.sqsIngress.queues).length > 0) {
      throw new ValidationError(
        `StatefulFunctions ${this.node.path}: sqsIngress.queues names ${Object.keys(props.sqsIngress.queues).join(', ')}, but no module declares an SQS ingress (io.statefun-aws.sqs.v1/ingress)`,
      );
    }
    this.observability = new Observability(this, 'Observability', {
      settings,
      table: this.table,
      addressQueue: this.addressQueue,
      delay: this.delay,
      dispatcher: this.dispatcher,
      ...(this.httpIngress !== undefined ? { httpIngress: this.httpIngress } : {}),
      ...(this.sqsIngress !== undefined ? { sqsIngress: this.sqsIngress } : {}),
      ...(o.alarms !== undefined ? { alarms: o.alarms } : {}),
      ...(o.dashboard !== undefined ? { dashboard: o.dashboard } : {}),
    });
    if (this.httpIngress !== undefined) new CfnOutput(this, 'HttpApiUrl', { value: this.httpIngress.url, description: 'URL of the HTTP ingress' });
    new CfnOutput(this, 'QueueUrl', { value: this.addressQueue.queue.queueUrl, description: 'FIFO queue of addresses' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'State table' });
    this.explainFindings();
  }

  /** Every function of the app. */
  get functions(): StatefunFunction[] {
    return [
      this.dispatcher.function,
      this.delay.forwarder,
      ...(this.httpIngress?.functions.values() ?? []),
      ...(this.sqsIngress?.functions.values() ?? []),
    ];
  }

  /** The HTTP API's URL; undefined when the app has no HTTP ingress. */
  get url(): string | undefined {
    return this.httpIngress?.url;
  }

  /** Lets `grantee` send messages straight to the FIFO queue of addresses (producers outside the app). */
  grantSendMessages(grantee: iam.IGrantable): iam.Grant {
    return this.addressQueue.grantSendMessages(grantee);
  }

  /** Lets `grantee` read every state, dead letter and pending timer of the app. */
  grantReadState(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadState(grantee);
  }

  /** Lets `grantee` call the HTTP ingress routes that use IAM authorization (requests signed with SigV4). */
  grantInvokeHttpApi(grantee: iam.IGrantable): void {
    if (this.httpIngress === undefined) throw new ValidationError(`StatefulFunctions ${this.node.path}: the app declares no HTTP ingress to grant`);
    this.httpIngress.grantInvoke(grantee);
  }

  /** The sum of the handlers' `ParkedAddresses` metric over every function type of the app. */
  metricParkedAddresses(): cloudwatch.IMetric {
    return this.observability.parkedAddresses;
  }

  /** Acknowledges, for policy checks such as cdk-nag's, the dead-letter queues' lack of a dead-letter queue. */
  private explainFindings(): void {
    const reason = 'a dead-letter queue: where failing messages end up, so it has no dead-letter queue of its own';
    for (const queue of [this.addressQueue.deadLetterQueue, this.delay.delayDeadLetterQueue, this.delay.schedulerDeadLetterQueue]) {
      acknowledge(queue, 'AwsSolutions-SQS3', reason);
    }
  }
}

function observabilitySettings(scope: Construct, o: StatefunObservabilityOptions): FunctionObservability {
  const stack = Stack.of(scope);
  const serviceName = o.serviceName ?? `${stack.stackName}-${scope.node.id}`;
  const path = scope.node.path;
  if (typeof serviceName !== 'string' || !/^[A-Za-z0-9_.\-/:]{1,128}$/.test(serviceName)) {
    throw new ValidationError(`StatefulFunctions ${path}: observability.serviceName must be 1 to 128 letters, digits or _ . - / :, got ${JSON.stringify(serviceName)}`);
  }
  const metricsNamespace = o.metricsNamespace ?? 'StatefunAws';
  if (!/^[A-Za-z0-9_.\-/#:]{1,255}$/.test(metricsNamespace) || metricsNamespace.startsWith('AWS/')) {
    throw new ValidationError(
      `StatefulFunctions ${path}: observability.metricsNamespace must be 1 to 255 letters, digits or _ . - / # : and not start with "AWS/", got ${JSON.stringify(metricsNamespace)}`,
    );
  }
  const logLevel = o.logLevel ?? 'INFO';
  if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel)) {
    throw new ValidationError(`StatefulFunctions ${path}: observability.logLevel must be DEBUG, INFO, WARN or ERROR, got ${JSON.stringify(logLevel)}`);
  }
  return {
    serviceName,
    metricsNamespace,
    logLevel,
    logRetention: o.logRetention ?? logs.RetentionDays.ONE_MONTH,
    logRemovalPolicy: o.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    tracing: o.tracing ?? true,
  };
}

import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { ValidationError } from '../runtime/core/errors.js';
import type { AddressQueue } from './address-queue.js';
import type { LambdaFunctionTarget } from './app-manifest.js';
import { checkConcurrency, type DelayInfrastructure } from './delay-infrastructure.js';
import { type EgressTarget, type ResolvedEgress, resolveEgresses } from './egress.js';
import { HANDLER_PERMISSIONS, REMOTE_LAMBDA_PERMISSIONS } from './iam-actions.js';
import { acknowledgeWildcard } from './nag.js';
import type { StatefunApp } from './statefun-app.js';
import { type FunctionObservability, type StatefunBundlingOptions, StatefunFunction } from './statefun-function.js';
import type { StatefunTable } from './statefun-table.js';

/** Settings of the dispatcher function and its event source. */
export interface DispatcherOptions {
  /**
   * Timeout of one dispatcher invocation (one batch). The FIFO queue's visibility timeout must be at least
   * 6 times as long.
   *
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MiB (Lambda gives CPU in proportion).
   *
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Messages per invocation, 1 to 10 (Lambda's limit for FIFO queues).
   *
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Most concurrent dispatcher invocations (the event source's maximum concurrency, 2 to 1000). Each serves
   * one batch; batches of one message group never run at the same time.
   *
   * @default 20
   */
  readonly maxConcurrency?: number;
  /**
   * Reserved concurrency of the function.
   *
   * @default - none: the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Attempts at a failing message before its address is parked (`STATEFUN_RETRY_MAX_ATTEMPTS`). Must be
   * below the FIFO queue's `maxReceiveCount`, so that parking comes before SQS's own dead-lettering.
   *
   * @default 10
   */
  readonly retryMaxAttempts?: number;
  /**
   * Remote function calls in flight at once per container (`STATEFUN_MAX_REMOTE_IN_FLIGHT`).
   *
   * @default 64
   */
  readonly maxRemoteInFlight?: number;
}

export interface DispatcherProps extends DispatcherOptions {
  readonly app: StatefunApp;
  readonly table: StatefunTable;
  readonly addressQueue: AddressQueue;
  readonly delay: DelayInfrastructure;
  readonly observability: FunctionObservability;
  /** @default - minified, with source maps, everything bundled */
  readonly bundling?: StatefunBundlingOptions;
  /**
   * Resources of egresses, by egress id (see {@link EgressTarget}).
   *
   * @default - every egress uses the resource its module names
   */
  readonly egresses?: Readonly<Record<string, EgressTarget>>;
}

/**
 * The dispatcher: consumes the FIFO queue of addresses in batches (partial batch responses), runs each
 * address's turn (embedded functions in-process, remote ones over HTTP or Lambda) and commits it to the
 * state table; releases messages to the FIFO queue, short delays to the delay queue, long delays as
 * schedules, and egress records to their resources.
 */
export class Dispatcher extends Construct {
  readonly function: StatefunFunction;
  readonly egresses: readonly ResolvedEgress[];
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: DispatcherProps) {
    super(scope, id);
    const path = this.node.path;
    this.timeout = props.timeout ?? Duration.minutes(1);
    const timeoutSeconds = this.timeout.toSeconds();
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
      throw new ValidationError(`${path}: timeout must be whole seconds from 1 s to 15 minutes (Lambda's limits), got ${this.timeout.toHumanString()}`);
    }
    const visibility = props.addressQueue.visibilityTimeout;
    if (visibility.toSeconds() < 6 * timeoutSeconds) {
      throw new ValidationError(
        `${path}: the FIFO queue's visibility timeout (${visibility.toHumanString()}) must be at least 6 × the dispatcher's timeout ` +
          `(${this.timeout.toHumanString()}), i.e. ${Duration.seconds(6 * timeoutSeconds).toHumanString()}: a batch must not come back while it is still being handled`,
      );
    }
    const batchSize = props.batchSize ?? 10;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new ValidationError(`${path}: batchSize must be a whole number from 1 to 10 (Lambda's limit for FIFO queues), got ${String(batchSize)}`);
    }
    const maxConcurrency = props.maxConcurrency ?? 20;
    checkConcurrency(maxConcurrency, 'maxConcurrency', path);
    const retryMaxAttempts = props.retryMaxAttempts ?? 10;
    if (!Number.isInteger(retryMaxAttempts) || retryMaxAttempts < 1) {
      throw new ValidationError(`${path}: retryMaxAttempts must be a whole number of at least 1, got ${String(retryMaxAttempts)}`);
    }
    if (retryMaxAttempts >= props.addressQueue.maxReceiveCount) {
      throw new ValidationError(
        `${path}: retryMaxAttempts (${retryMaxAttempts}) must be below the FIFO queue's maxReceiveCount (${props.addressQueue.maxReceiveCount}), ` +
          'or SQS dead-letters messages before the dispatcher parks their address',
      );
    }
    const maxRemoteInFlight = props.maxRemoteInFlight ?? 64;
    if (!Number.isInteger(maxRemoteInFlight) || maxRemoteInFlight < 1) {
      throw new ValidationError(`${path}: maxRemoteInFlight must be a whole number of at least 1, got ${String(maxRemoteInFlight)}`);
    }
    const memorySize = props.memorySize ?? 1024;
    checkMemory(memorySize, 'memorySize', path);

    this.egresses = resolveEgresses(this, props.app.manifest.egresses, props.egresses ?? {});
    const bindings = Object.fromEntries(this.egresses.flatMap((e) => (e.binding === undefined ? [] : [[e.id, e.binding]])));
    const { delay } = props;
    this.function = new StatefunFunction(this, 'Dispatcher', {
      app: props.app,
      handler: 'dispatcher',
      description: 'Runs the turns of the addresses on the FIFO queue',
      timeout: this.timeout,
      memorySize,
      observability: props.observability,
      ...(props.bundling !== undefined ? { bundling: props.bundling } : {}),
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      environment: {
        STATEFUN_TABLE_NAME: props.table.tableName,
        STATEFUN_QUEUE_URL: props.addressQueue.queue.queueUrl,
        STATEFUN_DELAY_QUEUE_URL: delay.delayQueue.queueUrl,
        STATEFUN_DELAY_QUEUE_ARN: delay.delayQueue.queueArn,
        STATEFUN_SCHEDULE_GROUP: delay.scheduleGroup.scheduleGroupName,
        STATEFUN_SCHEDULER_ROLE_ARN: delay.schedulerRole.roleArn,
        STATEFUN_SCHEDULER_DLQ_ARN: delay.schedulerDeadLetterQueue.queueArn,
        STATEFUN_RETRY_MAX_ATTEMPTS: String(retryMaxAttempts),
        STATEFUN_MAX_REMOTE_IN_FLIGHT: String(maxRemoteInFlight),
        ...(Object.keys(bindings).length > 0 ? { STATEFUN_EGRESS_BINDINGS: Stack.of(this).toJsonString(bindings) } : {}),
      },
    });

    const role = this.function.role;
    const needs = HANDLER_PERMISSIONS.dispatcher;
    props.table.grantActions(role, needs.table, needs.tableIndex);
    props.addressQueue.queue.grant(role, ...needs.addressQueue);
    delay.delayQueue.grant(role, ...needs.delayQueue);
    delay.grantSchedules(role, needs.schedules);
    acknowledgeWildcard(role, delay.scheduleArnPattern, 'the dispatcher creates and deletes one schedule per long delay, named by the message, in the app\'s own schedule group only');
    if (needs.passSchedulerRole) delay.schedulerRole.grantPassRole(role);
    for (const egress of this.egresses) egress.grant(role);
    const lambdaArns = [...new Set(props.app.manifest.endpoints.flatMap((e) => e.lambdaFunctions.map((f) => lambdaArn(this, f))))];
    if (lambdaArns.length > 0) iam.Grant.addToPrincipal({ grantee: role, actions: [...REMOTE_LAMBDA_PERMISSIONS], resourceArns: lambdaArns });
    for (const arn of lambdaArns.filter((a) => a.includes('*'))) {
      acknowledgeWildcard(role, arn, 'a remote endpoint serves a namespace of function types through Lambda functions named after them ({function.name}); the name pattern is the module\'s');
    }

    this.function.function.addEventSource(
      new sources.SqsEventSource(props.addressQueue.queue, { batchSize, reportBatchItemFailures: true, maxConcurrency }),
    );
  }
}

/** The ARN to allow `lambda:InvokeFunction` on, qualified when the endpoint names a version or alias. */
export function lambdaArn(scope: Construct, target: LambdaFunctionTarget): string {
  const stack = Stack.of(scope);
  const qualifier = target.qualifier === undefined ? '' : `:${target.qualifier}`;
  if (target.functionName.startsWith('arn:')) return `${target.functionName}${qualifier}`;
  const partial = /^(\d{12}):function:(.+)$/.exec(target.functionName);
  const name = partial?.[2] ?? target.functionName;
  return Arn.format(
    {
      service: 'lambda',
      resource: 'function',
      resourceName: `${name}${qualifier}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      ...(target.region !== undefined ? { region: target.region } : {}),
      ...(partial?.[1] !== undefined ? { account: partial[1] } : {}),
    },
    stack,
  );
}

/** Lambda memory: 128 to 10240 MiB. */
export function checkMemory(value: number, name: string, path: string): void {
  if (!Number.isInteger(value) || value < 128 || value > 10_240) {
    throw new ValidationError(`${path}: ${name} must be a whole number of MiB from 128 to 10240 (Lambda's limits), got ${String(value)}`);
  }
}

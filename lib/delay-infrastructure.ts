import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ValidationError } from '../runtime/core/errors.js';
import type { AddressQueue } from './address-queue.js';
import { HANDLER_PERMISSIONS, SCHEDULER_ROLE_PERMISSIONS } from './iam-actions.js';
import type { StatefunApp } from './statefun-app.js';
import { type FunctionObservability, type StatefunBundlingOptions, StatefunFunction } from './statefun-function.js';
import type { StatefunTable } from './statefun-table.js';

export interface DelayInfrastructureProps {
  readonly app: StatefunApp;
  readonly table: StatefunTable;
  readonly addressQueue: AddressQueue;
  readonly observability: FunctionObservability;
  /** @default - minified, with source maps, everything bundled */
  readonly bundling?: StatefunBundlingOptions;
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
   * Most concurrent forwarder invocations (the event source's maximum concurrency, 2 to 1000).
   *
   * @default 5
   */
  readonly forwarderMaxConcurrency?: number;
  /**
   * Receives of one delay-queue message before SQS moves it to the delay dead-letter queue.
   *
   * @default 20
   */
  readonly maxReceiveCount?: number;
  /**
   * What happens to the schedule group, and with it every pending long delay, when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN - like the state table, whose timers the schedules fire
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * How delayed messages travel (DESIGN "AWS facts"): FIFO queues have no per-message delay, so
 * - short delays (≤ 15 minutes) are sent to a standard **delay queue** with `DelaySeconds`;
 * - long delays become one-time EventBridge **schedules** in the app's **schedule group**, which fire into the
 *   same delay queue through a **role** allowed to send there and nowhere else (and to the Scheduler's
 *   **dead-letter queue**, where fires that could not be delivered land);
 * - the **forwarder** function consumes the delay queue and forwards each due message into its address's
 *   FIFO group, after checking that it was not cancelled.
 *
 * The Scheduler targets the standard delay queue, never the FIFO queue, so no queue needs content-based
 * deduplication for it.
 */
export class DelayInfrastructure extends Construct {
  readonly delayQueue: sqs.Queue;
  /** Delay-queue messages the forwarder failed on `maxReceiveCount` times. */
  readonly delayDeadLetterQueue: sqs.Queue;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  /** The role EventBridge Scheduler assumes to fire schedules into the delay queue. */
  readonly schedulerRole: iam.Role;
  /** Dead-letter queue of the schedules: fires the Scheduler could not deliver after its retries. */
  readonly schedulerDeadLetterQueue: sqs.Queue;
  readonly forwarder: StatefunFunction;

  constructor(scope: Construct, id: string, props: DelayInfrastructureProps) {
    super(scope, id);
    const timeout = props.forwarderTimeout ?? Duration.seconds(30);
    const maxConcurrency = props.forwarderMaxConcurrency ?? 5;
    checkConcurrency(maxConcurrency, 'forwarderMaxConcurrency', this.node.path);
    const maxReceiveCount = props.maxReceiveCount ?? 20;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new ValidationError(`DelayInfrastructure ${this.node.path}: maxReceiveCount must be a whole number from 1 to 1000, got ${String(maxReceiveCount)}`);
    }

    const queueDefaults = { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) };
    this.delayDeadLetterQueue = new sqs.Queue(this, 'DelayDeadLetterQueue', queueDefaults);
    this.delayQueue = new sqs.Queue(this, 'DelayQueue', {
      ...queueDefaults,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.delayDeadLetterQueue, maxReceiveCount },
    });
    this.schedulerDeadLetterQueue = new sqs.Queue(this, 'SchedulerDeadLetterQueue', queueDefaults);
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', { removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN });

    const stack = Stack.of(this);
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to fire the app\'s delayed messages into its delay queue',
      // Only schedules of this account's group may use it (confused deputy protection).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': this.scheduleGroup.scheduleGroupArn },
        },
      }),
    });
    this.delayQueue.grant(this.schedulerRole, ...SCHEDULER_ROLE_PERMISSIONS);
    this.schedulerDeadLetterQueue.grant(this.schedulerRole, ...SCHEDULER_ROLE_PERMISSIONS);

    const needs = HANDLER_PERMISSIONS.delayForwarder;
    this.forwarder = new StatefunFunction(this, 'Forwarder', {
      app: props.app,
      handler: 'delay-forwarder',
      description: 'Forwards due delayed messages into their addresses\' FIFO groups',
      timeout,
      memorySize: props.forwarderMemorySize ?? 512,
      observability: props.observability,
      ...(props.bundling !== undefined ? { bundling: props.bundling } : {}),
      environment: {
        STATEFUN_TABLE_NAME: props.table.tableName,
        STATEFUN_QUEUE_URL: props.addressQueue.queue.queueUrl,
        STATEFUN_DELAY_QUEUE_URL: this.delayQueue.queueUrl,
      },
    });
    props.table.grantActions(this.forwarder.role, needs.table, needs.tableIndex);
    props.addressQueue.queue.grant(this.forwarder.role, ...needs.addressQueue);
    if (needs.delayQueue.length > 0) this.delayQueue.grant(this.forwarder.role, ...needs.delayQueue);
    this.forwarder.function.addEventSource(
      new sources.SqsEventSource(this.delayQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency }),
    );
  }

  /** ARN pattern of the schedules of the app's group. */
  get scheduleArnPattern(): string {
    const stack = Stack.of(this);
    return stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.scheduleGroup.scheduleGroupName}/*` });
  }

  /** Grants `actions` on the schedules of the app's group (and nothing else of the Scheduler). */
  grantSchedules(grantee: iam.IGrantable, actions: readonly string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [this.scheduleArnPattern] });
  }
}

/** An SQS event source's maximum concurrency: 2 to 1000 (Lambda's limits). */
export function checkConcurrency(value: number, name: string, path: string): void {
  if (!Number.isInteger(value) || value < 2 || value > 1000) {
    throw new ValidationError(`${path}: ${name} must be a whole number from 2 to 1000 (Lambda's limits for SQS event sources), got ${String(value)}`);
  }
}

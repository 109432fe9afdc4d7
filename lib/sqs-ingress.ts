import { Duration } from 'aws-cdk-lib';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ValidationError } from '../runtime/core/errors.js';
import { show } from '../runtime/core/typename.js';
import type { AddressQueue } from './address-queue.js';
import type { SqsIngressManifest } from './app-manifest.js';
import { checkConcurrency } from './delay-infrastructure.js';
import { checkMemory } from './dispatcher.js';
import { importQueue } from './egress.js';
import { HANDLER_PERMISSIONS } from './iam-actions.js';
import type { StatefunApp } from './statefun-app.js';
import { type FunctionObservability, type StatefunBundlingOptions, StatefunFunction } from './statefun-function.js';
import type { StatefunTable } from './statefun-table.js';

/** Settings of the router functions of the app's SQS ingresses. */
export interface SqsIngressOptions {
  /**
   * The queues of SQS ingresses, by ingress id, when the stack creates them (or imports them itself). Its
   * visibility timeout must be at least the router function's timeout.
   *
   * @default - each ingress consumes the existing queue its module names (name, URL or ARN)
   */
  readonly queues?: Readonly<Record<string, sqs.IQueue>>;
  /**
   * Most concurrent invocations of one ingress's router (the event source's maximum concurrency, 2 to 1000).
   *
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * Timeout of a router function.
   *
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Memory of a router function, in MiB.
   *
   * @default 512
   */
  readonly memorySize?: number;
}

export interface SqsIngressProps extends SqsIngressOptions {
  readonly app: StatefunApp;
  readonly table: StatefunTable;
  readonly addressQueue: AddressQueue;
  readonly observability: FunctionObservability;
  /** @default - minified, with source maps, everything bundled */
  readonly bundling?: StatefunBundlingOptions;
  readonly ingresses: readonly SqsIngressManifest[];
}

/**
 * The app's SQS ingresses (`io.statefun-aws.sqs.v1/ingress`): for each, a router function consuming the
 * user's queue (batch size as the module says, partial batch responses) and sending each routed message to
 * its address on the FIFO queue, with the SQS message id as its idempotency key.
 */
export class SqsIngress extends Construct {
  /** Router functions by ingress id. */
  readonly functions: ReadonlyMap<string, StatefunFunction>;
  /** The consumed queues by ingress id. */
  readonly queues: ReadonlyMap<string, sqs.IQueue>;

  constructor(scope: Construct, id: string, props: SqsIngressProps) {
    super(scope, id);
    const path = this.node.path;
    const maxConcurrency = props.maxConcurrency ?? 5;
    checkConcurrency(maxConcurrency, 'maxConcurrency', path);
    const timeout = props.timeout ?? Duration.seconds(30);
    const timeoutSeconds = timeout.toSeconds({ integral: false });
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
      throw new ValidationError(`${path}: timeout must be whole seconds from 1 s to 15 minutes (Lambda's limits), got ${timeout.toHumanString()}`);
    }
    const memorySize = props.memorySize ?? 512;
    checkMemory(memorySize, 'memorySize', path);
    const given = props.queues ?? {};
    const declared = new Map(props.ingresses.map((i) => [i.id, i]));
    for (const ingressId of Object.keys(given)) {
      if (!declared.has(ingressId)) {
        throw new ValidationError(
          `${path}: queues names ingress ${show(ingressId)}, which no module of the app declares as an SQS ingress` +
            (declared.size === 0 ? ' (it declares none)' : ` (it declares ${[...declared.keys()].join(', ')})`),
        );
      }
    }

    const functions = new Map<string, StatefunFunction>();
    const queues = new Map<string, sqs.IQueue>();
    const needs = HANDLER_PERMISSIONS.sqsIngress;
    props.ingresses.forEach((ingress, index) => {
      const queue = given[ingress.id] ?? importQueue(this, `Queue${index + 1}`, ingress.queue);
      if (queue.fifo !== ingress.queue.fifo) {
        throw new ValidationError(
          `${path}: ingress ${show(ingress.id)} declares ${ingress.queue.fifo ? 'a FIFO' : 'a standard'} queue ${show(ingress.queue.ref)} (${ingress.source}), ` +
            `but queues[${show(ingress.id)}] is ${queue.fifo ? 'a FIFO' : 'a standard'} queue; FIFO queue names end in ".fifo"`,
        );
      }
      const fn = new StatefunFunction(this, `Router${index + 1}`, {
        app: props.app,
        handler: 'sqs-ingress',
        description: `SQS ingress ${ingress.id}`,
        timeout,
        memorySize,
        observability: props.observability,
        ...(props.bundling !== undefined ? { bundling: props.bundling } : {}),
        environment: {
          STATEFUN_TABLE_NAME: props.table.tableName,
          STATEFUN_QUEUE_URL: props.addressQueue.queue.queueUrl,
          STATEFUN_INGRESS_ID: ingress.id,
        },
      });
      props.table.grantActions(fn.role, needs.table, needs.tableIndex);
      props.addressQueue.queue.grant(fn.role, ...needs.addressQueue);
      fn.function.addEventSource(
        new sources.SqsEventSource(queue, {
          batchSize: ingress.batchSize,
          reportBatchItemFailures: true,
          maxConcurrency,
          // Standard queues deliver batches above 10 only with a batching window.
          ...(ingress.batchSize > 10 ? { maxBatchingWindow: Duration.seconds(1) } : {}),
        }),
      );
      functions.set(ingress.id, fn);
      queues.set(ingress.id, queue);
    });
    this.functions = functions;
    this.queues = queues;
  }
}

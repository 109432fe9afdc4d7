import { ValidationError } from '../core/errors.js';
import type { TimerRef } from '../core/record.js';
import { EGRESS_KINDS } from '../module/kinds.js';
import type { DelayScheduler } from '../ports.js';
import type { BackendContext, BackendFactory } from './backend-context.js';
import { CapacityTally } from './dynamodb/capacity.js';
import { DynamoDbDeadLetterStore } from './dynamodb/dead-letter-store.js';
import { DynamoDbIngressKeyStore } from './dynamodb/ingress-key-store.js';
import { DynamoDbSpecStore } from './dynamodb/spec-store.js';
import { DynamoDbStateStore } from './dynamodb/state-store.js';
import { awsEgressSink } from './egress/index.js';
import { SqsEgressSink } from './egress/sqs-egress.js';
import type { RuntimeBackend } from './runtime-backend.js';
import { ENV } from './runtime-env.js';
import { SqsDelayForwarder } from './scheduler/forwarder.js';
import { SqsDelayScheduler } from './scheduler/delay-scheduler.js';
import { decodeMessageBodies, decodeMessageBody } from './sqs/envelope-body.js';
import { SqsFifoMessageBus } from './sqs/message-bus.js';
import { SqsQueueControl } from './sqs/queue-control.js';

export interface AwsBackendOptions {
  /** Where the DynamoDB adapters tally requests and request units (the cost benchmark reads it). */
  readonly capacity?: CapacityTally;
}

/**
 * The AWS backend: the DynamoDB stores over the state table, the SQS FIFO bus and queue control of the queue of
 * addresses, the delay scheduler (SQS delay queue, EventBridge Scheduler for long delays) and its forwarder,
 * and the egress sinks. The playground egress, which has no resource of its own, is delivered to the SQS queue
 * `STATEFUN_EGRESS_BINDINGS` binds it to (`statefun dev --aws-local` reads the playground's topics from there).
 */
export function awsBackend(context: BackendContext, options: AwsBackendOptions = {}): RuntimeBackend {
  const { env, clients, clock } = context;
  const capacity = options.capacity ?? new CapacityTally();
  const table = { client: clients.dynamodb, tableName: env.tableName, capacity };
  const bus = new SqsFifoMessageBus({ client: clients.sqs, queueUrl: env.queueUrl });
  const { delayQueueUrl, delayQueueArn, schedulerRoleArn, scheduleGroup } = env;
  const scheduler: DelayScheduler =
    delayQueueUrl === undefined
      ? missingDelayQueue
      : new SqsDelayScheduler({
          sqs: clients.sqs,
          delayQueueUrl,
          clock,
          ...(delayQueueArn !== undefined && schedulerRoleArn !== undefined
            ? { longDelays: { client: clients.scheduler, delayQueueArn, roleArn: schedulerRoleArn, ...(scheduleGroup !== undefined ? { groupName: scheduleGroup } : {}) } }
            : {}),
        });
  return {
    store: new DynamoDbStateStore({ ...table, clock }),
    specStore: new DynamoDbSpecStore(table),
    deadLetters: new DynamoDbDeadLetterStore(table),
    ingressKeys: new DynamoDbIngressKeyStore(table),
    bus,
    scheduler,
    queue: new SqsQueueControl(clients.sqs, env.queueUrl),
    delays: delayQueueUrl === undefined ? undefined : new SqsDelayForwarder({ bus, sqs: clients.sqs, delayQueueUrl }),
    decodeQueueMessage: decodeMessageBody,
    decodeQueueMessages: decodeMessageBodies,
    egressSink(spec, binding) {
      if (spec.kind === EGRESS_KINDS.playground) {
        if (binding === undefined || !('queueUrl' in binding)) return undefined;
        const name = binding.queueUrl.slice(binding.queueUrl.lastIndexOf('/') + 1);
        return new SqsEgressSink({
          spec: { id: spec.id, queue: { ref: binding.queueUrl, name, region: undefined, fifo: name.endsWith('.fifo') }, messageGroupId: undefined },
          client: clients.sqs,
          queueUrl: binding.queueUrl,
        });
      }
      return awsEgressSink(spec, clients, binding);
    },
  };
}

/** The AWS backend with options (e.g. a shared capacity tally). */
export function awsBackendWith(options: AwsBackendOptions): BackendFactory {
  return (context) => awsBackend(context, options);
}

/** Delayed messages without a delay queue: a deployment error, said as such when a function first delays. */
const missingDelayQueue: DelayScheduler = {
  schedule: (timers: readonly TimerRef[]) =>
    Promise.reject(new ValidationError(`${ENV.delayQueueUrl} must be set: delayed messages (${timers.length}, e.g. timer ${timers[0]?.timerId ?? '?'}) need the delay queue`)),
  cancel: () => Promise.resolve(),
};

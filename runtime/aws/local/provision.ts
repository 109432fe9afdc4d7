import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ConflictException, CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AppModel } from '../../module/app.js';
import { EGRESS_KINDS, INGRESS_KINDS } from '../../module/kinds.js';
import { ensureStateTable } from '../dynamodb/table.js';
import { ENV, type EgressBinding } from '../runtime-env.js';

/**
 * The AWS resources of an app, made on the emulators as the CDK construct makes them on AWS: the state
 * table, the FIFO queue of addresses, the delay queue, the schedule group, a queue per SQS egress and SQS
 * ingress, and a queue for the playground egress. Idempotent: an existing resource is kept.
 */

export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
}

export interface LocalResources {
  readonly tableName: string;
  readonly queue: LocalQueue;
  readonly delayQueue: LocalQueue;
  readonly scheduleGroup: string;
  readonly schedulerRoleArn: string;
  /** Egress id → what it is bound to. */
  readonly egressBindings: ReadonlyMap<string, EgressBinding>;
  /** Queues of the SQS ingresses, by ingress id. */
  readonly ingressQueues: ReadonlyMap<string, LocalQueue>;
  /** Egresses the emulators cannot carry (SNS, EventBridge, Kinesis): records sent to them park their sender. */
  readonly unsupportedEgresses: readonly string[];
  /** The handlers' environment (functions/README.md). */
  readonly env: Readonly<Record<string, string>>;
}

export interface ProvisionOptions {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly scheduler: SchedulerClient;
  /** Prefix of the names made here. */
  readonly prefix: string;
  /** Visibility timeout of the queues the handlers consume (≥ 6 × the function timeout, as the construct enforces). */
  readonly visibilityTimeoutSeconds: number;
}

export const LOCAL_ACCOUNT = '000000000000';

export async function provisionLocal(model: AppModel, options: ProvisionOptions): Promise<LocalResources> {
  const { prefix } = options;
  const tableName = `${prefix}-state`;
  const visibility = String(options.visibilityTimeoutSeconds);
  await ensureStateTable(options.dynamodb, tableName);
  const [queue, delayQueue] = await Promise.all([
    createQueue(options.sqs, `${prefix}-addresses.fifo`, { VisibilityTimeout: visibility }),
    createQueue(options.sqs, `${prefix}-delays`, { VisibilityTimeout: visibility }),
  ]);
  const scheduleGroup = prefix;
  try {
    await options.scheduler.send(new CreateScheduleGroupCommand({ Name: scheduleGroup }));
  } catch (error) {
    if (!(error instanceof ConflictException)) throw error;
  }

  const egressBindings = new Map<string, EgressBinding>();
  const unsupported: string[] = [];
  for (const spec of model.egresses.values()) {
    switch (spec.kind) {
      case EGRESS_KINDS.sqs:
        egressBindings.set(spec.id, { queueUrl: (await createQueue(options.sqs, spec.queue.name, {})).url });
        break;
      case EGRESS_KINDS.playground:
        egressBindings.set(spec.id, { queueUrl: (await createQueue(options.sqs, `${prefix}-playground-egress`, {})).url });
        break;
      case EGRESS_KINDS.log:
        break;
      default:
        unsupported.push(`${spec.id} (${spec.kind})`);
    }
  }
  const ingressQueues = new Map<string, LocalQueue>();
  for (const spec of model.ingresses.values()) {
    if (spec.kind === INGRESS_KINDS.sqs) ingressQueues.set(spec.id, await createQueue(options.sqs, spec.queue.name, { VisibilityTimeout: visibility }));
  }
  const schedulerRoleArn = `arn:aws:iam::${LOCAL_ACCOUNT}:role/${prefix}-scheduler`;
  const env: Record<string, string> = {
    [ENV.tableName]: tableName,
    [ENV.queueUrl]: queue.url,
    [ENV.delayQueueUrl]: delayQueue.url,
    [ENV.delayQueueArn]: delayQueue.arn,
    [ENV.scheduleGroup]: scheduleGroup,
    [ENV.schedulerRoleArn]: schedulerRoleArn,
    [ENV.egressBindings]: JSON.stringify(Object.fromEntries(egressBindings)),
  };
  return { tableName, queue, delayQueue, scheduleGroup, schedulerRoleArn, egressBindings, ingressQueues, unsupportedEgresses: unsupported, env };
}

/** Creates a queue (FIFO when the name ends in `.fifo`) or finds it, and answers its URL and ARN. */
export async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<LocalQueue> {
  const fifo = name.endsWith('.fifo') ? { FifoQueue: 'true' } : {};
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { ...fifo, ...attributes } }));
  if (QueueUrl === undefined) throw new Error(`CreateQueue ${name} returned no URL`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? `arn:aws:sqs:us-east-1:${LOCAL_ACCOUNT}:${name}` };
}

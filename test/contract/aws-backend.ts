/**
 * The AWS adapters on the emulators as a contract backend: DynamoDB Local for the stores, the SQS emulator for
 * the bus and the delay queue, the Scheduler emulator for long delays. The probe runs what Lambda would: the
 * delay forwarder on the delay queue, and a consumer of the FIFO queue that records what each address received.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type Address, addressKey } from '../../runtime/core/address.js';
import { describeError } from '../../runtime/core/errors.js';
import { DynamoDbDeadLetterStore } from '../../runtime/aws/dynamodb/dead-letter-store.js';
import { DynamoDbSpecStore } from '../../runtime/aws/dynamodb/spec-store.js';
import { DynamoDbStateStore } from '../../runtime/aws/dynamodb/state-store.js';
import { CapacityTally } from '../../runtime/aws/dynamodb/capacity.js';
import { ensureStateTable } from '../../runtime/aws/dynamodb/table.js';
import { SqsDelayScheduler } from '../../runtime/aws/scheduler/delay-scheduler.js';
import { SqsDelayForwarder } from '../../runtime/aws/scheduler/forwarder.js';
import { decodeMessageBodies } from '../../runtime/aws/sqs/envelope-body.js';
import { SqsFifoMessageBus } from '../../runtime/aws/sqs/message-bus.js';
import { type AwsEmulatorEndpoints, clientConfig } from '../support/emulators.js';
import { ROLE_ARN } from '../support/scheduler-helpers.js';
import { createQueue, uniqueQueueName } from '../support/sqs-helpers.js';
import type { Arrival, ContractBackend } from './port-contract.js';

/** Delays above this take the Scheduler path (production: 15 min); the schedule fires this early (production: 5 min). */
const SHORT_DELAY_MAX_MS = 3_000;
const LEAD_TIME_MS = 2_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface AwsContractBackend extends ContractBackend {
  readonly capacity: CapacityTally;
  readonly tableName: string;
  readonly dynamodb: DynamoDBClient;
}

export async function awsContractBackend(endpoints: AwsEmulatorEndpoints): Promise<AwsContractBackend> {
  const dynamodb = new DynamoDBClient(clientConfig(endpoints.dynamodb));
  const sqs = new SQSClient(clientConfig(endpoints.sqs));
  const schedulerClient = new SchedulerClient(clientConfig(endpoints.scheduler));
  const suffix = randomUUID().slice(0, 8);
  const tableName = `contract-${suffix}`;
  const groupName = `contract-${suffix}`;
  const [, bus, delay] = await Promise.all([
    ensureStateTable(dynamodb, tableName),
    createQueue(sqs, uniqueQueueName('contract-addresses', true)),
    createQueue(sqs, uniqueQueueName('contract-delays', false)),
    schedulerClient.send(new CreateScheduleGroupCommand({ Name: groupName })),
  ]);

  const capacity = new CapacityTally();
  const table = { client: dynamodb, tableName, capacity };
  const messageBus = new SqsFifoMessageBus({ client: sqs, queueUrl: bus.url });
  const scheduler = new SqsDelayScheduler({
    sqs,
    delayQueueUrl: delay.url,
    longDelays: { client: schedulerClient, delayQueueArn: delay.arn, roleArn: ROLE_ARN, groupName },
    shortDelayMaxMs: SHORT_DELAY_MAX_MS,
    leadTimeMs: LEAD_TIME_MS,
  });
  const forwarder = new SqsDelayForwarder({ bus: messageBus, sqs, delayQueueUrl: delay.url });

  // What Lambda would run: the delay forwarder on the delay queue, the dispatcher on the FIFO queue (here it
  // only records, per address, what arrived and when it entered the queue).
  const arrivals = new Map<string, Arrival[]>();
  let stopped = false;
  let pumpError: unknown;
  const pump = (async () => {
    while (!stopped) {
      let busy = false;
      try {
        const delayed = await sqs.send(new ReceiveMessageCommand({ QueueUrl: delay.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 5 }));
        const records = (delayed.Messages ?? []).map((m) => ({ messageId: m.MessageId!, body: m.Body ?? '', receiptHandle: m.ReceiptHandle! }));
        if (records.length > 0) {
          busy = true;
          const outcomes = await forwarder.forward(records, Date.now());
          const done = records.filter((_, i) => outcomes[i]!.kind === 'done');
          if (done.length > 0) {
            await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: delay.url, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
          }
        }
        const received = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: bus.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['SentTimestamp'] }),
        );
        const messages = received.Messages ?? [];
        if (messages.length > 0) {
          busy = true;
          for (const m of messages) {
            for (const envelope of decodeMessageBodies(m.Body ?? '')) {
              const key = addressKey(envelope.target);
              let list = arrivals.get(key);
              if (list === undefined) arrivals.set(key, (list = []));
              list.push({ envelope, at: Number(m.Attributes?.SentTimestamp ?? Date.now()) });
            }
          }
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: bus.url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
        }
      } catch (error) {
        pumpError = error;
      }
      if (!busy) await sleep(25);
    }
  })();

  const received = async (target: Address, options: { atLeast?: number; waitMs?: number } = {}): Promise<Arrival[]> => {
    const key = addressKey(target);
    const deadline = Date.now() + (options.waitMs ?? 0);
    while ((arrivals.get(key)?.length ?? 0) < (options.atLeast ?? 0) && Date.now() < deadline) await sleep(25);
    if (pumpError !== undefined) throw new Error(`the queue consumer of the contract backend failed: ${describeError(pumpError)}`, { cause: pumpError });
    const out = arrivals.get(key) ?? [];
    arrivals.delete(key);
    return out;
  };

  return {
    store: new DynamoDbStateStore(table),
    specs: new DynamoDbSpecStore(table),
    letters: new DynamoDbDeadLetterStore(table),
    bus: messageBus,
    scheduler,
    capacity,
    tableName,
    dynamodb,
    probe: { now: () => Date.now(), passTime: sleep, received },
    traits: {
      longDelayMs: 6_000,
      shortDelayMs: 2_000,
      // Whole-second DelaySeconds and at() times, the forwarder's and the consumer's polls, a busy 2-core machine.
      fireLatenessMs: 4_000,
      // Short delays are SQS messages that cannot be taken back: the owner drops their fire. Long ones are deleted schedules.
      cancelledTimer: (delayMs) => (delayMs > SHORT_DELAY_MAX_MS ? 'not-delivered' : 'stale-fire'),
      listingLagMs: 2_000,
    },
    close: async () => {
      stopped = true;
      await pump;
      dynamodb.destroy();
      sqs.destroy();
      schedulerClient.destroy();
    },
  };
}

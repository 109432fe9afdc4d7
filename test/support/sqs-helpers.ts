/** Small SQS helpers for tests against the SQS emulator. */
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** A fresh queue name with `prefix` (unique per call, so test files sharing one SQS emulator never collide). */
export function uniqueQueueName(prefix: string, fifo: boolean): string {
  return `${prefix}-${randomUUID().slice(0, 8)}${fifo ? '.fifo' : ''}`;
}

/** Creates a queue and answers its URL and ARN. */
export async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string> = {},
): Promise<{ readonly url: string; readonly arn: string }> {
  const fifo = name.endsWith('.fifo') ? { FifoQueue: 'true' } : {};
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { ...fifo, ...attributes } }));
  if (QueueUrl === undefined) throw new Error(`CreateQueue ${name} returned no URL`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.['QueueArn'];
  if (arn === undefined) throw new Error(`queue ${name} has no QueueArn`);
  return { url: QueueUrl, arn };
}

/** Receives (and deletes) one batch, waiting up to `waitSeconds` for a first message. */
export async function receiveBatch(sqs: SQSClient, queueUrl: string, waitSeconds = 0): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  for (const message of Messages) {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }
  return Messages;
}

/** Receives (and deletes) everything currently in the queue. */
export async function drain(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const batch = await receiveBatch(sqs, queueUrl);
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** Receives (and deletes) until `count` messages arrived or `timeoutMs` passed. */
export async function receiveUntil(sqs: SQSClient, queueUrl: string, count: number, timeoutMs = 20_000): Promise<Message[]> {
  const all: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (all.length < count && Date.now() < deadline) {
    all.push(...(await receiveBatch(sqs, queueUrl, 1)));
  }
  return all;
}

import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** One received message whose visibility to change: its receipt handle and the new timeout. */
export interface VisibilityChange {
  readonly receiptHandle: string;
  readonly timeoutSeconds: number;
}

/** SQS's longest visibility timeout: 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Changes the visibility of received messages of a queue (the retry backoff of the dispatcher), 10 per
 * ChangeMessageVisibilityBatch, all batches at once. Best effort by design: a stale receipt handle (the message
 * was received again meanwhile) or any failure leaves the message to come back when its current visibility
 * timeout ends — never a lost message — so failures are swallowed.
 */
export class SqsQueueControl {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < changes.length; i += 10) {
      const entries = changes.slice(i, i + 10).map((c, k) => ({
        Id: String(k),
        ReceiptHandle: c.receiptHandle,
        VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(c.timeoutSeconds))),
      }));
      requests.push(this.client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.queueUrl, Entries: entries })));
    }
    await Promise.allSettled(requests);
  }
}

import type { SQSClient } from '@aws-sdk/client-sqs';
import { addressKey } from '../../core/address.js';
import type { Envelope } from '../../core/envelope.js';
import type { MessageBus } from '../../ports.js';
import type { EntryRetryOptions } from '../entry-retries.js';
import { batches, rounds } from './batches.js';
import { checkedMessageBody } from './envelope-body.js';
import { deduplicationIdFor, messageGroupIdFor } from './fifo-ids.js';
import { type BatchEntry, sendBatch } from './send-batch.js';

export interface SqsMessageBusOptions {
  /** The client, built once per container by the caller. */
  readonly client: SQSClient;
  /** URL of the FIFO queue of addresses. */
  readonly queueUrl: string;
  /** Retries of entries a batch did not accept. @default 4 attempts, 50 ms doubling */
  readonly retry?: EntryRetryOptions;
}

/**
 * {@link MessageBus} over one SQS FIFO queue: each address is a message group (`MessageGroupId` from
 * {@link messageGroupIdFor}), so its messages are delivered in order, one batch in flight at a time.
 *
 * - Body: the envelope in protobuf, base64 (`envelope-body.ts`); nothing in message attributes. A body over
 *   1 MiB is refused with a {@link TerminalError} naming the message, before anything is sent.
 * - `MessageDeduplicationId`: the SHA-256 of the envelope id, so SQS drops a copy released again within 5
 *   minutes (I3); receivers drop later ones by their dedup marks.
 * - Batching: SendMessageBatch, at most one message per group per request round (see `batches.ts` for why),
 *   up to 10 entries and 1 MiB per request; requests of one round go in parallel. Entries that fail are sent
 *   again (4 attempts), then the send fails with a {@link RetryableError} and the engine releases again.
 *
 * Sending 10 messages to 10 addresses is one request; 10 messages to one address are 10 requests, in order.
 */
export class SqsFifoMessageBus implements MessageBus {
  constructor(private readonly options: SqsMessageBusOptions) {}

  async send(messages: readonly Envelope[]): Promise<void> {
    if (messages.length === 0) return;
    const entries = messages.map((envelope): BatchEntry & { group: string; bytes: number } => {
      const body = checkedMessageBody(envelope);
      const group = messageGroupIdFor(addressKey(envelope.target));
      return {
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: deduplicationIdFor(envelope.id),
        describe: `message ${envelope.id} to ${addressKey(envelope.target)}`,
        group,
        bytes: body.length,
      };
    });
    const what = `SQS SendMessageBatch to the queue of addresses`;
    for (const round of rounds(entries, (e) => e.group)) {
      await Promise.all(
        batches(round).map((batch) =>
          sendBatch(
            this.options.client,
            this.options.queueUrl,
            what,
            batch.map(({ group: _group, bytes: _bytes, ...entry }) => entry),
            this.options.retry,
          ),
        ),
      );
    }
  }
}

import type { SQSClient } from '@aws-sdk/client-sqs';
import { addressKey } from '../../core/address.js';
import type { Envelope } from '../../core/envelope.js';
import type { MessageBus } from '../../ports.js';
import type { EntryRetryOptions } from '../entry-retries.js';
import { batches, rounds } from './batches.js';
import { bundleBodies } from './envelope-body.js';
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
    const entries = bundleBodies(messages).map(({ envelopes, body }): BatchEntry & { group: string; bytes: number } => {
      const first = envelopes[0]!;
      const group = messageGroupIdFor(addressKey(first.target));
      return {
        MessageBody: body,
        MessageGroupId: group,
        // A bundle is always cut the same way from the same turn's messages, so its dedup id is stable too.
        MessageDeduplicationId: deduplicationIdFor(envelopes.length === 1 ? first.id : envelopes.map((e) => e.id).join('\n')),
        describe: envelopes.length === 1 ? `message ${first.id} to ${addressKey(first.target)}` : `${envelopes.length} messages from ${first.id} on to ${addressKey(first.target)}`,
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

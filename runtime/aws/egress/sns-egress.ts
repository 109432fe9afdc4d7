import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from '@aws-sdk/client-sns';
import { TerminalError, ValidationError } from '../../core/errors.js';
import type { EgressRecord } from '../../core/record.js';
import type { SnsEgressSpec } from '../../module/egress.js';
import type { EgressSink } from '../../ports.js';
import { awsCall } from '../aws-errors.js';
import { type EntryFailure, type EntryRetryOptions, sendWithEntryRetries } from '../entry-retries.js';
import { batches, rounds } from '../sqs/batches.js';
import { deduplicationIdFor, messageGroupIdFor } from '../sqs/fifo-ids.js';
import { attributesSize, messageBody, recordAttributes } from './attributes.js';
import { keyOf, SOURCE_ADDRESS } from './key-rules.js';
import { egressPayload } from './payload.js';

/** SNS's largest message (body and attributes), and of one PublishBatch: 256 KiB. */
export const MAX_SNS_MESSAGE_BYTES = 262_144;

export interface SnsEgressSinkOptions {
  readonly spec: Pick<SnsEgressSpec, 'id' | 'topic' | 'messageGroupId' | 'subject'>;
  /** The client, built once per container by the caller. */
  readonly client: SNSClient;
  /** The topic's ARN when the spec names it by name only (a deployment's binding). @default - the spec's ARN */
  readonly topicArn?: string;
  readonly retry?: EntryRetryOptions;
}

/**
 * {@link EgressSink} to an SNS topic (`io.statefun-aws.sns.v1/egress`), by PublishBatch (10 per request).
 * The message is built as for SQS: the value as text, JSON or base64 (`-` for a value with no bytes), with the `statefun-idempotency-key`,
 * `statefun-typename` and `statefun-source` attributes (SNS passes them on to subscribers with raw delivery off
 * or on), and the spec's subject.
 *
 * Dedup (DESIGN I6):
 * - FIFO topic: `MessageDeduplicationId` = SHA-256 of the record key — SNS drops a copy published again within
 *   its 5-minute window, so delivery to FIFO subscribers is exactly once unless a release repeats more than 5
 *   minutes later; `MessageGroupId` from the spec's key rule (default: the sending address), order kept per group.
 * - Standard topic: at least once; subscribers dedup by the `statefun-idempotency-key` attribute.
 */
export class SnsEgressSink implements EgressSink {
  private readonly topicArn: string;
  private readonly fifo: boolean;

  constructor(private readonly options: SnsEgressSinkOptions) {
    const { spec } = options;
    const arn = options.topicArn ?? (spec.topic.ref.startsWith('arn:') ? spec.topic.ref : undefined);
    if (arn === undefined) {
      throw new ValidationError(`egress ${spec.id}: SNS topic ${JSON.stringify(spec.topic.ref)} must be given by ARN (or bound to one by the deployment)`);
    }
    this.topicArn = arn;
    this.fifo = arn.endsWith('.fifo');
  }

  async publish(records: readonly EgressRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { spec } = this.options;
    const entries = records.map((record) => {
      const payload = egressPayload(record.argument);
      const { body: message, encoding } = messageBody(payload);
      const describe = `record ${record.key}`;
      const attributes = recordAttributes(record, encoding);
      const bytes = Buffer.byteLength(message) + attributesSize(attributes);
      if (bytes > MAX_SNS_MESSAGE_BYTES) {
        throw new TerminalError(`egress ${spec.id}: ${describe} is ${bytes} bytes as an SNS message, more than SNS takes (${MAX_SNS_MESSAGE_BYTES})`);
      }
      const group = this.fifo ? messageGroupIdFor(keyOf(spec.messageGroupId ?? SOURCE_ADDRESS, record, payload)) : '';
      const entry: Omit<PublishBatchRequestEntry, 'Id'> = {
        Message: message,
        MessageAttributes: attributes,
        ...(spec.subject !== undefined ? { Subject: spec.subject } : {}),
        ...(this.fifo ? { MessageGroupId: group, MessageDeduplicationId: deduplicationIdFor(record.key) } : {}),
      };
      return { entry, describe, group, bytes };
    });
    const what = `SNS PublishBatch to egress ${spec.id} (${spec.topic.name})`;
    for (const round of this.fifo ? rounds(entries, (e) => e.group) : [entries]) {
      await Promise.all(
        batches(round, 10, MAX_SNS_MESSAGE_BYTES).map((batch) =>
          sendWithEntryRetries(
            what,
            batch,
            async (pending) => {
              const out = await awsCall(what, () =>
                this.options.client.send(new PublishBatchCommand({ TopicArn: this.topicArn, PublishBatchRequestEntries: pending.map((p, i) => ({ ...p.entry, Id: String(i) })) })),
              );
              return (out.Failed ?? []).map(
                (f): EntryFailure => ({ index: Number(f.Id), code: f.Code ?? 'Unknown', message: f.Message, permanent: f.SenderFault === true }),
              );
            },
            (e) => e.describe,
            this.options.retry,
          ),
        ),
      );
    }
  }
}

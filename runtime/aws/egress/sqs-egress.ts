import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TerminalError, ValidationError } from '../../core/errors.js';
import type { EgressRecord } from '../../core/record.js';
import type { SqsEgressSpec } from '../../module/egress.js';
import type { EgressSink } from '../../ports.js';
import { awsCall } from '../aws-errors.js';
import type { EntryRetryOptions } from '../entry-retries.js';
import { batches, rounds } from '../sqs/batches.js';
import { MAX_SQS_MESSAGE_BYTES } from '../sqs/envelope-body.js';
import { deduplicationIdFor, messageGroupIdFor } from '../sqs/fifo-ids.js';
import { type BatchEntry, sendBatch } from '../sqs/send-batch.js';
import { attributesSize, messageBody, recordAttributes } from './attributes.js';
import { keyOf, SOURCE_ADDRESS } from './key-rules.js';
import { egressPayload } from './payload.js';

export interface SqsEgressSinkOptions {
  readonly spec: Pick<SqsEgressSpec, 'id' | 'queue' | 'messageGroupId'>;
  /** The client, built once per container by the caller. */
  readonly client: SQSClient;
  /** The queue's URL when known (a deployment's binding); otherwise the spec's URL, or GetQueueUrl of its name/ARN once. */
  readonly queueUrl?: string;
  readonly retry?: EntryRetryOptions;
}

/**
 * {@link EgressSink} to an SQS queue of the user's (`io.statefun-aws.sqs.v1/egress`).
 *
 * Message: the body is the value (a string as itself, JSON as its text, anything else base64 with
 * `statefun-content-encoding: base64`; a value with no bytes, which SQS cannot carry as a body, as `-` with
 * `statefun-content-encoding: empty`); attributes `statefun-idempotency-key` (the record key),
 * `statefun-typename` and `statefun-source`. A message over 1 MiB is refused with a {@link TerminalError}
 * naming the egress and the record.
 *
 * Dedup (DESIGN I6):
 * - FIFO queue: `MessageDeduplicationId` = SHA-256 of the record key, so a record released again within SQS's
 *   5-minute window is dropped by SQS itself — exactly once, unless a release is repeated more than 5 minutes
 *   after the first (a crash between commit and release noticed that late): then a duplicate is possible, with
 *   the same idempotency key attribute. `MessageGroupId` from the spec's key rule (default: the sending
 *   address), hashed when SQS would refuse it; per group, records keep their order (one per group per round).
 * - Standard queue: at least once; consumers dedup by the `statefun-idempotency-key` attribute.
 */
export class SqsEgressSink implements EgressSink {
  private queueUrl: string | undefined;
  private readonly fifo: boolean;

  constructor(private readonly options: SqsEgressSinkOptions) {
    this.fifo = options.spec.queue.fifo;
    this.queueUrl = options.queueUrl ?? (/^https?:\/\//.test(options.spec.queue.ref) ? options.spec.queue.ref : undefined);
    if (options.queueUrl !== undefined && options.queueUrl.endsWith('.fifo') !== this.fifo) {
      throw new ValidationError(`egress ${options.spec.id}: queue ${options.queueUrl} and ${options.spec.queue.ref} disagree on being FIFO`);
    }
  }

  async publish(records: readonly EgressRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { spec } = this.options;
    const entries = records.map((record) => {
      const payload = egressPayload(record.argument);
      const { body, encoding } = messageBody(payload);
      const describe = `record ${record.key}`;
      const attributes = recordAttributes(record, encoding);
      const bytes = Buffer.byteLength(body) + attributesSize(attributes);
      if (bytes > MAX_SQS_MESSAGE_BYTES) {
        throw new TerminalError(`egress ${spec.id}: ${describe} is ${bytes} bytes as an SQS message, more than SQS takes (${MAX_SQS_MESSAGE_BYTES})`);
      }
      const group = this.fifo ? messageGroupIdFor(keyOf(spec.messageGroupId ?? SOURCE_ADDRESS, record, payload)) : '';
      const entry: BatchEntry = {
        MessageBody: body,
        MessageAttributes: attributes,
        ...(this.fifo ? { MessageGroupId: group, MessageDeduplicationId: deduplicationIdFor(record.key) } : {}),
        describe,
      };
      return { entry, group, bytes };
    });
    const queueUrl = await this.resolveQueueUrl();
    const what = `SQS SendMessageBatch to egress ${spec.id} (${spec.queue.name})`;
    for (const round of this.fifo ? rounds(entries, (e) => e.group) : [entries]) {
      await Promise.all(batches(round).map((batch) => sendBatch(this.options.client, queueUrl, what, batch.map((b) => b.entry), this.options.retry)));
    }
  }

  private async resolveQueueUrl(): Promise<string> {
    if (this.queueUrl !== undefined) return this.queueUrl;
    const { queue } = this.options.spec;
    const owner = /^arn:[^:]+:sqs:[^:]*:(\d{12}):/.exec(queue.ref)?.[1];
    const out = await awsCall(`SQS GetQueueUrl of ${queue.ref} (egress ${this.options.spec.id})`, () =>
      this.options.client.send(new GetQueueUrlCommand({ QueueName: queue.name, ...(owner !== undefined ? { QueueOwnerAWSAccountId: owner } : {}) })),
    );
    if (out.QueueUrl === undefined) throw new ValidationError(`egress ${this.options.spec.id}: GetQueueUrl of ${queue.ref} gave no URL`);
    this.queueUrl = out.QueueUrl;
    return out.QueueUrl;
  }
}

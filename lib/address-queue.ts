import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ValidationError } from '../runtime/core/errors.js';

export interface AddressQueueProps {
  /**
   * How long a received batch stays invisible to other consumers. Must be at least 6 × the dispatcher's
   * timeout (AWS's advice for Lambda event sources; {@link StatefulFunctions} checks it).
   *
   * @default Duration.minutes(6) - 6 × the dispatcher's default timeout of 1 minute
   */
  readonly visibilityTimeout?: Duration;
  /**
   * FIFO high-throughput mode: deduplication per message group and throughput limit per message group id.
   * Our deduplication ids are unique per message, and a message always goes to its address's group, so this
   * changes no semantics; it raises the queue's limits.
   *
   * @default false - queue-scoped deduplication and limits (AWS's default)
   */
  readonly highThroughput?: boolean;
  /**
   * Content-based deduplication: a message sent without a deduplication id is deduplicated by the SHA-256
   * of its body. Every producer of the runtime sets an explicit id (DESIGN I3), which takes precedence; this
   * only helps producers granted with `grantSendMessages` that leave it out, and is safe because every
   * envelope carries its message id (equal bodies are the same message).
   *
   * @default true
   */
  readonly contentBasedDeduplication?: boolean;
  /**
   * Receives of one message before SQS moves it to the dead-letter queue. The dispatcher parks an address
   * after `retryMaxAttempts` failed attempts by itself; this is the last resort for messages it cannot even
   * read, so it must be higher.
   *
   * @default 20
   */
  readonly maxReceiveCount?: number;
  /**
   * How long messages are kept.
   *
   * @default Duration.days(14) - SQS's maximum
   */
  readonly retentionPeriod?: Duration;
}

/**
 * The FIFO queue of addresses (one message group per address, so each address's messages are processed in
 * order, one batch at a time) and its FIFO dead-letter queue. Encrypted with SQS managed keys; TLS enforced.
 *
 * @example
 * const queue = new AddressQueue(this, 'Queue', { highThroughput: true });
 * queue.grantSendMessages(producer);
 */
export class AddressQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly maxReceiveCount: number;
  readonly visibilityTimeout: Duration;

  constructor(scope: Construct, id: string, props: AddressQueueProps = {}) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 20;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new ValidationError(`AddressQueue ${this.node.path}: maxReceiveCount must be a whole number from 1 to 1000, got ${String(maxReceiveCount)}`);
    }
    this.maxReceiveCount = maxReceiveCount;
    const visibilityTimeout = props.visibilityTimeout ?? Duration.minutes(6);
    const visibilitySeconds = visibilityTimeout.toSeconds();
    if (!Number.isInteger(visibilitySeconds) || visibilitySeconds < 0 || visibilitySeconds > 43_200) {
      throw new ValidationError(`AddressQueue ${this.node.path}: visibilityTimeout must be whole seconds up to 12 hours (SQS's limit), got ${visibilityTimeout.toHumanString()}`);
    }
    this.visibilityTimeout = visibilityTimeout;
    const retentionPeriod = props.retentionPeriod ?? Duration.days(14);
    const highThroughput = props.highThroughput ?? false;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      fifo: true,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      fifo: true,
      contentBasedDeduplication: props.contentBasedDeduplication ?? true,
      ...(highThroughput ? { deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP, fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID } : {}),
      visibilityTimeout,
      retentionPeriod,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
  }

  /**
   * Lets `grantee` send messages to addresses (producers outside the app writing envelopes straight into the
   * queue): `sqs:SendMessage`, `sqs:GetQueueAttributes`, `sqs:GetQueueUrl`.
   */
  grantSendMessages(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }
}

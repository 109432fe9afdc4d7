import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../../core/errors.js';
import type { LambdaContext, SqsBatchResponse, SqsEvent, SqsRecord } from '../lambda/events.js';
import { lambdaContext, type QueueSource, sqsRecordOf } from './event-builders.js';

/** An SQS-triggered handler, as `functions/` makes them. */
export type SqsHandler = (event: SqsEvent, context: LambdaContext) => Promise<SqsBatchResponse | void>;

export interface SqsPollerOptions {
  /** Names the poller in errors. */
  readonly name: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly source: QueueSource;
  readonly handler: SqsHandler;
  /** Most records per invocation (Lambda's batch size). @default 10 */
  readonly batchSize?: number;
  /** Invocations running at once (Lambda's concurrency on this event source). @default 4 */
  readonly concurrency?: number;
  /** The function's timeout: what `getRemainingTimeInMillis()` counts down from. @default 30_000 */
  readonly functionTimeoutMs?: number;
  /** Long-poll wait of an empty receive. @default 1 (Lambda waits 20 s; a short wait lets stop return quickly) */
  readonly waitSeconds?: number;
  /** Told about handler errors and failed SQS calls (the poller carries on). */
  readonly onError?: (error: unknown) => void;
  /**
   * Fault injection: records the handler finished but whose deletion is skipped, as if the Lambda service lost
   * them between the handler's answer and the delete. They come back after the visibility timeout.
   */
  readonly skipDelete?: (record: SqsRecord) => boolean;
}

/** What a poller did, for tests and the cost benchmark. */
export interface PollerStats {
  /** ReceiveMessage calls, empty ones included. */
  receives: number;
  /** ReceiveMessage calls that returned messages. */
  fullReceives: number;
  /** Handler calls (Lambda invocations). */
  invocations: number;
  records: number;
  /** Records the handler reported as batch item failures. */
  failedRecords: number;
  /** DeleteMessageBatch calls. */
  deletes: number;
  /** Invocations that threw (their records come back after the visibility timeout). */
  errors: number;
}

/**
 * Lambda's SQS event source mapping, locally: receives from a queue, assembles batches, invokes the handler with
 * the event Lambda would build, and deletes what the handler did not report as failed. A handler that throws
 * has its whole batch left to come back after the visibility timeout, as on AWS.
 *
 * Batches are assembled across receives up to `batchSize`: the SQS emulator returns at most one message per
 * FIFO group per receive (AWS returns up to 10 of a group), so batches here hold one message per group; tests
 * of same-group batches use synthetic events.
 */
export class SqsPoller {
  readonly stats: PollerStats = { receives: 0, fullReceives: 0, invocations: 0, records: 0, failedRecords: 0, deletes: 0, errors: 0 };
  private running = false;
  private workers: Promise<void>[] = [];
  private busy = 0;
  private readonly abort = new AbortController();

  constructor(private readonly options: SqsPollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const concurrency = this.options.concurrency ?? 4;
    this.workers = Array.from({ length: concurrency }, () => this.loop());
  }

  /** Stops receiving and waits for invocations under way to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.allSettled(this.workers);
    this.workers = [];
  }

  /** Invocations running now. */
  get inFlight(): number {
    return this.busy;
  }

  private async loop(): Promise<void> {
    const batchSize = Math.min(10, Math.max(1, this.options.batchSize ?? 10));
    while (this.running) {
      try {
        const messages = await this.receive(batchSize, this.options.waitSeconds ?? 1);
        if (messages.length === 0) continue;
        while (messages.length < batchSize && this.running) {
          const more = await this.receive(batchSize - messages.length, 0);
          if (more.length === 0) break;
          messages.push(...more);
        }
        await this.invoke(messages);
      } catch (error) {
        if (!this.running) return;
        this.options.onError?.(new Error(`${this.options.name}: ${describeError(error)}`, { cause: error }));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    this.stats.receives++;
    const { Messages = [] } = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    if (Messages.length > 0) this.stats.fullReceives++;
    return Messages;
  }

  private async invoke(messages: Message[]): Promise<void> {
    const event: SqsEvent = { Records: messages.map((m) => sqsRecordOf(m, this.options.source)) };
    this.stats.invocations++;
    this.stats.records += messages.length;
    this.busy++;
    let response: SqsBatchResponse | void;
    try {
      response = await this.options.handler(event, lambdaContext(this.options.functionTimeoutMs ?? 30_000, this.options.name));
    } catch (error) {
      this.stats.errors++;
      this.options.onError?.(new Error(`${this.options.name}: the handler failed; its ${messages.length} records come back after the visibility timeout: ${describeError(error)}`, { cause: error }));
      return;
    } finally {
      this.busy--;
    }
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    this.stats.failedRecords += failed.size;
    const skip = this.options.skipDelete;
    const done = messages.filter((m, i) => !failed.has(m.MessageId ?? '') && (skip === undefined || !skip(event.Records[i]!)));
    for (let i = 0; i < done.length; i += 10) {
      const chunk = done.slice(i, i + 10);
      this.stats.deletes++;
      await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: chunk.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }
}

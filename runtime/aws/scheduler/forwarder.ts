import type { SQSClient } from '@aws-sdk/client-sqs';
import { addressKey } from '../../core/address.js';
import type { Envelope } from '../../core/envelope.js';
import { describeError } from '../../core/errors.js';
import type { MessageBus } from '../../ports.js';
import type { EntryRetryOptions } from '../entry-retries.js';
import { batches } from '../sqs/batches.js';
import { decodeMessageBody, encodeMessageBody } from '../sqs/envelope-body.js';
import { sendBatch } from '../sqs/send-batch.js';
import { delaySecondsUntil } from './delay-scheduler.js';

/** One record of the delay queue, as the forwarder receives it. */
export interface DelayQueueRecord {
  readonly messageId: string;
  readonly body: string;
}

/** What to do with a batch of delay-queue records. */
export interface ForwardPlan {
  /** Fires that are due: send them to their owners' FIFO groups. */
  readonly forward: ReadonlyArray<{ readonly messageId: string; readonly envelope: Envelope }>;
  /** Fires that came early (a long delay's schedule, or a hop of 15 minutes): back to the delay queue. */
  readonly requeue: ReadonlyArray<{ readonly messageId: string; readonly envelope: Envelope; readonly delaySeconds: number }>;
  /** Records that are no timer fire: nothing can ever be done with them (drop them, and say so). */
  readonly rejected: ReadonlyArray<{ readonly messageId: string; readonly reason: string }>;
}

/**
 * The delay forwarder's decision, pure: a fire whose `dueAt` has come (by `now`) is forwarded; one that is
 * early goes back with the remaining delay in whole seconds, rounded up (at most 900, so a longer wait takes
 * several hops). This is what makes every delay precise to about a second and never early.
 */
export function forwardDueFires(records: readonly DelayQueueRecord[], now: number): ForwardPlan {
  const forward: Array<ForwardPlan['forward'][number]> = [];
  const requeue: Array<ForwardPlan['requeue'][number]> = [];
  const rejected: Array<ForwardPlan['rejected'][number]> = [];
  for (const { messageId, body } of records) {
    let envelope: Envelope;
    try {
      envelope = decodeMessageBody(body);
    } catch (error) {
      rejected.push({ messageId, reason: describeError(error) });
      continue;
    }
    if (envelope.origin.kind !== 'timer') {
      rejected.push({ messageId, reason: `message ${envelope.id} is a ${envelope.origin.kind} message, not a timer fire` });
      continue;
    }
    const { dueAt } = envelope.origin;
    if (dueAt <= now) forward.push({ messageId, envelope });
    else requeue.push({ messageId, envelope, delaySeconds: Math.max(1, delaySecondsUntil(dueAt, now)) });
  }
  return { forward, requeue, rejected };
}

/** What became of one delay record: handled (`done`), or to be received again (`retry`). */
export type DelayOutcome = { readonly kind: 'done' } | { readonly kind: 'retry'; readonly cause: string };

export interface SqsDelayForwarderOptions {
  /** The bus of the FIFO queue of addresses. */
  readonly bus: MessageBus;
  readonly sqs: SQSClient;
  /** URL of the delay queue, to send early fires back to. */
  readonly delayQueueUrl: string;
  readonly retry?: EntryRetryOptions;
  /** Told about records that are no timer fire; they are dropped. */
  readonly onRejected?: (messageId: string, reason: string) => void;
}

/**
 * The I/O of the delay forwarder around {@link forwardDueFires}: due fires go through the bus (deduplicated by
 * fire id within SQS's 5-minute window; the owner drops any later copy), early ones back to the delay queue.
 * A record whose forwarding failed is answered `retry`, so that the queue delivers it again — possibly after it
 * went through, which only makes a duplicate fire, dropped by its owner.
 */
export class SqsDelayForwarder {
  constructor(private readonly options: SqsDelayForwarderOptions) {}

  async forward(records: readonly DelayQueueRecord[], now: number): Promise<DelayOutcome[]> {
    const plan = forwardDueFires(records, now);
    const outcomes = new Map<string, DelayOutcome>(records.map((r) => [r.messageId, { kind: 'done' }]));
    for (const { messageId, reason } of plan.rejected) this.options.onRejected?.(messageId, reason);
    const forwarding = (async () => {
      if (plan.forward.length === 0) return;
      try {
        await this.options.bus.send(plan.forward.map((f) => f.envelope));
      } catch (error) {
        for (const f of plan.forward) outcomes.set(f.messageId, { kind: 'retry', cause: `forwarding the fire to ${addressKey(f.envelope.target)} failed: ${describeError(error)}` });
      }
    })();
    const entries = plan.requeue.map((r) => {
      const body = encodeMessageBody(r.envelope);
      return { messageId: r.messageId, entry: { MessageBody: body, DelaySeconds: r.delaySeconds, describe: `the fire ${r.envelope.id}` }, bytes: body.length };
    });
    const requeueing = batches(entries).map(async (batch) => {
      try {
        await sendBatch(this.options.sqs, this.options.delayQueueUrl, 'SQS SendMessageBatch to the delay queue', batch.map((b) => b.entry), this.options.retry);
      } catch (error) {
        for (const b of batch) outcomes.set(b.messageId, { kind: 'retry', cause: `sending the fire back to the delay queue failed: ${describeError(error)}` });
      }
    });
    await Promise.all([forwarding, ...requeueing]);
    return records.map((r) => outcomes.get(r.messageId)!);
  }
}

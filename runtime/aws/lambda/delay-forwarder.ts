import { describeError } from '../../core/errors.js';
import type { AppRuntime } from '../app-runtime.js';
import { ENV, requireSetting } from '../runtime-env.js';
import { batchFailures, type RecordOutcome } from './batch-failures.js';
import { receiveCount, sentTimestamp, type SqsBatchResponse, type SqsEvent } from './events.js';
import { rawBodyLetter, setAside, UNDECODABLE_TYPE } from './set-aside.js';

/**
 * The delay forwarder: records of the standard delay queue — short delays sent with `DelaySeconds`, and the
 * fires of long delays that EventBridge Scheduler puts there ahead of time. A fire that is due goes to its
 * owner's FIFO group (the owner drops it if the timer was cancelled or fired already, DESIGN I5); one that
 * is not due yet goes back to the delay queue with the remaining delay. A record that is no timer fire is set
 * aside as a dead letter of `statefun-aws.internal/undecodable/delay-queue`. A record that could not be handled
 * is reported as a batch item failure and comes again after the queue's visibility timeout.
 */
export async function forwardDelayBatch(rt: AppRuntime, event: SqsEvent): Promise<SqsBatchResponse> {
  const delays = requireSetting(rt.backend.delays, ENV.delayQueueUrl, 'the delay forwarder');
  const records = event.Records;
  const outcomes: RecordOutcome[] = new Array<RecordOutcome>(records.length);
  // A record that is no timer fire can never be forwarded: set it aside, never drop it.
  const fires: number[] = [];
  for (const [i, record] of records.entries()) {
    let cause: string | undefined;
    try {
      const envelope = rt.backend.decodeQueueMessage(record.body);
      if (envelope.origin.kind !== 'timer') cause = `message ${envelope.id} on the delay queue is a ${envelope.origin.kind} message, not a timer fire`;
    } catch (error) {
      cause = `the delay-queue message ${record.messageId} is not a statefun-aws envelope: ${describeError(error)}`;
    }
    if (cause === undefined) {
      fires.push(i);
      continue;
    }
    const address = { typename: UNDECODABLE_TYPE, id: 'delay-queue' };
    try {
      await setAside(rt, { envelope: rawBodyLetter(address, 'undecodable', record.messageId, new TextEncoder().encode(record.body), sentTimestamp(record)), cause, attempt: receiveCount(record) });
      outcomes[i] = { kind: 'done' };
    } catch (error) {
      rt.logger.warn('setting a delay record aside failed; it comes again', { messageId: record.messageId, error: describeError(error) });
      outcomes[i] = { kind: 'retry', afterMs: 0 };
    }
  }
  if (fires.length > 0) {
    try {
      const results = await delays.forward(
        fires.map((i) => ({ messageId: records[i]!.messageId, body: records[i]!.body, sentAt: sentTimestamp(records[i]!) })),
        rt.clock.now(),
      );
      results.forEach((r, n) => (outcomes[fires[n]!] = r.kind === 'done' ? { kind: 'done' } : { kind: 'retry', afterMs: 0 }));
      const failed = results.find((r) => r.kind === 'retry');
      if (failed !== undefined) rt.logger.warn('delay records come again', { records: results.filter((r) => r.kind === 'retry').length, cause: failed.kind === 'retry' ? failed.cause : undefined });
    } catch (error) {
      rt.logger.warn('forwarding delay records failed; they come again', { records: fires.length, error: describeError(error) });
      for (const i of fires) outcomes[i] = { kind: 'retry', afterMs: 0 };
    }
  }
  rt.metrics.flush();
  return batchFailures(records, outcomes).response;
}

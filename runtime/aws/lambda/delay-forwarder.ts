import { describeError } from '../../core/errors.js';
import type { AppRuntime } from '../app-runtime.js';
import { requireSetting } from '../runtime-env.js';
import { ENV } from '../runtime-env.js';
import { batchFailures, type RecordOutcome } from './batch-failures.js';
import { sentTimestamp, type SqsBatchResponse, type SqsEvent } from './events.js';

/**
 * The delay forwarder: records of the standard delay queue — short delays sent with `DelaySeconds`, and the
 * fires of long delays that EventBridge Scheduler puts there ahead of time. A fire that is due goes to its
 * owner's FIFO group (the owner drops it if the timer was cancelled or fired already, DESIGN I5); one that
 * is not due yet goes back to the delay queue with the remaining delay. A record that could not be handled is
 * reported as a batch item failure and comes again after the queue's visibility timeout.
 */
export async function forwardDelayBatch(rt: AppRuntime, event: SqsEvent): Promise<SqsBatchResponse> {
  const delays = requireSetting(rt.backend.delays, ENV.delayQueueUrl, 'the delay forwarder');
  const records = event.Records;
  let outcomes: RecordOutcome[];
  try {
    const results = await delays.forward(
      records.map((r) => ({ messageId: r.messageId, body: r.body, sentAt: sentTimestamp(r) })),
      rt.clock.now(),
    );
    outcomes = results.map((r) => (r.kind === 'done' ? { kind: 'done' } : { kind: 'retry', afterMs: 0 }));
    const failed = results.filter((r) => r.kind === 'retry');
    if (failed.length > 0) rt.logger.warn('delay records come again', { records: failed.length, cause: failed[0]?.kind === 'retry' ? failed[0].cause : undefined });
  } catch (error) {
    rt.logger.warn('forwarding delay records failed; they come again', { records: records.length, error: describeError(error) });
    outcomes = records.map(() => ({ kind: 'retry', afterMs: 0 }));
  }
  rt.metrics.flush();
  return batchFailures(records, outcomes).response;
}

import { type Address, addressKey, sameAddress } from '../../core/address.js';
import type { Envelope } from '../../core/envelope.js';
import { describeError } from '../../core/errors.js';
import { afterFailure } from '../../core/retry-policy.js';
import type { DeliveryOutcome } from '../../engine/turn-runner.js';
import type { AppRuntime } from '../app-runtime.js';
import { METRIC } from '../observability.js';
import { batchFailures, groupRecords, type RecordGroup, type RecordOutcome } from './batch-failures.js';
import { type LambdaContext, receiveCount, sentTimestamp, type SqsBatchResponse, type SqsEvent, type SqsRecord } from './events.js';
import { rawBodyLetter, setAside, UNDECODABLE_TYPE } from './set-aside.js';

/** Time kept back from the Lambda's remaining time for the visibility changes and the response. */
export const DISPATCH_RESERVE_MS = 1_000;

type Decoded = { readonly kind: 'envelopes'; readonly envelopes: readonly Envelope[] } | { readonly kind: 'undecodable'; readonly cause: string };

/**
 * The dispatcher: one SQS FIFO batch (≤ 10 records) of the queue of addresses.
 *
 * - Each body is decoded to its envelopes (one, or a bundle for one address — see envelope-body.ts). A body that
 *   does not decode can never be processed, so it is set aside at once as a dead letter of
 *   `statefun-aws.internal/undecodable/<group id>` (see set-aside.ts). A record counts as processed only when
 *   every envelope it carries is.
 * - Records are grouped by `MessageGroupId` (one address per group), groups run concurrently, and each group's
 *   records run in order through the engine with `attempt = ApproximateReceiveCount` and the Lambda's remaining
 *   time as the deadline. (Two addresses whose long keys hash to one group run one after the other.)
 * - Failed records, and every later record of their group, are reported as batch item failures, and their
 *   visibility is set to the backoff the engine asked for (see batch-failures.ts).
 */
export async function dispatchBatch(rt: AppRuntime, event: SqsEvent, context: LambdaContext): Promise<SqsBatchResponse> {
  const started = rt.clock.now();
  const records = event.Records;
  const deadline = started + context.getRemainingTimeInMillis() - DISPATCH_RESERVE_MS;
  const decoded = records.map((record): Decoded => {
    try {
      return { kind: 'envelopes', envelopes: rt.backend.decodeQueueMessages(record.body) };
    } catch (error) {
      return { kind: 'undecodable', cause: `the SQS message ${record.messageId} is not a statefun-aws envelope: ${describeError(error)}` };
    }
  });
  const perType = new Map<string, number>();
  for (const d of decoded) {
    const type = d.kind === 'envelopes' ? d.envelopes[0]!.target.typename : UNDECODABLE_TYPE;
    perType.set(type, (perType.get(type) ?? 0) + (d.kind === 'envelopes' ? d.envelopes.length : 1));
  }
  for (const [type, count] of perType) rt.metrics.batch(type, count);

  const groups = groupRecords(records);
  const outcomes: RecordOutcome[] = new Array<RecordOutcome>(records.length);
  await Promise.all(groups.map((group) => runGroup(rt, records, decoded, group, outcomes, deadline)));

  const { response, visibility } = batchFailures(records, outcomes, groups);
  if (visibility.length > 0) await rt.backend.queue.changeVisibility(visibility);
  const elapsed = rt.clock.now() - started;
  rt.metrics.add('-', METRIC.handlerLatency, elapsed);
  rt.metrics.flush();
  rt.logger.debug('batch dispatched', { records: records.length, groups: groups.length, failed: response.batchItemFailures.length, durationMs: elapsed });
  return response;
}

async function runGroup(
  rt: AppRuntime,
  records: readonly SqsRecord[],
  decoded: readonly Decoded[],
  group: RecordGroup,
  outcomes: RecordOutcome[],
  deadline: number,
): Promise<void> {
  const { indices } = group;
  const failFrom = (position: number, afterMs: number): void => {
    for (const i of indices.slice(position)) outcomes[i] ??= { kind: 'retry', afterMs };
  };
  let position = 0;
  while (position < indices.length) {
    const first = indices[position]!;
    const entry = decoded[first]!;
    const attempt = receiveCount(records[first]!);
    if (entry.kind === 'undecodable') {
      const record = records[first]!;
      const address: Address = { typename: UNDECODABLE_TYPE, id: record.attributes.MessageGroupId ?? 'none' };
      try {
        const letter = rawBodyLetter(address, 'undecodable', record.messageId, new TextEncoder().encode(record.body), sentTimestamp(record));
        await setAside(rt, { envelope: letter, cause: entry.cause, attempt });
        outcomes[first] = { kind: 'done' };
      } catch (error) {
        rt.logger.warn('setting an undecodable message aside failed; it comes again', { messageId: record.messageId, error: describeError(error) });
        failFrom(position, backoff(rt, attempt, error));
        return;
      }
      position++;
      continue;
    }
    // The longest run of records for the same address: one call of the engine.
    const address = entry.envelopes[0]!.target;
    let end = position + 1;
    while (end < indices.length) {
      const next = decoded[indices[end]!]!;
      if (next.kind !== 'envelopes' || !sameAddress(next.envelopes[0]!.target, address)) break;
      end++;
    }
    const run = indices.slice(position, end);
    const deliveries = run.flatMap((i) => {
      const attempt = receiveCount(records[i]!);
      return (decoded[i] as Extract<Decoded, { kind: 'envelopes' }>).envelopes.map((envelope) => ({ envelope, attempt, record: i }));
    });
    let results: DeliveryOutcome[];
    try {
      results = await rt.runner.run(
        address,
        deliveries.map(({ envelope, attempt }) => ({ envelope, attempt })),
        deadline,
      );
    } catch (error) {
      rt.logger.warn('a turn failed outside the function; the group comes again', { address: addressKey(address), attempt, error: describeError(error) });
      failFrom(position, backoff(rt, attempt, error));
      return;
    }
    let retry: Extract<DeliveryOutcome, { kind: 'retry' }> | undefined;
    for (const i of run) outcomes[i] = { kind: 'done' };
    deliveries.forEach(({ record }, n) => {
      const result = results[n]!;
      // A bundle is acknowledged only whole; what it carried that was done is recognised when it comes again.
      if (result.kind === 'retry' && outcomes[record]?.kind === 'done') outcomes[record] = { kind: 'retry', afterMs: result.afterMs };
      retry ??= result.kind === 'retry' ? result : undefined;
    });
    if (retry !== undefined) {
      rt.logger.warn('message retried', { address: addressKey(address), attempt, afterMs: retry.afterMs, cause: retry.cause });
      failFrom(end, 0);
      return;
    }
    position = end;
  }
}

/** The backoff after a failure outside any turn (a port failing on load), by the retry policy's curve. */
function backoff(rt: AppRuntime, attempt: number, error: unknown): number {
  const step = afterFailure({ ...rt.retry, maxAttempts: Number.POSITIVE_INFINITY }, attempt, error);
  return step.kind === 'retry' ? step.afterMs : rt.retry.initialBackoffMs;
}

import type { VisibilityChange } from '../runtime-backend.js';
import type { SqsBatchResponse, SqsRecord } from './events.js';

/**
 * Pure rules for SQS FIFO batches: how records group, and how per-record outcomes become Lambda's partial batch
 * response and the visibility changes that implement the retry backoff.
 */

/** What to do with one record of a batch. */
export type RecordOutcome = { readonly kind: 'done' } | { readonly kind: 'retry'; readonly afterMs: number };

/** The records of one message group, in batch order (indices into the batch). */
export interface RecordGroup {
  readonly groupId: string;
  readonly indices: readonly number[];
}

/**
 * Groups a batch by `MessageGroupId`, keeping the batch order inside each group and ordering groups by their
 * first record. A record without a group id (not from a FIFO queue) is a group of its own.
 */
export function groupRecords(records: readonly SqsRecord[]): RecordGroup[] {
  const groups = new Map<string, number[]>();
  records.forEach((record, i) => {
    const id = record.attributes.MessageGroupId ?? `\u0000${record.messageId}`;
    let list = groups.get(id);
    if (list === undefined) groups.set(id, (list = []));
    list.push(i);
  });
  return [...groups].map(([groupId, indices]) => ({ groupId, indices }));
}

/** SQS's longest visibility timeout: 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

export interface BatchFailures {
  readonly response: SqsBatchResponse;
  /** Visibility changes that make the failed records come again after the backoff. */
  readonly visibility: readonly VisibilityChange[];
}

/**
 * Lambda's FIFO rule: once a record of a group fails, that record **and every later record of its group** are
 * reported as failures (SQS would otherwise deliver them out of order), even when a later one got `done`.
 *
 * Each failed record's visibility is set to the backoff of the group's first failure (rounded up to whole
 * seconds; 0 for a lost race, so it comes back at once). All of them, not just the first: SQS delivers no
 * message of a group while another of its messages is in flight, so later records left at the queue's long
 * visibility timeout would hold the first one back long after its backoff.
 */
export function batchFailures(records: readonly SqsRecord[], outcomes: readonly RecordOutcome[], groups = groupRecords(records)): BatchFailures {
  const failed: Array<{ index: number; afterMs: number }> = [];
  for (const group of groups) {
    const first = group.indices.findIndex((i) => outcomes[i]?.kind !== 'done');
    if (first < 0) continue;
    const outcome = outcomes[group.indices[first]!];
    const afterMs = outcome?.kind === 'retry' ? outcome.afterMs : 0;
    for (const i of group.indices.slice(first)) failed.push({ index: i, afterMs });
  }
  failed.sort((a, b) => a.index - b.index);
  return {
    response: { batchItemFailures: failed.map(({ index }) => ({ itemIdentifier: records[index]!.messageId })) },
    visibility: failed.map(({ index, afterMs }) => ({ receiptHandle: records[index]!.receiptHandle, timeoutSeconds: visibilitySeconds(afterMs) })),
  };
}

/** A backoff as an SQS visibility timeout: whole seconds, rounded up, within 0 … 12 h. */
export function visibilitySeconds(afterMs: number): number {
  if (!Number.isFinite(afterMs) || afterMs <= 0) return 0;
  return Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(afterMs / 1000));
}

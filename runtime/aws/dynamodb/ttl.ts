import type { AddressRecord } from '../../core/record.js';

/** SQS's longest message retention: no copy of a message can be delivered later than this after it was sent. */
export const MAX_QUEUE_RETENTION_MS = 14 * 86_400_000;

export interface RecordRetention {
  /**
   * How long a record is kept after its last commit when nothing else keeps it: long enough that no duplicate of
   * a message it consumed can still arrive (its dedup marks and `lastConsumed` must outlive every copy, DESIGN I3).
   * Must be at least the retention period of the queues feeding the address.
   * @default 14 days (SQS's maximum retention)
   */
  readonly afterLastCommitMs?: number;
}

/**
 * The `ttl` of a record item (epoch seconds), or undefined when the record must live forever.
 *
 * Forever when the address is parked (its dead letters wait for an operator), when a value never expires, or when
 * its last turn's effects are not proven released (`outbox` without `releaseProvenByAck`: only the next message
 * releases them). Otherwise the latest of: every value's expiry, every pending timer's due time plus the
 * retention (a late fire must still find its timer), and the last commit plus the retention (dedup memory).
 *
 * DynamoDB deletes expired items lazily (typically within days), so nothing may rely on the deletion: values are
 * filtered by their own expiry on read (the engine does), and an expired record still read is harmless — every
 * value in it has expired, every timer fired long ago, and its dedup memory has outlived every duplicate.
 */
export function recordExpiry(record: AddressRecord, retention: RecordRetention = {}): number | undefined {
  if (record.parked !== undefined) return undefined;
  if (record.outbox !== undefined && !record.outbox.releaseProvenByAck) return undefined;
  const keep = retention.afterLastCommitMs ?? MAX_QUEUE_RETENTION_MS;
  let latest = record.lastCommitAt + keep;
  for (const value of record.values.values()) {
    if (value.expiresAt === undefined) return undefined;
    latest = Math.max(latest, value.expiresAt);
  }
  for (const timer of record.timers.values()) latest = Math.max(latest, timer.dueAt + keep);
  return Math.ceil(latest / 1000);
}

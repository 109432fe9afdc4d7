/**
 * How messages are grouped into SendMessageBatch requests.
 *
 * Per-group order must survive partial failures: SQS answers each entry of a batch on its own, and does not
 * document that a failed entry fails the later entries of its group. If entry 1 of a group failed and entry 2
 * succeeded, entry 2 would be queued first — and receivers drop a message that arrives after a later one from
 * the same sender as a duplicate (DESIGN I3). So a group never has two entries in flight: messages go in
 * *rounds*, round k carrying the k-th message of every group, and round k+1 starts once round k is wholly
 * accepted. Messages to different groups share batches (up to 10 entries and 1 MiB each).
 */
export const MAX_BATCH_ENTRIES = 10;
/** SendMessageBatch's limit on the sum of the bodies (and attributes) of one request. */
export const MAX_BATCH_BYTES = 1_048_576;

export interface Sized {
  /** Bytes the entry adds to a batch request (body and attributes). */
  readonly bytes: number;
}

/** Round k holds the k-th item of every group, in group order of first appearance. */
export function rounds<T>(items: readonly T[], groupOf: (item: T) => string): T[][] {
  const positions = new Map<string, number>();
  const out: T[][] = [];
  for (const item of items) {
    const group = groupOf(item);
    const k = positions.get(group) ?? 0;
    positions.set(group, k + 1);
    (out[k] ??= []).push(item);
  }
  return out;
}

/** Splits items into batches of at most `maxEntries` entries and `maxBytes` bytes, keeping their order. */
export function batches<T extends Sized>(items: readonly T[], maxEntries = MAX_BATCH_ENTRIES, maxBytes = MAX_BATCH_BYTES): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxEntries || bytes + item.bytes > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

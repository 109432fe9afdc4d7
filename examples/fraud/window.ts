import type { Bucket, Totals } from './messages.js';

/**
 * A rolling window in event time, kept as buckets so that its state stays small however busy the key is:
 * an hour to the minute is at most 60 buckets. The window that ends at `t` holds the buckets that start
 * after `t - lengthMs`, so it slides one bucket at a time.
 */
export interface WindowOptions {
  readonly lengthMs: number;
  readonly bucketMs: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The totals of the window that ends at `atMs`. */
export function totalsAt(buckets: readonly Bucket[], atMs: number, window: WindowOptions): Totals {
  let count = 0;
  let sumCents = 0;
  for (const b of buckets) {
    if (b.startMs <= atMs - window.lengthMs || b.startMs > atMs) continue;
    count += b.count;
    sumCents += b.sumCents;
  }
  return { count, sumCents };
}

/**
 * The buckets with one more transaction of `amountCents` at `atMs`, ordered by start, without those that no
 * longer count for the newest window. A transaction that arrives late still lands in its own bucket.
 */
export function add(buckets: readonly Bucket[], atMs: number, amountCents: number, window: WindowOptions): Bucket[] {
  const startMs = atMs - (atMs % window.bucketMs);
  const existing = buckets.find((b) => b.startMs === startMs);
  const bucket: Bucket = { startMs, count: (existing?.count ?? 0) + 1, sumCents: (existing?.sumCents ?? 0) + amountCents };
  const all = [...buckets.filter((b) => b !== existing), bucket].sort((a, b) => a.startMs - b.startMs);
  const newest = all[all.length - 1]!.startMs;
  return all.filter((b) => b.startMs > newest - window.lengthMs);
}

import type { Address } from '../core/address.js';
import type { Metrics } from '../ports.js';

/** Percentiles of one latency series, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
const MIN_MS = 0.001;

/** A histogram of durations with buckets 2 % wide, from 1 µs up: constant memory, cheap to record. */
class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private max = 0;

  record(ms: number): void {
    const v = Math.max(ms, MIN_MS);
    const bucket = Math.floor(Math.log(v / MIN_MS) / LOG_GROWTH);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total++;
    if (v > this.max) this.max = v;
  }

  summary(): LatencySummary {
    const buckets = [...this.counts].sort((a, b) => a[0] - b[0]);
    const at = (q: number): number => {
      const rank = Math.ceil(q * this.total);
      let seen = 0;
      for (const [bucket, count] of buckets) {
        seen += count;
        if (seen >= rank) return Math.min(this.max, MIN_MS * GROWTH ** (bucket + 1));
      }
      return this.max;
    };
    const round = (ms: number): number => Math.round(ms * 1000) / 1000;
    return { count: this.total, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(this.max) };
  }
}

/**
 * In-process metrics for `statefun dev`: per function type, the time from a message entering the system to its
 * handler starting ("delivered", which is ingress-to-handler for ingress messages) and the time of each
 * invocation, plus counters. Read through the admin API (`GET /v1/metrics`).
 */
export class LatencyMetrics implements Metrics {
  private delivery = new Map<string, LatencyHistogram>();
  private invocation = new Map<string, LatencyHistogram>();
  private counters = new Map<string, number>();

  delivered(functionType: string, latencyMs: number): void {
    this.histogram(this.delivery, functionType).record(latencyMs);
  }

  invoked(functionType: string, messages: number, durationMs: number): void {
    this.histogram(this.invocation, functionType).record(durationMs);
    this.count(`${functionType} messages`, messages);
  }

  retried(functionType: string): void {
    this.count(`${functionType} retries`, 1);
  }

  parked(address: Address): void {
    this.count(`${address.typename} parked`, 1);
  }

  duplicateDropped(functionType: string): void {
    this.count(`${functionType} duplicates dropped`, 1);
  }

  conflict(functionType: string): void {
    this.count(`${functionType} version conflicts`, 1);
  }

  /** Everything recorded since the start or the last reset. */
  snapshot(): {
    readonly delivered: Record<string, LatencySummary>;
    readonly invocation: Record<string, LatencySummary>;
    readonly counters: Record<string, number>;
  } {
    const summarize = (m: Map<string, LatencyHistogram>): Record<string, LatencySummary> =>
      Object.fromEntries([...m].map(([type, h]) => [type, h.summary()]));
    return { delivered: summarize(this.delivery), invocation: summarize(this.invocation), counters: Object.fromEntries(this.counters) };
  }

  reset(): void {
    this.delivery = new Map();
    this.invocation = new Map();
    this.counters = new Map();
  }

  private histogram(m: Map<string, LatencyHistogram>, type: string): LatencyHistogram {
    let h = m.get(type);
    if (h === undefined) m.set(type, (h = new LatencyHistogram()));
    return h;
  }

  private count(name: string, n: number): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }
}

import { describe, expect, it } from 'vitest';
import { LatencyMetrics } from '../../../runtime/local/latency-metrics.js';

describe('latency metrics of statefun dev', () => {
  it('reportsPercentilesWithinTheBucketWidthPerFunctionType', () => {
    const m = new LatencyMetrics();
    for (let i = 1; i <= 1000; i++) m.delivered('shop/cart', i / 10);
    m.delivered('shop/stock', 7);
    const { delivered } = m.snapshot();
    const cart = delivered['shop/cart']!;
    expect(cart.count).toBe(1000);
    expect(cart.max).toBe(100);
    for (const [got, want] of [[cart.p50, 50], [cart.p90, 90], [cart.p99, 99]] as const) {
      expect(Math.abs(got - want) / want).toBeLessThan(0.025);
    }
    expect(delivered['shop/stock']).toMatchObject({ count: 1, max: 7 });
  });

  it('countsAndStartsAgainOnReset', () => {
    const m = new LatencyMetrics();
    m.invoked('a/b', 10, 2);
    m.retried('a/b');
    expect(m.snapshot().counters).toEqual({ 'a/b messages': 10, 'a/b retries': 1 });
    m.reset();
    expect(m.snapshot()).toEqual({ delivered: {}, invocation: {}, counters: {} });
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { emfMetricsPublisher, HandlerMetrics, METRIC, type MetricName, type MetricValues } from '../../../runtime/aws/observability.js';
import { readRuntimeEnv } from '../../../runtime/aws/runtime-env.js';

const BASE = { STATEFUN_TABLE_NAME: 't', STATEFUN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q.fifo' };

describe('the handlers environment', () => {
  it('readsDefaultsAndEveryVariable', () => {
    expect(readRuntimeEnv(BASE)).toMatchObject({ tableName: 't', idempotencyTtlMs: 86_400_000, maxRemoteInFlight: 64, retryMaxAttempts: 10, egressBindings: new Map() });
    const env = readRuntimeEnv({
      ...BASE,
      STATEFUN_IDEMPOTENCY_TTL: '2 h',
      STATEFUN_MAX_REMOTE_IN_FLIGHT: '8',
      STATEFUN_RETRY_MAX_ATTEMPTS: '3',
      STATEFUN_EGRESS_BINDINGS: '{"shop/receipts":{"queueUrl":"https://q"},"shop/events":{"busName":"b"}}',
      STATEFUN_INGRESS_ID: 'shop/api',
    });
    expect(env).toMatchObject({ idempotencyTtlMs: 7_200_000, maxRemoteInFlight: 8, retryMaxAttempts: 3, ingressId: 'shop/api' });
    expect(Object.fromEntries(env.egressBindings)).toEqual({ 'shop/receipts': { queueUrl: 'https://q' }, 'shop/events': { busName: 'b' } });
  });

  it('namesTheMissingOrBadVariable', () => {
    expect(() => readRuntimeEnv({})).toThrow('environment variable STATEFUN_TABLE_NAME must be set');
    expect(() => readRuntimeEnv({ ...BASE, STATEFUN_MAX_REMOTE_IN_FLIGHT: '0' })).toThrow('STATEFUN_MAX_REMOTE_IN_FLIGHT must be a whole number of at least 1, got "0"');
    expect(() => readRuntimeEnv({ ...BASE, STATEFUN_IDEMPOTENCY_TTL: '24' })).toThrow('STATEFUN_IDEMPOTENCY_TTL');
    expect(() => readRuntimeEnv({ ...BASE, STATEFUN_EGRESS_BINDINGS: '{"e":{"queue":"x"}}' })).toThrow('egress "e" must be bound to exactly one of queueUrl, topicArn, busName, streamName');
    expect(() => readRuntimeEnv({ ...BASE, STATEFUN_EGRESS_BINDINGS: 'nope' })).toThrow('STATEFUN_EGRESS_BINDINGS must be JSON');
  });
});

describe('handler metrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('aggregatesPerFunctionTypeAndPublishesOncePerInvocation', () => {
    const published: Array<[string, ReadonlyMap<MetricName, MetricValues>]> = [];
    let inFlight = 3;
    const metrics = new HandlerMetrics({ publish: (t, m) => published.push([t, m]) }, () => inFlight);
    metrics.batch('shop/cart', 4);
    metrics.delivered('shop/cart', 12);
    inFlight = 7;
    metrics.delivered('shop/cart', 30);
    metrics.invoked('shop/cart', 4, 25);
    metrics.retried('shop/cart');
    metrics.retried('shop/cart');
    metrics.parked({ typename: 'shop/cart', id: 'a' });
    metrics.conflict('shop/user');
    metrics.flush();
    metrics.flush();
    expect(published.map(([t]) => t)).toEqual(['shop/cart', 'shop/user']);
    const cart = published[0]![1];
    expect(cart.get(METRIC.batchSize)).toEqual({ unit: 'Count', values: [4] });
    expect(cart.get(METRIC.deliveryLatency)).toEqual({ unit: 'Milliseconds', values: [12, 30] });
    expect(cart.get(METRIC.remoteInFlight)).toEqual({ unit: 'Count', values: [7] });
    expect(cart.get(METRIC.retries)).toEqual({ unit: 'Count', values: [2] });
    expect(cart.get(METRIC.parked)).toEqual({ unit: 'Count', values: [1] });
    expect(cart.get(METRIC.invocationLatency)).toEqual({ unit: 'Milliseconds', values: [25] });
  });

  it('neverFailsABatchWhenPublishingFails', () => {
    const metrics = new HandlerMetrics({ publish: () => { throw new Error('boom'); } });
    metrics.retried('x/y');
    expect(() => metrics.flush()).not.toThrow();
  });

  it('writesOneEmbeddedMetricFormatDocumentPerFunctionType', () => {
    const lines: string[] = [];
    const metrics = new HandlerMetrics(emfMetricsPublisher({ namespace: 'StatefunTest', serviceName: 'svc', write: (line) => lines.push(line), now: () => 1_767_225_600_000 }));
    metrics.parked({ typename: 'shop/cart', id: 'a' });
    metrics.invoked('shop/cart', 2, 40);
    metrics.flush();
    const documents = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(documents).toHaveLength(1);
    const [emf] = documents as Array<{ _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }; functionType: string; ParkedAddresses: number }>;
    expect(emf!._aws.CloudWatchMetrics[0]!.Namespace).toBe('StatefunTest');
    expect(emf!._aws.CloudWatchMetrics[0]!.Dimensions[0]).toContain('functionType');
    expect(emf!.functionType).toBe('shop/cart');
    expect(emf!.ParkedAddresses).toBe(1);
    expect(emf!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).sort()).toEqual(['InvocationLatency', 'Messages', 'ParkedAddresses']);
    expect(emf).toMatchObject({ _aws: { Timestamp: 1_767_225_600_000, CloudWatchMetrics: [{ Dimensions: [['service', 'functionType']] }] }, service: 'svc', InvocationLatency: 40, Messages: 2 });
  });
});

/**
 * Test support for the Lambda handlers without emulators: the embedded backend in release mode
 * (`atomicEffects: false`, effects leave through the ports after the commit, as on AWS) behind the handlers'
 * backend seam, hand-written fakes of the queue operations, and synthetic SQS records.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { addressKey, type Address } from '../../../runtime/core/address.js';
import type { Envelope } from '../../../runtime/core/envelope.js';
import type { EgressRecord } from '../../../runtime/core/record.js';
import { LocalBackend } from '../../../runtime/local/backend.js';
import type { Clock, MessageBus } from '../../../runtime/ports.js';
import { decodeEnvelope, encodeEnvelope } from '../../../runtime/remote/envelope-codec.js';
import type { BackendFactory, HandlerOptions } from '../../../runtime/aws/app-runtime.js';
import type { SqsRecord } from '../../../runtime/aws/lambda/events.js';
import { sqsRecordOf } from '../../../runtime/aws/local/event-builders.js';
import type { MetricName, MetricsPublisher, MetricValues } from '../../../runtime/aws/observability.js';
import { silentLogger } from '../../../runtime/aws/observability.js';
import type { DelayForwarding, IngressKeyClaim, IngressKeyStore, QueueControl, RuntimeBackend, VisibilityChange } from '../../../runtime/aws/runtime-backend.js';

export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:statefun-app.fifo';

export const TEST_ENV = {
  STATEFUN_TABLE_NAME: 'statefun-test',
  STATEFUN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/statefun-app.fifo',
  STATEFUN_DELAY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/statefun-delays',
} as const;

export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
}

/** Remembers visibility changes, batch by batch. */
export class FakeQueueControl implements QueueControl {
  readonly changes: VisibilityChange[][] = [];
  changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    this.changes.push([...changes]);
    return Promise.resolve();
  }
}

/** Put-if-absent in memory; can be told to fail its next claims. */
export class FakeIngressKeys implements IngressKeyStore {
  readonly keys = new Map<string, { messageId: string; at: number }>();
  failNext = 0;
  claim(key: string, messageId: string, at: number): Promise<IngressKeyClaim> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('injected: the key store is unavailable'));
    }
    const known = this.keys.get(key);
    if (known !== undefined) return Promise.resolve({ ...known, fresh: false });
    this.keys.set(key, { messageId, at });
    return Promise.resolve({ messageId, at, fresh: true });
  }
}

/** Sends into the embedded backend and remembers every envelope sent; can be told to fail its next sends. */
export class RecordingBus implements MessageBus {
  readonly sent: Envelope[] = [];
  failNext = 0;
  constructor(private readonly next: MessageBus) {}
  async send(messages: readonly Envelope[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('injected: the queue is unavailable');
    }
    this.sent.push(...messages);
    await this.next.send(messages);
  }
}

export interface LocalSetup {
  readonly clock: ManualClock;
  readonly local: LocalBackend;
  readonly queue: FakeQueueControl;
  readonly keys: FakeIngressKeys;
  readonly bus: RecordingBus;
  readonly metrics: CapturedMetrics;
  readonly backend: BackendFactory;
  /** Handler options for `app`. */
  options(app: HandlerOptions['app'], env?: Record<string, string>): HandlerOptions;
  /** Egress records published to `egress`, in order. */
  egress(egress: string): EgressRecord[];
}

/** Metrics as published, per function type. */
export class CapturedMetrics implements MetricsPublisher {
  readonly published: Array<{ functionType: string; metrics: ReadonlyMap<MetricName, MetricValues> }> = [];
  publish(functionType: string, metrics: ReadonlyMap<MetricName, MetricValues>): void {
    this.published.push({ functionType, metrics });
  }
  total(functionType: string, name: MetricName): number {
    return this.published.filter((p) => p.functionType === functionType).reduce((sum, p) => sum + (p.metrics.get(name)?.values.reduce((a, b) => a + b, 0) ?? 0), 0);
  }
}

export function localSetup(options: { delays?: DelayForwarding } = {}): LocalSetup {
  const clock = new ManualClock();
  const local = new LocalBackend({ clock, atomicEffects: false });
  const queue = new FakeQueueControl();
  const keys = new FakeIngressKeys();
  const bus = new RecordingBus(local);
  const metrics = new CapturedMetrics();
  const runtimeBackend: RuntimeBackend = {
    store: local,
    specStore: local,
    deadLetters: local,
    bus,
    scheduler: local,
    ingressKeys: keys,
    queue,
    delays: options.delays,
    decodeQueueMessage: (body) => decodeEnvelope(Buffer.from(body, 'base64')),
    decodeQueueMessages: (body) => body.split(',').map((part) => decodeEnvelope(Buffer.from(part, 'base64'))),
    egressSink: () => local,
  };
  const backend: BackendFactory = () => runtimeBackend;
  return {
    clock,
    local,
    queue,
    keys,
    bus,
    metrics,
    backend,
    options: (app, env = {}) => ({ app, env: { ...TEST_ENV, ...env }, backend, clock, logger: silentLogger, metrics }),
    egress: (egress) => local.egressRecords(egress),
  };
}

let seq = 0;

/**
 * A record of the FIFO queue of addresses carrying `envelope`, in the message group of its target, as Lambda
 * delivers it (built from a received message, like the local poller does).
 */
export function fifoRecord(envelope: Envelope, options: { receiveCount?: number; groupId?: string; messageId?: string; body?: string } = {}): SqsRecord {
  seq++;
  const message: Message = {
    MessageId: options.messageId ?? `m-${seq}`,
    ReceiptHandle: `rh-${seq}`,
    Body: options.body ?? Buffer.from(encodeEnvelope(envelope)).toString('base64'),
    Attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(Date.UTC(2026, 0, 1)),
      ApproximateFirstReceiveTimestamp: String(Date.UTC(2026, 0, 1)),
      SenderId: 'AIDATEST',
      MessageGroupId: options.groupId ?? addressKey(envelope.target),
      MessageDeduplicationId: envelope.id,
      SequenceNumber: String(seq).padStart(20, '0'),
    },
  };
  return sqsRecordOf(message, { arn: QUEUE_ARN, region: 'us-east-1' });
}

/** An ingress envelope as the HTTP ingress would make it. */
export function ingressEnvelope(target: Address, typename: string, value: Uint8Array, key: string, at = Date.UTC(2026, 0, 1)): Envelope {
  return { id: `ingress:${addressKey(target)}#${key}`, target, caller: undefined, argument: { typename, value }, origin: { kind: 'ingress', key: `${addressKey(target)}\u0000${key}`, keyed: true, acceptedAt: at } };
}

/** A context with plenty of time left. */
export const CONTEXT = { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'test' };

import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeEgressSink, eventDetail } from '../../../runtime/aws/egress/eventbridge-egress.js';
import { awsEgressSink } from '../../../runtime/aws/egress/index.js';
import { keyOf } from '../../../runtime/aws/egress/key-rules.js';
import { KinesisEgressSink } from '../../../runtime/aws/egress/kinesis-egress.js';
import { egressPayload } from '../../../runtime/aws/egress/payload.js';
import { SnsEgressSink } from '../../../runtime/aws/egress/sns-egress.js';
import { SqsEgressSink } from '../../../runtime/aws/egress/sqs-egress.js';
import { deduplicationIdFor } from '../../../runtime/aws/sqs/fifo-ids.js';
import { isStatefunError, ValidationError } from '../../../runtime/core/errors.js';
import type { EgressRecord } from '../../../runtime/core/record.js';
import type { TypedValue } from '../../../runtime/core/typed-value.js';
import type { EgressSpec } from '../../../runtime/module/egress.js';
import { EGRESS_KINDS } from '../../../runtime/module/kinds.js';
import { kinesisEgressRecord } from '../../../runtime/sdk/egress-records.js';
import { intType, jsonType, stringType } from '../../../runtime/sdk/types.js';

const NOW = Date.UTC(2026, 0, 1);
const creds = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
const source = { typename: 'shop/cart', id: 'alice' };
const Order = jsonType<{ orderId: string; customer: { id: string | number }; total: number }>('shop/Order');
const json = (value: { orderId: string; customer: { id: string | number }; total: number }): TypedValue => ({ typename: Order.typename, value: Order.serialize(value) });
const text = (value: string): TypedValue => ({ typename: stringType.typename, value: stringType.serialize(value) });
const record = (argument: TypedValue, n = 0, from = source): EgressRecord => ({ key: `shop/cart/${from.id}#k0.3.e${n}`, egress: 'shop/out', argument, source: from, at: NOW });
const ref = (name: string, fifo = name.endsWith('.fifo')) => ({ ref: name, name, region: undefined, fifo });
const noSleep = { sleep: () => Promise.resolve() };

describe('egress payloads', () => {
  it('read strings as text, JSON values as JSON, everything else as bytes', () => {
    expect(egressPayload(text('héllo'))).toEqual({ kind: 'text', typename: 'io.statefun.types/string', text: 'héllo' });
    expect(egressPayload(json({ orderId: 'o1', customer: { id: 7 }, total: 3 }))).toMatchObject({ kind: 'json', value: { orderId: 'o1', customer: { id: 7 }, total: 3 } });
    expect(egressPayload({ typename: intType.typename, value: intType.serialize(42) }).kind).toBe('binary');
    expect(egressPayload({ typename: 'type.googleapis.com/x.Y', value: new TextEncoder().encode('{}') }).kind).toBe('binary');
    expect(egressPayload({ typename: 'x/Opaque', value: Uint8Array.of(0xff, 0x00) }).kind).toBe('binary');
  });

  it('derive keys by rule; a JSON pointer needs a string or number there', () => {
    const r = record(json({ orderId: 'o1', customer: { id: 7 }, total: 3 }));
    const p = egressPayload(r.argument);
    expect(keyOf({ type: 'source-address' }, r, p)).toBe('shop/cart/alice');
    expect(keyOf({ type: 'source-id' }, r, p)).toBe('alice');
    expect(keyOf({ type: 'source-type' }, r, p)).toBe('shop/cart');
    expect(keyOf({ type: 'fixed', value: 'all' }, r, p)).toBe('all');
    expect(keyOf({ type: 'json-pointer', pointer: '/customer/id' }, r, p)).toBe('7');
    expect(() => keyOf({ type: 'json-pointer', pointer: '/nope' }, r, p)).toThrow(/egress shop\/out: record shop\/cart\/alice#k0\.3\.e0 \(shop\/Order\) has no string or number at "\/nope"/);
  });
});

describe('SQS egress', () => {
  const client = new SQSClient(creds);
  const sqs = mockClient(client);
  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it('sends to a FIFO queue with a dedup id from the record key and a group by the key rule, resolving the queue URL once', async () => {
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs/123456789012/receipts.fifo' });
    const sink = new SqsEgressSink({ spec: { id: 'shop/out', queue: ref('arn:aws:sqs:eu-west-1:123456789012:receipts.fifo'), messageGroupId: { type: 'source-id' } }, client });
    const r = record(json({ orderId: 'o1', customer: { id: 'c' }, total: 3 }));
    await sink.publish([r]);
    await sink.publish([record(text('x'), 1)]);
    expect(sqs.commandCalls(GetQueueUrlCommand).map((c) => c.args[0].input)).toEqual([{ QueueName: 'arn:aws:sqs:eu-west-1:123456789012:receipts.fifo', QueueOwnerAWSAccountId: '123456789012' }]);
    const entry = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({
      MessageBody: '{"orderId":"o1","customer":{"id":"c"},"total":3}',
      MessageGroupId: 'alice',
      MessageDeduplicationId: deduplicationIdFor(r.key),
      MessageAttributes: {
        'statefun-idempotency-key': { DataType: 'String', StringValue: r.key },
        'statefun-typename': { DataType: 'String', StringValue: 'shop/Order' },
        'statefun-source': { DataType: 'String', StringValue: 'shop/cart/alice' },
      },
    });
  });

  it('sends to a standard queue without group or dedup id, binary values in base64', async () => {
    const sink = new SqsEgressSink({ spec: { id: 'shop/out', queue: ref('https://sqs.eu-west-1.amazonaws.com/123456789012/plain'), messageGroupId: undefined }, client });
    await sink.publish([record({ typename: 'x/Opaque', value: Uint8Array.of(1, 2, 3) })]);
    const entry = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input;
    expect(entry.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/plain');
    expect(entry.Entries![0]).toMatchObject({ MessageBody: 'AQID', MessageAttributes: { 'statefun-content-encoding': { StringValue: 'base64' } } });
    expect(entry.Entries![0]!.MessageGroupId).toBeUndefined();
    expect(entry.Entries![0]!.MessageDeduplicationId).toBeUndefined();
  });

  it('sends a value with no bytes (an empty string, the int 0) as "-" marked empty, since SQS refuses empty bodies', async () => {
    const sink = new SqsEgressSink({ spec: { id: 'shop/out', queue: ref('https://sqs/q'), messageGroupId: undefined }, client });
    await sink.publish([record(text('')), record({ typename: intType.typename, value: intType.serialize(0) }, 1)]);
    const entries = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries!;
    for (const entry of entries) expect(entry).toMatchObject({ MessageBody: '-', MessageAttributes: { 'statefun-content-encoding': { StringValue: 'empty' } } });
  });

  it('refuses an oversized message with a TerminalError naming the record', async () => {
    const sink = new SqsEgressSink({ spec: { id: 'shop/out', queue: ref('https://sqs/q'), messageGroupId: undefined }, client });
    const big = await sink.publish([record(text('x'.repeat(1_100_000)))]).catch((e: unknown) => e);
    expect(isStatefunError(big, 'terminal')).toBe(true);
    expect((big as Error).message).toMatch(/^egress shop\/out: record shop\/cart\/alice#k0\.3\.e0 is \d+ bytes as an SQS message/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});

describe('SNS egress', () => {
  const client = new SNSClient(creds);
  const sns = mockClient(client);
  beforeEach(() => sns.reset());

  it('publishes in batches with the attributes, and for FIFO topics group and dedup ids', async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const sink = new SnsEgressSink({
      spec: { id: 'shop/out', topic: ref('arn:aws:sns:eu-west-1:123456789012:events.fifo'), messageGroupId: { type: 'fixed', value: 'one' }, subject: 'Order' },
      client,
    });
    const records = Array.from({ length: 3 }, (_, i) => record(text(`m${i}`), i));
    await sink.publish(records);
    // One group: one record per round, in order.
    const calls = sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatchObject({
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:events.fifo',
      PublishBatchRequestEntries: [{ Id: '0', Message: 'm0', Subject: 'Order', MessageGroupId: 'one', MessageDeduplicationId: deduplicationIdFor(records[0]!.key) }],
    });
    expect(calls.map((c) => c.PublishBatchRequestEntries![0]!.Message)).toEqual(['m0', 'm1', 'm2']);
  });

  it('retries failed entries, then gives up with a RetryableError', async () => {
    sns.on(PublishBatchCommand).resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] }).resolves({ Failed: [] });
    const sink = new SnsEgressSink({ spec: { id: 'shop/out', topic: ref('arn:aws:sns:eu-west-1:123456789012:events'), messageGroupId: undefined, subject: undefined }, client, retry: noSleep });
    await sink.publish([record(text('a'), 0), record(text('b'), 1)]);
    const calls = sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input.PublishBatchRequestEntries!.map((e) => e.Message));
    expect(calls).toEqual([['a', 'b'], ['b']]);
    sns.on(PublishBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'Throttled', SenderFault: false }] });
    expect(isStatefunError(await sink.publish([record(text('c'))]).catch((e: unknown) => e), 'retryable')).toBe(true);
  });

  it('needs the topic by ARN', () => {
    expect(() => new SnsEgressSink({ spec: { id: 'shop/out', topic: ref('events'), messageGroupId: undefined, subject: undefined }, client })).toThrow(ValidationError);
    expect(() => new SnsEgressSink({ spec: { id: 'shop/out', topic: ref('events'), messageGroupId: undefined, subject: undefined }, client, topicArn: 'arn:aws:sns:eu-west-1:1:events' })).not.toThrow();
  });
});

describe('EventBridge egress', () => {
  const client = new EventBridgeClient(creds);
  const events = mockClient(client);
  beforeEach(() => events.reset());
  const spec = { id: 'shop/out', bus: ref('shop-bus'), eventSource: 'com.example.shop', detailType: undefined };

  it('embeds JSON and strings as JSON, other values in base64, with the idempotency key in the detail', () => {
    const order = { orderId: 'o1', customer: { id: 'c' }, total: 3 };
    expect(eventDetail(record(json(order)))).toEqual({ idempotencyKey: 'shop/cart/alice#k0.3.e0', typename: 'shop/Order', source: 'shop/cart/alice', value: order });
    expect(eventDetail(record(text('hi')))).toMatchObject({ value: 'hi' });
    expect(eventDetail(record({ typename: 'x/Opaque', value: Uint8Array.of(1, 2, 3) }))).toMatchObject({ typename: 'x/Opaque', base64: 'AQID' });
  });

  it('puts events with source, detail type (default: the typename), time and bus', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await new EventBridgeEgressSink({ spec, client }).publish([record(json({ orderId: 'o1', customer: { id: 1 }, total: 2 }))]);
    const entry = events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ Source: 'com.example.shop', DetailType: 'shop/Order', EventBusName: 'shop-bus', Time: new Date(NOW) });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ idempotencyKey: 'shop/cart/alice#k0.3.e0', value: { orderId: 'o1' } });
  });

  it('retries entries that failed, stops at a malformed one', async () => {
    events.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: '1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow' }] }).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '2' }] });
    const sink = new EventBridgeEgressSink({ spec, client, retry: noSleep });
    await sink.publish([record(text('a'), 0), record(text('b'), 1)]);
    expect(events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([2, 1]);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' }] });
    const error = await sink.publish([record(text('c'))]).catch((e: unknown) => e);
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect((error as Error).message).toContain('record shop/cart/alice#k0.3.e0 was rejected: MalformedDetail (bad)');
  });
});

describe('Kinesis egress', () => {
  const client = new KinesisClient(creds);
  const kinesis = mockClient(client);
  beforeEach(() => {
    kinesis.reset();
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1' }, { SequenceNumber: '2' }] });
  });
  const spec = { id: 'shop/clicks', stream: ref('clicks'), partitionKey: { type: 'source-id' as const } };

  it('decodes KinesisEgressRecords (stream, partition key, hash key) and keys plain values by rule, one request per stream', async () => {
    const k = kinesisEgressRecord({ egress: 'shop/clicks', stream: 'arn:aws:kinesis:eu-west-1:123456789012:stream/other', partitionKey: 'p-1', explicitHashKey: '42', value: 'hello' });
    await new KinesisEgressSink({ spec, client }).publish([record({ typename: k.type!.typename, value: k.value }), record(text('plain'), 1)]);
    const calls = kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    const byStream = Object.fromEntries(calls.map((c) => [c.StreamName ?? c.StreamARN, c.Records]));
    expect(byStream['arn:aws:kinesis:eu-west-1:123456789012:stream/other']).toEqual([{ Data: new TextEncoder().encode('hello'), PartitionKey: 'p-1', ExplicitHashKey: '42' }]);
    expect(byStream['clicks']).toEqual([{ Data: new TextEncoder().encode('plain'), PartitionKey: 'alice' }]);
  });

  it('retries failed records, and refuses plain values when no stream is configured', async () => {
    kinesis.on(PutRecordsCommand).resolvesOnce({ FailedRecordCount: 1, Records: [{ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow' }, { SequenceNumber: '2' }] }).resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '3' }] });
    await new KinesisEgressSink({ spec, client, retry: noSleep }).publish([record(text('a'), 0), record(text('b'), 1)]);
    expect(kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length)).toEqual([2, 1]);
    const error = await new KinesisEgressSink({ spec: { ...spec, stream: undefined }, client }).publish([record(text('a'))]).catch((e: unknown) => e);
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect((error as Error).message).toMatch(/not a KinesisEgressRecord, and the egress names no stream/);
  });
});

describe('awsEgressSink', () => {
  const clients = { sqs: new SQSClient(creds), sns: new SNSClient(creds), eventbridge: new EventBridgeClient(creds), kinesis: new KinesisClient(creds) };
  const base = { id: 'shop/out', source: { file: 'module.yaml', pointer: '' } } as const;

  it('makes the sink of each AWS kind, honouring the deployment binding, and none for other kinds', () => {
    const sqsSpec = { ...base, kind: EGRESS_KINDS.sqs, queue: ref('q'), messageGroupId: undefined, region: undefined } as unknown as EgressSpec;
    expect(awsEgressSink(sqsSpec, clients, { queueUrl: 'https://sqs/q' })).toBeInstanceOf(SqsEgressSink);
    const snsSpec = { ...base, kind: EGRESS_KINDS.sns, topic: ref('t'), messageGroupId: undefined, subject: undefined, region: undefined } as unknown as EgressSpec;
    expect(awsEgressSink(snsSpec, clients, { topicArn: 'arn:aws:sns:eu-west-1:1:t' })).toBeInstanceOf(SnsEgressSink);
    const logSpec = { ...base, kind: EGRESS_KINDS.log, format: 'text' } as unknown as EgressSpec;
    expect(awsEgressSink(logSpec, clients)).toBeUndefined();
  });
});

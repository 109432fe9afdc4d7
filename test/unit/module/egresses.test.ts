import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, component, errorOf, loadFixture, onlyEgress, parse, warningsOf } from './helpers.js';

const PLAYGROUND = 'io.statefun.playground.v1/egress';
const KAFKA = 'io.statefun.kafka.v1/egress';
const KINESIS = 'io.statefun.kinesis.v1/egress';
const SQS = 'io.statefun-aws.sqs.v1/egress';
const SNS = 'io.statefun-aws.sns.v1/egress';
const EVENTBRIDGE = 'io.statefun-aws.eventbridge.v1/egress';
const AWS_KINESIS = 'io.statefun-aws.kinesis.v1/egress';
const LOG = 'io.statefun-aws.log.v1/egress';
const FILE = 'io.statefun-aws.file.v1/egress';

describe('io.statefun.playground.v1/egress', () => {
  it('hasAFixedIdAPortAndTopics', () => {
    expect(onlyEgress(component(PLAYGROUND, 'port: 8091\ntopics: [greetings, receipts]'))).toMatchObject({
      kind: PLAYGROUND,
      id: 'io.statefun.playground/egress',
      port: 8091,
      topics: ['greetings', 'receipts'],
    });
  });

  it('warnsAboutARepeatedTopicAndRefusesASlash', () => {
    expect(warningsOf(parse(component(PLAYGROUND, 'port: 8091\ntopics: [a, a]')))).toEqual([expect.stringContaining('spec.topics[1] lists topic "a" a second time')]);
    expect(errorOf(() => parse(component(PLAYGROUND, 'port: 8091\ntopics: [a/b]')))).toContain('spec.topics[0] must be a topic name without "/", got "a/b"');
    expect(errorOf(() => parse(component(PLAYGROUND, 'port: 8091')))).toContain('spec.topics is missing');
  });
});

describe('io.statefun.kafka.v1/egress', () => {
  it('defaultsToAtLeastOnce', () => {
    expect(onlyEgress(component(KAFKA, 'id: a/out'))).toMatchObject({ address: undefined, deliverySemantic: { type: 'at-least-once' }, properties: {} });
    expect(onlyEgress(component(KAFKA, 'id: a/out\ndeliverySemantic: { type: none }'))).toMatchObject({ deliverySemantic: { type: 'none' } });
  });

  it('prefersTransactionTimeoutMillisAsStateFunDoes', async () => {
    const module = await loadFixture('kafka-kinesis.module.yaml');
    expect(module.egresses[0]).toMatchObject({ deliverySemantic: { type: 'exactly-once', transactionTimeoutMs: 100_000 }, properties: { 'foo.config': 'bar' } });
    const both = parse(component(KAFKA, 'id: a/out\ndeliverySemantic: { type: exactly-once, transactionTimeout: 15min, transactionTimeoutMillis: 5000 }'));
    expect(both.egresses[0]).toMatchObject({ deliverySemantic: { transactionTimeoutMs: 5000 } });
    expect(warningsOf(both)).toEqual([expect.stringContaining('spec.deliverySemantic.transactionTimeout is overridden by transactionTimeoutMillis')]);
  });

  it('needsATransactionTimeoutForExactlyOnce', () => {
    expect(errorOf(() => parse(component(KAFKA, 'id: a/out\ndeliverySemantic: { type: exactly-once }')))).toBe(
      'module.yaml, document 1 (io.statefun.kafka.v1/egress): spec.deliverySemantic.transactionTimeout is missing',
    );
    expect(errorOf(() => parse(component(KAFKA, 'id: a/out\ndeliverySemantic: { type: twice }')))).toContain(
      'spec.deliverySemantic.type must be one of at-least-once, exactly-once, none, got "twice"',
    );
  });
});

describe('io.statefun.kinesis.v1/egress', () => {
  it('readsEverySettingAndDefaults', async () => {
    const module = await loadFixture('kafka-kinesis.module.yaml');
    expect(module.egresses[1]).toMatchObject({
      kind: KINESIS,
      awsRegion: { type: 'specific', id: 'eu-west-1' },
      awsCredentials: { type: 'basic', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' },
      maxOutstandingRecords: 9999,
    });
    expect(onlyEgress(component(KINESIS, 'id: a/out'))).toMatchObject({
      awsRegion: { type: 'default' },
      awsCredentials: { type: 'default' },
      maxOutstandingRecords: 1000,
      clientConfigProperties: {},
    });
  });
});

describe("statefun-aws's AWS egresses", () => {
  it('readsTheFixture', async () => {
    const module = await loadFixture('aws.module.yaml');
    expect(module.warnings).toEqual([]);
    const byId = new Map(module.egresses.map((e) => [e.id, e]));
    expect(byId.get('shop/receipts')).toMatchObject({ kind: SQS, queue: { name: 'receipts.fifo', fifo: true }, messageGroupId: { type: 'source-id' } });
    expect(byId.get('shop/emails')).toMatchObject({ kind: SQS, queue: { fifo: false }, messageGroupId: undefined, region: undefined });
    expect(byId.get('shop/notifications')).toMatchObject({
      kind: SNS,
      topic: { name: 'order-events.fifo', fifo: true, region: 'eu-west-1' },
      messageGroupId: { type: 'fixed', value: 'orders' },
      subject: 'Order update',
      region: 'eu-west-1',
    });
    expect(byId.get('shop/events')).toMatchObject({
      kind: EVENTBRIDGE,
      bus: { name: 'shop-events' },
      eventSource: 'com.example.shop',
      detailType: 'OrderPlaced',
    });
    expect(byId.get('shop/clicks')).toMatchObject({
      kind: AWS_KINESIS,
      stream: { name: 'clicks', region: 'eu-west-1' },
      partitionKey: { type: 'json-pointer', pointer: '/session' },
      region: 'eu-west-1',
    });
    expect(byId.get('shop/debug')).toMatchObject({ kind: LOG, format: 'json' });
    expect(byId.get('shop/receipts-file')).toMatchObject({ kind: FILE, path: join(FIXTURES, 'out/receipts.jsonl'), format: 'jsonl' });
  });

  it('defaultsGroupIdsBusPartitionKeyAndFormats', () => {
    expect(onlyEgress(component(SQS, 'id: a/out\nqueue: q.fifo'))).toMatchObject({ messageGroupId: { type: 'source-address' } });
    expect(onlyEgress(component(SNS, 'id: a/out\ntopic: t'))).toMatchObject({ messageGroupId: undefined, subject: undefined });
    expect(onlyEgress(component(EVENTBRIDGE, 'id: a/out\nsource: com.example'))).toMatchObject({ bus: { ref: 'default', name: 'default' }, detailType: undefined });
    expect(onlyEgress(component(AWS_KINESIS, 'id: a/out'))).toMatchObject({ stream: undefined, partitionKey: { type: 'source-address' } });
    expect(onlyEgress(component(LOG, 'id: a/out'))).toMatchObject({ format: 'text' });
    expect(onlyEgress(component(FILE, 'id: a/out\npath: /tmp/out.txt\nformat: text'))).toMatchObject({ path: '/tmp/out.txt', format: 'text' });
    expect(onlyEgress(component(FILE, 'id: a/out\npath: out.jsonl'))).toMatchObject({ path: '/app/out.jsonl' });
  });

  it('readsKeyRulesOfEveryShape', () => {
    const group = (yaml: string): unknown => (onlyEgress(component(SQS, `id: a/out\nqueue: q.fifo\nmessageGroupId: ${yaml}`)) as { messageGroupId: unknown }).messageGroupId;
    expect(group('source-type')).toEqual({ type: 'source-type' });
    expect(group('{ type: source-address }')).toEqual({ type: 'source-address' });
    expect(group('{ type: fixed, value: 7 }')).toEqual({ type: 'fixed', value: '7' });
    expect(group('{ type: json-pointer, pointer: /customer }')).toEqual({ type: 'json-pointer', pointer: '/customer' });
  });

  it.each([
    [SQS, 'id: a/out\nqueue: q\nmessageGroupId: source-id', 'spec.messageGroupId is set, but queue "q" is not FIFO'],
    [SQS, 'id: a/out\nqueue: q.fifo\nmessageGroupId: fixed', 'spec.messageGroupId must be a mapping { type: fixed, value: … }'],
    [SQS, 'id: a/out\nqueue: q.fifo\nmessageGroupId: random', 'spec.messageGroupId must be one of source-address, source-id, source-type, fixed, json-pointer, got "random"'],
    [SQS, 'id: a/out', 'spec.queue is missing'],
    [SQS, 'queue: q', 'spec.id is missing'],
    [SQS, 'id: nope\nqueue: q', 'spec.id "nope" is not of the form <namespace>/<name>'],
    [SNS, 'id: a/out\ntopic: arn:aws:sqs:eu-west-1:123456789012:t', 'spec.topic is not an ARN of an SNS topic'],
    [SNS, 'id: a/out\ntopic: t\nsubject: "' + 'x'.repeat(100) + '"', 'spec.subject must be one line of at most 99 characters'],
    [EVENTBRIDGE, 'id: a/out', 'spec.source is missing'],
    [EVENTBRIDGE, 'id: a/out\nsource: aws.shop', 'may not start with "aws."'],
    [EVENTBRIDGE, 'id: a/out\nsource: s\nbus: "bad bus"', 'spec.bus is not a valid name of an EventBridge event bus'],
    [EVENTBRIDGE, 'id: a/out\nsource: s\nbus: arn:aws:events:eu-west-1:123456789012:event-bus/b\nregion: us-east-1', 'spec.region is "us-east-1", but'],
    [AWS_KINESIS, 'id: a/out\nstream: arn:aws:kinesis:eu-west-1:123456789012:clicks', 'spec.stream is not an ARN of a Kinesis data stream'],
    [LOG, 'id: a/out\nformat: xml', 'spec.format must be one of text, json, got "xml"'],
    [FILE, 'id: a/out', 'spec.path is missing'],
  ])('%s refuses %j', (kind, yaml, problem) => {
    expect(errorOf(() => parse(component(kind, yaml)))).toContain(problem);
  });
});

import type { Message } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqsIngress } from '../../../functions/sqs-ingress.js';
import type { SqsRecord } from '../../../runtime/aws/lambda/events.js';
import { UNROUTABLE_TYPE } from '../../../runtime/aws/lambda/set-aside.js';
import { sqsRecordOf } from '../../../runtime/aws/local/event-builders.js';
import { OpType, testModule } from './app.js';
import { CONTEXT, type LocalSetup, localSetup } from './support.js';

const ORDERS = {
  kind: 'io.statefun-aws.sqs.v1/ingress',
  spec: { id: 'test/orders', queue: 'orders.fifo', valueType: 'test/Op', targets: ['test/counter'], idFrom: { type: 'json-pointer', pointer: '/who' } },
};

let seq = 0;
function record(body: string, options: { group?: string; receiveCount?: number; messageId?: string } = {}): SqsRecord {
  seq++;
  const message: Message = {
    MessageId: options.messageId ?? `src-${seq}`,
    ReceiptHandle: `rh-${seq}`,
    Body: body,
    Attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1767225600000',
      ApproximateFirstReceiveTimestamp: '1767225600000',
      SenderId: 'AIDATEST',
      ...(options.group !== undefined ? { MessageGroupId: options.group } : {}),
    },
    MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } },
  };
  return sqsRecordOf(message, { arn: 'arn:aws:sqs:us-east-1:000000000000:orders.fifo', region: 'us-east-1' });
}

describe('SQS ingress', () => {
  let t: LocalSetup;
  let handler: ReturnType<typeof createSqsIngress>;
  const ingest = (): ReturnType<typeof createSqsIngress> => {
    t = localSetup();
    handler = createSqsIngress(t.options({ modules: [testModule([ORDERS])] }));
    return handler;
  };
  afterEach(async () => handler.close());

  it('routesEachRecordToItsAddressWithAnIdDerivedFromTheSourceMessageId', async () => {
    const sqs = ingest();
    const records = [record('{"op":"add","who":"alice"}', { group: 'g' }), record('{"op":"add","n":2,"who":"bob"}', { group: 'g' })];
    expect(await sqs({ Records: records }, CONTEXT)).toEqual({ batchItemFailures: [] });
    expect(t.bus.sent.map((e) => [e.target.id, e.id])).toEqual([
      ['alice', `ingress:sqs:test/orders:${records[0]!.messageId}:0`],
      ['bob', `ingress:sqs:test/orders:${records[1]!.messageId}:0`],
    ]);
    expect(OpType.deserialize(t.bus.sent[1]!.argument.value)).toMatchObject({ n: 2 });
    expect(t.bus.sent[0]!.origin).toEqual({ kind: 'ingress', key: `sqs:test/orders:${records[0]!.messageId}:0`, keyed: true, acceptedAt: 1767225600000 });
  });

  it('marksRedeliveriesResentWithTheSameId', async () => {
    const sqs = ingest();
    const first = record('{"op":"add","who":"alice"}', { messageId: 'same' });
    await sqs({ Records: [first] }, CONTEXT);
    await sqs({ Records: [record('{"op":"add","who":"alice"}', { messageId: 'same', receiveCount: 2 })] }, CONTEXT);
    expect(t.bus.sent.map((e) => e.id)).toEqual(['ingress:sqs:test/orders:same:0', 'ingress:sqs:test/orders:same:0']);
    expect(t.bus.sent[1]!.origin).toMatchObject({ resent: true });
  });

  it('setsAnUnroutableRecordAsideAndSendsTheOthers', async () => {
    const sqs = ingest();
    const bad = record('{"op":"add"}');
    const good = record('{"op":"add","who":"alice"}');
    expect(await sqs({ Records: [bad, good] }, CONTEXT)).toEqual({ batchItemFailures: [] });
    expect(t.bus.sent.map((e) => e.target.id)).toEqual(['alice']);
    const poison = { typename: UNROUTABLE_TYPE, id: 'test/orders' };
    const [letter] = await t.local.listLetters(poison);
    expect(letter?.cause).toContain('the JSON body has nothing at "/who"');
    expect(Buffer.from(letter!.envelope.argument.value).toString()).toBe('{"op":"add"}');
  });

  it('reportsRecordsThatCouldNotBeSentAndForFifoQueuesTheRestOfTheirGroup', async () => {
    const sqs = ingest();
    t.bus.failNext = 1;
    const records = [record('{"op":"add","who":"a"}', { group: 'g' }), record('{"op":"add","who":"b"}', { group: 'h' })];
    const response = await sqs({ Records: records }, CONTEXT);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((r) => r.messageId));
  });
});

import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsEgressSink } from '../../../runtime/aws/egress/sqs-egress.js';
import type { EgressRecord } from '../../../runtime/core/record.js';
import { jsonType, stringType } from '../../../runtime/sdk/types.js';
import { useAwsEmulators } from '../../support/emulators.js';
import { createQueue, drain, receiveUntil, uniqueQueueName } from '../../support/sqs-helpers.js';
import { sqsClient } from './helpers.js';

const emulators = useAwsEmulators();
const Order = jsonType<{ orderId: string; customer: string }>('shop/Order');
const record = (n: number, customer: string, from = 'alice'): EgressRecord => ({
  key: `shop/cart/${from}#k0.${n}.e0`,
  egress: 'shop/receipts',
  argument: { typename: Order.typename, value: Order.serialize({ orderId: `o${n}`, customer }) },
  source: { typename: 'shop/cart', id: from },
  at: Date.now(),
});

describe('SQS egress on the SQS emulator', () => {
  let sqs: SQSClient;
  beforeAll(() => {
    sqs = sqsClient(emulators());
  });
  afterAll(() => sqs.destroy());

  it('delivers to a FIFO queue found by name once per record key, in order per group, with the key as attribute', async () => {
    const name = uniqueQueueName('receipts', true);
    const queue = await createQueue(sqs, name);
    const sink = new SqsEgressSink({ spec: { id: 'shop/receipts', queue: { ref: name, name, region: undefined, fifo: true }, messageGroupId: { type: 'json-pointer', pointer: '/customer' } }, client: sqs });
    const records = [record(1, 'c1'), record(2, 'c2'), record(3, 'c1'), record(4, 'c1')];
    await sink.publish(records);
    await sink.publish([records[0]!, records[2]!]);
    const messages = await receiveUntil(sqs, queue.url, 4, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    messages.push(...(await drain(sqs, queue.url)));
    expect(messages).toHaveLength(4);
    const byGroup = (group: string) => messages.filter((m) => m.Attributes?.['MessageGroupId'] === group).map((m) => JSON.parse(m.Body!) as { orderId: string });
    expect(byGroup('c1').map((o) => o.orderId)).toEqual(['o1', 'o3', 'o4']);
    expect(byGroup('c2').map((o) => o.orderId)).toEqual(['o2']);
    const first = messages.find((m) => m.Body!.includes('"o1"'))!;
    expect(first.MessageAttributes?.['statefun-idempotency-key']?.StringValue).toBe(records[0]!.key);
    expect(first.MessageAttributes?.['statefun-typename']?.StringValue).toBe('shop/Order');
  });

  it('delivers to a standard queue by URL with the idempotency key attribute (consumers dedup)', async () => {
    const name = uniqueQueueName('notes', false);
    const queue = await createQueue(sqs, name);
    const sink = new SqsEgressSink({ spec: { id: 'shop/notes', queue: { ref: queue.url, name, region: undefined, fifo: false }, messageGroupId: undefined }, client: sqs });
    const note: EgressRecord = { ...record(1, 'c1'), argument: { typename: stringType.typename, value: stringType.serialize('thank you, Zoë') } };
    await sink.publish([note]);
    const [message] = await receiveUntil(sqs, queue.url, 1, 10_000);
    expect(message?.Body).toBe('thank you, Zoë');
    expect(message?.MessageAttributes?.['statefun-idempotency-key']?.StringValue).toBe(note.key);
  });
});

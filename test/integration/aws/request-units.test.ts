import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapacityTally } from '../../../runtime/aws/dynamodb/capacity.js';
import { DynamoDbDeadLetterStore } from '../../../runtime/aws/dynamodb/dead-letter-store.js';
import { decodeRecord, encodeRecord } from '../../../runtime/aws/dynamodb/record-codec.js';
import { DynamoDbSpecStore } from '../../../runtime/aws/dynamodb/spec-store.js';
import { DynamoDbStateStore } from '../../../runtime/aws/dynamodb/state-store.js';
import { SqsFifoMessageBus } from '../../../runtime/aws/sqs/message-bus.js';
import type { Envelope } from '../../../runtime/core/envelope.js';
import { StaticFunctionRegistry } from '../../../runtime/engine/function-registry.js';
import { type Delivery, TurnRunner } from '../../../runtime/engine/turn-runner.js';
import { systemClock } from '../../../runtime/ports.js';
import { embeddedBinding } from '../../../runtime/sdk/binding.js';
import { defineFunction } from '../../../runtime/sdk/function.js';
import { intType, jsonType } from '../../../runtime/sdk/types.js';
import { valueSpec } from '../../../runtime/sdk/value-spec.js';
import { useAwsEmulators } from '../../support/emulators.js';
import { createQueue, drain, uniqueQueueName } from '../../support/sqs-helpers.js';
import { freshTable, sqsClient, type TableFixture } from './helpers.js';

const emulators = useAwsEmulators();
const Item = jsonType<{ sku: string; qty: number }>('bench/Item');

/** A cart: counts items in its state, and tells the stock function about each (one message per message). */
const stock = defineFunction({ typename: 'bench/stock', accepts: Item, handler() {} });
const cart = defineFunction({
  typename: 'bench/cart',
  specs: { items: valueSpec(intType), last: valueSpec(Item) },
  accepts: Item,
  handler(ctx, message) {
    const item = message.as(Item);
    ctx.storage.items = (ctx.storage.items ?? 0) + item.qty;
    ctx.storage.last = item;
    ctx.send({ to: stock, id: item.sku, value: item });
  },
});

/**
 * Request units of real turns (the engine over the DynamoDB store, on DynamoDB Local): what a turn of one
 * message and a turn of ten cost in DynamoDB reads and writes, in steady state (the record already exists,
 * dedup marks and outbox in it).
 */
describe('request units per turn', () => {
  let table: TableFixture;
  let sqs: SQSClient;
  let queueUrl: string;
  const capacity = new CapacityTally();
  let runner: TurnRunner;
  beforeAll(async () => {
    table = await freshTable(emulators(), 'units');
    sqs = sqsClient(emulators());
    queueUrl = (await createQueue(sqs, uniqueQueueName('units', true))).url;
    const tableOptions = { client: table.dynamodb, tableName: table.tableName, capacity };
    const functions = new StaticFunctionRegistry().bind(embeddedBinding(cart)).bind(embeddedBinding(stock));
    runner = new TurnRunner({
      store: new DynamoDbStateStore(tableOptions),
      deadLetters: new DynamoDbDeadLetterStore(tableOptions),
      specStore: new DynamoDbSpecStore(tableOptions),
      bus: new SqsFifoMessageBus({ client: sqs, queueUrl }),
      scheduler: { schedule: () => Promise.resolve(), cancel: () => Promise.resolve() },
      egress: { publish: () => Promise.resolve(), has: () => false },
      functions,
      clock: systemClock,
      releaseProvenByAck: true,
    });
  });
  afterAll(() => {
    table.destroy();
    sqs.destroy();
  });

  let seq = 0;
  const message = (to: string, from: string): Envelope => {
    seq += 1;
    const now = Date.now();
    return {
      id: `bench/client/${from}#k0.${seq}.0`,
      target: { typename: 'bench/cart', id: to },
      caller: { typename: 'bench/client', id: from },
      argument: { typename: Item.typename, value: Item.serialize({ sku: `sku-${seq % 7}`, qty: 1 }) },
      origin: { kind: 'function', sender: { typename: 'bench/client', id: from }, incarnation: 1, turn: seq, index: 0, sentAt: now },
    };
  };

  async function measure(batch: number, turns: number): Promise<{ rru: number; wru: number; requests: number; recordBytes: number; plainBytes: number }> {
    const id = `cart-${batch}-${Date.now()}`;
    const deliver = async (): Promise<void> => {
      const deliveries: Delivery[] = Array.from({ length: batch }, (_, i) => ({ envelope: message(id, `client-${i % 3}`), attempt: 1 }));
      const outcomes = await runner.run({ typename: 'bench/cart', id }, deliveries);
      expect(outcomes.every((o) => o.kind === 'done' && o.how === 'consumed')).toBe(true);
    };
    await deliver();
    await deliver();
    capacity.reset();
    for (let i = 0; i < turns; i++) await deliver();
    const { total } = capacity.snapshot();
    const [item] = await table.items(`bench/cart/${id}`);
    await drain(sqs, queueUrl);
    const stored = item!['b']!.B!;
    const plainBytes = encodeRecord(decodeRecord(stored, id), { compressAboveBytes: Number.POSITIVE_INFINITY }).length;
    return { rru: total.rru / turns, wru: total.wru / turns, requests: total.requests / turns, recordBytes: stored.length, plainBytes };
  }

  it('costs 1 RRU and 1 WRU for a turn of one message, and 1 RRU and at most 2 WRU for a turn of ten', async () => {
    const one = await measure(1, 10);
    const ten = await measure(10, 5);
    console.log(
      `one message per turn: ${one.requests} requests, ${one.rru} RRU, ${one.wru} WRU (record ${one.recordBytes} bytes stored, ${one.plainBytes} uncompressed)\n` +
        `ten messages per turn: ${ten.requests} requests, ${ten.rru} RRU, ${ten.wru} WRU per turn = ${ten.wru / 10} WRU per message (record ${ten.recordBytes} bytes stored, ${ten.plainBytes} uncompressed)`,
    );
    expect(one).toMatchObject({ requests: 2, rru: 1, wru: 1 });
    expect(ten.plainBytes).toBeGreaterThan(ten.recordBytes);
    expect(ten.requests).toBe(2);
    expect(ten.rru).toBe(1);
    expect(ten.wru).toBeLessThanOrEqual(2);
  });
});

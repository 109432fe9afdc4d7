import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecord } from '../../../runtime/aws/dynamodb/record-codec.js';
import { DynamoDbStateStore } from '../../../runtime/aws/dynamodb/state-store.js';
import { isStatefunError, type VersionConflictError } from '../../../runtime/core/errors.js';
import { largeRecord, plain, smallRecord } from '../../contract/fixtures.js';

const NOW = Date.UTC(2026, 0, 1);
const cart = { typename: 'shop/cart', id: 'alice' };
const meta = { $metadata: { httpStatusCode: 400 } };

describe('DynamoDbStateStore', () => {
  const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const ddb = mockClient(client);
  let store: DynamoDbStateStore;
  beforeEach(() => {
    ddb.reset();
    store = new DynamoDbStateStore({ client, tableName: 'state', segmentBytes: 64 * 1024 });
  });
  afterEach(() => ddb.reset());

  const error = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (e: unknown) => e);

  it('commits with one PutItem conditioned on the version it read, asking for the item on failure', async () => {
    ddb.on(PutItemCommand).resolves({});
    await store.commit({ address: cart, expectedVersion: 3, record: smallRecord(4, NOW, 'x') });
    const input = ddb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('#v = :expected');
    expect(input.ExpressionAttributeValues).toEqual({ ':expected': { N: '3' } });
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(input.Item?.['pk']).toEqual({ S: 'shop/cart/alice' });
    expect(input.Item?.['sk']).toEqual({ S: 'r' });
    expect(input.Item?.['v']).toEqual({ N: '4' });
    expect(input.Item?.['ttl']).toBeUndefined();
  });

  it('turns a failed condition into a VersionConflictError carrying the version found', async () => {
    ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', ...meta, Item: { v: { N: '9' }, b: { B: Uint8Array.of(1) } } }));
    const conflict = (await error(store.commit({ address: cart, expectedVersion: 3, record: smallRecord(4, NOW, 'x') }))) as VersionConflictError;
    expect(isStatefunError(conflict, 'version-conflict')).toBe(true);
    expect(conflict.actualVersion).toBe(9);
    expect(conflict.message).toBe('commit for shop/cart/alice expected version 3 but found 9');

    ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', ...meta }));
    const none = (await error(store.commit({ address: cart, expectedVersion: 3, record: smallRecord(4, NOW, 'x') }))) as VersionConflictError;
    expect(none.actualVersion).toBe(0);
  });

  it('succeeds when the item found is its own write (the SDK retried a commit whose answer was lost)', async () => {
    let written: Record<string, unknown> | undefined;
    ddb
      .on(PutItemCommand)
      .callsFakeOnce((input: { Item: Record<string, unknown> }) => {
        written = input.Item;
        throw new Error('socket hang up');
      })
      .callsFake(() => {
        throw new ConditionalCheckFailedException({ message: 'failed', ...meta, Item: written as never });
      });
    const record = smallRecord(4, NOW, 'x');
    await expect(store.commit({ address: cart, expectedVersion: 3, record })).rejects.toThrow(/socket hang up/);
    await expect(store.commit({ address: cart, expectedVersion: 3, record })).resolves.toEqual({ effectsReleased: false, record });
  });

  it('maps throttling and 5xx to RetryableError and names the address', async () => {
    ddb.on(PutItemCommand).rejectsOnce(new ProvisionedThroughputExceededException({ message: 'slow', ...meta })).rejectsOnce(new InternalServerError({ message: 'oops', $metadata: { httpStatusCode: 500 } }));
    for (let i = 0; i < 2; i++) {
      const e = await error(store.commit({ address: cart, expectedVersion: 0, record: smallRecord(1, NOW, 'x') }));
      expect(isStatefunError(e, 'retryable')).toBe(true);
      expect((e as Error).message).toContain('shop/cart/alice');
    }
    ddb.on(GetItemCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow', ...meta }));
    expect(isStatefunError(await error(store.load(cart)), 'retryable')).toBe(true);
  });

  it('writes a record larger than one item as the record item and chunks in one transaction', async () => {
    ddb.on(TransactWriteItemsCommand).resolves({});
    await store.commit({ address: cart, expectedVersion: 0, record: largeRecord(1, NOW, 200_000) });
    const input = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input;
    const puts = input.TransactItems!.map((t) => t.Put!);
    expect(puts).toHaveLength(4);
    expect(puts[0]!.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(puts[0]!.Item!['cn']).toEqual({ N: '3' });
    expect(puts.slice(1).map((p) => p.Item!['sk']!.S)).toEqual(['c#1#0001', 'c#1#0002', 'c#1#0003']);
    expect(puts.slice(1).every((p) => p.ConditionExpression === undefined)).toBe(true);
    expect(input.ClientRequestToken).toHaveLength(36);
  });

  it('turns a cancelled transaction into a conflict only when the record condition failed', async () => {
    ddb.on(TransactWriteItemsCommand).rejectsOnce(
      new TransactionCanceledException({ message: 'cancelled', ...meta, CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: { v: { N: '5' } } }, { Code: 'None' }] }),
    );
    const conflict = (await error(store.commit({ address: cart, expectedVersion: 1, record: largeRecord(2, NOW, 100_000) }))) as VersionConflictError;
    expect(conflict.actualVersion).toBe(5);
    ddb.on(TransactWriteItemsCommand).rejectsOnce(new TransactionCanceledException({ message: 'cancelled', ...meta, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] }));
    expect(isStatefunError(await error(store.commit({ address: cart, expectedVersion: 1, record: largeRecord(2, NOW, 100_000) })), 'retryable')).toBe(true);
  });

  it('refuses a record beyond one transaction with a TerminalError naming the address and the size', async () => {
    const e = await error(new DynamoDbStateStore({ client, tableName: 'state' }).commit({ address: cart, expectedVersion: 0, record: largeRecord(1, NOW, 4_500_000) }));
    expect(isStatefunError(e, 'terminal')).toBe(true);
    expect((e as Error).message).toMatch(/^the record of shop\/cart\/alice is 45\d{5} bytes encoded \(13 items, \d+ bytes\), more than one DynamoDB transaction/);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });

  it('reads a chunked record from its chunks 1..cn, ignoring a part left over by an earlier incarnation', async () => {
    const record = largeRecord(5, NOW, 150_000);
    const blob = encodeRecord(record);
    const part = (from: number, to?: number) => ({ B: blob.slice(from, to) });
    ddb.on(GetItemCommand).resolves({ Item: { pk: { S: 'shop/cart/alice' }, sk: { S: 'r' }, v: { N: '5' }, cn: { N: '2' }, b: part(0, 65_536) } });
    ddb.on(QueryCommand).resolves({
      Items: [
        { sk: { S: 'c#5#0001' }, b: part(65_536, 131_072) },
        { sk: { S: 'c#5#0002' }, b: part(131_072) },
        { sk: { S: 'c#5#0003' }, b: { B: Uint8Array.of(9, 9, 9) } },
      ],
    });
    expect(plain(await store.load(cart))).toStrictEqual(plain(record));
    ddb.on(QueryCommand).resolves({ Items: [{ sk: { S: 'c#5#0002' }, b: part(131_072) }] });
    expect(isStatefunError(await error(store.load(cart)), 'retryable')).toBe(true);
  });

  it('refuses a commit whose record is not at the next version', async () => {
    const e = await error(store.commit({ address: cart, expectedVersion: 3, record: smallRecord(3, NOW, 'x') }));
    expect(isStatefunError(e, 'validation')).toBe(true);
  });

  it('tallies request units: the larger of the old and new item for a replacing put', async () => {
    const old = largeRecord(1, NOW, 3_000);
    ddb.on(GetItemCommand).resolves({ Item: { pk: { S: 'shop/cart/alice' }, sk: { S: 'r' }, v: { N: '1' }, b: { B: encodeRecord(old) } } });
    expect((await store.load(cart)).version).toBe(1);
    ddb.on(PutItemCommand).resolves({});
    await store.commit({ address: cart, expectedVersion: 1, record: smallRecord(2, NOW, 'small') });
    await store.commit({ address: cart, expectedVersion: 2, record: smallRecord(3, NOW, 'small') });
    const { byOperation } = store.capacity.snapshot();
    expect(byOperation['record.load']).toMatchObject({ requests: 1, rru: 1 });
    // 3 KB replaced by a small item costs 3 units; the next small-over-small put costs 1.
    expect(byOperation['record.commit']).toMatchObject({ requests: 2, wru: 4 });
  });
});

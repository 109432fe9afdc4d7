import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIngressKeyStore } from '../../../runtime/aws/dynamodb/ingress-key-store.js';
import { useAwsEmulators } from '../../support/emulators.js';
import { freshTable, type TableFixture } from './helpers.js';

const emulators = useAwsEmulators();

describe('ingress idempotency keys on DynamoDB Local', () => {
  let table: TableFixture;
  let keys: DynamoDbIngressKeyStore;
  beforeAll(async () => {
    table = await freshTable(emulators(), 'ingress-keys');
    keys = new DynamoDbIngressKeyStore({ client: table.dynamodb, tableName: table.tableName });
  });
  afterAll(() => table.destroy());

  it('remembers the first message id of a key per target, and answers it to later claims', async () => {
    const now = Date.now();
    const first = await keys.claim('shop/cart/alice\u0000key-1', 'ingress:shop/cart/alice#key-1', now, 60_000);
    expect(first).toEqual({ messageId: 'ingress:shop/cart/alice#key-1', at: now, fresh: true });
    const again = await keys.claim('shop/cart/alice\u0000key-1', 'ingress:other', now + 5, 60_000);
    expect(again).toEqual({ messageId: 'ingress:shop/cart/alice#key-1', at: now, fresh: false });
    expect((await keys.claim('shop/cart/bob\u0000key-1', 'ingress:bob', now, 60_000)).fresh).toBe(true);
    expect(await keys.get('shop/cart/alice\u0000key-1', now)).toEqual({ messageId: 'ingress:shop/cart/alice#key-1', at: now });
    const [item] = await table.items('idem#shop/cart/alice#key-1');
    expect(item).toMatchObject({ sk: { S: 'i' }, s: { S: 'accepted' }, ttl: { N: String(Math.ceil((now + 60_000) / 1000)) } });
  });

  it('lets an expired key be claimed again (DynamoDB deletes expired items lazily)', async () => {
    const then = Date.now() - 120_000;
    await keys.claim('shop/cart/carol\u0000k', 'ingress:old', then, 60_000);
    expect(await keys.get('shop/cart/carol\u0000k', Date.now())).toBeUndefined();
    expect(await keys.claim('shop/cart/carol\u0000k', 'ingress:new', Date.now(), 60_000)).toMatchObject({ messageId: 'ingress:new', fresh: true });
  });

  it('hashes keys too long for a partition key', async () => {
    const key = `shop/cart/dave\u0000${'k'.repeat(3_000)}`;
    expect((await keys.claim(key, 'ingress:long', Date.now(), 60_000)).fresh).toBe(true);
    expect((await keys.claim(key, 'ingress:again', Date.now(), 60_000)).messageId).toBe('ingress:long');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapacityTally } from '../../../runtime/aws/dynamodb/capacity.js';
import { DynamoDbDeadLetterStore } from '../../../runtime/aws/dynamodb/dead-letter-store.js';
import { DynamoDbStateStore } from '../../../runtime/aws/dynamodb/state-store.js';
import { MAX_QUEUE_RETENTION_MS } from '../../../runtime/aws/dynamodb/ttl.js';
import { isStatefunError } from '../../../runtime/core/errors.js';
import { fullRecord, largeRecord, plain, smallRecord, uniqueAddress } from '../../contract/fixtures.js';
import { useAwsEmulators } from '../../support/emulators.js';
import { freshTable, type TableFixture } from './helpers.js';

const emulators = useAwsEmulators();

describe('DynamoDB state store on DynamoDB Local', () => {
  let table: TableFixture;
  let store: DynamoDbStateStore;
  const capacity = new CapacityTally();
  beforeAll(async () => {
    table = await freshTable(emulators(), 'state-store');
    store = new DynamoDbStateStore({ client: table.dynamodb, tableName: table.tableName, capacity });
  });
  afterAll(() => table.destroy());

  const sortKeys = async (pk: string): Promise<string[]> => (await table.items(pk)).map((item) => item['sk']!.S!);

  it('refuses a record beyond one transaction with a TerminalError naming the address and size, and writes nothing', async () => {
    const self = uniqueAddress('it/store');
    const error = await store.commit({ address: self, expectedVersion: 0, record: largeRecord(1, Date.now(), 4_200_000) }).catch((e: unknown) => e);
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect((error as Error).message).toContain(`the record of it/store/${self.id} is 42`);
    expect(await sortKeys(`it/store/${self.id}`)).toEqual([]);
  });

  it('keeps only the chunks of the current version', async () => {
    const self = uniqueAddress('it/store');
    const pk = `it/store/${self.id}`;
    const now = Date.now();
    await store.commit({ address: self, expectedVersion: 0, record: largeRecord(1, now, 1_000_000) });
    expect(await sortKeys(pk)).toEqual(['c#1#0001', 'c#1#0002', 'r']);
    await store.commit({ address: self, expectedVersion: 1, record: largeRecord(2, now, 800_000) });
    expect(await sortKeys(pk)).toEqual(['c#2#0001', 'c#2#0002', 'r']);
    await store.commit({ address: self, expectedVersion: 2, record: smallRecord(3, now, 'small') });
    expect(await sortKeys(pk)).toEqual(['r']);
  });

  it('cleans old chunks also when another store instance wrote them', async () => {
    const self = uniqueAddress('it/store');
    const pk = `it/store/${self.id}`;
    const now = Date.now();
    await store.commit({ address: self, expectedVersion: 0, record: largeRecord(1, now, 1_000_000) });
    const other = new DynamoDbStateStore({ client: table.dynamodb, tableName: table.tableName });
    await other.commit({ address: self, expectedVersion: 1, record: smallRecord(2, now, 'from elsewhere') });
    expect(await sortKeys(pk)).toEqual(['r']);
    expect(plain(await store.load(self))).toStrictEqual(plain(smallRecord(2, now, 'from elsewhere')));
  });

  it('takes the SDK retry of a commit that had succeeded as a success (its own write found)', async () => {
    const self = uniqueAddress('it/store');
    const record = smallRecord(1, Date.now(), 'once');
    await store.commit({ address: self, expectedVersion: 0, record });
    await expect(store.commit({ address: self, expectedVersion: 0, record })).resolves.toEqual({ effectsReleased: false, record });
    const big = { ...largeRecord(2, Date.now(), 500_000), incarnation: record.incarnation };
    await store.commit({ address: self, expectedVersion: 1, record: big });
    await expect(store.commit({ address: self, expectedVersion: 1, record: big })).resolves.toMatchObject({ effectsReleased: false });
    const other = { ...largeRecord(2, Date.now(), 500_000), incarnation: record.incarnation };
    expect(isStatefunError(await store.commit({ address: self, expectedVersion: 1, record: other }).catch((e: unknown) => e), 'version-conflict')).toBe(true);
  });

  it('sets ttl from the record: absent while a value never expires, otherwise the latest expiry or retention', async () => {
    const now = Date.now();
    const forever = uniqueAddress('it/store');
    await store.commit({ address: forever, expectedVersion: 0, record: smallRecord(1, now, 'x') });
    expect((await table.items(`it/store/${forever.id}`))[0]!['ttl']).toBeUndefined();
    const expiring = uniqueAddress('it/store');
    const record = { ...smallRecord(1, now, 'x'), values: new Map([['v', { typename: 'x/y', value: Uint8Array.of(1), expiresAt: now + 1000 }]]) };
    await store.commit({ address: expiring, expectedVersion: 0, record });
    expect((await table.items(`it/store/${expiring.id}`))[0]!['ttl']).toEqual({ N: String(Math.ceil((now + MAX_QUEUE_RETENTION_MS) / 1000)) });
  });

  it('hashes the partition key of a very long address and keeps the address in the item', async () => {
    const self = { typename: 'it/store', id: `long-${'x'.repeat(1_000)}-${Date.now()}` };
    const record = fullRecord(self, 1, Date.now());
    await store.commit({ address: self, expectedVersion: 0, record });
    expect(plain(await store.load(self))).toStrictEqual(plain(record));
  });

  it('lists parked addresses with their cause and letter count through the index', async () => {
    const letters = new DynamoDbDeadLetterStore({ client: table.dynamodb, tableName: table.tableName });
    const self = uniqueAddress('it/parked');
    const now = Date.now();
    const record = fullRecord(self, 1, now);
    await store.commit({ address: self, expectedVersion: 0, record });
    await letters.appendLetters(self, [{ envelope: record.outbox!.messages[0]!, cause: 'boom', at: now, attempts: 3 }]);
    const parked = await letters.parkedAddresses();
    expect(parked.find((p) => p.address.id === self.id)).toEqual({ address: self, info: record.parked, letters: 1 });
    await store.commit({ address: self, expectedVersion: 1, record: { ...smallRecord(2, now, 'unparked'), incarnation: record.incarnation } });
    expect((await letters.parkedAddresses()).some((p) => p.address.id === self.id)).toBe(false);
  });

  it('estimates the request units DynamoDB Local reports for single-item reads and writes', async () => {
    capacity.reset();
    const self = uniqueAddress('it/store');
    let record = smallRecord(1, Date.now(), 'x'.repeat(2_500));
    await store.commit({ address: self, expectedVersion: 0, record });
    for (let v = 2; v <= 4; v++) {
      await store.load(self);
      record = { ...largeRecord(v, Date.now(), v * 1_500), incarnation: record.incarnation };
      await store.commit({ address: self, expectedVersion: v - 1, record });
    }
    const { byOperation } = capacity.snapshot();
    for (const op of ['record.load', 'record.commit']) {
      const count = byOperation[op]!;
      expect(count.reported, op).toBe(op === 'record.load' ? count.rru : count.wru);
    }
  });
});

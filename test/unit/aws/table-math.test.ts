import { describe, expect, it } from 'vitest';
import { absentOrExpired, commitCondition, ITEM_ABSENT, versionIs } from '../../../runtime/aws/dynamodb/conditions.js';
import { itemSize, numberSize, readUnits, writeUnits } from '../../../runtime/aws/dynamodb/item-size.js';
import { MAX_QUEUE_RETENTION_MS, recordExpiry } from '../../../runtime/aws/dynamodb/ttl.js';
import { emptyRecord } from '../../../runtime/core/record.js';
import { fullRecord, smallRecord } from '../../contract/fixtures.js';

const NOW = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

describe('record expiry (ttl)', () => {
  const expiring = (expiresAt: number) => ({
    ...emptyRecord(),
    version: 1,
    lastCommitAt: NOW,
    values: new Map([['v', { typename: 'x/y', value: new Uint8Array(0), expiresAt }]]),
  });

  it('is the last commit plus the queue retention when nothing else keeps the record', () => {
    expect(recordExpiry({ ...emptyRecord(), version: 1, lastCommitAt: NOW })).toBe(Math.ceil((NOW + MAX_QUEUE_RETENTION_MS) / 1000));
    expect(recordExpiry({ ...emptyRecord(), version: 1, lastCommitAt: NOW }, { afterLastCommitMs: DAY })).toBe((NOW + DAY) / 1000);
  });

  it('waits for the latest value expiry', () => {
    expect(recordExpiry(expiring(NOW + 30 * DAY))).toBe((NOW + 30 * DAY) / 1000);
    expect(recordExpiry(expiring(NOW + DAY))).toBe((NOW + MAX_QUEUE_RETENTION_MS) / 1000);
  });

  it('outlives every pending timer by the retention', () => {
    const record = { ...emptyRecord(), version: 1, lastCommitAt: NOW, timers: fullRecord({ typename: 'a/b', id: 'c' }, 1, NOW + 40 * DAY).timers };
    expect(recordExpiry(record, { afterLastCommitMs: DAY })).toBe((NOW + 40 * DAY + 7_200_000 + DAY) / 1000);
  });

  it('is absent (forever) for a value that never expires, a parked address, or effects not proven released', () => {
    expect(recordExpiry(smallRecord(1, NOW, 'x'))).toBeUndefined();
    expect(recordExpiry({ ...expiring(NOW + DAY), parked: { since: NOW, reason: 'r', messageId: 'm' } })).toBeUndefined();
    const outbox = { turn: 1, messages: [], timers: [], egress: [] };
    expect(recordExpiry({ ...expiring(NOW + DAY), outbox: { ...outbox, releaseProvenByAck: false } })).toBeUndefined();
    expect(recordExpiry({ ...expiring(NOW + DAY), outbox: { ...outbox, releaseProvenByAck: true } })).toBe((NOW + MAX_QUEUE_RETENTION_MS) / 1000);
  });
});

describe('item size and request units', () => {
  it('adds attribute names and values as DynamoDB counts them', () => {
    expect(itemSize({ pk: { S: 'shop/cart/alice' }, sk: { S: 'r' } })).toBe(2 + 15 + 2 + 1);
    expect(itemSize({ b: { B: new Uint8Array(100) } })).toBe(101);
    expect(itemSize({ v: { N: '12345' } })).toBe(1 + 4);
    expect(itemSize({ m: { M: { t: { S: 'ab' }, ms: { N: '0' } } } })).toBe(1 + 3 + 2 + 1 + 2 + 2 + 2);
    expect(itemSize({ l: { L: [{ S: 'a' }, { BOOL: true }] } })).toBe(1 + 3 + 2 + 2);
  });

  it('sizes numbers by significant digits', () => {
    expect(numberSize('0')).toBe(2);
    expect(numberSize('1767225600')).toBe(5);
    expect(numberSize('1000000')).toBe(2);
    expect(numberSize('-12.50')).toBe(3);
  });

  it('bills writes per started KB and strongly consistent reads per started 4 KB, one at least', () => {
    expect([writeUnits(0), writeUnits(1024), writeUnits(1025)]).toEqual([1, 1, 2]);
    expect([readUnits(0), readUnits(4096), readUnits(4097)]).toEqual([1, 1, 2]);
  });
});

describe('commit conditions', () => {
  it('are "no item" for the first commit and "version unchanged" after', () => {
    expect(commitCondition(0)).toBe(ITEM_ABSENT);
    expect(commitCondition(0).ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(commitCondition(7)).toEqual(versionIs(7));
    expect(versionIs(7)).toEqual({ ConditionExpression: '#v = :expected', ExpressionAttributeNames: { '#v': 'v' }, ExpressionAttributeValues: { ':expected': { N: '7' } } });
  });

  it('let an expired idempotency key be claimed again', () => {
    expect(absentOrExpired(1000)).toEqual({
      ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
      ExpressionAttributeNames: { '#pk': 'pk', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':now': { N: '1000' } },
    });
  });
});

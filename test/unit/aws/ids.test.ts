import { describe, expect, it } from 'vitest';
import {
  addressPartitionKey,
  chunkSortKey,
  chunkVersion,
  ingressKeyPartitionKey,
  letterChunkSortKey,
  letterSortKey,
  parseLetterSortKey,
  specPartitionKey,
} from '../../../runtime/aws/dynamodb/keys.js';
import { partitionKeyFor } from '../../../runtime/aws/egress/kinesis-egress.js';
import { sha256Base32 } from '../../../runtime/aws/hashing.js';
import { atExpression, scheduleNameFor } from '../../../runtime/aws/scheduler/schedule-name.js';
import { deduplicationIdFor, messageGroupIdFor } from '../../../runtime/aws/sqs/fifo-ids.js';

describe('message group ids', () => {
  it('are the address key itself when SQS accepts it', () => {
    expect(messageGroupIdFor('shop/cart/alice')).toBe('shop/cart/alice');
    expect(messageGroupIdFor('a.b-c/d_e/!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')).toBe('a.b-c/d_e/!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
    expect(messageGroupIdFor(`ns/t/${'x'.repeat(128 - 5)}`)).toHaveLength(128);
  });

  it('are a stable hash for keys SQS refuses: too long, non-ASCII, spaces', () => {
    for (const key of [`ns/t/${'x'.repeat(124)}`, 'shop/cart/Zoë', 'shop/cart/a b', 'shop/cart/tab\t']) {
      const id = messageGroupIdFor(key);
      expect(id).toMatch(/^h:[A-Za-z0-9_-]{43}$/);
      expect(messageGroupIdFor(key)).toBe(id);
    }
    expect(messageGroupIdFor('shop/cart/Zoë')).not.toBe(messageGroupIdFor('shop/cart/Zoe\u0308'));
  });
});

describe('deduplication ids', () => {
  it('are 43 base64url characters, the same for the same id and different for different ids', () => {
    const id = deduplicationIdFor('shop/cart/alice#k0.7.0');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(deduplicationIdFor('shop/cart/alice#k0.7.0')).toBe(id);
    expect(deduplicationIdFor('shop/cart/alice#k0.7.1')).not.toBe(id);
  });
});

describe('schedule names', () => {
  it('fit the Scheduler alphabet and length, and are stable per timer', () => {
    const name = scheduleNameFor('shop/cart/Zoë with spaces/and#hashes#k0.12.t3');
    expect(name).toMatch(/^[0-9a-zA-Z\-_.]{1,64}$/);
    expect(name).toMatch(/^sf-[a-z2-7]{52}$/);
    expect(scheduleNameFor('shop/cart/Zoë with spaces/and#hashes#k0.12.t3')).toBe(name);
    expect(scheduleNameFor('shop/cart/a#k0.12.t4')).not.toBe(scheduleNameFor('shop/cart/a#k0.12.t3'));
  });

  it('are base32 of SHA-256 (RFC 4648 alphabet, lower case)', () => {
    // SHA-256("") = e3b0c442…; its base32 starts with 4oymiquy (checked against a reference encoder).
    expect(sha256Base32('')).toBe('4oymiquy7qobjgx36tejs35zeqt24qpemsnzgtfeswmrw6csxbkq');
  });

  it('at() expressions are UTC, truncated to the second', () => {
    expect(atExpression(Date.UTC(2026, 2, 4, 5, 6, 7, 999))).toBe('at(2026-03-04T05:06:07)');
  });
});

describe('table keys', () => {
  it('use the address key as partition key, hashed beyond 512 bytes', () => {
    expect(addressPartitionKey({ typename: 'shop/cart', id: 'alice' })).toBe('shop/cart/alice');
    const long = addressPartitionKey({ typename: 'shop/cart', id: 'é'.repeat(300) });
    expect(long).toMatch(/^h#[A-Za-z0-9_-]{43}$/);
    expect(specPartitionKey('shop/cart')).toBe('spec#shop/cart');
  });

  it('keep the target and the client key of an ingress idempotency key apart', () => {
    expect(ingressKeyPartitionKey('shop/cart/alice\u0000key-1')).toBe('idem#shop/cart/alice#key-1');
    // Address ids may contain '#': the client's key has its '#' and '%' escaped, so these two differ.
    expect(ingressKeyPartitionKey('shop/cart/a#x\u0000y')).not.toBe(ingressKeyPartitionKey('shop/cart/a\u0000x#y'));
    expect(ingressKeyPartitionKey('shop/cart/a\u0000x#y%')).toBe('idem#shop/cart/a#x%23y%25');
  });

  it('sort dead letters in arrival order and their chunks right after them', () => {
    const keys = [letterSortKey(10), letterChunkSortKey(9, 1), letterSortKey(9), letterSortKey(100), letterChunkSortKey(9, 2)].sort();
    expect(keys).toEqual([letterSortKey(9), letterChunkSortKey(9, 1), letterChunkSortKey(9, 2), letterSortKey(10), letterSortKey(100)]);
    expect(parseLetterSortKey(letterSortKey(42))).toEqual({ order: 42, part: 0 });
    expect(parseLetterSortKey(letterChunkSortKey(42, 3))).toEqual({ order: 42, part: 3 });
    expect(parseLetterSortKey('d')).toBeUndefined();
  });

  it('name record chunks by version and part', () => {
    expect(chunkSortKey(7, 2)).toBe('c#7#0002');
    expect(chunkVersion('c#7#0002')).toBe(7);
    expect(chunkVersion('r')).toBeUndefined();
  });
});

describe('Kinesis partition keys', () => {
  it('are the key up to 256 characters, a hash beyond', () => {
    expect(partitionKeyFor('é'.repeat(256))).toBe('é'.repeat(256));
    expect(partitionKeyFor('é'.repeat(257))).toMatch(/^h:[A-Za-z0-9_-]{43}$/);
  });
});

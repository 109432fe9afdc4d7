import { describe, expect, it } from 'vitest';
import { decodeLetter, encodeLetter } from '../../../runtime/aws/dynamodb/letter-codec.js';
import { ProtoWriter } from '../../../runtime/aws/dynamodb/proto-wire.js';
import { decodeRecord, encodeRecord, FORMAT_DEFLATE, FORMAT_PLAIN } from '../../../runtime/aws/dynamodb/record-codec.js';
import { isStatefunError } from '../../../runtime/core/errors.js';
import { type AddressRecord, emptyRecord } from '../../../runtime/core/record.js';
import { fullRecord, functionMessage, largeRecord, letter, plain, smallRecord } from '../../contract/fixtures.js';

const self = { typename: 'shop/cart', id: 'alice/42#x' };
const NOW = Date.UTC(2026, 0, 1);

function roundTrip(record: AddressRecord): AddressRecord {
  return decodeRecord(encodeRecord(record), 'the record of test');
}

describe('record codec', () => {
  it('round-trips every field, keeping undefined, empty and zero apart', () => {
    const record = fullRecord(self, 7, NOW);
    expect(plain(roundTrip(record))).toStrictEqual(plain(record));
  });

  it('round-trips the empty record', () => {
    expect(plain(roundTrip(emptyRecord()))).toStrictEqual(plain(emptyRecord()));
  });

  it('reads byte values as plain Uint8Arrays, also from a compressed record', () => {
    const record = { ...smallRecord(1, NOW, 'x'.repeat(5_000)) };
    const bytes = encodeRecord(record);
    expect(bytes[0]).toBe(FORMAT_DEFLATE);
    const value = decodeRecord(bytes, 'test').values.get('text')!.value;
    expect(Object.getPrototypeOf(value)).toBe(Uint8Array.prototype);
  });

  it('keeps a typical small record small: a counter with a few dedup marks is a few hundred bytes', () => {
    const record: AddressRecord = {
      ...emptyRecord(),
      version: 12,
      incarnation: NOW - 86_400_000,
      values: new Map([['count', { typename: 'io.statefun.types/int', value: Uint8Array.of(0x0d, 12, 0, 0, 0), expiresAt: undefined }]]),
      dedup: {
        marks: new Map([['shop/checkout/alice', { incarnation: NOW - 1_000_000, turn: 11, index: 0, sentAt: NOW - 10, seenAt: NOW }]]),
        forgottenUntil: 0,
      },
      lastConsumed: ['shop/checkout/alice#lz8w4k.11.0'],
      outbox: { turn: 12, releaseProvenByAck: true, messages: [functionMessage(self, { typename: 'shop/checkout', id: 'alice' }, 12, 0, NOW)], timers: [], egress: [] },
      lastCommitAt: NOW,
    };
    const bytes = encodeRecord(record);
    expect(bytes[0]).toBe(FORMAT_PLAIN);
    expect(bytes.length).toBeLessThan(400);
    expect(plain(decodeRecord(bytes, 'test'))).toStrictEqual(plain(record));
  });

  it('compresses only when it saves at least a tenth', () => {
    const random = largeRecord(1, NOW, 50_000);
    expect(encodeRecord(random)[0]).toBe(FORMAT_PLAIN);
    const json = smallRecord(1, NOW, JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ item: i, name: 'apple' }))));
    const compressed = encodeRecord(json);
    expect(compressed[0]).toBe(FORMAT_DEFLATE);
    expect(compressed.length).toBeLessThan(json.values.get('text')!.value.length / 5);
    expect(encodeRecord(json, { compressAboveBytes: 10_000_000 })[0]).toBe(FORMAT_PLAIN);
  });

  it('skips fields it does not know, so the format can grow', () => {
    const record = smallRecord(3, NOW, 'v');
    const known = encodeRecord(record).subarray(1);
    const extra = new ProtoWriter().string(99, 'a field of a later version').uint(98, 5, 'x').finish();
    const grown = new Uint8Array([FORMAT_PLAIN, ...known, ...extra]);
    expect(plain(decodeRecord(grown, 'test'))).toStrictEqual(plain(record));
  });

  it('names the record in a TerminalError when the bytes are corrupt', () => {
    const bytes = encodeRecord(fullRecord(self, 2, NOW));
    const cases = [new Uint8Array(0), Uint8Array.of(9, 1, 2), bytes.subarray(0, bytes.length - 3), Uint8Array.of(FORMAT_DEFLATE, 1, 2, 3)];
    for (const corrupt of cases) {
      let error: unknown;
      try {
        decodeRecord(corrupt, 'the record of shop/cart/alice');
      } catch (e) {
        error = e;
      }
      expect(isStatefunError(error, 'terminal')).toBe(true);
      expect((error as Error).message).toContain('the record of shop/cart/alice');
    }
  });

  it('refuses to store a negative or fractional time with a TerminalError naming the field', () => {
    const record = { ...smallRecord(1, NOW, 'x'), lastCommitAt: -5 };
    expect(() => encodeRecord(record)).toThrow(/lastCommitAt = -5/);
    expect(() => encodeRecord({ ...smallRecord(1, NOW, 'x'), lastCommitAt: 1.5 })).toThrow(/lastCommitAt/);
  });
});

describe('letter codec', () => {
  it('round-trips a dead letter', () => {
    const l = letter(functionMessage(self, { typename: 'shop/checkout', id: 'bob' }, 3, 1, NOW), 'TerminalError: no such item «x»', NOW + 5, 10);
    expect(plain(decodeLetter(encodeLetter(l), 'test'))).toStrictEqual(plain(l));
  });
});

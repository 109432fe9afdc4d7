import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireWriter } from '../../../runtime/sdk/protobuf-wire.js';
import { stringType } from '../../../runtime/sdk/types.js';
import { SHORT_STRING, utf8Length, writeUtf8 } from '../../../runtime/sdk/utf8.js';

const encoder = new TextEncoder();

/** Any UTF-16 string, lone surrogates included, mostly short and sometimes past the short-string limit. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: SHORT_STRING + 8 }),
  fc.string({ unit: 'binary-ascii', maxLength: 4 * SHORT_STRING }),
  fc.string({ unit: fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', 'a', 'é', '€', '😀'), maxLength: 40 }),
);

function encoded(value: string): Uint8Array {
  const out = new Uint8Array(utf8Length(value));
  expect(writeUtf8(value, out, 0)).toBe(out.length);
  return out;
}

describe('utf8', () => {
  it('encodes every string byte for byte like TextEncoder, lone surrogates included', () => {
    fc.assert(
      fc.property(anyString, (value) => {
        expect(encoded(value)).toEqual(encoder.encode(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes the boundaries of each sequence length', () => {
    const samples = ['\u007f', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\ud800\udc00', '\udbff\udfff', '\udc00\ud800', 'x\ud800'];
    for (const value of samples) expect(encoded(value)).toEqual(encoder.encode(value));
  });

  it('writes at an offset', () => {
    const out = new Uint8Array(8).fill(7);
    expect(writeUtf8('é', out, 3)).toBe(5);
    expect([...out]).toEqual([7, 7, 7, 0xc3, 0xa9, 7, 7, 7]);
  });

  it('leaves the wire bytes of strings unchanged', () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 1, max: 20 }), (value, field) => {
        const bytes = encoder.encode(value);
        const expected = value.length === 0 ? new Uint8Array(0) : [0x0a, ...varint(bytes.length), ...bytes];
        expect(stringType.serialize(value)).toEqual(Uint8Array.from(expected));
        expect(stringType.deserialize(stringType.serialize(value))).toBe(new TextDecoder().decode(bytes));
        const viaWriter = new WireWriter().string(field, value).finish();
        expect(viaWriter).toEqual(Uint8Array.from([...varint(field * 8 + 2), ...varint(bytes.length), ...bytes]));
      }),
      { numRuns: 1000 },
    );
  });
});

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

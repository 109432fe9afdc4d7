import { StateFun } from 'apache-flink-statefun';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { isStatefunError } from '../../../runtime/core/errors.js';
import {
  boolType,
  BUILT_IN_TYPES,
  doubleType,
  floatType,
  intType,
  jsonType,
  longType,
  stringType,
  type Type,
} from '../../../runtime/sdk/types.js';

/**
 * The built-in types must produce exactly the bytes the official StateFun SDKs produce, because state written
 * by one SDK is read by another and messages cross SDKs. The official JS SDK (apache-flink-statefun 3.3.0)
 * is the oracle for bool/int/float/string; it has no long or double, so those are checked against protobuf
 * bytes computed by hand and by protobufjs.
 */

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

interface OfficialType<T> {
  readonly typename: string;
  serialize(value: T): Uint8Array;
  deserialize(bytes: Uint8Array): T;
}

/** Pairs each of our types with the official SDK's, with values that exercise the encoding. */
const pairs: Array<{ name: string; ours: Type<unknown>; theirs: OfficialType<unknown>; values: unknown[] }> = [
  { name: 'bool', ours: boolType, theirs: StateFun.booleanType(), values: [true, false] },
  {
    name: 'int',
    ours: intType,
    theirs: StateFun.intType(),
    values: [0, 1, -1, 42, 255, 256, 65_536, 2_147_483_647, -2_147_483_648, -123_456_789],
  },
  {
    name: 'float',
    ours: floatType,
    theirs: StateFun.floatType(),
    // Values exactly representable in 32 bits, and ones that round; 1e-50 underflows to +0 but is still written.
    values: [0, 1, -1, 1.5, -2.25, 0.1, 3.4e38, 1e-50, 123_456.789, Infinity, -Infinity],
  },
  {
    name: 'string',
    ours: stringType,
    theirs: StateFun.stringType(),
    values: ['', 'a', 'hello world', 'héllo', '日本語', '\u{1F600} emoji', 'x'.repeat(300), 'new\nline\u0000nul'],
  },
];

describe('built-in types are byte-compatible with the official StateFun JS SDK', () => {
  for (const { name, ours, theirs, values } of pairs) {
    it(`${name}: typename matches the official one`, () => {
      expect(ours.typename).toBe(theirs.typename);
      expect(ours.typename).toBe(`io.statefun.types/${name}`);
    });

    for (const value of values) {
      it(`${name}: ${String(value).slice(0, 40)} serializes to the official bytes and each side reads the other's`, () => {
        const mine = ours.serialize(value);
        const official = theirs.serialize(value);
        expect(hex(mine)).toBe(hex(official));
        const fromOfficial = ours.deserialize(new Uint8Array(official));
        const fromMine = theirs.deserialize(mine);
        if (name === 'float') {
          const rounded = Math.fround(value as number);
          expect(fromOfficial).toBe(rounded);
          expect(fromMine).toBe(rounded);
        } else {
          expect(fromOfficial).toEqual(value);
          expect(fromMine).toEqual(value);
        }
      });
    }
  }

  it('float: NaN is read as NaN by either side (bit patterns differ between SDKs, the value does not)', () => {
    expect(Number.isNaN(floatType.deserialize(StateFun.floatType().serialize(NaN)))).toBe(true);
    expect(Number.isNaN(StateFun.floatType().deserialize(Buffer.from(floatType.serialize(NaN))))).toBe(true);
  });

  it('zero values of every built-in type encode as zero bytes', () => {
    expect(boolType.serialize(false)).toHaveLength(0);
    expect(intType.serialize(0)).toHaveLength(0);
    expect(intType.serialize(-0)).toHaveLength(0);
    expect(longType.serialize(0n)).toHaveLength(0);
    expect(floatType.serialize(0)).toHaveLength(0);
    expect(doubleType.serialize(0)).toHaveLength(0);
    expect(stringType.serialize('')).toHaveLength(0);
  });

  it('zero bytes decode as the zero value of every built-in type', () => {
    const none = new Uint8Array(0);
    expect(boolType.deserialize(none)).toBe(false);
    expect(intType.deserialize(none)).toBe(0);
    expect(longType.deserialize(none)).toBe(0n);
    expect(floatType.deserialize(none)).toBe(0);
    expect(doubleType.deserialize(none)).toBe(0);
    expect(stringType.deserialize(none)).toBe('');
  });

  it('reads a wrapper whose field 1 is preceded by an unknown field (as a newer SDK might write)', () => {
    // field 2 varint 7, then IntWrapper field 1 = 5
    const bytes = Uint8Array.of(0x10, 0x07, 0x0d, 0x05, 0x00, 0x00, 0x00);
    expect(intType.deserialize(bytes)).toBe(5);
    expect(StateFun.intType().deserialize(Buffer.from(bytes))).toBe(5);
  });

  it('lists exactly the six built-in types by typename', () => {
    expect([...BUILT_IN_TYPES.keys()].sort()).toEqual(
      ['bool', 'double', 'float', 'int', 'long', 'string'].map((n) => `io.statefun.types/${n}`),
    );
  });
});

describe('int range', () => {
  for (const bad of [2_147_483_648, -2_147_483_649, 1.5, Number.NaN, Infinity]) {
    it(`refuses ${String(bad)} with a ValidationError naming the value`, () => {
      let thrown: unknown;
      try {
        intType.serialize(bad);
      } catch (error) {
        thrown = error;
      }
      expect(isStatefunError(thrown, 'validation')).toBe(true);
      expect((thrown as Error).message).toContain('io.statefun.types/int');
      expect((thrown as Error).message).toContain(`got ${String(bad)}`);
    });
  }

  it('refuses a string that looks like a number', () => {
    expect(() => intType.serialize('5' as unknown as number)).toThrow(/"5"/);
  });
});

/** `LongWrapper { sfixed64 value = 1 }` and `DoubleWrapper { double value = 1 }`, as protobufjs sees them. */
const wrappers = protobuf.Root.fromJSON({
  nested: {
    w: {
      nested: {
        LongWrapper: { fields: { value: { type: 'sfixed64', id: 1 } } },
        DoubleWrapper: { fields: { value: { type: 'double', id: 1 } } },
      },
    },
  },
});
const DoubleWrapper = wrappers.lookupType('w.DoubleWrapper');
const LongWrapper = wrappers.lookupType('w.LongWrapper');

describe('long: sfixed64 in field 1 (tag 0x09), little-endian two’s complement', () => {
  const cases: Array<[bigint, string]> = [
    [1n, '090100000000000000'],
    [-1n, '09ffffffffffffffff'],
    [256n, '090001000000000000'],
    [2n ** 63n - 1n, '09ffffffffffffff7f'],
    [-(2n ** 63n), '090000000000000080'],
    [9_007_199_254_740_993n, '090100000000002000'],
  ];
  for (const [value, bytes] of cases) {
    it(`${value} encodes as ${bytes} and decodes back`, () => {
      expect(hex(longType.serialize(value))).toBe(bytes);
      expect(longType.deserialize(Buffer.from(bytes, 'hex'))).toBe(value);
    });
  }

  it('agrees with protobufjs on a value beyond 2^53', () => {
    const theirs = LongWrapper.encode(LongWrapper.fromObject({ value: '-9007199254740993' })).finish();
    expect(hex(longType.serialize(-9_007_199_254_740_993n))).toBe(hex(theirs));
  });

  for (const bad of [2n ** 63n, -(2n ** 63n) - 1n]) {
    it(`refuses ${bad} naming the value`, () => {
      expect(() => longType.serialize(bad)).toThrow(`${bad}n`);
    });
  }

  it('refuses a plain number: longs are bigints', () => {
    expect(() => longType.serialize(5 as unknown as bigint)).toThrow(/bigint, got 5/);
  });
});

describe('double: double in field 1 (tag 0x09)', () => {
  const cases: Array<[number, string]> = [
    [1.5, '09000000000000f83f'],
    [-2, '0900000000000000c0'],
    [0.1, '099a9999999999b93f'],
    [Number.MAX_VALUE, '09ffffffffffffef7f'],
  ];
  for (const [value, bytes] of cases) {
    it(`${value} encodes as ${bytes}, as protobufjs does, and decodes back`, () => {
      expect(hex(doubleType.serialize(value))).toBe(bytes);
      expect(hex(DoubleWrapper.encode({ value }).finish())).toBe(bytes);
      expect(doubleType.deserialize(Buffer.from(bytes, 'hex'))).toBe(value);
    });
  }

  it('keeps full 64-bit precision (not rounded to float)', () => {
    expect(doubleType.deserialize(doubleType.serialize(0.1 + 0.2))).toBe(0.1 + 0.2);
  });
});

describe('JSON types', () => {
  const Order = jsonType<{ id: string; items: number[]; note?: string }>('shop/Order');

  it('compares values, not bytes: reads JSON written with other whitespace and key order', () => {
    const fromAnotherSdk = new TextEncoder().encode('{ "items" : [1, 2],\n "id": "o-1" }');
    expect(Order.deserialize(fromAnotherSdk)).toEqual({ id: 'o-1', items: [1, 2] });
  });

  it('round-trips with the official SDK json type by value', () => {
    const official = StateFun.jsonType<{ id: string; items: number[] }>('shop/Order');
    const value = { id: 'o-2', items: [3], note: 'ünïcode' };
    expect(official.deserialize(Buffer.from(Order.serialize(value)))).toEqual(value);
    expect(Order.deserialize(official.serialize(value))).toEqual(value);
  });

  it('names the type when bytes are not JSON', () => {
    expect(() => Order.deserialize(new TextEncoder().encode('{nope'))).toThrow(/shop\/Order/);
  });

  it('refuses a value JSON cannot represent, naming the type', () => {
    expect(() => Order.serialize(undefined as never)).toThrow(/shop\/Order must be JSON-serializable/);
  });

  it('refuses values JSON.stringify throws on (bigint, cycles) with a ValidationError naming the type', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [{ id: 'x', items: [], big: 1n }, cyclic]) {
      let thrown: unknown;
      try {
        Order.serialize(value as never);
      } catch (error) {
        thrown = error;
      }
      expect(isStatefunError(thrown, 'validation'), String(thrown)).toBe(true);
      expect((thrown as Error).message).toContain('shop/Order');
    }
  });

  it('refuses a typename without a namespace', () => {
    expect(() => jsonType('Order')).toThrow(/"Order"/);
  });
});

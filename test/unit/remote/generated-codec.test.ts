/**
 * The codecs `npm run proto` generates (proto/generated/messages.ts, and the fixture
 * fixtures/all-kinds.generated.ts that covers every field kind), checked against protobufjs's reflection
 * codecs of the same `.proto` files: random messages of every type round-trip, decode identically with
 * protobufjs in both directions and encode to the very bytes protobufjs writes (once protobufjs is given no
 * explicitly set defaults, which it would write); unknown fields, fields in any order, packed and unpacked
 * repeated fields, 64-bit values up to and beyond 2^53, and malformed bytes.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { FIXTURE, PROTO_SOURCES } from '../../../proto/generate.js';
import * as messages from '../../../proto/generated/messages.js';
import { isProtoWireError, type ProtoWireError } from '../../../proto/generated/messages.js';
import * as fixture from './fixtures/all-kinds.generated.js';

type Plain = Record<string, unknown>;

interface Codec {
  encode(message: Plain): Uint8Array;
  decode(bytes: Uint8Array): Plain;
}

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixtureDir = join(packageRoot, FIXTURE.protoDir);

function load(dir: string, sources: readonly string[]): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(dir, target));
  root.loadSync(sources.map((s) => join(dir, s)));
  root.resolveAll();
  return root;
}

const statefunRoot = load(join(packageRoot, 'proto'), PROTO_SOURCES);
const fixtureRoot = load(fixtureDir, FIXTURE.sources);

/** Every message type of a root, with the generated codec for it. */
function typesOf(root: protobuf.Root, module: object): Array<{ type: protobuf.Type; codec: Codec }> {
  const found: protobuf.Type[] = [];
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) found.push(nested);
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
    }
  };
  visit(root);
  return found.map((type) => ({ type, codec: codecOf(module, type) }));
}

/** `Parent_Child`, as the generator names nested types. */
function tsName(type: protobuf.ReflectionObject): string {
  const names: string[] = [];
  for (let at: protobuf.ReflectionObject | null = type; at instanceof protobuf.Type || at instanceof protobuf.Enum; at = at.parent) names.unshift(at.name);
  return names.join('_');
}

function codecOf(module: object, type: protobuf.Type): Codec {
  const exports = module as Record<string, unknown>;
  const encode = exports[`encode${tsName(type)}`];
  const decode = exports[`decode${tsName(type)}`];
  if (typeof encode !== 'function' || typeof decode !== 'function') throw new Error(`no codec for ${type.fullName}`);
  return { encode: encode as Codec['encode'], decode: decode as Codec['decode'] };
}

/** A `Long` prints its exact decimal value. */
interface Decimal {
  toString(): string;
}

/** protobufjs's 64-bit values: `Long` from the `long` package it loads. */
const Long = protobuf.util.Long as unknown as { fromString(value: string, unsigned?: boolean): protobuf.Long };

const LONG_KINDS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const UNSIGNED_LONG = new Set(['uint64', 'fixed64']);

const isMessage = (field: protobuf.FieldBase): boolean => field.resolvedType instanceof protobuf.Type;
/** A proto3 `optional` field or a oneof member: absent is `null`, and a set default is written. */
const isExplicit = (field: protobuf.FieldBase): boolean => !field.repeated && !(field instanceof protobuf.MapField) && field.partOf !== null;

function realOneofs(type: protobuf.Type): protobuf.OneOf[] {
  return type.oneofsArray.filter((o) => !(o.fieldsArray.length === 1 && o.fieldsArray[0]!.options?.proto3_optional === true));
}

// ---------------------------------------------------------------------------------------------------------
// Random messages, in the decoded shape of the generated codecs
// ---------------------------------------------------------------------------------------------------------

const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('', '\uFEFF leading byte order mark', 'é', '😀 non-BMP', 'x'.repeat(63), 'y'.repeat(64), 'ü'.repeat(200)),
);

function scalarArbitrary(kind: string): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'double':
      return fc.double();
    case 'float':
      return fc.float();
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return fc.integer();
    case 'uint32':
    case 'fixed32':
      return fc.nat({ max: 0xffffffff });
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER));
    case 'uint64':
    case 'fixed64':
      return fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constant(Number.MAX_SAFE_INTEGER));
    case 'bool':
      return fc.boolean();
    case 'string':
      return text;
    case 'bytes':
      return fc.uint8Array({ maxLength: 70 });
    default:
      throw new Error(`no arbitrary for ${kind}`);
  }
}

function valueArbitrary(field: protobuf.FieldBase, depth: number): fc.Arbitrary<unknown> {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageArbitrary(resolved, depth + 1);
  // Enum values the schema does not list (negative ones take 10 bytes) are kept as numbers.
  if (resolved instanceof protobuf.Enum) return fc.oneof(fc.constantFrom(...Object.values(resolved.values)), fc.constantFrom(-1, 7, 99_999));
  return scalarArbitrary(field.type);
}

function fieldArbitrary(field: protobuf.FieldBase, depth: number): fc.Arbitrary<unknown> {
  if (field instanceof protobuf.MapField) {
    const entry = fc.tuple(scalarArbitrary(field.keyType), valueArbitrary(field, depth));
    return fc.uniqueArray(entry, { selector: ([key]) => key, maxLength: depth > 1 ? 1 : 4 }).map((entries) => new Map(entries));
  }
  if (field.repeated) return fc.array(valueArbitrary(field, depth), { maxLength: depth > 1 ? 2 : 5 });
  if (isMessage(field)) return depth > 2 ? fc.constant(null) : fc.option(valueArbitrary(field, depth), { nil: null, freq: 3 });
  if (isExplicit(field)) return fc.option(valueArbitrary(field, depth), { nil: null });
  return valueArbitrary(field, depth);
}

const arbitraries = new Map<string, fc.Arbitrary<Plain>>();

/** A decoded message of `type`: every field present, oneofs with their discriminant. */
function messageArbitrary(type: protobuf.Type, depth = 0): fc.Arbitrary<Plain> {
  const key = `${type.fullName}@${depth}`;
  const known = arbitraries.get(key);
  if (known !== undefined) return known;
  const oneofs = realOneofs(type);
  const inOneof = new Set(oneofs.flatMap((o) => o.fieldsArray));
  const plain = fc.record(Object.fromEntries(type.fieldsArray.filter((f) => !inOneof.has(f)).map((f) => [f.name, fieldArbitrary(f, depth)])));
  const choices = oneofs.map((oneof) => {
    const none = Object.fromEntries([[oneof.name, undefined], ...oneof.fieldsArray.map((f) => [f.name, null])]) as Plain;
    const set = oneof.fieldsArray.map((member) =>
      (isMessage(member) && depth > 2 ? fc.constant(null) : valueArbitrary(member, depth)).map((value): Plain =>
        value === null ? none : { ...none, [oneof.name]: member.name, [member.name]: value },
      ),
    );
    return fc.oneof(fc.constant(none), ...set);
  });
  const arbitrary = fc.tuple(plain, ...choices).map(([base, ...sets]) => Object.assign({}, base, ...sets) as Plain);
  arbitraries.set(key, arbitrary);
  return arbitrary;
}

// ---------------------------------------------------------------------------------------------------------
// Canonical forms, to compare the generated codecs' messages with protobufjs's
// ---------------------------------------------------------------------------------------------------------

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

function canonicalValue(field: protobuf.FieldBase, value: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Type) return canonical(field.resolvedType, value as Plain);
  if (value instanceof Uint8Array) return hex(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'object' && value !== null) return (value as Decimal).toString(); // a protobufjs Long
  return value;
}

function canonicalKey(field: protobuf.MapField, key: unknown): string {
  // protobufjs keys 64-bit map entries by an 8-character hash of the value.
  if (typeof key === 'string' && LONG_KINDS.has(field.keyType) && key.length === 8 && !/^-?\d+$/.test(key)) {
    const value = protobuf.util.longFromHash(key, UNSIGNED_LONG.has(field.keyType));
    return typeof value === 'number' ? String(value) : (value as Decimal).toString();
  }
  return String(key);
}

/**
 * A message of either codec as plain JSON-like data: numbers as strings (-0 and 64-bit values exact), bytes as
 * hex. protobufjs shows some absent optional fields and oneof members with a default inherited from the
 * prototype: only its own properties are present.
 */
function canonical(type: protobuf.Type, message: Plain): Plain {
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const value = isExplicit(field) && !Object.hasOwn(message, field.name) ? null : message[field.name];
    if (field instanceof protobuf.MapField) {
      const entries = value instanceof Map ? [...(value as Map<unknown, unknown>)] : Object.entries((value ?? {}) as Plain);
      out[field.name] = entries.map(([k, v]) => [canonicalKey(field, k), canonicalValue(field, v)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    } else if (field.repeated) {
      out[field.name] = ((value ?? []) as unknown[]).map((v) => canonicalValue(field, v));
    } else {
      out[field.name] = value === null || value === undefined ? null : canonicalValue(field, value);
    }
  }
  for (const oneof of realOneofs(type)) out[`(oneof) ${oneof.name}`] = message[oneof.name] ?? null;
  return out;
}

/** A decoded message as protobufjs takes it to encode; `bare` leaves out what proto3 does not write (defaults). */
function forProtobufjs(type: protobuf.Type, message: Plain, bare: boolean): Plain {
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    const convert = (v: unknown): unknown => (field.resolvedType instanceof protobuf.Type ? forProtobufjs(field.resolvedType, v as Plain, bare) : v);
    if (field instanceof protobuf.MapField) {
      const entries = [...(value as Map<unknown, unknown>)];
      if (entries.length > 0 || !bare) out[field.name] = Object.fromEntries(entries.map(([k, v]) => [String(k), convert(v)]));
    } else if (field.repeated) {
      if ((value as unknown[]).length > 0 || !bare) out[field.name] = (value as unknown[]).map(convert);
    } else if (value !== null && value !== undefined) {
      if (bare && !isExplicit(field) && isDefault(value)) continue;
      out[field.name] = convert(value);
    }
  }
  return out;
}

/** `message` with the entries of its maps in the order the keys of a plain object enumerate. */
function mapsInKeyOrder(type: protobuf.Type, message: Plain): Plain {
  const out: Plain = { ...message };
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const inner = (v: unknown): unknown => (nested === undefined || v === null ? v : mapsInKeyOrder(nested, v as Plain));
    if (value instanceof Map) {
      const byKey = Object.fromEntries([...(value as Map<unknown, unknown>)].map(([k, v]) => [String(k), [k, inner(v)]]));
      out[field.name] = new Map(Object.values(byKey) as Array<[unknown, unknown]>);
    } else if (Array.isArray(value)) {
      out[field.name] = value.map(inner);
    } else {
      out[field.name] = inner(value);
    }
  }
  return out;
}

function isDefault(value: unknown): boolean {
  return value === false || value === '' || Object.is(value, 0) || (value instanceof Uint8Array && value.length === 0);
}

function protobufjsDecode(type: protobuf.Type, bytes: Uint8Array): Plain {
  // A protobufjs Message: its fields are its own properties (or its prototype's defaults).
  const message: object = type.decode(bytes);
  return message as Plain;
}

function protobufjsEncode(type: protobuf.Type, message: Plain): Uint8Array {
  return type.encode(message).finish();
}

// ---------------------------------------------------------------------------------------------------------

const allTypes = [...typesOf(statefunRoot, messages), ...typesOf(fixtureRoot, fixture)];

describe('generated codecs, for every message type, against protobufjs reflection', () => {
  it('cover every message type of proto/ and of the fixture', () => {
    expect(allTypes.map(({ type }) => tsName(type))).toEqual(expect.arrayContaining(['ToFunction', 'FromFunction_DelayedInvocation', 'Envelope_ControlOrigin', 'Scalars', 'Maps', 'Presence_Inner']));
  });

  for (const { type, codec } of allTypes) {
    it(`${type.fullName.slice(1)}: round-trips, decodes like protobufjs both ways, and writes protobufjs's bytes`, () => {
      fc.assert(
        fc.property(messageArbitrary(type), (message) => {
          const bytes = codec.encode(message);
          expect(codec.decode(bytes)).toEqual(message);
          const expected = canonical(type, message);
          expect(canonical(type, protobufjsDecode(type, bytes))).toEqual(expected);
          // protobufjs writes set defaults too: the generated decoder reads them as absent.
          expect(canonical(type, codec.decode(protobufjsEncode(type, forProtobufjs(type, message, false))))).toEqual(expected);
          // protobufjs writes map entries in the order of an object's keys (integer keys first, ascending).
          const inKeyOrder = mapsInKeyOrder(type, message);
          expect(hex(codec.encode(inKeyOrder))).toBe(hex(protobufjsEncode(type, forProtobufjs(type, inKeyOrder, true))));
        }),
        { numRuns: 150 },
      );
    });
  }
});

/** The top-level fields of an encoded message, each with its bytes (tag included). */
function fieldsOf(bytes: Uint8Array): Array<{ field: number; bytes: Uint8Array }> {
  const reader = protobuf.Reader.create(bytes);
  const fields: Array<{ field: number; bytes: Uint8Array }> = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    reader.skipType(tag & 7);
    fields.push({ field: tag >>> 3, bytes: bytes.subarray(start, reader.pos) });
  }
  return fields;
}

/** Fields no schema here knows, one of each wire type (a group with a field inside included). */
function unknownFields(seed: number): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((901 << 3) | 0).uint64(Long.fromString('18446744073709551615', true));
  w.uint32((902 << 3) | 1).fixed64(seed);
  w.uint32((903 << 3) | 2).bytes(Uint8Array.of(seed & 0xff, 1, 2));
  w.uint32((904 << 3) | 5).fixed32(seed);
  w.uint32((905 << 3) | 3);
  w.uint32((1 << 3) | 2).string('inside a group');
  w.uint32((906 << 3) | 3).uint32((906 << 3) | 4);
  w.uint32((905 << 3) | 4);
  return w.finish();
}

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('decoding', () => {
  for (const { type, codec } of allTypes) {
    it(`${type.fullName.slice(1)}: fields in any order and unknown fields of every wire type anywhere, like protobufjs`, () => {
      fc.assert(
        fc.property(messageArbitrary(type), fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), fc.integer(), (message, keys, seed) => {
          // Whole fields move (the elements of a repeated field stay in order); unknown fields go in between.
          const groups = new Map<number, Uint8Array[]>();
          for (const { field, bytes } of fieldsOf(codec.encode(message))) groups.set(field, [...(groups.get(field) ?? []), bytes]);
          const order = [...groups.keys()].sort((a, b) => (keys[a % 40]! - keys[b % 40]!) || a - b);
          const bytes = concat(unknownFields(seed), ...order.flatMap((field) => [...groups.get(field)!, unknownFields(seed + field)]));
          expect(codec.decode(bytes)).toEqual(message);
          expect(canonical(type, protobufjsDecode(type, bytes))).toEqual(canonical(type, message));
        }),
        { numRuns: 60 },
      );
    });
  }

  const Repeated = fixtureRoot.lookupType('statefun_aws.test.v1.Repeated');
  const flipped = protobuf.parse(
    // The same fixture with every packed field expanded and the expanded one packed.
    readFixture().replace(/(repeated (?!string|bytes|Scalars)\w+ \w+ = \d+)( \[packed = false\])?;/g, (_all, field: string, expanded?: string) => `${field} [packed = ${expanded === undefined ? 'false' : 'true'}];`),
  )
    .root.resolveAll()
    .lookupType('statefun_aws.test.v1.Repeated');

  it('reads repeated numeric fields packed and expanded alike, as protobufjs writes them either way', () => {
    expect(flipped.fields.int32s!.packed).toBe(false);
    expect(flipped.fields.unpackedUint64s!.packed).toBe(true);
    fc.assert(
      fc.property(messageArbitrary(Repeated), (message) => {
        const expanded = protobufjsEncode(flipped, forProtobufjs(Repeated, message, true));
        expect(fixture.decodeRepeated(expanded)).toEqual(message);
        // Both forms in one message: the elements append in order.
        const twice = fixture.decodeRepeated(concat(expanded, fixture.encodeRepeated(message)));
        expect(twice.int32s).toEqual([...(message.int32s as number[]), ...(message.int32s as number[])]);
      }),
      { numRuns: 200 },
    );
    expect(hex(fixture.encodeRepeated({ int32s: [1, -1, 300], unpackedUint64s: [1, 2] }))).toBe('0a0d01ffffffffffffffffff01ac0250015002');
  });

  it('reads a message field that occurs twice as one merged message, the last of a scalar, and every element of a repeated field', () => {
    const first = fixture.encodePresence({ inner: { name: 'a' }, maybeInt32: 1, choiceInner: { name: 'x' } });
    const second = fixture.encodePresence({ inner: { child: { name: 'b' } }, maybeInt32: 2, choiceInner: { child: { name: 'y' } } });
    expect(fixture.decodePresence(concat(first, second))).toMatchObject({
      inner: { name: 'a', child: { name: 'b', child: null } },
      maybeInt32: 2,
      choice: 'choiceInner',
      choiceInner: { name: 'x', child: { name: 'y' } },
    });
    const text = fixture.encodePresence({ choiceText: 'then a text' });
    expect(fixture.decodePresence(concat(first, text))).toMatchObject({ choice: 'choiceText', choiceText: 'then a text', choiceInner: null });
  });

  it('skips a known field sent with another wire type, and reads bytes fields of a Buffer as plain Uint8Arrays', () => {
    const wrongType = Uint8Array.of((14 << 3) | 0, 5, (3 << 3) | 0, 7); // a_string as a varint, then an_int32 = 7
    expect(fixture.decodeScalars(wrongType)).toMatchObject({ aString: '', anInt32: 7 });
    const decoded = fixture.decodeScalars(Buffer.from(fixture.encodeScalars({ someBytes: Uint8Array.of(1, 2, 3) })));
    expect(Object.getPrototypeOf(decoded.someBytes)).toBe(Uint8Array.prototype);
    expect([...decoded.someBytes]).toEqual([1, 2, 3]);
  });

  const malformed: Array<[string, number[], RegExp]> = [
    ['a truncated varint', [0x18], /^an_int32: truncated varint/],
    ['a varint of 11 bytes', [0x18, ...Array<number>(10).fill(0xff), 0x01], /^an_int32: varint longer than 10 bytes/],
    ['a string running past the end', [0x72, 0x05, 0x61], /^a_string: truncated: a length of 5/],
    ['a fixed64 running past the end', [0x59, 1, 2, 3], /^a_fixed64: truncated: 8 bytes/],
    ['field number 0', [0x00, 0x01], /^field number 0/],
    ['wire type 6', [0x1e], /^an_int32: invalid wire type 6 \(field 3\)/],
    ['wire type 7', [0xa7, 0x06], /^invalid wire type 7 \(field 100\)/],
    ['an end-group without a group', [0x1c], /^an_int32: invalid wire type 4/],
    ['a group ended by another group number', [0xcb, 0x38, 0xd4, 0x38], /end of group 906 inside group 905/],
  ];
  for (const [problem, bytes, message] of malformed) {
    it(`fails on ${problem}, naming the field`, () => {
      const error = thrown(() => fixture.decodeScalars(Uint8Array.from(bytes)));
      expect(error.problem).toBe('malformed');
      expect(error.message).toMatch(message);
    });
  }

  it('fails on a nested message whose field runs past its end, naming the path to it', () => {
    // Presence.inner (2 bytes) holds a name of 3 bytes: the name runs past the end of inner.
    const error = thrown(() => fixture.decodePresence(Uint8Array.of(0x2a, 0x02, 0x0a, 0x03, 0x61, 0x62, 0x63)));
    expect(error.path).toEqual(['inner']);
    expect(error.message).toMatch(/^inner: a field at byte 7 runs past the end of its message \(byte 4\)/);
    const deep = thrown(() => fixture.decodeRepeated(Uint8Array.of(0x4a, 0x02, 0x72, 0x05)));
    expect(deep.path).toEqual(['messages', 0, 'a_string']);
  });
});

function readFixture(): string {
  return readFileSync(join(fixtureDir, FIXTURE.sources[0]), 'utf8');
}

/** The ProtoWireError `fn` throws. */
function thrown(fn: () => unknown): ProtoWireError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!isProtoWireError(error)) throw new Error(`expected a ProtoWireError, got ${String(error)}`);
  return error;
}

describe('64-bit integers', () => {
  const Scalars = fixtureRoot.lookupType('statefun_aws.test.v1.Scalars');
  const long = (value: string, unsigned: boolean): unknown => Long.fromString(value, unsigned);
  const cases: Array<[field: string, protoName: string, unsigned: boolean]> = [
    ['anInt64', 'an_int64', false],
    ['aUint64', 'a_uint64', true],
    ['aSint64', 'a_sint64', false],
    ['aFixed64', 'a_fixed64', true],
    ['anSfixed64', 'an_sfixed64', false],
  ];

  for (const [field, protoName, unsigned] of cases) {
    it(`${protoName}: exact up to ±(2^53 - 1) both ways; beyond, decoding fails naming the field and the exact value`, () => {
      const edges = unsigned ? ['9007199254740991', '4294967296', '4294967295'] : ['9007199254740991', '-9007199254740991', '-1', '-4294967296'];
      for (const value of edges) {
        const bytes = protobufjsEncode(Scalars, { [field]: long(value, unsigned) });
        expect(String(fixture.decodeScalars(bytes)[field as keyof fixture.Scalars])).toBe(value);
        expect(String(protobufjsDecode(Scalars, fixture.encodeScalars({ [field]: Number(value) }))[field])).toBe(value);
      }
      const beyond = unsigned ? ['9007199254740992', '18446744073709551615'] : ['9007199254740992', '-9007199254740992', '9223372036854775807', '-9223372036854775808'];
      for (const value of beyond) {
        const error = thrown(() => fixture.decodeScalars(protobufjsEncode(Scalars, { [field]: long(value, unsigned) })));
        expect(error.problem).toBe('unsafe-integer');
        expect(error.path).toEqual([protoName]);
        expect(error.message).toBe(`${protoName}: ${value} is not a safe integer (beyond ±2^53, a JavaScript number cannot hold it exactly)`);
      }
    });

    it(`${protoName}: encodes any integral number of its range exactly, also beyond 2^53, and refuses others naming the field`, () => {
      const values = unsigned ? [2 ** 53, 2 ** 60 + 2 ** 20, 2 ** 64 - 2 ** 11] : [2 ** 53, -(2 ** 53), 2 ** 62, -(2 ** 62) - 2 ** 20, 2 ** 63 - 2 ** 10, -(2 ** 63)];
      for (const value of values) {
        const decoded = protobufjsDecode(Scalars, fixture.encodeScalars({ [field]: value }));
        expect(String(decoded[field])).toBe(BigInt(value).toString());
      }
      for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, unsigned ? -1 : 2 ** 63, unsigned ? 2 ** 64 : -(2 ** 64)]) {
        const error = thrown(() => fixture.encodeScalars({ [field]: bad }));
        expect(error.problem).toBe('bad-value');
        expect(error.message).toBe(`statefun_aws.test.v1.Scalars.${protoName}: ${String(bad)} is not an integral number in the ${protoName.replace(/^an?_/, '')} range`);
      }
    });
  }

  it('names where a value beyond 2^53 sits: an element of a packed field, a map key, a oneof member, a nested message', () => {
    const Repeated = fixtureRoot.lookupType('statefun_aws.test.v1.Repeated');
    const packed = protobufjsEncode(Repeated, { sint64s: [1, 2, long('-9223372036854775808', false)] });
    expect(thrown(() => fixture.decodeRepeated(packed)).message).toMatch(/^sint64s\[2\]: -9223372036854775808 is not a safe integer/);
    const Maps = fixtureRoot.lookupType('statefun_aws.test.v1.Maps');
    expect(thrown(() => fixture.decodeMaps(protobufjsEncode(Maps, { byLong: { '9007199254740993': 'x' } }))).message).toMatch(/^by_long: 9007199254740993 is not/);
    const Presence = fixtureRoot.lookupType('statefun_aws.test.v1.Presence');
    expect(thrown(() => fixture.decodePresence(protobufjsEncode(Presence, { choiceNumber: long('18446744073709551615', true) }))).path).toEqual(['choice_number']);
    const nested = protobufjsEncode(Repeated, { messages: [{}, { aFixed64: long('18446744073709551615', true) }] });
    expect(thrown(() => fixture.decodeRepeated(nested)).path).toEqual(['messages', 1, 'a_fixed64']);
    const FromFunction = statefunRoot.lookupType('io.statefun.sdk.reqreply.FromFunction');
    const delay = protobufjsEncode(FromFunction, { invocationResult: { delayedInvocations: [{ delayInMs: long('1152921504606846976', false) }] } });
    expect(thrown(() => messages.decodeFromFunction(delay)).path).toEqual(['invocation_result', 'delayed_invocations', 0, 'delay_in_ms']);
  });
});

describe('proto3 presence and defaults', () => {
  it('writes nothing for a message of defaults, and reads nothing as one', () => {
    const defaults = { aDouble: 0, aFloat: 0, anInt32: 0, anInt64: 0, aBool: false, aString: '', someBytes: new Uint8Array(0), aColour: fixture.Colour.COLOUR_UNSPECIFIED };
    expect(fixture.encodeScalars(defaults)).toEqual(new Uint8Array(0));
    expect(fixture.decodeScalars(new Uint8Array(0))).toMatchObject(defaults);
    expect(fixture.decodePresence(new Uint8Array(0))).toEqual({
      maybeInt32: null,
      maybeString: null,
      maybeInt64: null,
      maybeColour: null,
      inner: null,
      choice: undefined,
      choiceText: null,
      choiceInner: null,
      choiceNumber: null,
      choiceFlag: null,
      other: undefined,
      otherBytes: null,
      otherDouble: null,
    });
  });

  it('writes -0 and NaN (they are not the default 0), and reads them back', () => {
    const bytes = fixture.encodeScalars({ aDouble: -0, aFloat: Number.NaN });
    expect(hex(bytes)).toBe('090000000000000080150000c07f');
    expect(fixture.decodeScalars(bytes)).toMatchObject({ aDouble: -0, aFloat: Number.NaN });
  });

  it('writes a set optional field or oneof member holding its default, and reads it back as set, like protobufjs', () => {
    const Presence = fixtureRoot.lookupType('statefun_aws.test.v1.Presence');
    const bytes = fixture.encodePresence({ maybeInt32: 0, maybeString: '', choiceText: '', otherDouble: 0, inner: {} });
    expect(hex(bytes)).toBe('08001200' + '2a00' + '5200' + 'a9010000000000000000');
    const decoded = fixture.decodePresence(bytes);
    expect(decoded).toMatchObject({ maybeInt32: 0, maybeString: '', maybeInt64: null, choice: 'choiceText', choiceText: '', other: 'otherDouble', otherDouble: 0 });
    expect(decoded.inner).toEqual({ name: '', child: null });
    const theirs = protobufjsDecode(Presence, bytes);
    expect([theirs.maybeInt32, theirs.maybeString, theirs.choice, theirs.other]).toEqual([0, '', 'choiceText', 'otherDouble']);
  });

  it('narrows a oneof by its discriminant', () => {
    const decoded = fixture.decodePresence(fixture.encodePresence({ choiceNumber: 12 }));
    if (decoded.choice === 'choiceNumber') expect(decoded.choiceNumber + 1).toBe(13);
    else expect.unreachable(`choice is ${String(decoded.choice)}`);
  });

  it('refuses to encode two members of one oneof', () => {
    const error = thrown(() => fixture.encodePresence({ choiceText: 'a', choiceFlag: false }));
    expect(error.message).toBe('more than one member of oneof statefun_aws.test.v1.Presence.choice is set');
  });
});

describe('strings', () => {
  it('keeps a leading U+FEFF, characters beyond the BMP and long text; turns a lone surrogate into U+FFFD as TextEncoder does', () => {
    for (const value of ['\uFEFF', '\uFEFFtext', '😀', 'é'.repeat(100), 'a'.repeat(42) + '😀', 'a'.repeat(43), 'ab'.repeat(1000)]) {
      const bytes = fixture.encodeScalars({ aString: value });
      expect(fixture.decodeScalars(bytes).aString).toBe(value);
      expect(hex(bytes)).toBe(hex(protobufjsEncode(fixtureRoot.lookupType('statefun_aws.test.v1.Scalars'), { aString: value })));
    }
    for (const lone of ['\uD800', 'x\uDC00y', 'a'.repeat(50) + '\uD800']) {
      const bytes = fixture.encodeScalars({ aString: lone });
      expect(hex(bytes.subarray(2))).toBe(hex(new TextEncoder().encode(lone)));
      expect(fixture.decodeScalars(bytes).aString).toBe(lone.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
    }
  });

  it('reads invalid UTF-8 with U+FFFD in its place instead of failing', () => {
    expect(fixture.decodeScalars(Uint8Array.of(0x72, 0x03, 0x61, 0xff, 0x62)).aString).toBe('a\uFFFDb');
  });
});

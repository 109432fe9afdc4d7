import { ValidationError } from '../core/errors.js';
import { parseTypeName, show } from '../core/typename.js';
import { readFields, utf8Decoder, utf8Encoder, WireWriter } from './protobuf-wire.js';
import { SHORT_STRING, utf8Length, writeUtf8 } from './utf8.js';

/**
 * A type of values that can be stored in state and sent in messages: a typename and a way to turn values
 * into bytes and back. The built-in types are byte-compatible with every official StateFun SDK.
 *
 * @example
 * const Cart = jsonType<{ items: string[] }>('shop/Cart');
 * const bytes = Cart.serialize({ items: ['apple'] });
 */
export interface Type<T> {
  /** `namespace/name`, e.g. `io.statefun.types/int` or `shop/Cart`. */
  readonly typename: string;
  serialize(value: T): Uint8Array;
  deserialize(bytes: Uint8Array): T;
}

const EMPTY = new Uint8Array(0);

/** Reads field 1 of a StateFun wrapper message with `read`, or returns `zero` when absent (proto3 default). */
function wrapperField<T>(bytes: Uint8Array, wireType: number, zero: T, read: (r: Parameters<Parameters<typeof readFields>[1]>[2]) => T): T {
  let value = zero;
  readFields(bytes, (field, wt, reader) => {
    if (field === 1 && wt === wireType) value = read(reader);
  });
  return value;
}

const scratch = new DataView(new ArrayBuffer(8));

/** A one-byte tag and a little-endian fixed-width value, copied out of a shared scratch view. */
function fixedBytes(tag: number, size: 4 | 8, write: (view: DataView) => void): Uint8Array {
  write(scratch);
  const out = new Uint8Array(1 + size);
  out[0] = tag;
  for (let i = 0; i < size; i++) out[i + 1] = scratch.getUint8(i);
  return out;
}

/** `io.statefun.types/bool` — `BooleanWrapper { bool value = 1 }`. */
export const boolType: Type<boolean> = Object.freeze({
  typename: 'io.statefun.types/bool',
  serialize: (value: boolean) => (value ? Uint8Array.of(0x08, 0x01) : EMPTY),
  deserialize: (bytes: Uint8Array) => wrapperField(bytes, 0, false, (r) => r.varint() !== 0),
});

/** `io.statefun.types/int` — `IntWrapper { sfixed32 value = 1 }`; values are 32-bit signed integers. */
export const intType: Type<number> = Object.freeze({
  typename: 'io.statefun.types/int',
  serialize: (value: number) => {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new ValidationError(`io.statefun.types/int holds 32-bit integers, got ${show(value)}`);
    }
    if (value === 0) return EMPTY;
    // Tag 0x0d, then the value little-endian, as DataView.setInt32 would write it.
    const out = new Uint8Array(5);
    out[0] = 0x0d;
    out[1] = value;
    out[2] = value >> 8;
    out[3] = value >> 16;
    out[4] = value >> 24;
    return out;
  },
  deserialize: (bytes: Uint8Array) =>
    // The canonical encoding (tag 0x0d, then 4 bytes) is read directly; anything else goes through the reader.
    bytes.length === 5 && bytes[0] === 0x0d
      ? bytes[1]! | (bytes[2]! << 8) | (bytes[3]! << 16) | (bytes[4]! << 24)
      : bytes.length === 0
        ? 0
        : wrapperField(bytes, 5, 0, (r) => r.fixed32().getInt32(0, true)),
});

/** `io.statefun.types/long` — `LongWrapper { sfixed64 value = 1 }`; values are bigints. */
export const longType: Type<bigint> = Object.freeze({
  typename: 'io.statefun.types/long',
  serialize: (value: bigint) => {
    if (typeof value !== 'bigint' || value < -(2n ** 63n) || value >= 2n ** 63n) {
      throw new ValidationError(`io.statefun.types/long holds 64-bit integers as bigint, got ${show(value)}`);
    }
    return value === 0n ? EMPTY : fixedBytes(0x09, 8, (v) => v.setBigInt64(0, value, true));
  },
  deserialize: (bytes: Uint8Array) => wrapperField(bytes, 1, 0n, (r) => r.fixed64().getBigInt64(0, true)),
});

/** `io.statefun.types/float` — `FloatWrapper { float value = 1 }` (32-bit). */
export const floatType: Type<number> = Object.freeze({
  typename: 'io.statefun.types/float',
  serialize: (value: number) => (Object.is(value, 0) ? EMPTY : fixedBytes(0x0d, 4, (v) => v.setFloat32(0, value, true))),
  deserialize: (bytes: Uint8Array) => wrapperField(bytes, 5, 0, (r) => r.fixed32().getFloat32(0, true)),
});

/** `io.statefun.types/double` — `DoubleWrapper { double value = 1 }`. */
export const doubleType: Type<number> = Object.freeze({
  typename: 'io.statefun.types/double',
  serialize: (value: number) => (Object.is(value, 0) ? EMPTY : fixedBytes(0x09, 8, (v) => v.setFloat64(0, value, true))),
  deserialize: (bytes: Uint8Array) => wrapperField(bytes, 1, 0, (r) => r.fixed64().getFloat64(0, true)),
});

/** `io.statefun.types/string` — `StringWrapper { string value = 1 }` (UTF-8). */
export const stringType: Type<string> = Object.freeze({
  typename: 'io.statefun.types/string',
  serialize: (value: string) => (value.length === 0 ? EMPTY : value.length > SHORT_STRING ? new WireWriter().string(1, value).finish() : shortString(value)),
  deserialize: (bytes: Uint8Array) => wrapperField(bytes, 2, '', (r) => r.stringField()),
});

/** `StringWrapper { string value = 1 }` of a short string, written straight into a buffer of its exact size. */
function shortString(value: string): Uint8Array {
  const length = utf8Length(value);
  // At most 3 bytes per code unit of a short string: the length takes one or two varint bytes.
  const out = new Uint8Array((length < 0x80 ? 2 : 3) + length);
  out[0] = 0x0a; // field 1, length-delimited
  let pos = 1;
  if (length < 0x80) out[pos++] = length;
  else {
    out[pos++] = (length & 0x7f) | 0x80;
    out[pos++] = length >> 7;
  }
  writeUtf8(value, out, pos);
  return out;
}

/** The built-in types by typename. */
export const BUILT_IN_TYPES: ReadonlyMap<string, Type<unknown>> = new Map<string, Type<unknown>>(
  [boolType, intType, longType, floatType, doubleType, stringType].map((t) => [t.typename, t as Type<unknown>]),
);

/**
 * A type whose values are UTF-8 JSON. Compare JSON values, not bytes: SDKs differ in whitespace.
 *
 * @example const GreetRequest = jsonType<{ name: string }>('example/GreetRequest');
 */
export function jsonType<T>(typename: string): Type<T> {
  parseTypeName(typename, 'JSON type name');
  return Object.freeze({
    typename,
    serialize: (value: T) => {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (error) {
        // a bigint or a cycle: a bug in the caller that no retry can fix
        throw new ValidationError(`a value of ${typename} must be JSON-serializable: ${String(error)}`, { cause: error });
      }
      if (text === undefined) throw new ValidationError(`a value of ${typename} must be JSON-serializable, got ${show(value)}`);
      return utf8Encoder.encode(text);
    },
    deserialize: (bytes: Uint8Array) => {
      try {
        return JSON.parse(utf8Decoder.decode(bytes)) as T;
      } catch (error) {
        throw new ValidationError(`bytes of type ${typename} are not UTF-8 JSON`, { cause: error });
      }
    },
  });
}

/** A protobuf message class as protobufjs generates it (static `encode(...).finish()` and `decode`). */
export interface ProtobufCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

/**
 * A protobuf message type, named `type.googleapis.com/<full.MessageName>` as StateFun names them.
 *
 * @example const Order = protobufType('com.acme.Order', acme.Order);
 */
export function protobufType<T>(fullMessageName: string, codec: ProtobufCodec<T>): Type<T> {
  const typename = fullMessageName.includes('/') ? fullMessageName : `type.googleapis.com/${fullMessageName}`;
  parseTypeName(typename, 'protobuf type name');
  if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function') {
    throw new ValidationError(`protobufType(${show(fullMessageName)}) needs a codec with encode() and decode()`);
  }
  return Object.freeze({
    typename,
    serialize: (value: T) => codec.encode(value).finish(),
    deserialize: (bytes: Uint8Array) => codec.decode(bytes),
  });
}

/** A type with a serializer of your own. */
export function customType<T>(options: {
  readonly typename: string;
  readonly serialize: (value: T) => Uint8Array;
  readonly deserialize: (bytes: Uint8Array) => T;
}): Type<T> {
  parseTypeName(options.typename, 'custom type name');
  if (typeof options.serialize !== 'function' || typeof options.deserialize !== 'function') {
    throw new ValidationError(`customType ${show(options.typename)} needs serialize and deserialize functions`);
  }
  return Object.freeze({ typename: options.typename, serialize: options.serialize, deserialize: options.deserialize });
}

/** Throws a {@link ValidationError} unless `type` looks like a {@link Type}. */
export function checkType(type: unknown, what: string): Type<unknown> {
  const t = type as Partial<Type<unknown>> | undefined;
  if (t === undefined || t === null || typeof t.typename !== 'string' || typeof t.serialize !== 'function' || typeof t.deserialize !== 'function') {
    throw new ValidationError(`${what} must be a type (e.g. stringType, jsonType<T>('ns/Name')), got ${show(type)}`);
  }
  parseTypeName(t.typename, what);
  return t as Type<unknown>;
}

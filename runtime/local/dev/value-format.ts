import { BUILT_IN_TYPES } from '../../sdk/types.js';

/**
 * A typed value decoded for people and for JSON output:
 * - `builtin`: one of StateFun's built-in types (`io.statefun.types/int`, …), as its JavaScript value
 *   (a `long` as a decimal string, so that JSON keeps every digit);
 * - `json`: UTF-8 JSON bytes of any other type (JSON types of the SDKs);
 * - `bytes`: anything else (protobuf messages, unknown encodings), as base64.
 */
export type DecodedValue =
  | { readonly kind: 'builtin'; readonly typename: string; readonly value: string | number | boolean }
  | { readonly kind: 'json'; readonly typename: string; readonly value: unknown }
  | { readonly kind: 'bytes'; readonly typename: string; readonly base64: string };

const PROTOBUF_PREFIX = 'type.googleapis.com/';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a value as well as its typename allows; never throws. */
export function decodeValue(typename: string, bytes: Uint8Array): DecodedValue {
  const builtin = BUILT_IN_TYPES.get(typename);
  if (builtin !== undefined) {
    try {
      const value = builtin.deserialize(bytes);
      return { kind: 'builtin', typename, value: typeof value === 'bigint' ? value.toString() : (value as string | number | boolean) };
    } catch {
      return { kind: 'bytes', typename, base64: base64(bytes) };
    }
  }
  if (!typename.startsWith(PROTOBUF_PREFIX) && bytes.length > 0) {
    try {
      return { kind: 'json', typename, value: JSON.parse(strictUtf8.decode(bytes)) as unknown };
    } catch {
      // not JSON: shown as bytes
    }
  }
  return { kind: 'bytes', typename, base64: base64(bytes) };
}

/**
 * One value for a terminal: built-ins as they are (strings quoted), JSON pretty-printed (indented by
 * `indent`), bytes as `<base64> (base64, <typename>)`.
 */
export function formatValue(value: DecodedValue, indent = ''): string {
  switch (value.kind) {
    case 'builtin':
      return typeof value.value === 'string' && value.typename.endsWith('/string') ? JSON.stringify(value.value) : String(value.value);
    case 'json':
      return JSON.stringify(value.value, undefined, 2).replaceAll('\n', `\n${indent}`);
    case 'bytes':
      return `${value.base64 === '' ? '(empty)' : value.base64} (base64, ${value.typename})`;
  }
}

/** One value on one line: JSON compact, strings unquoted. */
export function formatValueInline(value: DecodedValue): string {
  switch (value.kind) {
    case 'builtin':
      return String(value.value);
    case 'json':
      return JSON.stringify(value.value);
    case 'bytes':
      return `${value.base64} (base64, ${value.typename})`;
  }
}

/** The value as a JSON-compatible object: `{ "value": … }` or `{ "base64": … }`. */
export function valueJson(value: DecodedValue): { readonly value: unknown } | { readonly base64: string } {
  return value.kind === 'bytes' ? { base64: value.base64 } : { value: value.value };
}

export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function fromBase64(text: string): Uint8Array {
  const buffer = Buffer.from(text, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

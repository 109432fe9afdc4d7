import type { TypedValue } from '../../core/typed-value.js';
import { stringType } from '../../sdk/types.js';

const STRING_TYPENAME = 'io.statefun.types/string';
const BUILT_IN_PREFIX = 'io.statefun.types/';
const PROTOBUF_PREFIX = 'type.googleapis.com/';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An egress record's value as the AWS sinks send it:
 * - `text`: a StateFun string (`io.statefun.types/string`), as the string itself;
 * - `json`: a value whose bytes are UTF-8 JSON (the SDKs' JSON types), as that text and the parsed value;
 * - `binary`: anything else (protobuf messages, the other built-in types, opaque bytes), as its bytes.
 *
 * There is no registry of JSON types at this point, so "JSON" is read from the bytes: a value that is not a
 * protobuf or built-in type and parses as strict UTF-8 JSON.
 */
export type EgressPayload =
  | { readonly kind: 'text'; readonly typename: string; readonly text: string }
  | { readonly kind: 'json'; readonly typename: string; readonly text: string; readonly value: unknown }
  | { readonly kind: 'binary'; readonly typename: string; readonly bytes: Uint8Array };

export function egressPayload(argument: TypedValue): EgressPayload {
  const { typename, value } = argument;
  if (typename === STRING_TYPENAME) {
    try {
      return { kind: 'text', typename, text: stringType.deserialize(value) };
    } catch {
      return { kind: 'binary', typename, bytes: value };
    }
  }
  if (!typename.startsWith(BUILT_IN_PREFIX) && !typename.startsWith(PROTOBUF_PREFIX) && value.length > 0) {
    try {
      const text = strictUtf8.decode(value);
      return { kind: 'json', typename, text, value: JSON.parse(text) as unknown };
    } catch {
      // not JSON: binary
    }
  }
  return { kind: 'binary', typename, bytes: value };
}

/** The payload as a message body (SQS, SNS): text and JSON as they are, binary in base64. */
export function bodyText(payload: EgressPayload): string {
  return payload.kind === 'binary' ? base64(payload.bytes) : payload.text;
}

/** The payload as record data (Kinesis): text in UTF-8, JSON and binary as their bytes. */
export function dataBytes(payload: EgressPayload, argument: TypedValue): Uint8Array {
  return payload.kind === 'text' ? new TextEncoder().encode(payload.text) : argument.value;
}

export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

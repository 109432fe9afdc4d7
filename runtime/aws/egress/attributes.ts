import { addressKey } from '../../core/address.js';
import type { EgressRecord } from '../../core/record.js';
import { bodyText, type EgressPayload } from './payload.js';

/** Message attribute with the record's deterministic idempotency key (DESIGN I6): consumers dedup by it. */
export const IDEMPOTENCY_KEY_ATTRIBUTE = 'statefun-idempotency-key';
/** Message attribute with the typename of the value. */
export const TYPENAME_ATTRIBUTE = 'statefun-typename';
/** Message attribute with the sending address (`namespace/name/id`). */
export const SOURCE_ATTRIBUTE = 'statefun-source';
/**
 * Message attribute saying how to read a body that is not the value's text: `base64` (the value's bytes in
 * base64), or `empty` (the value has no bytes — an empty string, a zero of a built-in number type — and the body
 * is {@link EMPTY_BODY}, because SQS and SNS refuse empty bodies).
 */
export const ENCODING_ATTRIBUTE = 'statefun-content-encoding';
/** The body of a message whose value has no bytes (see {@link ENCODING_ATTRIBUTE}). */
export const EMPTY_BODY = '-';

/** The body of an SQS or SNS message carrying `payload`, and its encoding attribute value if any. */
export function messageBody(payload: EgressPayload): { readonly body: string; readonly encoding: 'base64' | 'empty' | undefined } {
  const body = bodyText(payload);
  if (body === '') return { body: EMPTY_BODY, encoding: 'empty' };
  return { body, encoding: payload.kind === 'binary' ? 'base64' : undefined };
}

/** The string attributes of an SQS or SNS message carrying an egress record. */
export function recordAttributes(record: EgressRecord, encoding: 'base64' | 'empty' | undefined): Record<string, { DataType: 'String'; StringValue: string }> {
  const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {
    [IDEMPOTENCY_KEY_ATTRIBUTE]: { DataType: 'String', StringValue: record.key },
    [TYPENAME_ATTRIBUTE]: { DataType: 'String', StringValue: record.argument.typename },
    [SOURCE_ATTRIBUTE]: { DataType: 'String', StringValue: addressKey(record.source) },
  };
  if (encoding !== undefined) attributes[ENCODING_ATTRIBUTE] = { DataType: 'String', StringValue: encoding };
  return attributes;
}

/** Bytes attributes add to a message's size, as SQS and SNS count them (name, type and value). */
export function attributesSize(attributes: Record<string, { DataType: string; StringValue: string }>): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType) + Buffer.byteLength(value.StringValue);
  }
  return size;
}

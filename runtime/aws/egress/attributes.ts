import { addressKey } from '../../core/address.js';
import type { EgressRecord } from '../../core/record.js';
import type { EgressPayload } from './payload.js';

/** Message attribute with the record's deterministic idempotency key (DESIGN I6): consumers dedup by it. */
export const IDEMPOTENCY_KEY_ATTRIBUTE = 'statefun-idempotency-key';
/** Message attribute with the typename of the value. */
export const TYPENAME_ATTRIBUTE = 'statefun-typename';
/** Message attribute with the sending address (`namespace/name/id`). */
export const SOURCE_ATTRIBUTE = 'statefun-source';
/** Message attribute present (`base64`) when the body is the value's bytes in base64. */
export const ENCODING_ATTRIBUTE = 'statefun-content-encoding';

/** The string attributes of an SQS or SNS message carrying an egress record. */
export function recordAttributes(record: EgressRecord, payload: EgressPayload): Record<string, { DataType: 'String'; StringValue: string }> {
  const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {
    [IDEMPOTENCY_KEY_ATTRIBUTE]: { DataType: 'String', StringValue: record.key },
    [TYPENAME_ATTRIBUTE]: { DataType: 'String', StringValue: record.argument.typename },
    [SOURCE_ATTRIBUTE]: { DataType: 'String', StringValue: addressKey(record.source) },
  };
  if (payload.kind === 'binary') attributes[ENCODING_ATTRIBUTE] = { DataType: 'String', StringValue: 'base64' };
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

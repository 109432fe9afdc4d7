/**
 * Item sizes and request units as DynamoDB bills them, computed from what is written or read, so that the
 * cost of every operation can be tallied without trusting the service to report it. (DynamoDB Local reports
 * consumed capacity for single-item operations, but charges transactional writes like standard ones.)
 *
 * Size of an item: for each attribute, the UTF-8 length of its name plus its value: strings in UTF-8 bytes,
 * binaries in bytes, numbers one byte per two significant digits plus one, booleans and nulls one byte,
 * maps and lists 3 bytes plus their contents plus one byte per element.
 *
 * Units (on-demand): a write is one WRU per started KB (1,024 bytes) of the item — of the larger of the old
 * and new item for a PutItem or UpdateItem that replaces one, and a failed condition still costs it; a
 * transactional write costs twice. A strongly consistent read is one RRU per started 4 KB; a Query adds up the
 * items it returns before rounding; a read of nothing still costs one.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { utf8Length } from '../hashing.js';

export const WRITE_UNIT_BYTES = 1024;
export const READ_UNIT_BYTES = 4096;

export function itemSize(item: Readonly<Record<string, AttributeValue>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8Length(name) + valueSize(value);
  return size;
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Length(value.S);
  if (value.B !== undefined) return value.B.length;
  if (value.N !== undefined) return numberSize(value.N);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M !== undefined) {
    const entries = Object.entries(value.M);
    let size = 3 + entries.length;
    for (const [name, v] of entries) size += utf8Length(name) + valueSize(v);
    return size;
  }
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8Length(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.length, 0);
  return 0;
}

/** One byte per two significant digits, plus one. */
export function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** WRUs of writing an item of `bytes` (the larger of old and new when one is replaced). */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/** RRUs of a strongly consistent read of `bytes` in total (one item, or all items one Query returned). */
export function readUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
}

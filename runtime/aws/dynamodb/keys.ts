/**
 * The keys of the state table (see `table.ts` for the whole layout). Every item of an address shares its
 * partition key, so one Query reads any group of them and nothing ever scans.
 */
import { type Address, addressKey } from '../../core/address.js';
import { sha256Base64Url, utf8Length } from '../hashing.js';

/**
 * Partition keys up to this many UTF-8 bytes are used as they are; longer ones are hashed (DynamoDB allows
 * 2,048 bytes, and GSI sort keys that embed a partition key allow 1,024).
 */
export const MAX_PLAIN_KEY_BYTES = 512;

/** Prefix of hashed partition keys. Never the start of an address key's form, which has two `/` (hashes have none). */
export const HASHED_KEY_PREFIX = 'h#';

/** Sort key of an address's record item. */
export const RECORD_SK = 'r';
/** Sort key of the index item of an address's dead letters (listed through the GSI while letters exist). */
export const LETTERS_HEAD_SK = 'd';
/** Sort key prefix of dead letters: `d#<order>`, in arrival order. */
export const LETTER_PREFIX = 'd#';
/** Sort key of a function type's spec registrations. */
export const SPEC_SK = 'spec';
/** Sort key of an ingress idempotency key. */
export const INGRESS_KEY_SK = 'i';

const ORDER_DIGITS = 12;
const PART_DIGITS = 4;

function bounded(key: string): string {
  return utf8Length(key) <= MAX_PLAIN_KEY_BYTES ? key : HASHED_KEY_PREFIX + sha256Base64Url(key);
}

/** The partition key of everything stored for `address`: its address key, hashed when long. */
export function addressPartitionKey(address: Address): string {
  return bounded(addressKey(address));
}

/** True when the partition key is not the address key itself (items then also carry the address key). */
export function isHashedKey(pk: string): boolean {
  return pk.startsWith(HASHED_KEY_PREFIX);
}

/** `spec#<function type>`: can never equal an address key's item, whose sort keys differ. */
export function specPartitionKey(functionType: string): string {
  return bounded(`spec#${functionType}`);
}

/**
 * `idem#<target address key>#<Idempotency-Key>`, hashed when long. Takes the key as the HTTP ingress scopes
 * it, `<target address key>\u0000<Idempotency-Key>`. `%` and `#` in the client's key are percent-encoded, so
 * the last `#` always separates the two (address ids may contain `#`).
 */
export function ingressKeyPartitionKey(scopedKey: string): string {
  const nul = scopedKey.indexOf('\u0000');
  const target = nul < 0 ? '' : `${scopedKey.slice(0, nul)}#`;
  const key = (nul < 0 ? scopedKey : scopedKey.slice(nul + 1)).replaceAll('%', '%25').replaceAll('#', '%23');
  return bounded(`idem#${target}${key}`);
}

/** `c#<version>#<part>`: a chunk of the record of that version (parts from 1; part 0 is the record item). */
export function chunkSortKey(version: number, part: number): string {
  return `${chunkPrefix(version)}${String(part).padStart(PART_DIGITS, '0')}`;
}

export function chunkPrefix(version: number): string {
  return `c#${version}#`;
}

/** Prefix of every chunk item, of any version. */
export const CHUNK_PREFIX = 'c#';

/** The version a chunk sort key belongs to, or undefined for other sort keys. */
export function chunkVersion(sk: string): number | undefined {
  const match = /^c#(\d+)#\d+$/.exec(sk);
  return match === null ? undefined : Number(match[1]);
}

/** `d#<order>`, zero-padded so that sort order is arrival order. */
export function letterSortKey(order: number): string {
  return `${LETTER_PREFIX}${String(order).padStart(ORDER_DIGITS, '0')}`;
}

/** `d#<order>#<part>`: an overflow chunk of a large dead letter (parts from 1). */
export function letterChunkSortKey(order: number, part: number): string {
  return `${letterSortKey(order)}#${String(part).padStart(PART_DIGITS, '0')}`;
}

/** The order and part (0 for the letter item itself) of a dead-letter sort key. */
export function parseLetterSortKey(sk: string): { order: number; part: number } | undefined {
  const match = /^d#(\d+)(?:#(\d+))?$/.exec(sk);
  if (match === null) return undefined;
  return { order: Number(match[1]), part: match[2] === undefined ? 0 : Number(match[2]) };
}

import { sha256Base64Url } from '../hashing.js';

/** SQS's limit on `MessageGroupId` and `MessageDeduplicationId`. */
export const MAX_FIFO_ID_LENGTH = 128;

/** Characters SQS allows in group and deduplication ids: letters, digits and ASCII punctuation. */
const FIFO_ID_CHARS = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]+$/;

/** Prefix of hashed group ids. */
export const HASHED_GROUP_PREFIX = 'h:';

/**
 * The `MessageGroupId` for a key (an address key, an egress key rule's value): the key itself when SQS accepts
 * it (at most 128 characters, all letters, digits or ASCII punctuation), otherwise `h:` + the base64url SHA-256
 * of the key (45 characters). Stable, so one address always maps to one group. A hashed id cannot collide with
 * a plain address key, which has two `/` (base64url has none).
 *
 * @example messageGroupIdFor('shop/cart/alice') === 'shop/cart/alice'
 * @example messageGroupIdFor('shop/cart/Zoë') === 'h:…' (not ASCII)
 */
export function messageGroupIdFor(key: string): string {
  return key.length <= MAX_FIFO_ID_LENGTH && FIFO_ID_CHARS.test(key) ? key : HASHED_GROUP_PREFIX + sha256Base64Url(key);
}

/**
 * The `MessageDeduplicationId` of a message or record id: its base64url SHA-256 (43 characters). SQS then drops
 * a copy sent again within its 5-minute deduplication window (DESIGN I3, I6).
 */
export function deduplicationIdFor(id: string): string {
  return sha256Base64Url(id);
}

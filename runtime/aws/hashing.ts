import { createHash } from 'node:crypto';

/** SHA-256 of the UTF-8 text, base64url without padding (43 characters of `[A-Za-z0-9_-]`). */
export function sha256Base64Url(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** SHA-256 of the UTF-8 text in lower-case RFC 4648 base32 without padding (52 characters of `[a-z2-7]`). */
export function sha256Base32(text: string): string {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of digest) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31]!;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31]!;
  return out;
}

/** Length of a string in UTF-8 bytes. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** SHA-256 of bytes, base64url without padding. */
export function sha256BytesBase64Url(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

/**
 * UTF-8 encoding of short strings in plain code, byte for byte what `TextEncoder` produces (a lone surrogate
 * becomes U+FFFD): for the short strings of messages and states it is cheaper than a native call that
 * allocates a buffer of its own.
 */

/** Strings up to this many UTF-16 code units are encoded here; longer ones by `TextEncoder`, faster in bulk. */
export const SHORT_STRING = 64;

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** The number of bytes of `value` in UTF-8. */
export function utf8Length(value: string): number {
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (isHighSurrogate(c) && i + 1 < value.length && isLowSurrogate(value.charCodeAt(i + 1))) {
      length += 4;
      i++;
    } else length += 3;
  }
  return length;
}

/** Writes `value` in UTF-8 into `out` at `pos` (which must have room for it); returns the position after it. */
export function writeUtf8(value: string, out: Uint8Array, pos: number): number {
  let p = pos;
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
      continue;
    }
    if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (isHighSurrogate(c) && i + 1 < value.length && isLowSurrogate(value.charCodeAt(i + 1))) {
      const point = 0x10000 + ((c - 0xd800) << 10) + (value.charCodeAt(++i) - 0xdc00);
      out[p++] = 0xf0 | (point >> 18);
      out[p++] = 0x80 | ((point >> 12) & 0x3f);
      out[p++] = 0x80 | ((point >> 6) & 0x3f);
      out[p++] = 0x80 | (point & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    out[p++] = 0xe0 | (c >> 12);
    out[p++] = 0x80 | ((c >> 6) & 0x3f);
    out[p++] = 0x80 | (c & 0x3f);
  }
  return p;
}

/**
 * The protobuf wire format (https://protobuf.dev/programming-guides/encoding/), as the codecs that
 * `npm run proto` generates into `proto/generated/` use it: varints, zigzag, fixed 32/64-bit values,
 * length-delimited strings, bytes and nested messages, and the skipping of unknown fields.
 *
 * Hand-written and dependency-free so that a Lambda bundle carries no protobuf library and nothing parses
 * `.proto` text at run time. Numbers are JavaScript numbers: 64-bit integers decode exactly when they are
 * safe integers (|v| < 2^53) and otherwise fail with a {@link ProtoWireError}; encoding takes any integral
 * number in the type's range (every such double has an exact 64-bit pattern).
 *
 * Strings are UTF-8; a lone surrogate in a string to encode becomes U+FFFD, and invalid UTF-8 in bytes to
 * decode becomes U+FFFD (the WHATWG `TextEncoder`/`TextDecoder` rules), so decoding never fails on text.
 */

const BRAND = Symbol.for('statefun-aws.proto-wire-error');

/**
 * What went wrong: bytes that are not the message (`malformed`), a 64-bit value a number cannot hold
 * (`unsafe-integer`), or a value that cannot be encoded (`bad-value`).
 */
export type ProtoWireProblem = 'malformed' | 'unsafe-integer' | 'bad-value';

/**
 * Bytes that do not decode as the expected message, or a value that cannot be encoded. `path` names the
 * field from the outermost message inwards, with the index of an element of a repeated field, e.g.
 * `['invocation_result', 'delayed_invocations', 0, 'delay_in_ms']`; `detail` says what was wrong there.
 */
export class ProtoWireError extends Error {
  readonly [BRAND] = true;
  readonly path: Array<string | number> = [];

  constructor(
    readonly problem: ProtoWireProblem,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ProtoWireError';
  }

  /** `a.b[2].c`, or `''` at the top level. */
  get where(): string {
    return this.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  }

  /** Adds an enclosing field to the path (decoders call it while the error passes outwards). */
  within(field: string, index?: number): this {
    if (index === undefined) this.path.unshift(field);
    else this.path.unshift(field, index);
    this.message = `${this.where}: ${this.detail}`;
    return this;
  }
}

/** True for a {@link ProtoWireError}, also one thrown by another copy of this module. */
export function isProtoWireError(error: unknown): error is ProtoWireError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * The fields of a message by field number, as its decoder and encoder name them in errors: the `.proto`
 * name, and for a repeated field the property holding the elements decoded so far (their count is the
 * index of the one that failed).
 */
export type FieldNames = Readonly<Record<number, readonly [protoName: string, repeatedProperty?: string]>>;

/**
 * Adds the field that `tag` names to the path of `error`, when it is a {@link ProtoWireError}; a decoder calls
 * it for the field it was reading. `message` is the message being decoded: the length of a repeated field's
 * array is the index of the element that failed.
 */
export function errorIn(error: unknown, tag: number, fields: FieldNames, message: object): unknown {
  if (!isProtoWireError(error)) return error;
  const entry = fields[tag >>> 3];
  if (entry === undefined) return error;
  const [name, list] = entry;
  const elements = list === undefined ? undefined : (message as Record<string, unknown>)[list];
  return error.within(name, Array.isArray(elements) ? elements.length : undefined);
}

/** The error for a message to encode with more than one member of oneof `name` set. */
export function oneofConflict(name: string): ProtoWireError {
  return new ProtoWireError('bad-value', `more than one member of oneof ${name} is set`);
}

function malformed(detail: string): ProtoWireError {
  return new ProtoWireError('malformed', detail);
}

const TWO_32 = 4294967296;

/** The exact decimal value of a 64-bit pattern, for error messages. */
function decimal64(lo: number, hi: number, signed: boolean): string {
  const bits = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return (signed ? BigInt.asIntN(64, bits) : bits).toString();
}

function unsafe(lo: number, hi: number, signed: boolean): ProtoWireError {
  return new ProtoWireError('unsafe-integer', `${decimal64(lo, hi, signed)} is not a safe integer (beyond ±2^53, a JavaScript number cannot hold it exactly)`);
}

/** A two's complement 64-bit pattern as a number, or an error when it is not a safe integer. */
function fromBits(lo: number, hi: number, signed: boolean): number {
  lo >>>= 0;
  hi >>>= 0;
  if (signed && hi >= 0x80000000) {
    // Negative: the magnitude is the two's complement; below 2^53 when its high half is below 2^21.
    const mlo = (~lo + 1) >>> 0;
    const mhi = (~hi + (mlo === 0 ? 1 : 0)) >>> 0;
    if (mhi > 0x1fffff) throw unsafe(lo, hi, true);
    return -(mhi * TWO_32 + mlo);
  }
  if (hi > 0x1fffff) throw unsafe(lo, hi, signed);
  return hi * TWO_32 + lo;
}

// Scratch space for floats: values pass through it little-endian, whatever the platform's byte order.
const scratch = new DataView(new ArrayBuffer(8));

// `ignoreBOM`: a leading U+FEFF is part of the text, not a byte order mark to drop.
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const textEncoder = new TextEncoder();

/** Decodes UTF-8: ASCII text shorter than 64 bytes without a call into the platform's decoder. */
function utf8Read(buf: Uint8Array, start: number, end: number): string {
  if (end - start >= 64) return textDecoder.decode(buf.subarray(start, end));
  let text = '';
  let i = start;
  for (; i + 7 < end; i += 8) {
    const c1 = buf[i]!;
    const c2 = buf[i + 1]!;
    const c3 = buf[i + 2]!;
    const c4 = buf[i + 3]!;
    const c5 = buf[i + 4]!;
    const c6 = buf[i + 5]!;
    const c7 = buf[i + 6]!;
    const c8 = buf[i + 7]!;
    if ((c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8) & 0x80) return text + textDecoder.decode(buf.subarray(i, end));
    text += String.fromCharCode(c1, c2, c3, c4, c5, c6, c7, c8);
  }
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c & 0x80) return text + textDecoder.decode(buf.subarray(i, end));
    text += String.fromCharCode(c);
  }
  return text;
}

/** The value of an empty bytes field (shared: a zero-length array holds nothing to change). */
export const EMPTY_BYTES = new Uint8Array(0);

/** Reads a message's bytes front to back. Positions are indexes into `buf`; `len` is its length. */
export class Reader {
  readonly buf: Uint8Array;
  readonly len: number;
  pos = 0;
  /** The low and high 32 bits of the last 64-bit varint read. */
  private lo = 0;
  private hi = 0;

  /** Bytes fields come back as plain `Uint8Array` views of `bytes`, also when `bytes` is a Node `Buffer`. */
  constructor(bytes: Uint8Array) {
    this.buf = Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.len = this.buf.length;
  }

  // Varints are read without a bounds check per byte: a read past the end yields `undefined`, which ends no
  // varint (`undefined < 0x80` is false), so a truncated varint runs into the check after the last byte.

  /** A varint as an unsigned 32-bit integer (higher bits dropped, as for int32 values sign-extended to 10 bytes). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let c = buf[pos++]!;
    let value = c & 0x7f;
    if (c < 0x80) {
      this.pos = pos;
      return value;
    }
    c = buf[pos++]!;
    value |= (c & 0x7f) << 7;
    if (c < 0x80) {
      this.pos = pos;
      return value;
    }
    c = buf[pos++]!;
    value |= (c & 0x7f) << 14;
    if (c < 0x80) {
      this.pos = pos;
      return value;
    }
    c = buf[pos++]!;
    value |= (c & 0x7f) << 21;
    if (c < 0x80) {
      this.pos = pos;
      return value;
    }
    c = buf[pos++]!;
    value = (value | ((c & 0x0f) << 28)) >>> 0;
    if (c < 0x80) {
      this.pos = pos;
      return value;
    }
    for (let i = 0; i < 5; i++) {
      if (buf[pos++]! < 0x80) {
        this.pos = pos;
        return value;
      }
    }
    throw this.badVarint(pos);
  }

  int32(): number {
    return this.uint32() | 0;
  }

  sint32(): number {
    const n = this.uint32();
    return (n >>> 1) ^ -(n & 1);
  }

  bool(): boolean {
    const c = this.buf[this.pos]!;
    if (c < 0x80) {
      this.pos++;
      return c !== 0;
    }
    this.varint64();
    return this.lo !== 0 || this.hi !== 0;
  }

  /** A varint of up to 7 bytes (below 2^49: exact in a double, the common case), or -1 for a longer one. */
  private shortVarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      const c = buf[pos++]!;
      value += (c & 0x7f) * scale;
      if (c < 0x80) {
        this.pos = pos;
        return value;
      }
      scale *= 128;
    }
    return -1;
  }

  /** A varint as a uint64; an error beyond 2^53. */
  uint64(): number {
    const value = this.shortVarint();
    if (value >= 0) return value;
    this.varint64();
    return fromBits(this.lo, this.hi, false);
  }

  /** A varint as an int64 (negative values take 10 bytes); an error beyond ±2^53. */
  int64(): number {
    const value = this.shortVarint();
    if (value >= 0) return value;
    this.varint64();
    return fromBits(this.lo, this.hi, true);
  }

  /** A zigzag varint as an int64; an error beyond ±2^53. */
  sint64(): number {
    const value = this.shortVarint();
    if (value >= 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    this.varint64();
    const mask = -(this.lo & 1);
    return fromBits(((this.lo >>> 1) | (this.hi << 31)) ^ mask, (this.hi >>> 1) ^ mask, true);
  }

  /** Reads a varint of up to 10 bytes into {@link lo} and {@link hi}. */
  private varint64(): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let c = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      c = buf[pos++]!;
      lo |= (c & 0x7f) << shift;
      if (c < 0x80) return this.done64(pos, lo, hi);
    }
    c = buf[pos++]!;
    lo |= (c & 0x0f) << 28;
    hi = (c & 0x7f) >> 4;
    if (c < 0x80) return this.done64(pos, lo, hi);
    for (let shift = 3; shift < 32; shift += 7) {
      c = buf[pos++]!;
      hi |= (c & 0x7f) << shift;
      if (c < 0x80) return this.done64(pos, lo, hi);
    }
    throw this.badVarint(pos);
  }

  private done64(pos: number, lo: number, hi: number): void {
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  private badVarint(pos: number): ProtoWireError {
    return pos > this.len ? malformed(`truncated varint at byte ${this.pos} of ${this.len}`) : malformed(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  private need(n: number): number {
    const start = this.pos;
    if (start + n > this.len) throw malformed(`truncated: ${n} bytes at byte ${start} run past the end (${this.len} bytes)`);
    this.pos = start + n;
    return start;
  }

  fixed32(): number {
    return this.le32(this.need(4));
  }

  sfixed32(): number {
    return this.le32(this.need(4)) | 0;
  }

  fixed64(): number {
    const at = this.need(8);
    return fromBits(this.le32(at), this.le32(at + 4), false);
  }

  sfixed64(): number {
    const at = this.need(8);
    return fromBits(this.le32(at), this.le32(at + 4), true);
  }

  float(): number {
    scratch.setUint32(0, this.le32(this.need(4)), true);
    return scratch.getFloat32(0, true);
  }

  double(): number {
    const at = this.need(8);
    scratch.setUint32(0, this.le32(at), true);
    scratch.setUint32(4, this.le32(at + 4), true);
    return scratch.getFloat64(0, true);
  }

  /** The little-endian uint32 at `at`. */
  private le32(at: number): number {
    const b = this.buf;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }

  /** Reads a length prefix; answers where the delimited value ends (it starts at `pos`). */
  delimited(): number {
    const n = this.uint32();
    const end = this.pos + n;
    if (end > this.len) throw malformed(`truncated: a length of ${n} at byte ${this.pos} runs past the end (${this.len} bytes)`);
    return end;
  }

  string(): string {
    const end = this.delimited();
    const start = this.pos;
    this.pos = end;
    return utf8Read(this.buf, start, end);
  }

  /** A view of the bytes, not a copy. */
  bytes(): Uint8Array {
    const end = this.delimited();
    const start = this.pos;
    this.pos = end;
    return end === start ? EMPTY_BYTES : new Uint8Array(this.buf.buffer, this.buf.byteOffset + start, end - start);
  }

  /** Fails unless a nested message ended exactly where its length said. */
  ended(end: number): void {
    if (this.pos !== end) throw malformed(`a field at byte ${this.pos} runs past the end of its message (byte ${end})`);
  }

  /** Skips the value of a field this decoder does not know (or knows with another wire type). */
  skip(tag: number): void {
    if (tag >>> 3 === 0) throw malformed(`field number 0 at byte ${this.pos}`);
    switch (tag & 7) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.need(8);
        return;
      case 2:
        this.pos = this.delimited();
        return;
      case 3: {
        // A group: its fields up to the matching end-group tag.
        for (;;) {
          if (this.pos >= this.len) throw malformed(`truncated group (field ${tag >>> 3})`);
          const inner = this.uint32();
          if ((inner & 7) === 4) {
            if (inner >>> 3 !== tag >>> 3) throw malformed(`end of group ${inner >>> 3} inside group ${tag >>> 3}`);
            return;
          }
          this.skip(inner);
        }
      }
      case 5:
        this.need(4);
        return;
      default:
        throw malformed(`invalid wire type ${tag & 7} (field ${tag >>> 3}) at byte ${this.pos}`);
    }
  }
}

/** Bytes needed by `value` as a varint; `value` is a non-negative integer below 2^64. */
function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

const SLAB_SIZE = 8192;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabOffset = 0;

/** Strings up to this many UTF-16 code units take at most 126 UTF-8 bytes: a one-byte length prefix. */
const SHORT_STRING = 42;

function badValue(kind: string, value: unknown): ProtoWireError {
  return new ProtoWireError('bad-value', `${String(value)} is not an integral number in the ${kind} range`);
}

/**
 * Writes a message into a growing buffer. Nested messages are written in place after a one-byte length
 * placeholder ({@link fork}), and moved along when their length needs more bytes ({@link join}).
 */
export class Writer {
  buf: Uint8Array;
  pos = 0;

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /**
   * A copy of what was written. Up to 4 KiB it is a view into a shared 8 KiB slab, as Node's
   * `Buffer.allocUnsafe` hands out small buffers: one allocation serves many messages.
   */
  finish(): Uint8Array {
    const n = this.pos;
    if (n > SLAB_SIZE >>> 1) return this.buf.slice(0, n);
    if (slabOffset + n > SLAB_SIZE) {
      slab = new ArrayBuffer(SLAB_SIZE);
      slabOffset = 0;
    }
    const out = new Uint8Array(slab, slabOffset, n);
    slabOffset = (slabOffset + n + 7) & ~7;
    out.set(this.buf.subarray(0, n));
    return out;
  }

  /** A tag or any uint32. */
  uint32(value: number): void {
    this.reserve(5);
    this.uint32Unchecked(value);
  }

  /** {@link uint32} into room already reserved. */
  private uint32Unchecked(value: number): void {
    const buf = this.buf;
    let pos = this.pos;
    value >>>= 0;
    while (value > 0x7f) {
      buf[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  /** A negative int32 is sign-extended to 10 bytes, as the protobuf specification requires. */
  int32(value: number): void {
    value |= 0;
    if (value >= 0) this.uint32(value);
    else this.bits64(value, -1);
  }

  sint32(value: number): void {
    value |= 0;
    this.uint32((value << 1) ^ (value >> 31));
  }

  bool(value: boolean): void {
    this.reserve(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  /** A non-negative integral number below 2^64. */
  uint64(value: number, field: string): void {
    if (!(Number.isInteger(value) && value >= 0 && value < 18446744073709551616)) throw badValue('uint64', value).within(field);
    this.varintNumber(value);
  }

  /** An integral number in [-2^63, 2^63). */
  int64(value: number, field: string): void {
    if (!(Number.isInteger(value) && value >= -9223372036854775808 && value < 9223372036854775808)) throw badValue('int64', value).within(field);
    if (value >= 0) this.varintNumber(value);
    else {
      const [lo, hi] = negativeBits(value);
      this.bits64(lo, hi);
    }
  }

  sint64(value: number, field: string): void {
    if (!(Number.isInteger(value) && value >= -9223372036854775808 && value < 9223372036854775808)) throw badValue('sint64', value).within(field);
    if (value >= -0x80000000 && value < 0x80000000) {
      this.sint32(value);
      return;
    }
    // zigzag on the 64-bit pattern: (v << 1) ^ (v >> 63).
    const [lo, hi] = value >= 0 ? [value % TWO_32, Math.floor(value / TWO_32)] : negativeBits(value);
    const mask = hi >> 31;
    this.bits64((lo << 1) ^ mask, ((hi << 1) | (lo >>> 31)) ^ mask);
  }

  /** A varint from a non-negative integral number below 2^64. */
  private varintNumber(value: number): void {
    if (value < 0x80000000) this.uint32(value);
    else this.bits64(value >>> 0, Math.floor(value / TWO_32) >>> 0);
  }

  /** A varint from the two halves of a 64-bit pattern. */
  private bits64(lo: number, hi: number): void {
    this.reserve(10);
    const buf = this.buf;
    let pos = this.pos;
    lo >>>= 0;
    hi >>>= 0;
    while (hi !== 0) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  fixed32(value: number): void {
    this.reserve(4);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = value;
    buf[pos + 1] = value >>> 8;
    buf[pos + 2] = value >>> 16;
    buf[pos + 3] = value >>> 24;
    this.pos = pos + 4;
  }

  sfixed32(value: number): void {
    this.fixed32(value | 0);
  }

  fixed64(value: number, field: string): void {
    if (!(Number.isInteger(value) && value >= 0 && value < 18446744073709551616)) throw badValue('fixed64', value).within(field);
    this.fixed32(value % TWO_32);
    this.fixed32(Math.floor(value / TWO_32));
  }

  sfixed64(value: number, field: string): void {
    if (!(Number.isInteger(value) && value >= -9223372036854775808 && value < 9223372036854775808)) throw badValue('sfixed64', value).within(field);
    const [lo, hi] = value >= 0 ? [value % TWO_32, Math.floor(value / TWO_32)] : negativeBits(value);
    this.fixed32(lo);
    this.fixed32(hi);
  }

  float(value: number): void {
    scratch.setFloat32(0, value, true);
    this.fixed32(scratch.getUint32(0, true));
  }

  double(value: number): void {
    scratch.setFloat64(0, value, true);
    this.fixed32(scratch.getUint32(0, true));
    this.fixed32(scratch.getUint32(4, true));
  }

  bytes(value: Uint8Array): void {
    const n = value.length;
    this.uint32(n);
    this.reserve(n);
    if (n > 32) this.buf.set(value, this.pos);
    else for (let i = 0; i < n; i++) this.buf[this.pos + i] = value[i]!;
    this.pos += n;
  }

  string(value: string): void {
    const n = value.length;
    if (n > SHORT_STRING) {
      this.longString(value);
      return;
    }
    this.reserve(1 + n * 3);
    const buf = this.buf;
    const start = this.pos + 1;
    let pos = start;
    for (let i = 0; i < n; i++) {
      let c = value.charCodeAt(i);
      if (c < 0x80) {
        buf[pos++] = c;
      } else if (c < 0x800) {
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c < 0xe000) {
          const next = i + 1 < n ? value.charCodeAt(i + 1) : 0;
          if (c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
            // A surrogate pair: 4 bytes (2 units, at most 6 bytes reserved for them).
            c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            i++;
            buf[pos++] = 0xf0 | (c >> 18);
            buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
            buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
            buf[pos++] = 0x80 | (c & 0x3f);
            continue;
          }
          c = 0xfffd; // a lone surrogate, as TextEncoder writes it
        }
        buf[pos++] = 0xe0 | (c >> 12);
        buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
        buf[pos++] = 0x80 | (c & 0x3f);
      }
    }
    buf[start - 1] = pos - start;
    this.pos = pos;
  }

  private longString(value: string): void {
    // Room for the worst case (3 bytes per UTF-16 unit) after the longest length prefix it could need, then
    // the prefix moves the text back if the real length needs fewer bytes.
    const max = value.length * 3;
    const prefix = varintSize(max);
    this.reserve(prefix + max);
    const start = this.pos + prefix;
    const { written } = textEncoder.encodeInto(value, this.buf.subarray(start, start + max));
    const size = varintSize(written);
    if (size < prefix) this.buf.copyWithin(this.pos + size, start, start + written);
    this.uint32Unchecked(written);
    this.pos += written;
  }

  /** Starts a nested message or packed run: a one-byte length placeholder. Answers where its content starts. */
  fork(): number {
    this.reserve(1);
    return ++this.pos;
  }

  /** Ends what {@link fork} started: writes its length, moving the content along when it takes more than a byte. */
  join(start: number): void {
    const n = this.pos - start;
    if (n < 128) {
      this.buf[start - 1] = n;
      return;
    }
    const extra = varintSize(n) - 1;
    this.reserve(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    this.pos = start - 1;
    this.uint32Unchecked(n);
    this.pos += n;
  }
}

/** The two's complement halves of a negative integral number ≥ -2^63. */
function negativeBits(value: number): [lo: number, hi: number] {
  const magnitude = -value;
  let lo = magnitude % TWO_32;
  let hi = Math.floor(magnitude / TWO_32);
  lo = (~lo + 1) >>> 0;
  hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  return [lo, hi];
}

let shared: Writer | undefined;

/**
 * The writer the generated `encode` functions share (encoding is synchronous, so one at a time). Its buffer
 * is kept between calls, and dropped after an unusually large message.
 */
export function sharedWriter(): Writer {
  if (shared === undefined || shared.buf.length > 1 << 20) shared = new Writer();
  shared.pos = 0;
  return shared;
}

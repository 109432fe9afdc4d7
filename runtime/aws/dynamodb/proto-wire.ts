/**
 * A minimal protobuf wire-format writer and reader for the stored formats of this folder (records, dead
 * letters). Hand-written rather than generated so that presence is explicit: a field is written exactly when
 * the domain value is defined, and read back as defined exactly when it was written (an empty string or a zero
 * stays distinct from "absent"). Only what the formats use: unsigned varints up to 2^53, length-delimited
 * strings, bytes and nested messages. Unknown fields are skipped on read, so formats can grow.
 */
import { TerminalError } from '../../core/errors.js';

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class ProtoWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** A non-negative safe integer (epoch ms, versions, counters). */
  uint(field: number, value: number, what: string): this {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TerminalError(`cannot store ${what} = ${String(value)}: expected a non-negative whole number`);
    }
    this.tag(field, VARINT);
    this.varint(value);
    return this;
  }

  bool(field: number, value: boolean): this {
    this.tag(field, VARINT);
    this.varint(value ? 1 : 0);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** A nested message, written by `write` into a writer of its own. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter(64);
    write(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads the fields of one message in order. */
export class ProtoReader {
  private pos = 0;
  private readonly buf: Uint8Array;

  /** `what` names the bytes in errors. Byte fields are read as plain `Uint8Array`s, also from a `Buffer`. */
  constructor(
    buf: Uint8Array,
    private readonly what: string,
  ) {
    this.buf = Object.getPrototypeOf(buf) === Uint8Array.prototype ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Calls `onField` for each field, in order; `onField` must consume the value (or call {@link skip}). */
  fields(onField: (field: number, wireType: number) => void): void {
    while (this.pos < this.buf.length) {
      const key = this.readVarint();
      const field = Math.floor(key / 8);
      const wireType = key % 8;
      if (field === 0) this.fail('a field number 0');
      const before = this.pos;
      onField(field, wireType);
      if (this.pos === before) this.skip(wireType);
    }
  }

  uint(): number {
    return this.readVarint();
  }

  bool(): boolean {
    return this.readVarint() !== 0;
  }

  bytes(): Uint8Array {
    const length = this.readVarint();
    if (this.pos + length > this.buf.length) this.fail('a length beyond the end');
    const out = this.buf.slice(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    const length = this.readVarint();
    if (this.pos + length > this.buf.length) this.fail('a length beyond the end');
    const text = decoder.decode(this.buf.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }

  /** A nested message, read by `read` with a reader of its own. */
  message<T>(read: (r: ProtoReader) => T): T {
    const length = this.readVarint();
    if (this.pos + length > this.buf.length) this.fail('a length beyond the end');
    const inner = new ProtoReader(this.buf.subarray(this.pos, this.pos + length), this.what);
    this.pos += length;
    return read(inner);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.readVarint();
        return;
      case FIXED64:
        this.advance(8);
        return;
      case LENGTH_DELIMITED:
        // Read the length first: `this.pos += this.readVarint()` would add it to the position before the length.
        this.advance(this.readVarint());
        return;
      case FIXED32:
        this.advance(4);
        return;
      default:
        this.fail(`wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.buf.length) this.fail('a field beyond the end');
    this.pos += n;
  }

  private readVarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.buf.length) this.fail('a truncated varint');
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(result)) this.fail('a varint beyond 2^53');
        return result;
      }
      scale *= 128;
    }
    return this.fail('a varint longer than 8 bytes');
  }

  private fail(problem: string): never {
    throw new TerminalError(`${this.what} is corrupt: ${problem} at byte ${this.pos}`);
  }
}

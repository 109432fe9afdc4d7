/**
 * A compact binary writer and reader for the journal: unsigned varints (exact up to 2^53), UTF-8 strings and
 * byte arrays with varint lengths, written straight into one growing buffer.
 */
export class BinaryWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /** An unsigned integer up to 2^53. */
  uint(value: number): void {
    this.ensure(8);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bool(value: boolean): void {
    this.u8(value ? 1 : 0);
  }

  string(value: string): void {
    const max = value.length * 3;
    this.ensure(max + 9);
    const start = this.pos;
    // Most strings are short: write assuming a one-byte length, move the bytes only when it is longer.
    const written = this.buf.write(value, start + 1, max, 'utf8');
    if (written < 0x80) {
      this.buf[start] = written;
      this.pos = start + 1 + written;
      return;
    }
    let lengthBytes = 1;
    for (let v = written; v >= 0x80; v = Math.floor(v / 0x80)) lengthBytes++;
    this.buf.copyWithin(start + lengthBytes, start + 1, start + 1 + written);
    this.pos = start;
    this.uint(written);
    this.pos = start + lengthBytes + written;
  }

  bytes(value: Uint8Array): void {
    this.uint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }
}

export class BinaryReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new RangeError('journal entry ends early');
    return this.buf[this.pos++]!;
  }

  uint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError('varint too long in journal entry');
    }
  }

  bool(): boolean {
    return this.u8() !== 0;
  }

  string(): string {
    const length = this.uint();
    const end = this.pos + length;
    if (end > this.buf.length) throw new RangeError('journal entry ends inside a string');
    const value = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return value;
  }

  /** A copy, so that values kept in memory do not pin the whole segment read at recovery. */
  bytes(): Uint8Array {
    const length = this.uint();
    const end = this.pos + length;
    if (end > this.buf.length) throw new RangeError('journal entry ends inside a byte array');
    const out = new Uint8Array(length);
    out.set(this.buf.subarray(this.pos, end));
    this.pos = end;
    return out;
  }
}

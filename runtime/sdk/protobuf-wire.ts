/**
 * The few protobuf wire primitives the SDK needs to encode StateFun's built-in wrapper types and egress
 * records by hand, without a generated codec on the hot path.
 */
import { SHORT_STRING, utf8Length, writeUtf8 } from './utf8.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class WireWriter {
  private buf = new Uint8Array(32);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  varint(value: number): this {
    this.ensure(10);
    let v = value;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2).varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  string(field: number, value: string): this {
    if (value.length > SHORT_STRING) return this.bytes(field, encoder.encode(value));
    const length = utf8Length(value);
    this.tag(field, 2).varint(length);
    this.ensure(length);
    this.pos = writeUtf8(value, this.buf, this.pos);
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads the fields of a protobuf message; unknown fields are skipped. */
export function readFields(bytes: Uint8Array, onField: (field: number, wireType: number, reader: WireReader) => void): void {
  const reader = new WireReader(bytes);
  while (!reader.done()) {
    const key = reader.varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    const before = reader.pos;
    onField(field, wireType, reader);
    if (reader.pos === before) reader.skip(wireType);
  }
}

export class WireReader {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.pos >= this.bytes.length;
  }

  varint(): number {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) throw new RangeError('truncated varint');
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
    throw new RangeError('varint too long');
  }

  fixed32(): DataView {
    this.need(4);
    const v = new DataView(this.view.buffer, this.view.byteOffset + this.pos, 4);
    this.pos += 4;
    return v;
  }

  fixed64(): DataView {
    this.need(8);
    const v = new DataView(this.view.buffer, this.view.byteOffset + this.pos, 8);
    this.pos += 8;
    return v;
  }

  bytesField(): Uint8Array {
    const len = this.varint();
    this.need(len);
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  stringField(): string {
    return decoder.decode(this.bytesField());
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.need(8);
        this.pos += 8;
        return;
      case 2:
        this.bytesField();
        return;
      case 5:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new RangeError(`unsupported wire type ${wireType}`);
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new RangeError('truncated field');
  }
}

export { encoder as utf8Encoder, decoder as utf8Decoder };

/**
 * A few lines of protobuf wire format, so that the conformance tests read and write StateFun's messages
 * (PROTOCOL.md field numbers) independently of the runtime's own codecs: what the SDK received, what it
 * answered, the Kafka and Kinesis records it built, and hand-made bodies.
 */

/** One field as it appears on the wire: varints as bigint, length-delimited fields as bytes. */
export interface WireField {
  readonly no: number;
  readonly value: bigint | Uint8Array;
}

/** The fields of one message, in wire order. Throws on anything malformed. */
export function readFields(bytes: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= bytes.length) throw new Error('truncated varint');
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      if (shift > 63n) throw new Error('varint too long');
    }
  };
  while (pos < bytes.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wireType = key & 7;
    if (no === 0) throw new Error('field number 0');
    if (wireType === 0) fields.push({ no, value: varint() });
    else if (wireType === 2) {
      const length = Number(varint());
      if (pos + length > bytes.length) throw new Error('truncated field');
      fields.push({ no, value: bytes.subarray(pos, pos + length) });
      pos += length;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (pos + size > bytes.length) throw new Error('truncated fixed field');
      fields.push({ no, value: bytes.subarray(pos, pos + size) });
      pos += size;
    } else throw new Error(`wire type ${wireType}`);
  }
  return fields;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The last occurrence of a length-delimited field (proto3: last one wins), or undefined. */
export function bytesField(fields: readonly WireField[], no: number): Uint8Array | undefined {
  const found = fields.filter((f) => f.no === no).pop()?.value;
  return found instanceof Uint8Array ? found : undefined;
}

/** A string field; '' when absent (proto3 default). */
export function stringField(fields: readonly WireField[], no: number): string {
  const bytes = bytesField(fields, no);
  return bytes === undefined ? '' : utf8.decode(bytes);
}

/** Every occurrence of a repeated message field. */
export function messages(fields: readonly WireField[], no: number): WireField[][] {
  return fields.filter((f) => f.no === no && f.value instanceof Uint8Array).map((f) => readFields(f.value as Uint8Array));
}

// ---- StateFun's messages ---------------------------------------------------------------------------------

export interface WireTypedValue {
  readonly typename: string;
  readonly value: Uint8Array;
}

function typedValue(fields: readonly WireField[]): WireTypedValue {
  return { typename: stringField(fields, 1), value: bytesField(fields, 3) ?? new Uint8Array() };
}

function address(fields: readonly WireField[]): string {
  return `${stringField(fields, 1)}/${stringField(fields, 2)}/${stringField(fields, 3)}`;
}

/** A `ToFunction` as the function receives it: the target `ns/type/id`, the state names, the arguments. */
export interface ToFunctionView {
  readonly target: string;
  readonly states: readonly string[];
  readonly invocations: readonly { readonly caller: string | undefined; readonly argument: WireTypedValue }[];
}

export function readToFunction(bytes: Uint8Array): ToFunctionView {
  const batch = readFields(bytesField(readFields(bytes), 100) ?? new Uint8Array());
  const target = bytesField(batch, 1);
  return {
    target: target === undefined ? '?' : address(readFields(target)),
    states: messages(batch, 2).map((s) => stringField(s, 1)),
    invocations: messages(batch, 3).map((inv) => {
      const caller = bytesField(inv, 1);
      return { caller: caller === undefined ? undefined : address(readFields(caller)), argument: typedValue(readFields(bytesField(inv, 2) ?? new Uint8Array())) };
    }),
  };
}

/** What a `FromFunction` holds: a result, an IncompleteInvocationContext, or neither. An empty body is a result. */
export function fromFunctionKind(bytes: Uint8Array): 'result' | 'incomplete' | 'neither' {
  if (bytes.length === 0) return 'result';
  const fields = readFields(bytes);
  if (fields.some((f) => f.no === 101)) return 'incomplete';
  return fields.some((f) => f.no === 100) ? 'result' : 'neither';
}

/** `io.statefun.sdk.egress.KafkaProducerRecord {key=1, value_bytes=2, topic=3}`. */
export function readKafkaRecord(bytes: Uint8Array): { topic: string; key: string; value: Buffer } {
  const fields = readFields(bytes);
  return { key: stringField(fields, 1), value: Buffer.from(bytesField(fields, 2) ?? []), topic: stringField(fields, 3) };
}

/** `io.statefun.sdk.egress.KinesisEgressRecord {partition_key=1, value_bytes=2, stream=3, explicit_hash_key=4}`. */
export function readKinesisRecord(bytes: Uint8Array): { stream: string; partitionKey: string; explicitHashKey: string; value: Buffer } {
  const fields = readFields(bytes);
  return { partitionKey: stringField(fields, 1), value: Buffer.from(bytesField(fields, 2) ?? []), stream: stringField(fields, 3), explicitHashKey: stringField(fields, 4) };
}

// ---- Writing ---------------------------------------------------------------------------------------------

function varintBytes(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited field: a string, bytes, or an embedded message made of other fields. */
export function field(no: number, value: string | Uint8Array): Uint8Array {
  const body = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([Buffer.from(varintBytes((no << 3) | 2)), Buffer.from(varintBytes(body.length)), body]);
}

/** A varint field (bool, enum, int). */
export function varintField(no: number, value: number): Uint8Array {
  return Buffer.from([...varintBytes(no << 3), ...varintBytes(value)]);
}

export const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

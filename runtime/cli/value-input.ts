import { boolType, doubleType, floatType, intType, longType, stringType } from '../sdk/types.js';
import { UsageError } from './args.js';

const PROTOBUF_PREFIX = 'type.googleapis.com/';

/**
 * The bytes of a value given on the command line, for its typename: text for `io.statefun.types/string`, a
 * number for `int`/`long`/`float`/`double`, `true`/`false` for `bool`, JSON for any other type (sent compact);
 * with `base64`, the bytes as given. Protobuf types need `base64`.
 *
 * @throws {UsageError} naming the value and the typename when the value does not fit.
 */
export function encodeValue(text: string, typename: string, base64: boolean): Uint8Array {
  const bad = (expected: string): never => {
    throw new UsageError(`value ${JSON.stringify(text)} is not ${expected} (type ${typename})`, 'send');
  };
  if (base64) {
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) bad('base64');
    const bytes = Buffer.from(text, 'base64');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  switch (typename) {
    case stringType.typename:
      return stringType.serialize(text);
    case intType.typename: {
      const n = Number(text);
      if (!/^-?\d+$/.test(text.trim()) || n < -0x80000000 || n > 0x7fffffff) bad('a 32-bit integer');
      return intType.serialize(n);
    }
    case longType.typename: {
      if (!/^-?\d+$/.test(text.trim())) bad('an integer');
      const n = BigInt(text.trim());
      if (n < -(2n ** 63n) || n >= 2n ** 63n) bad('a 64-bit integer');
      return longType.serialize(n);
    }
    case floatType.typename:
    case doubleType.typename: {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) bad('a number');
      return (typename === floatType.typename ? floatType : doubleType).serialize(n);
    }
    case boolType.typename: {
      const lower = text.trim().toLowerCase();
      if (lower !== 'true' && lower !== 'false') bad('true or false');
      return boolType.serialize(lower === 'true');
    }
  }
  if (typename.startsWith(PROTOBUF_PREFIX)) {
    throw new UsageError(`a protobuf value (type ${typename}) must be given as bytes: pass --base64 <serialized message>`, 'send');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return bad('JSON');
  }
  return new TextEncoder().encode(JSON.stringify(parsed));
}

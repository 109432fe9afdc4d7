import { describe, expect, it } from 'vitest';
import { boolType, doubleType, intType, longType, stringType } from 'statefun-aws';
import { encodeValue } from '../../../runtime/cli/value-input.js';

describe('statefun send values', () => {
  it('encodesBuiltInTypesFromText', () => {
    expect(stringType.deserialize(encodeValue('hi there', 'io.statefun.types/string', false))).toBe('hi there');
    expect(intType.deserialize(encodeValue('-42', 'io.statefun.types/int', false))).toBe(-42);
    expect(longType.deserialize(encodeValue('9007199254740993', 'io.statefun.types/long', false))).toBe(9007199254740993n);
    expect(doubleType.deserialize(encodeValue('2.5', 'io.statefun.types/double', false))).toBe(2.5);
    expect(boolType.deserialize(encodeValue('TRUE', 'io.statefun.types/bool', false))).toBe(true);
  });

  it('sendsJsonTypesCompact', () => {
    expect(new TextDecoder().decode(encodeValue('{ "name": "Bob" }', 'example/GreetRequest', false))).toBe('{"name":"Bob"}');
  });

  it('takesBase64BytesAsTheyAre', () => {
    expect(encodeValue('AQID', 'type.googleapis.com/com.acme.Order', true)).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('refusesValuesThatDoNotFitTheirTypeNamingBoth', () => {
    expect(() => encodeValue('x', 'io.statefun.types/int', false)).toThrow('value "x" is not a 32-bit integer (type io.statefun.types/int)');
    expect(() => encodeValue('3000000000', 'io.statefun.types/int', false)).toThrow('not a 32-bit integer');
    expect(() => encodeValue('yes', 'io.statefun.types/bool', false)).toThrow('is not true or false');
    expect(() => encodeValue('{name: Bob}', 'example/GreetRequest', false)).toThrow('value "{name: Bob}" is not JSON (type example/GreetRequest)');
    expect(() => encodeValue('x', 'type.googleapis.com/com.acme.Order', false)).toThrow('pass --base64');
    expect(() => encodeValue('!!', 'example/Bytes', true)).toThrow('is not base64');
  });
});

import { describe, expect, it } from 'vitest';
import { intType, longType, stringType } from 'statefun-aws';
import { decodeValue, formatValue, valueJson } from '../../../runtime/local/dev/value-format.js';

describe('state and record values for people', () => {
  it('decodesBuiltInTypes', () => {
    expect(formatValue(decodeValue('io.statefun.types/int', intType.serialize(7)))).toBe('7');
    expect(formatValue(decodeValue('io.statefun.types/string', stringType.serialize('hi')))).toBe('"hi"');
    expect(valueJson(decodeValue('io.statefun.types/long', longType.serialize(2n ** 60n)))).toEqual({ value: '1152921504606846976' });
    expect(formatValue(decodeValue('io.statefun.types/int', new Uint8Array(0)))).toBe('0');
  });

  it('prettyPrintsJsonTypes', () => {
    const value = decodeValue('shop/Cart', new TextEncoder().encode('{"items":["a"]}'));
    expect(formatValue(value, '  ')).toBe('{\n    "items": [\n      "a"\n    ]\n  }');
  });

  it('showsProtobufAndUnreadableValuesAsBase64WithTheirTypename', () => {
    expect(formatValue(decodeValue('type.googleapis.com/com.acme.Order', Uint8Array.of(8, 1)))).toBe('CAE= (base64, type.googleapis.com/com.acme.Order)');
    expect(formatValue(decodeValue('shop/Blob', Uint8Array.of(0xff)))).toBe('/w== (base64, shop/Blob)');
    expect(formatValue(decodeValue('io.statefun.types/int', Uint8Array.of(0xff, 0xff)))).toBe('//8= (base64, io.statefun.types/int)');
  });
});

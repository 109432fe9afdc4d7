import { describe, expect, it } from 'vitest';
import { address, addressKey, parseAddressKey, sameAddress } from '../../../runtime/core/address.js';
import { isStatefunError } from '../../../runtime/core/errors.js';
import { parseFunctionTypeName, parseTypeName } from '../../../runtime/core/typename.js';

/** Runs `fn`, expecting a ValidationError; returns its message. */
function validationMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isStatefunError(error, 'validation'), `expected a ValidationError, got ${String(error)}`).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('parseTypeName', () => {
  const accepted: Array<[string, string, string]> = [
    ['example/greeter', 'example', 'greeter'],
    ['io.statefun.types/int', 'io.statefun.types', 'int'],
    ['type.googleapis.com/com.acme.Order', 'type.googleapis.com', 'com.acme.Order'],
    ['a/b/c', 'a/b', 'c'],
    ['ns/ünïcode-name_1', 'ns', 'ünïcode-name_1'],
  ];
  for (const [typename, namespace, name] of accepted) {
    it(`splits ${typename} at its last "/"`, () => {
      expect(parseTypeName(typename)).toEqual({ namespace, name });
    });
  }

  const rejected: Array<[unknown, RegExp]> = [
    ['', /non-empty string/],
    ['greeter', /is not of the form <namespace>\/<name>/],
    ['/greeter', /is not of the form/],
    ['example/', /is not of the form/],
    ['example/gr eeter', /whitespace or control/],
    ['example/greeter\n', /whitespace or control/],
    ['exa\tmple/greeter', /whitespace or control/],
    ['example/\u0000', /whitespace or control/],
    [42, /non-empty string/],
    [undefined, /non-empty string/],
  ];
  for (const [typename, reason] of rejected) {
    it(`rejects ${JSON.stringify(typename) ?? String(typename)}, naming it and what was being read`, () => {
      const message = validationMessage(() => parseTypeName(typename, 'type of state "x"'));
      expect(message).toMatch(reason);
      expect(message).toContain('type of state "x"');
      expect(message).toContain(typename === undefined ? 'undefined' : JSON.stringify(typename));
    });
  }
});

describe('parseFunctionTypeName', () => {
  it('accepts exactly one "/"', () => {
    expect(parseFunctionTypeName('shop/cart')).toEqual({ namespace: 'shop', name: 'cart' });
  });

  it('rejects a "/" in the namespace, naming the value and the namespace', () => {
    const message = validationMessage(() => parseFunctionTypeName('a/b/c'));
    expect(message).toContain('"a/b/c"');
    expect(message).toContain('namespace "a/b"');
  });

  it('rejects what parseTypeName rejects', () => {
    expect(validationMessage(() => parseFunctionTypeName('cart'))).toContain('"cart"');
  });
});

describe('addresses', () => {
  it('builds an address from a typename and an id', () => {
    expect(address('shop/cart', 'alice')).toEqual({ typename: 'shop/cart', id: 'alice' });
  });

  it('rejects an empty id, naming the function type', () => {
    const message = validationMessage(() => address('shop/cart', ''));
    expect(message).toContain('shop/cart');
    expect(message).toContain('""');
  });

  it('rejects a bad function typename, naming it', () => {
    expect(validationMessage(() => address('shop', 'alice'))).toContain('"shop"');
    expect(validationMessage(() => address('a/b/c', 'alice'))).toContain('"a/b/c"');
  });

  it('keys are namespace/name/id and parse back, also when the id contains "/"', () => {
    for (const id of ['alice', 'a/b', '/lead', 'trail/', 'ünï code']) {
      const a = address('shop/cart', id);
      expect(addressKey(a)).toBe(`shop/cart/${id}`);
      expect(parseAddressKey(addressKey(a))).toEqual(a);
    }
  });

  for (const bad of ['shop/cart', 'shop/cart/', 'shop//alice', '/cart/alice', 'shop', '']) {
    it(`parseAddressKey rejects ${JSON.stringify(bad)}, naming it`, () => {
      expect(validationMessage(() => parseAddressKey(bad))).toContain(JSON.stringify(bad));
    });
  }

  it('sameAddress compares typename and id', () => {
    expect(sameAddress({ typename: 'a/b', id: '1' }, { typename: 'a/b', id: '1' })).toBe(true);
    expect(sameAddress({ typename: 'a/b', id: '1' }, { typename: 'a/b', id: '2' })).toBe(false);
    expect(sameAddress({ typename: 'a/b', id: '1' }, { typename: 'a/c', id: '1' })).toBe(false);
    expect(sameAddress(undefined, undefined)).toBe(true);
    expect(sameAddress({ typename: 'a/b', id: '1' }, undefined)).toBe(false);
  });
});

describe('address ids are stored as UTF-8', () => {
  it('refusesALoneSurrogateButAcceptsPairs', () => {
    expect(() => address('shop/cart', 'a\uD800')).toThrow(/lone UTF-16 surrogate/);
    expect(address('shop/cart', 'smile 😀').id).toBe('smile 😀');
  });
});

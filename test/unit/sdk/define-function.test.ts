import { describe, expect, it } from 'vitest';
import { isStatefunError } from '../../../runtime/core/errors.js';
import { defineFunction, isFunctionDefinition } from '../../../runtime/sdk/function.js';
import { intType, jsonType, stringType } from '../../../runtime/sdk/types.js';
import { valueSpec } from '../../../runtime/sdk/value-spec.js';

const handler = (): void => {};

function validationMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isStatefunError(error, 'validation'), `expected a ValidationError, got ${String(error)}`).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('defineFunction validates eagerly, naming the function and the bad value', () => {
  it('accepts a well-formed definition and registers its states', () => {
    const fn = defineFunction({
      typename: 'shop/cart',
      specs: { items: valueSpec(jsonType<string[]>('shop/Items'), { expireAfterWrite: { minutes: 30 } }), count: valueSpec(intType) },
      handler,
      maxBatch: 5,
      timeout: '30 s',
    });
    expect(isFunctionDefinition(fn)).toBe(true);
    expect(fn.maxBatch).toBe(5);
    expect(fn.timeoutMs).toBe(30_000);
    expect(fn.stateSpecs).toEqual([
      { name: 'items', typename: 'shop/Items', expiration: { mode: 'after-write', ttlMs: 1_800_000 } },
      { name: 'count', typename: 'io.statefun.types/int', expiration: { mode: 'none', ttlMs: 0 } },
    ]);
  });

  it('defaults to batches of 10 and a one-minute timeout', () => {
    const fn = defineFunction({ typename: 'shop/cart', handler });
    expect(fn.maxBatch).toBe(10);
    expect(fn.timeoutMs).toBe(60_000);
    expect(fn.stateSpecs).toEqual([]);
  });

  for (const typename of ['cart', 'shop/', '/cart', 'a/b/c', 'shop/my cart', '']) {
    it(`refuses the typename ${JSON.stringify(typename)}`, () => {
      const message = validationMessage(() => defineFunction({ typename, handler }));
      expect(message).toContain('typename of defineFunction');
      expect(message).toContain(JSON.stringify(typename));
    });
  }

  it('refuses a missing handler', () => {
    const message = validationMessage(() => defineFunction({ typename: 'shop/cart', handler: undefined as never }));
    expect(message).toBe('function shop/cart needs a handler function, got undefined');
  });

  for (const name of ['1st', 'has-dash', 'with space', '']) {
    it(`refuses the state name ${JSON.stringify(name)}`, () => {
      const message = validationMessage(() => defineFunction({ typename: 'shop/cart', specs: { [name]: valueSpec(intType) }, handler }));
      expect(message).toContain('shop/cart');
      expect(message).toContain(JSON.stringify(name));
    });
  }

  it('refuses a state declared with a type instead of valueSpec(type)', () => {
    const message = validationMessage(() => defineFunction({ typename: 'shop/cart', specs: { count: intType as never }, handler }));
    expect(message).toContain('state "count" of function shop/cart must be declared with valueSpec(type)');
    expect(message).toContain('io.statefun.types/int');
  });

  it('refuses a hand-made spec whose type cannot serialize', () => {
    const spec = { type: { typename: 'shop/Thing' }, expiration: { mode: 'none', ttlMs: 0 } };
    const message = validationMessage(() => defineFunction({ typename: 'shop/cart', specs: { thing: spec as never }, handler }));
    expect(message).toContain('shop/cart');
    expect(message).toContain('"thing"');
  });

  it('refuses a hand-made spec with an unknown expiration mode or a bad time to live', () => {
    const unknownMode = { type: intType, expiration: { mode: 'sometimes', ttlMs: 5 } };
    expect(validationMessage(() => defineFunction({ typename: 'shop/cart', specs: { n: unknownMode as never }, handler }))).toContain('"sometimes"');
    const negative = { type: intType, expiration: { mode: 'after-write', ttlMs: -5 } };
    const message = validationMessage(() => defineFunction({ typename: 'shop/cart', specs: { n: negative as never }, handler }));
    expect(message).toContain('shop/cart');
    expect(message).toContain('-5');
  });

  it('refuses specs that are not an object', () => {
    expect(validationMessage(() => defineFunction({ typename: 'shop/cart', specs: [] as never, handler }))).toContain('specs of function shop/cart');
  });

  for (const maxBatch of [0, -1, 1.5, Number.NaN, Infinity, '10']) {
    it(`refuses maxBatch ${String(maxBatch)}`, () => {
      const message = validationMessage(() => defineFunction({ typename: 'shop/cart', handler, maxBatch: maxBatch as number }));
      expect(message).toContain('maxBatch of function shop/cart');
      expect(message).toContain(typeof maxBatch === 'string' ? '"10"' : String(maxBatch));
    });
  }

  it('refuses a timeout without a unit', () => {
    const message = validationMessage(() => defineFunction({ typename: 'shop/cart', handler, timeout: 60_000 as never }));
    expect(message).toBe('timeout of function shop/cart: 60000 has no unit; write e.g. { seconds: 10 } or "10 s"');
  });

  it('refuses a zero timeout', () => {
    expect(validationMessage(() => defineFunction({ typename: 'shop/cart', handler, timeout: '0 s' }))).toMatch(/timeout of function shop\/cart: must be longer than zero/);
  });

  it('refuses a non-object of options', () => {
    expect(validationMessage(() => defineFunction(null as never))).toContain('options object');
  });
});

describe('valueSpec', () => {
  it('declares expiry after write or after invoke in milliseconds', () => {
    expect(valueSpec(intType, { expireAfterInvoke: '2 h' }).expiration).toEqual({ mode: 'after-invoke', ttlMs: 7_200_000 });
    expect(valueSpec(stringType).expiration).toEqual({ mode: 'none', ttlMs: 0 });
  });

  it('refuses both expiries at once', () => {
    expect(validationMessage(() => valueSpec(intType, { expireAfterWrite: '1 s', expireAfterInvoke: '1 s' }))).toContain('not both');
  });

  it('refuses an expiry without a unit or of zero, naming the type', () => {
    expect(validationMessage(() => valueSpec(intType, { expireAfterWrite: 1000 as never }))).toBe(
      'expireAfterWrite of valueSpec(io.statefun.types/int): 1000 has no unit; write e.g. { seconds: 10 } or "10 s"',
    );
    expect(validationMessage(() => valueSpec(intType, { expireAfterInvoke: { seconds: 0 } }))).toContain('longer than zero');
  });

  it('refuses something that is not a type', () => {
    expect(validationMessage(() => valueSpec('io.statefun.types/int' as never))).toContain('"io.statefun.types/int"');
  });
});

import { describe, expect, it } from 'vitest';
import type { FunctionBinding } from '../../../runtime/core/function-binding.js';
import type { EgressRecord } from '../../../runtime/core/record.js';
import { EgressRouter } from '../../../runtime/engine/egress-router.js';
import { StaticFunctionRegistry } from '../../../runtime/engine/function-registry.js';
import { FakeEgress, ScriptedInvoker } from './fakes.js';

const binding = (typename: string, maxBatch = 10): FunctionBinding => ({
  typename,
  invoker: new ScriptedInvoker(() => ({})),
  specs: [],
  maxBatch,
  callTimeoutMs: 1000,
});

const record = (egress: string, key: string): EgressRecord => ({
  key,
  egress,
  argument: { typename: 'a/b', value: new Uint8Array(0) },
  source: { typename: 'shop/cart', id: 'x' },
  at: 0,
});

describe('StaticFunctionRegistry', () => {
  it('resolves exact bindings, and namespace wildcards for every other name', () => {
    const made: string[] = [];
    const registry = new StaticFunctionRegistry()
      .bind(binding('shop/cart', 5))
      .bindNamespace('shop', (typename) => {
        made.push(typename);
        return binding(typename, 1);
      });
    expect(registry.resolve('shop/cart')?.maxBatch).toBe(5);
    expect(registry.resolve('shop/stock')?.typename).toBe('shop/stock');
    expect(registry.resolve('shop/stock')).toBe(registry.resolve('shop/stock'));
    expect(made).toEqual(['shop/stock']);
    expect(registry.resolve('other/cart')).toBeUndefined();
    expect(registry.list()).toEqual(['shop/cart', 'shop/*']);
  });

  it('refuses binding a type or a namespace twice, and bad typenames, naming them', () => {
    const registry = new StaticFunctionRegistry().bind(binding('shop/cart')).bindNamespace('shop', binding);
    expect(() => registry.bind(binding('shop/cart'))).toThrow('function type "shop/cart" is bound twice');
    expect(() => registry.bindNamespace('shop', binding)).toThrow('function namespace "shop/*" is bound twice');
    expect(() => registry.bind(binding('cart'))).toThrow('"cart"');
    expect(() => registry.bindNamespace('bad ns', binding)).toThrow('whitespace');
  });
});

describe('EgressRouter', () => {
  it('routes each record to the sink of its egress, keeping their order per sink', async () => {
    const a = new FakeEgress();
    const b = new FakeEgress();
    const router = new EgressRouter().register('test/a', a).register('test/b', b);
    await router.publish([record('test/a', '1'), record('test/b', '2'), record('test/a', '3')]);
    expect(a.published.map((r) => r.key)).toEqual(['1', '3']);
    expect(b.published.map((r) => r.key)).toEqual(['2']);
    expect(router.has('test/a')).toBe(true);
    expect(router.has('test/c')).toBe(false);
    expect(router.names()).toEqual(['test/a', 'test/b']);
  });

  it('refuses a record for an unknown egress before publishing any of the batch', async () => {
    const a = new FakeEgress();
    const router = new EgressRouter().register('test/a', a);
    await expect(router.publish([record('test/a', '1'), record('test/zzz', '2')])).rejects.toThrow('no egress "test/zzz" is registered');
    expect(a.published).toEqual([]);
  });

  it('refuses registering an egress twice or under a bad name', () => {
    const router = new EgressRouter().register('test/a', new FakeEgress());
    expect(() => router.register('test/a', new FakeEgress())).toThrow('egress "test/a" is registered twice');
    expect(() => router.register('nope', new FakeEgress())).toThrow('"nope"');
  });
});

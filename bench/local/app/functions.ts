import { defineFunction, intType, valueSpec } from 'statefun-aws';

/** The benchmark's function: one counter per address, incremented by every message. */
export const counter = defineFunction({
  typename: 'bench/counter',
  specs: { count: valueSpec(intType) },
  handler(ctx) {
    ctx.storage.count = (ctx.storage.count ?? 0) + 1;
  },
});

import { describe, expect, it } from 'vitest';
import { defineFunction, intType, valueSpec } from 'statefun-aws';
import { createTestRuntime } from 'statefun-aws/testing';

/** State in the test harness: expiry on virtual time, and states registered at run time. */

const ttl = defineFunction({
  typename: 'h/ttl',
  specs: {
    written: valueSpec(intType, { expireAfterWrite: { minutes: 10 } }),
    touched: valueSpec(intType, { expireAfterInvoke: { minutes: 10 } }),
  },
  handler(ctx, message) {
    if (message.asString() === 'write') {
      ctx.storage.written = 1;
      ctx.storage.touched = 1;
    }
  },
});

const dynamic = defineFunction({
  typename: 'h/dynamic',
  handler(ctx) {
    const visits = ctx.state('visits', valueSpec(intType));
    visits.set((visits.get() ?? 0) + 1);
  },
});

describe('expiry on virtual time', () => {
  it('expire-after-write: present until ttl after the write, then read as empty', async () => {
    const t = createTestRuntime({ functions: [ttl] });
    await t.send({ to: ttl, id: 'x', value: 'write' });
    await t.advance({ minutes: 9, seconds: 59 });
    expect(t.state(ttl, 'x').written).toBe(1);
    await t.send({ to: ttl, id: 'x', value: 'read' });
    await t.advance({ seconds: 1 });
    expect(t.state(ttl, 'x').written).toBeUndefined();
  });

  it('expire-after-invoke: every invocation extends the life of the value', async () => {
    const t = createTestRuntime({ functions: [ttl] });
    await t.send({ to: ttl, id: 'x', value: 'write' });
    for (let i = 0; i < 3; i++) {
      await t.advance({ minutes: 9 });
      await t.send({ to: ttl, id: 'x', value: 'read' });
    }
    expect(t.state(ttl, 'x').touched).toBe(1);
    expect(t.state(ttl, 'x').written).toBeUndefined();
    await t.advance({ minutes: 10 });
    expect(t.state(ttl, 'x').touched).toBeUndefined();
  });
});

describe('states registered at run time', () => {
  it('are registered on first use, kept per address, and survive a restart', async () => {
    const t = createTestRuntime({ functions: [dynamic] });
    await t.send({ to: dynamic, id: 'a', value: 'x' });
    await t.send({ to: dynamic, id: 'a', value: 'x' });
    await t.send({ to: dynamic, id: 'b', value: 'x' });
    const visits = (id: string): number | undefined => {
      const stored = t.storedValues({ typename: 'h/dynamic', id }).get('visits');
      return stored === undefined ? undefined : intType.deserialize(stored.value);
    };
    expect(visits('a')).toBe(2);
    expect(visits('b')).toBe(1);
    await t.restart();
    await t.send({ to: dynamic, id: 'a', value: 'x' });
    expect(visits('a')).toBe(3);
    expect(await t.parked()).toEqual([]);
  });
});

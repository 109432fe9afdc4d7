import { describe, expect, it } from 'vitest';
import { defineFunction, intType, jsonType, stringType, valueSpec } from 'statefun-aws';
import { createTestRuntime, type TestRuntime } from 'statefun-aws/testing';

/**
 * Virtual time in the test harness: `advance` fires what comes due in time order, each at its due time;
 * `restart` keeps durable state and pending timers.
 */

const Log = jsonType<Array<{ what: string; at: number }>>('h/Log');
let clockOf: TestRuntime | undefined;

/** On "go", schedules three delayed messages to itself out of order; records what arrives when. */
const planner = defineFunction({
  typename: 'h/planner',
  specs: { log: valueSpec(Log) },
  handler(ctx, message) {
    const what = message.asString();
    if (what === 'go') {
      ctx.sendAfter({ minutes: 10 }, { to: 'h/planner', id: ctx.self.id, value: 'late' });
      ctx.sendAfter({ minutes: 5 }, { to: 'h/planner', id: ctx.self.id, value: 'early' });
      ctx.sendAfter('7 min', { to: 'h/planner', id: ctx.self.id, value: 'mid' });
      ctx.sendAfter({ minutes: 6 }, { to: 'h/recorder', id: ctx.self.id, value: 'to another' });
      return;
    }
    ctx.storage.log = [...(ctx.storage.log ?? []), { what, at: clockOf!.now }];
  },
});

const recorder = defineFunction({
  typename: 'h/recorder',
  specs: { log: valueSpec(Log) },
  handler(ctx, message) {
    ctx.storage.log = [...(ctx.storage.log ?? []), { what: `${message.asString()} from ${ctx.caller?.id ?? '-'}`, at: clockOf!.now }];
  },
});

function runtime(): TestRuntime {
  const t = createTestRuntime({ functions: [planner, recorder] });
  clockOf = t;
  return t;
}

const MIN = 60_000;

describe('advance', () => {
  it('fires due timers in time order, each at its due time, also across addresses', async () => {
    const t = runtime();
    const start = t.now;
    await t.send({ to: planner, id: 'p', value: 'go' });
    await t.advance({ minutes: 30 });
    expect(t.state(planner, 'p').log).toEqual([
      { what: 'early', at: start + 5 * MIN },
      { what: 'mid', at: start + 7 * MIN },
      { what: 'late', at: start + 10 * MIN },
    ]);
    expect(t.state(recorder, 'p').log).toEqual([{ what: 'to another from p', at: start + 6 * MIN }]);
    expect(t.now).toBe(start + 30 * MIN);
  });

  it('fires nothing before it is due', async () => {
    const t = runtime();
    await t.send({ to: planner, id: 'p', value: 'go' });
    await t.advance({ minutes: 4, seconds: 59 });
    expect(t.state(planner, 'p').log).toBeUndefined();
    expect(t.pendingTimers({ typename: 'h/planner', id: 'p' })).toHaveLength(4);
    await t.advance({ seconds: 1 });
    expect(t.state(planner, 'p').log?.map((e) => e.what)).toEqual(['early']);
    expect(t.pendingTimers({ typename: 'h/planner', id: 'p' })).toHaveLength(3);
  });

  it('refuses a duration without a unit', async () => {
    const t = runtime();
    await expect(t.advance(1000 as never)).rejects.toThrow(/advance: 1000 has no unit/);
  });
});

describe('restart', () => {
  it('keeps durable state and pending timers, which still fire at their due time', async () => {
    const t = runtime();
    const start = t.now;
    await t.send({ to: planner, id: 'p', value: 'go' });
    await t.advance({ minutes: 6 });
    expect(t.state(planner, 'p').log?.map((e) => e.what)).toEqual(['early']);
    await t.restart();
    expect(t.state(planner, 'p').log).toEqual([{ what: 'early', at: start + 5 * MIN }]);
    expect(t.pendingTimers({ typename: 'h/planner', id: 'p' }).map((p) => stringType.deserialize(p.argument.value)).sort()).toEqual(['late', 'mid']);
    await t.advance({ minutes: 10 });
    expect(t.state(planner, 'p').log).toEqual([
      { what: 'early', at: start + 5 * MIN },
      { what: 'mid', at: start + 7 * MIN },
      { what: 'late', at: start + 10 * MIN },
    ]);
    expect(t.state(recorder, 'p').log).toEqual([{ what: 'to another from p', at: start + 6 * MIN }]);
  });

  it('delivers again a message whose retry was pending, and applies it once', async () => {
    let failures = 1;
    const flaky = defineFunction({
      typename: 'h/flaky',
      specs: { n: valueSpec(intType) },
      handler(ctx) {
        if (failures-- > 0) throw new Error('not yet');
        ctx.storage.n = (ctx.storage.n ?? 0) + 1;
      },
    });
    const t = createTestRuntime({ functions: [flaky] });
    await t.send({ to: flaky, id: 'f', value: 'x' });
    expect(t.state(flaky, 'f').n).toBeUndefined();
    await t.restart();
    await t.advance({ seconds: 1 });
    expect(t.state(flaky, 'f').n).toBe(1);
    await t.advance({ hours: 1 });
    expect(t.state(flaky, 'f').n).toBe(1);
  });
});

describe('handlers that await', () => {
  it('an async handler awaiting real I/O completes in the test runtime, whatever the wall clock says', async () => {
    const waiting = defineFunction({
      typename: 'h/waiting',
      specs: { n: valueSpec(intType) },
      async handler(ctx) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        ctx.storage.n = (ctx.storage.n ?? 0) + 1;
      },
    });
    // virtual time far from the wall clock, in either direction
    for (const startTime of [Date.UTC(2020, 0, 1), Date.UTC(2040, 0, 1)]) {
      const t = createTestRuntime({ functions: [waiting], startTime });
      await t.send({ to: waiting, id: 'w', value: 'x' });
      expect(await t.parked()).toEqual([]);
      expect(t.state(waiting, 'w').n).toBe(1);
    }
  });

  it('a handler that never finishes fails its batch after the function timeout and is retried', async () => {
    let hang = true;
    const hanging = defineFunction({
      typename: 'h/hanging',
      specs: { n: valueSpec(intType) },
      timeout: { milliseconds: 20 },
      async handler(ctx) {
        if (hang) {
          hang = false;
          await new Promise(() => {});
        }
        ctx.storage.n = (ctx.storage.n ?? 0) + 1;
      },
    });
    const t = createTestRuntime({ functions: [hanging] });
    await t.send({ to: hanging, id: 'h', value: 'x' });
    expect(t.state(hanging, 'h').n).toBeUndefined();
    await t.advance({ seconds: 1 });
    expect(t.state(hanging, 'h').n).toBe(1);
  });
});

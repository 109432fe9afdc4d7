import { describe, expect, it } from 'vitest';
import { defineFunction, intType, jsonType, playgroundEgressRecord, valueSpec } from 'statefun-aws';
import { createTestRuntime, type TestRuntime } from 'statefun-aws/testing';

/**
 * Each fault of the test harness must really happen (`t.faults.injected`), and the functions' state and
 * egress must come out exactly once anyway.
 */

const Seen = jsonType<string[]>('h/Seen');

/** Counts what it receives and emits one egress record per message. */
const counter = defineFunction({
  typename: 'h/counter',
  specs: { n: valueSpec(intType), seen: valueSpec(Seen) },
  handler(ctx, message) {
    const what = message.asString();
    ctx.storage.n = (ctx.storage.n ?? 0) + 1;
    ctx.storage.seen = [...(ctx.storage.seen ?? []), what];
    ctx.sendEgress(playgroundEgressRecord({ topic: 'counted', payload: `${ctx.self.id}:${what}` }));
  },
});

/** Forwards each message to counter "c" twice (as x-1 and x-2), in one turn. */
const relay = defineFunction({
  typename: 'h/relay',
  handler(ctx, message) {
    const what = message.asString();
    ctx.send({ to: counter, id: 'c', value: `${what}-1` });
    ctx.send({ to: counter, id: 'c', value: `${what}-2` });
  },
});

/** On "start <token>" schedules a reminder to counter "c"; on "stop <token>" cancels it; on "self" wakes itself. */
const timers = defineFunction({
  typename: 'h/timers',
  specs: { woke: valueSpec(intType) },
  handler(ctx, message) {
    const [command, token] = message.asString().split(' ');
    if (command === 'start') ctx.sendAfter({ minutes: 5 }, { to: counter, id: 'c', value: `${ctx.self.id}:${token}` }, { cancellationToken: token! });
    else if (command === 'stop') ctx.cancelDelayedMessage(token!);
    else if (command === 'self') ctx.sendAfter({ minutes: 5 }, { to: 'h/timers', id: ctx.self.id, value: 'wake' });
    else if (command === 'wake') ctx.storage.woke = (ctx.storage.woke ?? 0) + 1;
  },
});

function runtime(atomicEffects = true): TestRuntime {
  return createTestRuntime({ functions: [counter, relay, timers], atomicEffects });
}

async function expectCountedOnce(t: TestRuntime, values: string[]): Promise<void> {
  expect(await t.parked()).toEqual([]);
  expect(t.state(counter, 'c').n).toBe(values.length);
  expect(t.state(counter, 'c').seen).toEqual(values);
  expect(t.playgroundPayloads('counted')).toEqual(values.map((v) => `c:${v}`));
}

describe('fault injection: crashes', () => {
  for (const atomicEffects of [true, false]) {
    const mode = atomicEffects ? 'with atomic effects' : 'with effects released after the commit';

    it(`a crash before the commit is retried and applies once (${mode})`, async () => {
      const t = runtime(atomicEffects);
      t.faults.crashBeforeCommit({ where: counter, times: 2 });
      await t.send({ to: relay, id: 'r', value: 'a' });
      expect(t.state(counter, 'c').n).toBeUndefined();
      await t.advance({ minutes: 1 });
      expect(t.faults.injected.crashesBeforeCommit).toBe(2);
      await expectCountedOnce(t, ['a-1', 'a-2']);
    });

    it(`a crash after the commit applies once (${mode})`, async () => {
      const t = runtime(atomicEffects);
      t.faults.crashAfterCommit({ where: counter });
      t.faults.crashAfterCommit({ where: relay });
      await t.send({ to: relay, id: 'r', value: 'a' });
      await t.send({ to: relay, id: 'r', value: 'b' });
      await t.advance({ minutes: 1 });
      expect(t.faults.injected.crashesAfterCommit).toBe(2);
      await expectCountedOnce(t, ['a-1', 'a-2', 'b-1', 'b-2']);
    });

    it(`restarting after crashes loses nothing and doubles nothing (${mode})`, async () => {
      const t = runtime(atomicEffects);
      t.faults.crashAfterCommit({ where: relay });
      await t.send({ to: relay, id: 'r', value: 'a' });
      await t.restart();
      await t.advance({ minutes: 1 });
      expect(t.faults.injected.crashesAfterCommit).toBe(1);
      await expectCountedOnce(t, ['a-1', 'a-2']);
    });
  }

  it('a crash halfway through a release sends the rest on redelivery and nothing twice', async () => {
    const t = runtime(false);
    t.faults.crashMidRelease({ where: relay });
    await t.send({ to: relay, id: 'r', value: 'a' });
    // only the first message left before the crash
    expect(t.state(counter, 'c').seen).toEqual(['a-1']);
    await t.advance({ minutes: 1 });
    expect(t.faults.injected.crashesMidRelease).toBe(1);
    await expectCountedOnce(t, ['a-1', 'a-2']);
  });
});

describe('fault injection: duplicates', () => {
  for (const after of [undefined, { minutes: 10 }, { minutes: 50 }]) {
    it(`a message delivered twice (${after === undefined ? 'at once' : `${after.minutes} min later`}) is applied once`, async () => {
      const t = runtime();
      t.faults.duplicateDelivery({ where: counter, times: 2, ...(after !== undefined ? { after } : {}) });
      await t.send({ to: relay, id: 'r', value: 'a' });
      await t.advance({ hours: 1 });
      expect(t.faults.injected.duplicates).toBe(2);
      await expectCountedOnce(t, ['a-1', 'a-2']);
    });
  }

  it('a keyed ingress message delivered twice is applied once', async () => {
    const t = runtime();
    t.faults.duplicateDelivery({ where: counter, after: { minutes: 10 } });
    await t.send({ to: counter, id: 'c', value: 'k', idempotencyKey: 'key-1' });
    await t.advance({ minutes: 30 });
    expect(t.faults.injected.duplicates).toBe(1);
    await expectCountedOnce(t, ['k']);
  });

  it('an ingress idempotency key accepts a second message once', async () => {
    const t = runtime();
    const first = await t.send({ to: counter, id: 'c', value: 'k', idempotencyKey: 'key-1' });
    const second = await t.send({ to: counter, id: 'c', value: 'k', idempotencyKey: 'key-1' });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ messageId: first.messageId, duplicate: true });
    await expectCountedOnce(t, ['k']);
  });
});

describe('fault injection: timers', () => {
  it('a timer firing twice delivers once, to itself and to another address', async () => {
    const t = runtime();
    t.faults.timerFiresTwice({ where: timers, times: 2 });
    await t.send({ to: timers, id: 't', value: 'self' });
    await t.send({ to: timers, id: 't', value: 'start x' });
    await t.advance({ minutes: 10 });
    expect(t.faults.injected.doubleFires).toBe(2);
    expect(t.state(timers, 't').woke).toBe(1);
    await expectCountedOnce(t, ['t:x']);
    expect(t.pendingTimers({ typename: 'h/timers', id: 't' })).toEqual([]);
  });

  it('a cancelled timer that fires anyway is dropped by its owner', async () => {
    const t = runtime();
    t.faults.timerFiresAfterCancel();
    await t.send({ to: timers, id: 't', value: 'start x' });
    await t.send({ to: timers, id: 't', value: 'stop x' });
    await t.advance({ minutes: 10 });
    expect(t.faults.injected.firesAfterCancel).toBe(1);
    expect(t.state(counter, 'c').n).toBeUndefined();
  });

  it('cancellation tokens are scoped to the sender: another address with the same token keeps its timer', async () => {
    const t = runtime();
    await t.send({ to: timers, id: 'one', value: 'start same' });
    await t.send({ to: timers, id: 'two', value: 'start same' });
    await t.send({ to: timers, id: 'one', value: 'stop same' });
    await t.advance({ minutes: 10 });
    await expectCountedOnce(t, ['two:same']);
  });

  it('reusing a pending token replaces the earlier delayed message', async () => {
    const t = runtime();
    await t.send({ to: timers, id: 't', value: 'start same' });
    await t.advance({ minutes: 3 });
    await t.send({ to: timers, id: 't', value: 'start same' });
    expect(t.pendingTimers({ typename: 'h/timers', id: 't' })).toHaveLength(1);
    await t.advance({ minutes: 3 });
    expect(t.state(counter, 'c').n).toBeUndefined();
    await t.advance({ minutes: 3 });
    await expectCountedOnce(t, ['t:same']);
  });

  it('a token may be reused once its message fired', async () => {
    const t = runtime();
    await t.send({ to: timers, id: 't', value: 'start same' });
    await t.advance({ minutes: 6 });
    await t.send({ to: timers, id: 't', value: 'start same' });
    await t.advance({ minutes: 6 });
    await expectCountedOnce(t, ['t:same', 't:same']);
  });
});

describe('fault injection bookkeeping', () => {
  it('faults armed for another function type are not injected', async () => {
    const t = runtime();
    t.faults.crashBeforeCommit({ where: 'h/nobody' });
    t.faults.duplicateDelivery({ where: (address) => address.id === 'nobody' });
    await t.send({ to: relay, id: 'r', value: 'a' });
    expect(t.faults.injected).toMatchObject({ crashesBeforeCommit: 0, duplicates: 0 });
    await expectCountedOnce(t, ['a-1', 'a-2']);
  });

  it('clear() disarms every fault', async () => {
    const t = runtime();
    t.faults.crashBeforeCommit({ times: 5 });
    t.faults.clear();
    await t.send({ to: relay, id: 'r', value: 'a' });
    expect(t.faults.injected.crashesBeforeCommit).toBe(0);
    await expectCountedOnce(t, ['a-1', 'a-2']);
  });
});

import { describe, expect, it } from 'vitest';
import { defineFunction, jsonType, TerminalError, valueSpec } from 'statefun-aws';
import { createTestRuntime } from 'statefun-aws/testing';

/** Parking in the test harness: `parked()`, `replay`, `skip`, and the ambiguous late duplicate. */

const Seen = jsonType<string[]>('h/Seen');
const state = { broken: true, flaky: 0 };

/** Records what it receives; "poison" fails terminally while `broken`; "flaky" fails `state.flaky` times. */
const picky = defineFunction({
  typename: 'h/picky',
  specs: { seen: valueSpec(Seen) },
  handler(ctx, message) {
    const what = message.asString();
    if (what === 'poison' && state.broken) throw new TerminalError('poison is poison');
    if (what === 'flaky' && state.flaky-- > 0) throw new Error('flaky failed');
    ctx.storage.seen = [...(ctx.storage.seen ?? []), what];
  },
});

/** Sends what it receives on to picky "p". */
const relay = defineFunction({
  typename: 'h/relay',
  handler(ctx, message) {
    ctx.send({ to: picky, id: 'p', value: message.asString() });
  },
});

const P = { typename: 'h/picky', id: 'p' };

async function parkedOnPoison() {
  state.broken = true;
  const t = createTestRuntime({ functions: [picky, relay] });
  await t.ingest({ to: picky, id: 'p', value: 'ok1' });
  await t.ingest({ to: picky, id: 'p', value: 'poison' });
  await t.ingest({ to: picky, id: 'p', value: 'ok2' });
  await t.run();
  return t;
}

describe('parking', () => {
  it('a terminal failure parks the address with the message and the ones behind it, in order', async () => {
    const t = await parkedOnPoison();
    expect(t.state(picky, 'p').seen).toEqual(['ok1']);
    const parked = await t.parked();
    expect(parked).toHaveLength(1);
    expect(parked[0]!.address).toEqual(P);
    expect(parked[0]!.info.reason).toBe('TerminalError: poison is poison');
    expect(parked[0]!.letters.map((l) => l.cause)).toEqual([
      'TerminalError: poison is poison',
      'behind a failed message of a parked address: TerminalError: poison is poison',
    ]);
  });

  it('messages arriving while parked join the dead letters; other addresses keep flowing', async () => {
    const t = await parkedOnPoison();
    await t.send({ to: picky, id: 'p', value: 'ok3' });
    await t.send({ to: picky, id: 'other', value: 'fine' });
    expect(t.state(picky, 'p').seen).toEqual(['ok1']);
    expect(t.state(picky, 'other').seen).toEqual(['fine']);
    expect((await t.parked())[0]!.letters).toHaveLength(3);
  });

  it('replay processes the dead letters in order and unparks', async () => {
    const t = await parkedOnPoison();
    await t.send({ to: picky, id: 'p', value: 'ok3' });
    state.broken = false;
    await t.replay(P);
    expect(t.state(picky, 'p').seen).toEqual(['ok1', 'poison', 'ok2', 'ok3']);
    expect(await t.parked()).toEqual([]);
    await t.send({ to: picky, id: 'p', value: 'ok4' });
    expect(t.state(picky, 'p').seen).toEqual(['ok1', 'poison', 'ok2', 'ok3', 'ok4']);
  });

  it('a replay that fails again stays parked with every letter', async () => {
    const t = await parkedOnPoison();
    await t.replay(P);
    expect(t.state(picky, 'p').seen).toEqual(['ok1']);
    const [parked] = await t.parked();
    expect(parked!.letters).toHaveLength(2);
  });

  it('skip drops the first dead letter and replays the rest', async () => {
    const t = await parkedOnPoison();
    await t.skip(P);
    expect(t.state(picky, 'p').seen).toEqual(['ok1', 'ok2']);
    expect(await t.parked()).toEqual([]);
  });

  it('skip by message id drops that letter only', async () => {
    const t = await parkedOnPoison();
    state.broken = false;
    const [parked] = await t.parked();
    await t.skip(P, parked!.letters[1]!.envelope.id);
    expect(t.state(picky, 'p').seen).toEqual(['ok1', 'poison']);
  });

  it('replay or skip of an address that is not parked does nothing', async () => {
    const t = createTestRuntime({ functions: [picky] });
    await t.send({ to: picky, id: 'p', value: 'ok1' });
    await t.replay(P);
    await t.skip(P);
    expect(t.state(picky, 'p').seen).toEqual(['ok1']);
    expect(await t.parked()).toEqual([]);
  });

  it('a message that keeps failing is retried with backoff, then parked after maxAttempts', async () => {
    state.flaky = 100;
    const t = createTestRuntime({ functions: [picky], retry: { maxAttempts: 3, initialBackoffMs: 1000, multiplier: 2 } });
    await t.send({ to: picky, id: 'p', value: 'flaky' });
    expect(await t.parked()).toEqual([]);
    await t.advance({ milliseconds: 999 });
    expect(await t.parked()).toEqual([]);
    await t.advance({ seconds: 3 });
    const [parked] = await t.parked();
    expect(parked!.info.reason).toBe('Error: flaky failed (gave up after 3 attempts)');
    expect(state.flaky).toBe(97);
  });

  it('a message that fails a few times then succeeds is applied once', async () => {
    state.flaky = 2;
    const t = createTestRuntime({ functions: [picky] });
    await t.send({ to: picky, id: 'p', value: 'flaky' });
    await t.advance({ minutes: 1 });
    expect(t.state(picky, 'p').seen).toEqual(['flaky']);
    expect(await t.parked()).toEqual([]);
  });
});

describe('a duplicate arriving after the dedup window', () => {
  /**
   * relay→picky "a" is delivered again 2 h later (a re-sent copy). In between, picky committed another turn
   * more than 1 h after "a" was sent, which pruned relay's mark: picky can no longer tell whether it applied
   * the copy.
   */
  async function lateCopy(window?: { windowMs: number }) {
    state.broken = true;
    const t = createTestRuntime({ functions: [picky, relay], ...(window !== undefined ? { dedup: window } : {}) });
    t.faults.duplicateDelivery({ where: picky, after: { hours: 2 } });
    await t.send({ to: relay, id: 'r', value: 'a' });
    await t.advance({ minutes: 61 });
    await t.send({ to: picky, id: 'p', value: 'tick' });
    await t.advance({ hours: 1 });
    expect(t.faults.injected.duplicates).toBe(1);
    return t;
  }

  it('is parked as ambiguous rather than applied twice', async () => {
    const t = await lateCopy();
    expect(t.state(picky, 'p').seen).toEqual(['a', 'tick']);
    const [parked] = await t.parked();
    expect(parked!.address).toEqual(P);
    expect(parked!.info.reason).toContain('was sent again after a failure');
    expect(parked!.info.reason).toContain('replay it if it was not applied, skip it if it was');
    expect(parked!.letters.map((l) => l.envelope.id)).toEqual([`h/relay/r#${Date.UTC(2026, 0, 1).toString(36)}.1.0`]);
  });

  it('skip resolves it: dropped, unparked, nothing applied twice', async () => {
    const t = await lateCopy();
    await t.skip(P);
    expect(await t.parked()).toEqual([]);
    expect(t.state(picky, 'p').seen).toEqual(['a', 'tick']);
    await t.send({ to: picky, id: 'p', value: 'after' });
    expect(t.state(picky, 'p').seen).toEqual(['a', 'tick', 'after']);
  });

  it('replay resolves it: the operator said it was not applied, so it is applied', async () => {
    const t = await lateCopy();
    await t.replay(P);
    expect(await t.parked()).toEqual([]);
    expect(t.state(picky, 'p').seen).toEqual(['a', 'tick', 'a']);
  });

  it('within a longer dedup window it is recognised and dropped silently', async () => {
    const t = await lateCopy({ windowMs: 3 * 3_600_000 });
    expect(await t.parked()).toEqual([]);
    expect(t.state(picky, 'p').seen).toEqual(['a', 'tick']);
  });
});

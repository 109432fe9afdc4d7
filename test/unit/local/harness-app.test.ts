import { describe, expect, it } from 'vitest';
import { defineFunction, defineModule, playgroundEgressRecord, stringType } from 'statefun-aws';
import { createTestRuntime, createTestRuntimeFromApp } from 'statefun-aws/testing';

const echo = defineFunction({
  typename: 'app/echo',
  handler(ctx, message) {
    ctx.sendEgress(playgroundEgressRecord({ topic: 'out', payload: `${message.asString()} at ${ctx.now().toISOString()}` }));
  },
});

describe('test runtime built from an app', () => {
  it('configuresEmbeddedModulesWithTheAppConfigAndArguments', async () => {
    let seen: string | undefined;
    const module = defineModule((config, binder) => {
      seen = config.string('greeting');
      binder.bindFunction(echo);
      binder.bindEgress({ kind: 'io.statefun.playground.v1/egress', spec: { port: 18091, topics: ['out'] } });
    });
    const t = await createTestRuntimeFromApp({ modules: [module], args: ['--greeting', 'hi'], startTime: '2026-03-01T00:00:00Z' });
    await t.send({ to: echo, id: 'a', value: 'ping', type: stringType });
    expect(seen).toBe('hi');
    expect(t.playgroundPayloads('out')).toEqual(['ping at 2026-03-01T00:00:00.000Z']);
  });

  it('knowsOnlyTheEgressesTheAppDeclares', async () => {
    const t = await createTestRuntimeFromApp({ modules: [defineModule((_c, binder) => binder.bindFunction(echo))] });
    await t.send({ to: echo, id: 'a', value: 'ping', type: stringType });
    const [parked] = await t.parked();
    expect(parked?.info.reason).toContain('egress "io.statefun.playground/egress"');
  });

  it('firesATimerLateWhenAskedToAndDeliversMessagesSentMeanwhileFirst', async () => {
    const order: string[] = [];
    const fn = defineFunction({
      typename: 'app/late',
      handler(ctx, message) {
        const text = message.asString();
        order.push(text);
        if (text === 'start') ctx.sendAfter({ seconds: 10 }, { to: 'app/late', id: ctx.self.id, value: 'timer' });
      },
    });
    const t = createTestRuntime({ functions: [fn] });
    t.faults.timerFiresLate({ by: { seconds: 50 } });
    await t.send({ to: fn, id: 'x', value: 'start', type: stringType });
    await t.advance({ seconds: 30 });
    await t.send({ to: fn, id: 'x', value: 'meanwhile', type: stringType });
    expect(t.pendingTimers(fn, 'x')).toHaveLength(1);
    await t.advance({ seconds: 40 });
    expect(order).toEqual(['start', 'meanwhile', 'timer']);
    expect(t.faults.injected.lateFires).toBe(1);
  });
});

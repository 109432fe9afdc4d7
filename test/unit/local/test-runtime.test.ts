import { describe, expect, it } from 'vitest';
import { defineFunction, intType, jsonType, playgroundEgressRecord, stringType, valueSpec } from 'statefun-aws';
import { createTestRuntime } from 'statefun-aws/testing';

const GreetRequest = jsonType<{ name: string }>('example/GreetRequest');

const greeter = defineFunction({
  typename: 'example/greeter',
  specs: { seen: valueSpec(intType) },
  accepts: GreetRequest,
  handler(ctx, message) {
    const { name } = message.as(GreetRequest);
    const seen = (ctx.storage.seen ?? 0) + 1;
    ctx.storage.seen = seen;
    ctx.sendEgress(playgroundEgressRecord({ topic: 'greetings', payload: `Hello ${name} #${seen}` }));
  },
});

const reminder = defineFunction({
  typename: 'example/reminder',
  specs: { fired: valueSpec(intType) },
  handler(ctx, message) {
    if (message.isString() && message.asString() === 'start') {
      ctx.sendAfter({ days: 3 }, { to: 'example/reminder', id: ctx.self.id, value: 'remind' }, { cancellationToken: 'r' });
    } else if (message.asString() === 'stop') {
      ctx.cancelDelayedMessage('r');
    } else {
      ctx.storage.fired = (ctx.storage.fired ?? 0) + 1;
      ctx.send({ to: 'example/greeter', id: ctx.self.id, value: { name: ctx.self.id }, type: GreetRequest });
    }
  },
});

describe('test runtime', () => {
  it('countsVisitsAndEmitsGreetings', async () => {
    const t = createTestRuntime({ functions: [greeter] });
    await t.send({ to: greeter, id: 'Bob', value: { name: 'Bob' } });
    await t.send({ to: greeter, id: 'Bob', value: { name: 'Bob' } });
    expect(t.state(greeter, 'Bob').seen).toBe(2);
    expect(t.playgroundPayloads('greetings')).toEqual(['Hello Bob #1', 'Hello Bob #2']);
  });

  it('firesDelayedMessagesWhenTimeIsSkipped', async () => {
    const t = createTestRuntime({ functions: [greeter, reminder] });
    await t.send({ to: reminder, id: 'ann', value: 'start', type: stringType });
    await t.advance({ days: 2 });
    expect(t.state(reminder, 'ann').fired).toBeUndefined();
    await t.advance({ days: 1, minutes: 1 });
    expect(t.state(reminder, 'ann').fired).toBe(1);
    expect(t.state(greeter, 'ann').seen).toBe(1);
    expect(t.messages({ to: greeter }).map((m) => m.as(GreetRequest))).toEqual([{ name: 'ann' }]);
  });

  it('honoursCancellationEvenWhenTheTimerFiresAnyway', async () => {
    const t = createTestRuntime({ functions: [greeter, reminder] });
    t.faults.timerFiresAfterCancel();
    await t.send({ to: reminder, id: 'ann', value: 'start', type: stringType });
    await t.send({ to: reminder, id: 'ann', value: 'stop', type: stringType });
    await t.advance({ days: 4 });
    expect(t.faults.injected.firesAfterCancel).toBe(1);
    expect(t.state(reminder, 'ann').fired).toBeUndefined();
  });
});

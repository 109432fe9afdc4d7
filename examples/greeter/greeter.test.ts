import { describe, expect, it } from 'vitest';
import { createTestRuntime } from 'statefun-aws/testing';
import { greeter } from './greeter.js';

describe('greeter', () => {
  it('countsVisitsAndGreetsOnTheGreetingsTopic', async () => {
    const t = createTestRuntime({ functions: [greeter] });
    await t.send({ to: greeter, id: 'Bob', value: { name: 'Bob' } });
    await t.send({ to: greeter, id: 'Bob', value: { name: 'Bob' } });
    await t.send({ to: greeter, id: 'Alice', value: { name: 'Alice' } });
    expect(t.state(greeter, 'Bob').visits).toBe(2);
    expect(t.state(greeter, 'Alice').visits).toBe(1);
    expect(t.playgroundPayloads('greetings')).toEqual([
      'Hello Bob! Nice to meet you.',
      'Hello Bob! Welcome back, visit number 2.',
      'Hello Alice! Nice to meet you.',
    ]);
  });

  it('greetsOnceForARetriedRequestWithTheSameIdempotencyKey', async () => {
    const t = createTestRuntime({ functions: [greeter] });
    await t.send({ to: greeter, id: 'Bob', value: { name: 'Bob' }, idempotencyKey: 'k1' });
    await t.send({ to: greeter, id: 'Bob', value: { name: 'Bob' }, idempotencyKey: 'k1' });
    expect(t.state(greeter, 'Bob').visits).toBe(1);
    expect(t.playgroundPayloads('greetings')).toHaveLength(1);
  });

  it('keepsTheCountAcrossARestart', async () => {
    const t = createTestRuntime({ functions: [greeter] });
    await t.send({ to: greeter, id: 'Bob', value: { name: 'Bob' } });
    await t.restart();
    await t.send({ to: greeter, id: 'Bob', value: { name: 'Bob' } });
    expect(t.state(greeter, 'Bob').visits).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { durationToMs, formatMs } from '../../../runtime/core/duration.js';
import { isStatefunError } from '../../../runtime/core/errors.js';

function validationMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isStatefunError(error, 'validation'), `expected a ValidationError, got ${String(error)}`).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('durationToMs', () => {
  const accepted: Array<[unknown, number]> = [
    // the module.yaml forms of PROTOCOL.md
    ['1 min', 60_000],
    ['2m', 120_000],
    ['10s', 10_000],
    ['5min', 300_000],
    ['60000 ms', 60_000],
    // more units and spellings
    ['3 days', 259_200_000],
    ['1d', 86_400_000],
    ['2 h', 7_200_000],
    ['1 hour', 3_600_000],
    ['1.5 s', 1500],
    ['  7 seconds  ', 7000],
    ['1 MIN', 60_000],
    ['250 millis', 250],
    ['1500 us', 2], // rounded up to whole milliseconds
    ['1 ns', 1],
    ['0 s', 0],
    // objects of parts
    [{ days: 3 }, 259_200_000],
    [{ minutes: 1, seconds: 30 }, 90_000],
    [{ hours: 1, milliseconds: 1 }, 3_600_001],
    [{ seconds: 0.0004 }, 1],
    [{ seconds: 0 }, 0],
  ];
  for (const [input, ms] of accepted) {
    it(`reads ${JSON.stringify(input)} as ${ms} ms`, () => {
      expect(durationToMs(input, 'test')).toBe(ms);
    });
  }

  const rejected: Array<[unknown, RegExp]> = [
    ['10', /has no unit/],
    [' 10 ', /has no unit/],
    ['1.5', /has no unit/],
    ['10 fortnights', /cannot read duration/],
    ['-5 s', /cannot read duration/],
    ['s', /cannot read duration/],
    ['1e3 ms', /cannot read duration/],
    ['5 s 3 ms', /cannot read duration/],
    ['', /cannot read duration/],
    [{}, /is not a duration; use the keys/],
    [{ mins: 5 }, /is not a duration; use the keys/],
    [{ seconds: -1 }, /seconds must be a non-negative number, got -1/],
    [{ seconds: '5' }, /seconds must be a non-negative number, got "5"/],
    [{ seconds: Number.NaN }, /got NaN/],
    [{ days: Infinity }, /got Infinity/],
    [[5, 's'], /is not a duration/],
    [null, /is not a duration/],
    [true, /is not a duration/],
  ];
  for (const [input, reason] of rejected) {
    it(`refuses ${JSON.stringify(input)}, naming what was being read`, () => {
      const message = validationMessage(() => durationToMs(input, 'delay of ctx.sendAfter in shop/cart'));
      expect(message).toMatch(reason);
      expect(message.startsWith('delay of ctx.sendAfter in shop/cart: ')).toBe(true);
    });
  }

  it('refuses a bare number, naming it and how to write a unit', () => {
    const message = validationMessage(() => durationToMs(1000, 'timeout of function shop/cart'));
    expect(message).toBe('timeout of function shop/cart: 1000 has no unit; write e.g. { seconds: 10 } or "10 s"');
  });

  it('reads a bare number (or numeric string) as milliseconds only when bareNumberIsMillis is set', () => {
    expect(durationToMs(1000, 'x', { bareNumberIsMillis: true })).toBe(1000);
    expect(durationToMs('250', 'x', { bareNumberIsMillis: true })).toBe(250);
    expect(durationToMs(0.2, 'x', { bareNumberIsMillis: true })).toBe(1);
    expect(durationToMs('1 min', 'x', { bareNumberIsMillis: true })).toBe(60_000);
  });

  it('refuses negative and non-finite bare numbers even as milliseconds, naming them', () => {
    expect(validationMessage(() => durationToMs(-5, 'x', { bareNumberIsMillis: true }))).toMatch(/-5 must be a finite, non-negative/);
    expect(validationMessage(() => durationToMs(Number.NaN, 'x', { bareNumberIsMillis: true }))).toMatch(/NaN/);
    expect(validationMessage(() => durationToMs(Infinity, 'x', { bareNumberIsMillis: true }))).toMatch(/Infinity/);
  });

  it('refuses zero when allowZero is false, in every form', () => {
    for (const zero of ['0 s', { minutes: 0 }, '0ms']) {
      expect(validationMessage(() => durationToMs(zero, 'expireAfterWrite', { allowZero: false }))).toMatch(/longer than zero/);
    }
    expect(validationMessage(() => durationToMs(0, 'x', { allowZero: false, bareNumberIsMillis: true }))).toMatch(/longer than zero/);
  });
});

describe('formatMs', () => {
  it('picks a readable unit', () => {
    expect(formatMs(250)).toBe('250 ms');
    expect(formatMs(1500)).toBe('1.5 s');
    expect(formatMs(180_000)).toBe('3 min');
    expect(formatMs(5_400_000)).toBe('1.5 h');
    expect(formatMs(2 * 86_400_000)).toBe('2 d');
  });
});

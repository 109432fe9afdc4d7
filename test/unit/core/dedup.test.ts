import { describe, expect, it } from 'vitest';
import type { Address } from '../../../runtime/core/address.js';
import { DEFAULT_DEDUP_POLICY, DedupTracker, type DedupPolicy, markKey } from '../../../runtime/core/dedup.js';
import { asResent, type Envelope, messageId } from '../../../runtime/core/envelope.js';
import type { DedupMemory, SenderMark } from '../../../runtime/core/record.js';

const HOUR = 3_600_000;
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const receiver: Address = { typename: 'shop/cart', id: 'alice' };
const sender = (id: string): Address => ({ typename: 'shop/user', id });
const value = { typename: 'io.statefun.types/string', value: new Uint8Array(0) };

function fromFunction(from: Address, turn: number, index: number, sentAt: number): Envelope {
  return {
    id: messageId(`${from.typename}/${from.id}`, 0, turn, index),
    target: receiver,
    caller: from,
    argument: value,
    origin: { kind: 'function', sender: from, incarnation: 0, turn, index, sentAt },
  };
}

function fromIngress(key: string, keyed: boolean, acceptedAt: number): Envelope {
  return { id: `ingress:${key}`, target: receiver, caller: undefined, argument: value, origin: { kind: 'ingress', key, keyed, acceptedAt } };
}

function memory(marks: Array<[string, SenderMark]>, forgottenUntil = 0): DedupMemory {
  return { marks: new Map(marks), forgottenUntil };
}

describe('dedup marks', () => {
  it('are kept per sender, by (turn, index)', () => {
    const bob = sender('bob');
    const tracker = new DedupTracker(memory([]), []);
    tracker.remember(fromFunction(bob, 3, 1, T0), T0);
    const next = tracker.finish(T0, DEFAULT_DEDUP_POLICY);
    expect(next.marks.get('shop/user/bob')).toEqual({ incarnation: 0, turn: 3, index: 1, sentAt: T0, seenAt: T0 });

    const judge = new DedupTracker(next, []);
    expect(judge.judge(fromFunction(bob, 3, 0, T0))).toBe('duplicate');
    expect(judge.judge(fromFunction(bob, 3, 1, T0))).toBe('duplicate');
    expect(judge.judge(fromFunction(bob, 2, 9, T0))).toBe('duplicate');
    expect(judge.judge(fromFunction(bob, 3, 2, T0))).toBe('new');
    expect(judge.judge(fromFunction(bob, 4, 0, T0))).toBe('new');
    // another sender's (turn, index) is unrelated
    expect(judge.judge(fromFunction(sender('carol'), 1, 0, T0))).toBe('new');
  });

  it('a message of the last turn is a duplicate by id alone, whatever its origin', () => {
    const unkeyed = fromIngress('minted-1', false, T0);
    expect(new DedupTracker(memory([]), []).judge(unkeyed)).toBe('new');
    expect(new DedupTracker(memory([]), [unkeyed.id]).judge(unkeyed)).toBe('duplicate');
  });

  it('ingress messages with an idempotency key are remembered per key; unkeyed ones are not', () => {
    const tracker = new DedupTracker(memory([]), []);
    tracker.remember(fromIngress('k1', true, T0), T0);
    tracker.remember(fromIngress('minted', false, T0), T0);
    const next = tracker.finish(T0, DEFAULT_DEDUP_POLICY);
    expect([...next.marks.keys()]).toEqual(['ingress:k1']);
    expect(new DedupTracker(next, []).judge(fromIngress('k1', true, T0 + 5))).toBe('duplicate');
    expect(markKey(fromIngress('minted', false, T0))).toBeUndefined();
  });

  it('an unchanged memory is returned as is', () => {
    const m = memory([['shop/user/bob', { incarnation: 0, turn: 1, index: 0, sentAt: T0, seenAt: T0 }]]);
    expect(new DedupTracker(m, []).finish(T0 + 1000, DEFAULT_DEDUP_POLICY)).toBe(m);
  });
});

describe('forgotten marks', () => {
  const bob = sender('bob');
  const forgotten = memory([], T0 + 10 * MIN);

  it('only a re-sent copy at or before forgottenUntil is ambiguous', () => {
    const tracker = new DedupTracker(forgotten, []);
    const old = fromFunction(bob, 5, 0, T0 + 10 * MIN);
    expect(tracker.judge(asResent(old))).toBe('ambiguous');
    // the first copy of a message cannot be a duplicate: only re-sent copies can
    expect(tracker.judge(old)).toBe('new');
    // a re-sent copy sent after the horizon would still have a mark had it been applied
    expect(tracker.judge(asResent(fromFunction(bob, 6, 0, T0 + 10 * MIN + 1)))).toBe('new');
  });

  it('a keyed ingress copy re-sent from before the horizon is ambiguous too', () => {
    const tracker = new DedupTracker(forgotten, []);
    expect(tracker.judge(asResent(fromIngress('k', true, T0)))).toBe('ambiguous');
    expect(tracker.judge(fromIngress('k', true, T0))).toBe('new');
    expect(tracker.judge(asResent(fromIngress('k', true, T0 + 11 * MIN)))).toBe('new');
  });

  it('a remembered mark still wins over the horizon', () => {
    const m = memory([['shop/user/bob', { incarnation: 0, turn: 5, index: 0, sentAt: T0, seenAt: T0 }]], T0 + HOUR);
    expect(new DedupTracker(m, []).judge(asResent(fromFunction(bob, 5, 0, T0)))).toBe('duplicate');
  });
});

describe('pruning', () => {
  const policy: DedupPolicy = { windowMs: HOUR, maxMarks: 3, minRetentionMs: 20 * MIN, hardMaxMarks: 100 };
  const mark = (sentAt: number): SenderMark => ({ incarnation: 0, turn: 1, index: 0, sentAt, seenAt: sentAt });

  it('drops marks older than the window and moves forgottenUntil to the newest dropped', () => {
    const now = T0 + 2 * HOUR;
    const m = memory([
      ['a', mark(now - HOUR - 2)],
      ['b', mark(now - HOUR - 1)],
      ['c', mark(now - HOUR)], // exactly at the horizon: kept
      ['d', mark(now - 5)],
    ]);
    const next = new DedupTracker(m, []).finish(now, { ...policy, maxMarks: 100 });
    expect([...next.marks.keys()].sort()).toEqual(['c', 'd']);
    expect(next.forgottenUntil).toBe(now - HOUR - 1);
  });

  it('beyond maxMarks drops the oldest first', () => {
    const now = T0 + 2 * HOUR;
    const m = memory([
      ['a', mark(now - 50 * MIN)],
      ['b', mark(now - 40 * MIN)],
      ['c', mark(now - 30 * MIN)],
      ['d', mark(now - 25 * MIN)],
      ['e', mark(now - 21 * MIN)],
    ]);
    const next = new DedupTracker(m, []).finish(now, policy);
    expect([...next.marks.keys()].sort()).toEqual(['c', 'd', 'e']);
    expect(next.forgottenUntil).toBe(now - 40 * MIN);
  });

  it('never drops a mark younger than minRetentionMs, even beyond maxMarks', () => {
    const now = T0 + 2 * HOUR;
    const m = memory([
      ['a', mark(now - 30 * MIN)],
      ['b', mark(now - 19 * MIN)],
      ['c', mark(now - 10 * MIN)],
      ['d', mark(now - 5 * MIN)],
      ['e', mark(now)],
    ]);
    const next = new DedupTracker(m, []).finish(now, policy);
    // only "a" is old enough to go; four marks stay although maxMarks is 3
    expect([...next.marks.keys()].sort()).toEqual(['b', 'c', 'd', 'e']);
    expect(next.forgottenUntil).toBe(now - 30 * MIN);
  });

  it('beyond hardMaxMarks drops the oldest even when younger than minRetentionMs', () => {
    const now = T0 + 2 * HOUR;
    const m = memory([
      ['a', mark(now - 30 * MIN)],
      ['b', mark(now - 19 * MIN)],
      ['c', mark(now - 10 * MIN)],
      ['d', mark(now - 5 * MIN)],
      ['e', mark(now)],
    ]);
    const next = new DedupTracker(m, []).finish(now, { ...policy, hardMaxMarks: 3 });
    expect([...next.marks.keys()].sort()).toEqual(['c', 'd', 'e']);
    expect(next.forgottenUntil).toBe(now - 19 * MIN);
  });

  it('window and count pruning together never move forgottenUntil backwards', () => {
    const now = T0 + 5 * HOUR;
    const m = memory([['a', mark(now - 2 * HOUR)]], now - HOUR - 30 * MIN);
    const next = new DedupTracker(m, []).finish(now, policy);
    expect(next.forgottenUntil).toBe(now - HOUR - 30 * MIN);
    expect(next.marks.size).toBe(0);
  });

  it('a sender pruned away is judged by the horizon afterwards', () => {
    const bob = sender('bob');
    const tracker = new DedupTracker(memory([]), []);
    tracker.remember(fromFunction(bob, 1, 0, T0), T0);
    const kept = tracker.finish(T0, policy);
    const pruned = new DedupTracker(kept, []).finish(T0 + HOUR + 1, policy);
    expect(pruned.marks.has('shop/user/bob')).toBe(false);
    expect(pruned.forgottenUntil).toBe(T0);
    const later = new DedupTracker(pruned, []);
    expect(later.judge(asResent(fromFunction(bob, 1, 0, T0)))).toBe('ambiguous');
    expect(later.judge(fromFunction(bob, 2, 0, T0 + HOUR))).toBe('new');
  });
});

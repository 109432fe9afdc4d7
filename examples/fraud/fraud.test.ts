import { describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime, type TestRuntimeOptions } from 'statefun-aws/testing';
import { account, functions, merchant, transaction } from './functions.js';
import type { ScoreRecord } from './messages.js';

function app(options: TestRuntimeOptions = {}): TestRuntime {
  return createTestRuntime({ functions: [...functions], startTime: new Date('2026-01-01T00:00:00Z'), ...options });
}

/** A transaction happening now (in virtual time), sent as a client would. */
const pay = (t: TestRuntime, id: string, accountId: string, merchantId: string, amountCents: number, idempotencyKey?: string) =>
  t.send({
    to: transaction,
    id,
    value: { type: 'Transaction', accountId, merchantId, amountCents, time: new Date(t.now).toISOString() },
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  });

const records = (t: TestRuntime, topic: 'scores' | 'alerts'): ScoreRecord[] => t.playgroundPayloads(topic).map((p) => JSON.parse(p) as ScoreRecord);
const scoreOf = (t: TestRuntime, id: string): number | undefined => records(t, 'scores').find((r) => r.transactionId === id)?.score;

describe('fraud feature engineering', () => {
  it('fansOutToTheFeatureFunctionsAndScoresAnOrdinaryTransaction', async () => {
    const t = app();
    await pay(t, 'tx-1', 'acc-1', 'coffee', 350);

    // One question to each feature function, one answer from each.
    expect(t.messages({ from: transaction }).map((m) => m.to)).toEqual([
      { typename: 'fraud/account', id: 'acc-1' },
      { typename: 'fraud/merchant', id: 'coffee' },
    ]);
    expect(t.messages({ to: transaction }).map((m) => m.from.typename).sort()).toEqual(['fraud/account', 'fraud/merchant']);

    expect(records(t, 'scores')).toEqual([
      {
        transactionId: 'tx-1',
        accountId: 'acc-1',
        merchantId: 'coffee',
        amountCents: 350,
        score: 0,
        account: { count: 0, sumCents: 0 },
        merchant: { count: 0, sumCents: 0 },
      },
    ]);
    expect(records(t, 'alerts')).toEqual([]);
    expect(t.state(account, 'acc-1').window).toEqual([{ startMs: Date.parse('2026-01-01T00:00:00Z'), count: 1, sumCents: 350 }]);
    expect(t.state(transaction, 'tx-1').scoring?.score).toBe(0);
  });

  it('alertsOnABurstEndingInAnUnusualAmount', async () => {
    const t = app();
    for (let i = 1; i <= 10; i++) {
      await pay(t, `tx-${i}`, 'acc-1', 'coffee', 400);
      await t.advance({ minutes: 1 });
    }
    await pay(t, 'tx-other', 'acc-2', 'coffee', 450); // someone else's ordinary coffee
    await pay(t, 'tx-big', 'acc-1', 'coffee', 250_000);

    expect(scoreOf(t, 'tx-2')).toBe(0.05); // second in the hour, at the usual price
    expect(scoreOf(t, 'tx-other')).toBe(0.02); // an eighth above the usual price
    expect(records(t, 'alerts')).toEqual([
      expect.objectContaining({ transactionId: 'tx-big', score: 1, account: { count: 10, sumCents: 4000 }, merchant: { count: 11, sumCents: 4450 } }),
    ]);
  });

  it('slidesTheWindowAndForgetsAQuietAccount', async () => {
    const t = app();
    await pay(t, 'tx-1', 'acc-1', 'coffee', 400); // 00:00
    await t.advance({ minutes: 10 });
    await pay(t, 'tx-2', 'acc-1', 'coffee', 400); // 00:10
    await t.advance({ minutes: 10 });
    await pay(t, 'tx-3', 'acc-1', 'coffee', 400); // 00:20
    expect(records(t, 'scores').at(-1)?.account).toEqual({ count: 2, sumCents: 800 });

    await t.advance({ minutes: 55 });
    await pay(t, 'tx-4', 'acc-1', 'coffee', 400); // 01:15: the hour since 00:15 holds only 00:20
    expect(records(t, 'scores').at(-1)?.account).toEqual({ count: 1, sumCents: 400 });
    expect(records(t, 'scores').at(-1)?.merchant).toEqual({ count: 3, sumCents: 1200 }); // the merchant's window is a day

    await t.advance({ minutes: 59 });
    expect(t.state(account, 'acc-1').window).toBeDefined();
    await t.advance({ minutes: 1 }); // an hour after the account's last write its state expires
    expect(t.state(account, 'acc-1').window).toBeUndefined();
    expect(t.state(merchant, 'coffee').window).toBeDefined();
    await t.advance({ days: 1 });
    expect(t.state(merchant, 'coffee').window).toBeUndefined();
    expect(t.state(transaction, 'tx-4').scoring).toBeUndefined();
  });

  it('countsATransactionSubmittedTwiceOnce', async () => {
    const t = app();
    await pay(t, 'tx-1', 'acc-1', 'coffee', 400);
    await t.advance({ minutes: 5 });
    await pay(t, 'tx-1', 'acc-1', 'coffee', 400); // a client retry without an Idempotency-Key
    expect(records(t, 'scores')).toHaveLength(1);
    expect(t.state(account, 'acc-1').window).toEqual([expect.objectContaining({ count: 1 })]);
  });

  it('ignoresForgedFeatures', async () => {
    const t = app();
    await pay(t, 'tx-1', 'acc-1', 'coffee', 400);
    await t.send({ to: transaction, id: 'tx-2', value: { type: 'Features', count: 0, sumCents: 0 } });
    await t.send({ to: account, id: 'acc-1', value: { type: 'Observe', amountCents: 1, atMs: t.now } });
    expect(t.state(transaction, 'tx-2').scoring).toBeUndefined();
    expect(t.state(account, 'acc-1').window).toEqual([expect.objectContaining({ count: 1, sumCents: 400 })]);
  });

  it('parksABadTransaction', async () => {
    const t = app();
    await t.send({ to: transaction, id: 'tx-bad', value: { type: 'Transaction', accountId: 'acc-1', merchantId: 'coffee', amountCents: 4.5, time: 'now' } });
    const parked = await t.parked();
    expect(parked.map((p) => p.address.id)).toEqual(['tx-bad']);
    expect(t.messages()).toEqual([]);
  });

  describe('under faults', () => {
    /** Two accounts shopping at two merchants for an hour, one transaction every 5 minutes. */
    async function anHourOfPayments(t: TestRuntime) {
      for (let i = 1; i <= 12; i++) {
        // Keyed like a client's retries, so that duplicates of the ingress messages can be injected as well.
        await pay(t, `tx-${i}`, i % 3 === 0 ? 'acc-2' : 'acc-1', i % 2 === 0 ? 'coffee' : 'books', i === 11 ? 90_000 : 500 + i, `key-${i}`);
        await t.advance({ minutes: 5 });
      }
      await t.advance({ minutes: 30 }); // retries and late copies settle; the windows are still there
      return {
        scores: records(t, 'scores'),
        alerts: records(t, 'alerts'),
        accounts: [t.state(account, 'acc-1').window, t.state(account, 'acc-2').window],
        merchants: [t.state(merchant, 'coffee').window, t.state(merchant, 'books').window],
        parked: await t.parked(),
      };
    }

    it('scoresTheSameWithCrashesAfterCommitsAndDuplicateDeliveries', async () => {
      const expected = await anHourOfPayments(app());
      expect(expected.scores).toHaveLength(12);
      expect(expected.alerts.map((r) => r.transactionId)).toEqual(['tx-11']);
      expect(expected.accounts.every((w) => w !== undefined)).toBe(true);

      const t = app();
      for (const fn of functions) {
        t.faults
          .crashAfterCommit({ where: fn, times: 3 })
          .duplicateDelivery({ where: fn, times: 2 })
          .duplicateDelivery({ where: fn, times: 2, after: { minutes: 10 } }); // past SQS's dedup window
      }
      expect(await anHourOfPayments(t)).toEqual(expected);
      expect(t.faults.injected).toMatchObject({ crashesAfterCommit: 9, duplicates: 12 });
    });

    it('scoresTheSameWhenAFanOutIsCutShortByACrash', async () => {
      // As on AWS: effects leave after the commit, and the worker dies after the first of the two questions.
      const expected = await anHourOfPayments(app({ atomicEffects: false }));

      const t = app({ atomicEffects: false });
      t.faults.crashMidRelease({ where: transaction, times: 4 }).crashBeforeCommit({ where: account, times: 2 });
      expect(await anHourOfPayments(t)).toEqual(expected);
      expect(t.faults.injected).toMatchObject({ crashesMidRelease: 4, crashesBeforeCommit: 2 });
    });
  });
});

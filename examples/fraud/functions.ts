import { defineFunction, playgroundEgressRecord, TerminalError, valueSpec } from 'statefun-aws';
import { BucketsType, ObserveType, type ScoreRecord, ScoringType, type Totals, type Transaction, TransactionMessageType } from './messages.js';
import { add, DAY_MS, HOUR_MS, MINUTE_MS, totalsAt, type WindowOptions } from './window.js';

/** Scores at or above this also go to the `alerts` topic. */
export const ALERT_THRESHOLD = 0.7;

/**
 * A feature function: keeps one key's transactions in a rolling window and, asked about a transaction,
 * answers with the window's totals before it, then counts it in.
 *
 * The window's state expires one window length after its last write. A key that has been quiet that long has
 * nothing left that counts, so its state simply goes away instead of lingering for every account ever seen.
 * (Expiry runs on the runtime's clock, the windows on the transactions' time; for transactions reported as
 * they happen, the two agree.)
 */
function featureFunction(typename: string, window: WindowOptions) {
  return defineFunction({
    typename,
    specs: { window: valueSpec(BucketsType, { expireAfterWrite: { milliseconds: window.lengthMs } }) },
    accepts: ObserveType,
    handler(ctx, message) {
      const { amountCents, atMs } = message.as(ObserveType);
      if (ctx.caller?.typename !== transaction.typename) return; // only the scorer asks
      const buckets = ctx.storage.window ?? [];
      ctx.send({ to: transaction, id: ctx.caller.id, value: { type: 'Features', ...totalsAt(buckets, atMs, window) } });
      ctx.storage.window = add(buckets, atMs, amountCents, window);
    },
  });
}

/** Per account (id = account id): its transactions in the last hour, to the minute. */
export const account = featureFunction('fraud/account', { lengthMs: HOUR_MS, bucketMs: MINUTE_MS });

/** Per merchant (id = merchant id): its transactions in the last day, to the hour. */
export const merchant = featureFunction('fraud/merchant', { lengthMs: DAY_MS, bucketMs: HOUR_MS });

/**
 * Scores one transaction (id = transaction id): fans out to the account's and the merchant's feature
 * functions, combines their replies into a score, and emits it to the playground egress topic `scores`, and
 * to `alerts` at or above {@link ALERT_THRESHOLD}.
 *
 * The replies may come in either order and in separate turns, so the scorer keeps what it has in state.
 * That state expires a day after its last write: long enough to recognise a transaction submitted twice (it
 * is counted and scored once), short enough not to keep every transaction forever.
 */
export const transaction = defineFunction({
  typename: 'fraud/transaction',
  specs: { scoring: valueSpec(ScoringType, { expireAfterWrite: { days: 1 } }) },
  accepts: TransactionMessageType,
  handler(ctx, message) {
    const msg = message.as(TransactionMessageType);
    const scoring = ctx.storage.scoring;
    switch (msg.type) {
      case 'Transaction': {
        if (scoring !== undefined) return; // submitted before
        const atMs = checkTransaction(msg);
        ctx.storage.scoring = { transaction: msg };
        const observe = { type: 'Observe', amountCents: msg.amountCents, atMs } as const;
        ctx.send({ to: account, id: msg.accountId, value: observe });
        ctx.send({ to: merchant, id: msg.merchantId, value: observe });
        return;
      }

      case 'Features': {
        // Which features these are follows from who sent them; ingress messages have no caller.
        const of = ctx.caller?.typename === account.typename ? 'account' : ctx.caller?.typename === merchant.typename ? 'merchant' : undefined;
        if (scoring === undefined || of === undefined || scoring.score !== undefined) return;
        const next = { ...scoring, [of]: { count: msg.count, sumCents: msg.sumCents } };
        if (next.account === undefined || next.merchant === undefined) {
          ctx.storage.scoring = next;
          return;
        }
        const record: ScoreRecord = {
          transactionId: ctx.self.id,
          accountId: next.transaction.accountId,
          merchantId: next.transaction.merchantId,
          amountCents: next.transaction.amountCents,
          score: score(next.transaction, next.account, next.merchant),
          account: next.account,
          merchant: next.merchant,
        };
        const payload = JSON.stringify(record);
        ctx.sendEgress(playgroundEgressRecord({ topic: 'scores', payload }));
        if (record.score >= ALERT_THRESHOLD) ctx.sendEgress(playgroundEgressRecord({ topic: 'alerts', payload }));
        ctx.storage.scoring = { ...next, score: record.score };
        return;
      }
    }
  },
});

/**
 * The score, from 0 (ordinary) to 1, as the mean of two signals:
 * - velocity: how many transactions the account made in the hour before this one, saturating at 10;
 * - unusual amount: how far the amount is above the merchant's average ticket of the day, saturating at 5×
 *   (0 for a merchant's first transaction of the day).
 */
export function score(tx: Transaction, account: Totals, merchant: Totals): number {
  const velocity = Math.min(1, account.count / 10);
  const unusual = merchant.count === 0 ? 0 : clamp((tx.amountCents / (merchant.sumCents / merchant.count) - 1) / 4);
  return Math.round(100 * (velocity + unusual) / 2) / 100;
}

const clamp = (x: number): number => Math.min(1, Math.max(0, x));

/** The transaction's event time; a {@link TerminalError} (no retry helps) for a transaction a client got wrong. */
function checkTransaction(tx: Transaction): number {
  const atMs = Date.parse(tx.time);
  if (!Number.isSafeInteger(tx.amountCents) || tx.amountCents <= 0) {
    throw new TerminalError(`a transaction needs a positive whole amountCents, got ${JSON.stringify(tx.amountCents)}`);
  }
  if (Number.isNaN(atMs)) throw new TerminalError(`a transaction needs an ISO 8601 time, got ${JSON.stringify(tx.time)}`);
  if (typeof tx.accountId !== 'string' || tx.accountId === '' || typeof tx.merchantId !== 'string' || tx.merchantId === '') {
    throw new TerminalError('a transaction needs an accountId and a merchantId');
  }
  return atMs;
}

/** Every function of the app, for the module and the tests. */
export const functions = [transaction, account, merchant] as const;

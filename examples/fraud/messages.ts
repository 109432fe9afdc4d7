import { jsonType } from 'statefun-aws';

/**
 * The messages of the fraud app. Each function has one inbox type, so that `ctx.send` type-checks against
 * what its target accepts. Clients send transactions through the playground ingress with
 * `Content-Type: application/vnd.fraud/TransactionMessage`.
 */

// ---- fraud/transaction (one per transaction id) -------------------------------------------------------------

/** From a client: a card transaction to score. */
export interface Transaction {
  readonly type: 'Transaction';
  readonly accountId: string;
  readonly merchantId: string;
  /** In the smallest unit of the currency (cents): money is never a float. */
  readonly amountCents: number;
  /** When it happened, ISO 8601 (`2026-01-01T10:00:00Z`). The windows are in this event time. */
  readonly time: string;
}

/**
 * From `fraud/account` or `fraud/merchant` (which one, the caller tells), in reply to an {@link Observe}: the
 * transactions in its window before this one.
 */
export interface Features {
  readonly type: 'Features';
  readonly count: number;
  readonly sumCents: number;
}

export type TransactionMessage = Transaction | Features;
export const TransactionMessageType = jsonType<TransactionMessage>('fraud/TransactionMessage');

// ---- fraud/account (one per account id) and fraud/merchant (one per merchant id) ---------------------------

/** From the scorer: answer with the window's features, then count this transaction in. */
export interface Observe {
  readonly type: 'Observe';
  readonly amountCents: number;
  /** Event time, epoch milliseconds. */
  readonly atMs: number;
}
export const ObserveType = jsonType<Observe>('fraud/Observe');

// ---- state ---------------------------------------------------------------------------------------------------

/** Totals of a window: how many transactions, and how much. */
export interface Totals {
  readonly count: number;
  readonly sumCents: number;
}

/** One slice of a rolling window: the transactions from `startMs` for one bucket length. */
export interface Bucket extends Totals {
  readonly startMs: number;
}
export const BucketsType = jsonType<readonly Bucket[]>('fraud/Buckets');

/** The scorer's state: the transaction, the features as they arrive, and the score once both are in. */
export interface Scoring {
  readonly transaction: Transaction;
  readonly account?: Totals;
  readonly merchant?: Totals;
  readonly score?: number;
}
export const ScoringType = jsonType<Scoring>('fraud/Scoring');

// ---- egress --------------------------------------------------------------------------------------------------

/** What goes to the playground egress topic `scores` (and `alerts` above the threshold), as the JSON payload. */
export interface ScoreRecord {
  readonly transactionId: string;
  readonly accountId: string;
  readonly merchantId: string;
  readonly amountCents: number;
  /** 0 (ordinary) to 1 (most suspicious). */
  readonly score: number;
  /** The features it was computed from: the account's last hour and the merchant's last day. */
  readonly account: Totals;
  readonly merchant: Totals;
}

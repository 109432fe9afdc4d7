/**
 * The ports of statefun-aws: what the engine needs from a backend, in domain types. The embedded backend
 * (`runtime/local`) and the AWS backend (`runtime/aws`) implement every one of them, and one contract suite
 * (`test/contract`) runs against both.
 */
import type { Address } from './core/address.js';
import type { Envelope } from './core/envelope.js';
import type { AddressRecord, EgressRecord, ParkInfo, TimerRef } from './core/record.js';
import type { StateSpecDecl } from './core/state-spec.js';

/** Durable per-address records (DESIGN I1, I2). */
export interface StateStore {
  /**
   * The record of `address` as last committed; an empty record at version 0 if it never committed.
   * Reads are strongly consistent: a load after a commit sees it.
   */
  load(address: Address): Promise<AddressRecord>;
  /**
   * Stores `commit.record` (at version `expectedVersion + 1`) if the stored version is still
   * `expectedVersion`, in one atomic step with the consumption of `record.lastConsumed` and the effects in
   * `record.outbox` (I2). Rejects with {@link VersionConflictError} when another writer committed first (I1);
   * nothing is written then.
   *
   * Resolves with `effectsReleased: true` when the backend made the effects visible in that same atomic step
   * (the embedded journal does); otherwise the caller must release them (I4), and `record` is what is now stored.
   */
  commit(commit: RecordCommit): Promise<CommitReceipt>;
}

export interface RecordCommit {
  readonly address: Address;
  readonly expectedVersion: number;
  readonly record: AddressRecord;
}

export interface CommitReceipt {
  readonly effectsReleased: boolean;
  /** The record as stored (a backend that released the effects atomically stores it without its outbox). */
  readonly record: AddressRecord;
}

/** Delivers messages to their targets' ordered streams (an SQS FIFO group per address, a local mailbox). */
export interface MessageBus {
  /**
   * Sends the messages; messages for the same target are delivered in the given order. Sending the same
   * messages again (a re-release of the same effects, possibly marked re-sent) within the transport's dedup
   * window delivers nothing new; later copies are dropped by their receivers (I3).
   */
  send(messages: readonly Envelope[]): Promise<void>;
}

/** Fires timers back at their owners (DESIGN I5). */
export interface DelayScheduler {
  /**
   * Arranges for `timerFireEnvelope(owner, timerId, dueAt)` to reach each owner at or after `dueAt`.
   * Idempotent by timer id. Firing twice is allowed: the owner drops fires of timers no longer pending.
   */
  schedule(timers: readonly TimerRef[]): Promise<void>;
  /** Removes timers that need not fire any more (best effort: a fire that slips through is dropped by its owner). */
  cancel(timers: readonly TimerRef[]): Promise<void>;
}

/** Publishes egress records (DESIGN I6). Each sink documents how it honours `record.key` for dedup. */
export interface EgressSink {
  publish(records: readonly EgressRecord[]): Promise<void>;
}

/** Persisted state registrations per function type (remote `IncompleteInvocationContext`, dynamic specs). */
export interface SpecStore {
  loadSpecs(functionType: string): Promise<readonly StateSpecDecl[]>;
  /** Adds or replaces the given specs of `functionType`, keeping the others. */
  registerSpecs(functionType: string, specs: readonly StateSpecDecl[]): Promise<void>;
}

/** A message set aside because its address is parked (DESIGN I7). */
export interface DeadLetter {
  readonly envelope: Envelope;
  /** Why it was set aside: the failure for the first one, "address parked" for later ones. */
  readonly cause: string;
  readonly at: number;
  readonly attempts: number;
}

export interface ParkedAddress {
  readonly address: Address;
  readonly info: ParkInfo;
  readonly letters: number;
}

/** The dead letters of parked addresses, kept in arrival order per address. */
export interface DeadLetterStore {
  /** Appends letters for `address`, in order. Idempotent by envelope id: a letter already there is not added again. */
  appendLetters(address: Address, letters: readonly DeadLetter[]): Promise<void>;
  /** The letters of `address`, oldest first. */
  listLetters(address: Address): Promise<readonly DeadLetter[]>;
  /** Removes letters by envelope id (replayed or skipped). */
  removeLetters(address: Address, ids: readonly string[]): Promise<void>;
  /** Every address that has dead letters. */
  addressesWithLetters(): Promise<readonly Address[]>;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Operational signals, per function type. Implementations must not throw. */
export interface Metrics {
  /** A request ran: `messages` invocations in `durationMs`. */
  invoked(functionType: string, messages: number, durationMs: number): void;
  /** Time from a message entering the system (ingress or sending turn) to its handler starting. */
  delivered(functionType: string, latencyMs: number): void;
  retried(functionType: string, cause: string): void;
  parked(address: Address, cause: string): void;
  duplicateDropped(functionType: string): void;
  conflict(functionType: string): void;
}

export const noMetrics: Metrics = {
  invoked: () => {},
  delivered: () => {},
  retried: () => {},
  parked: () => {},
  duplicateDropped: () => {},
  conflict: () => {},
};

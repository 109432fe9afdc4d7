import type { Address } from './address.js';
import type { Envelope } from './envelope.js';
import type { TypedValue } from './typed-value.js';

/**
 * Everything the runtime keeps for one address, committed atomically at the end of each turn (DESIGN I2).
 * Backends persist it as they see fit (one DynamoDB item, a journal entry …) but load and commit it whole.
 */
export interface AddressRecord {
  /** Fencing token: 0 before the first commit, then the number of committed turns (I1). */
  readonly version: number;
  /**
   * The time of the first commit (0 before it). If the record is ever deleted (e.g. by a TTL) and created
   * again, its versions restart under a later incarnation, so message ids never repeat.
   */
  readonly incarnation: number;
  /** State values by state name. Expired values may still be present; readers filter by `expiresAt`. */
  readonly values: ReadonlyMap<string, StoredValue>;
  /** Delayed messages this address sent that have neither fired nor been cancelled, by timer id. */
  readonly timers: ReadonlyMap<string, PendingTimer>;
  /** What the address remembers of the messages it consumed, to drop duplicates (I3). */
  readonly dedup: DedupMemory;
  /** Ids of the messages the last turn consumed: a redelivery of one of them means its effects may be unreleased. */
  readonly lastConsumed: readonly string[];
  /** Effects of the last turn whose release is not known to be complete (I4). */
  readonly outbox: Outbox | undefined;
  /** Commit time of the last turn (epoch ms); commit times of one address never decrease. */
  readonly lastCommitAt: number;
  /** Set while the address is parked (I7): new messages go to its dead letters, in order. */
  readonly parked: ParkInfo | undefined;
}

/** One stored state value. */
export interface StoredValue {
  readonly typename: string;
  readonly value: Uint8Array;
  /** Epoch ms after which the value reads as empty; undefined when it never expires. */
  readonly expiresAt: number | undefined;
}

/** A delayed message waiting to come due. The owner keeps the payload, so cancelling is a local decision. */
export interface PendingTimer {
  readonly timerId: string;
  readonly token: string | undefined;
  readonly dueAt: number;
  readonly target: Address;
  readonly argument: TypedValue;
}

/**
 * Per-sender high-water marks. A message from sender S with (turn, index) at or below S's mark was applied.
 * Marks are pruned after a window; `forgottenUntil` is the newest `sentAt` of any pruned mark, so a re-sent
 * message with `sentAt <= forgottenUntil` and no mark can no longer be told apart from a duplicate.
 */
export interface DedupMemory {
  readonly marks: ReadonlyMap<string, SenderMark>;
  readonly forgottenUntil: number;
}

export interface SenderMark {
  readonly incarnation: number;
  readonly turn: number;
  readonly index: number;
  /** The sender's commit time of the message. */
  readonly sentAt: number;
  /** When this address applied it: marks are pruned by this, so a backlog does not age them early. */
  readonly seenAt: number;
}

/** A record for an egress, with its deterministic idempotency key (I6). */
export interface EgressRecord {
  readonly key: string;
  readonly egress: string;
  readonly argument: TypedValue;
  readonly source: Address;
  /** Commit time of the turn that produced it. */
  readonly at: number;
}

/** What a timer backend needs to fire a timer back at its owner (the payload stays in the owner's record). */
export interface TimerRef {
  readonly timerId: string;
  readonly owner: Address;
  readonly dueAt: number;
}

export type TimerOp = { readonly kind: 'schedule'; readonly timer: TimerRef } | { readonly kind: 'cancel'; readonly timer: TimerRef };

/** The effects one turn produced, to be released after its commit. */
export interface Effects {
  readonly messages: readonly Envelope[];
  readonly timers: readonly TimerOp[];
  readonly egress: readonly EgressRecord[];
}

export interface Outbox extends Effects {
  /** Version of the commit that produced these effects. */
  readonly turn: number;
  /**
   * True when the input messages of that turn are acknowledged only after these effects were released, on an
   * ordered stream (an SQS FIFO group): then a *new* message for the address proves the release completed.
   */
  readonly releaseProvenByAck: boolean;
}

export interface ParkInfo {
  readonly since: number;
  readonly reason: string;
  /** Id of the message that could not be processed (the first dead letter). */
  readonly messageId: string;
}

export const EMPTY_EFFECTS: Effects = Object.freeze({ messages: [], timers: [], egress: [] });

export function emptyRecord(): AddressRecord {
  return {
    version: 0,
    incarnation: 0,
    values: new Map(),
    timers: new Map(),
    dedup: { marks: new Map(), forgottenUntil: 0 },
    lastConsumed: [],
    outbox: undefined,
    lastCommitAt: 0,
    parked: undefined,
  };
}

export function hasEffects(effects: Effects): boolean {
  return effects.messages.length > 0 || effects.timers.length > 0 || effects.egress.length > 0;
}

/**
 * The timer operations that still matter after a turn: a timer both scheduled and cancelled in the same
 * turn needs neither.
 */
export function netTimerOps(ops: readonly TimerOp[]): { schedule: TimerRef[]; cancel: TimerRef[] } {
  const scheduled = new Set<string>();
  const cancelled = new Set<string>();
  for (const op of ops) (op.kind === 'schedule' ? scheduled : cancelled).add(op.timer.timerId);
  const schedule: TimerRef[] = [];
  const cancel: TimerRef[] = [];
  for (const op of ops) {
    const id = op.timer.timerId;
    if (scheduled.has(id) && cancelled.has(id)) continue;
    (op.kind === 'schedule' ? schedule : cancel).push(op.timer);
  }
  return { schedule, cancel };
}

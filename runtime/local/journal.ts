import type { Address } from '../core/address.js';
import type { Envelope } from '../core/envelope.js';
import type { AddressRecord, EgressRecord, TimerRef } from '../core/record.js';
import type { StateSpecDecl } from '../core/state-spec.js';
import type { DeadLetter } from '../ports.js';

/**
 * Every change of the embedded backend is one journal entry. The backend applies entries to its in-memory
 * state; a durable journal writes them to disk first, and recovery replays them in order, so the state after
 * a crash is exactly the state after the last durable entry.
 */
export type JournalEntry =
  /** A turn committed: the new record, the mailbox entries it consumed, and its effects (atomically, I2). */
  | {
      readonly op: 'commit';
      readonly address: Address;
      readonly record: AddressRecord;
      readonly consumed: readonly number[];
      readonly enqueue: readonly QueuedEnvelope[];
      readonly schedule: readonly TimerRef[];
      readonly cancel: readonly string[];
      readonly egress: readonly EgressRecord[];
    }
  /** Messages entered (ingress, or a bus send); `keys` are ingress idempotency keys now taken. */
  | { readonly op: 'enqueue'; readonly messages: readonly QueuedEnvelope[]; readonly keys: readonly IngressKey[] }
  /** Mailbox entries acknowledged without a commit (duplicates, stale timers, control messages). */
  | { readonly op: 'ack'; readonly address: Address; readonly seqs: readonly number[] }
  /** Egress records published through the port (the release path, when effects are not atomic). */
  | { readonly op: 'egress'; readonly records: readonly EgressRecord[] }
  | { readonly op: 'schedule'; readonly timers: readonly TimerRef[] }
  | { readonly op: 'cancel'; readonly timerIds: readonly string[] }
  /** A timer came due: it leaves the timer set and its fire envelope enters its owner's mailbox. */
  | { readonly op: 'fire'; readonly timerId: string; readonly fire: QueuedEnvelope }
  | { readonly op: 'dead-append'; readonly address: Address; readonly letters: readonly DeadLetter[]; readonly consumed: readonly number[] }
  | { readonly op: 'dead-remove'; readonly address: Address; readonly ids: readonly string[] }
  | { readonly op: 'specs'; readonly functionType: string; readonly specs: readonly StateSpecDecl[] }
  /** Egress records taken by their reader or sink. */
  | { readonly op: 'egress-ack'; readonly egress: string; readonly keys: readonly string[] };

/** An envelope in a mailbox, with the journal-wide sequence number that identifies this copy. */
export interface QueuedEnvelope {
  readonly seq: number;
  readonly envelope: Envelope;
}

export interface IngressKey {
  readonly key: string;
  readonly messageId: string;
  readonly at: number;
}

/** Where the embedded backend's entries go. */
export interface Journal {
  /**
   * Appends an entry. Resolves once the entry is durable, and never before any entry appended earlier;
   * promises resolve in append order.
   */
  append(entry: JournalEntry): Promise<void>;
}

const DURABLE: Promise<void> = Promise.resolve();

/** A journal that keeps nothing: the in-memory backend of the test harness. Entries are "durable" at once. */
export class MemoryJournal implements Journal {
  /** Every entry appended, when `keep` was set: lets a test restart a runtime from its history. */
  readonly entries: JournalEntry[] = [];

  constructor(private readonly keep = false) {}

  append(entry: JournalEntry): Promise<void> {
    if (this.keep) this.entries.push(entry);
    return DURABLE;
  }
}

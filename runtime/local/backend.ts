import { type Address, addressKey } from '../core/address.js';
import { type Envelope, timerFireEnvelope } from '../core/envelope.js';
import { VersionConflictError } from '../core/errors.js';
import { type AddressRecord, type EgressRecord, emptyRecord, netTimerOps, type TimerRef } from '../core/record.js';
import type { StateSpecDecl } from '../core/state-spec.js';
import { mergeSpecs } from '../engine/turn-runner.js';
import type {
  Clock,
  CommitReceipt,
  DeadLetter,
  DeadLetterStore,
  DelayScheduler,
  EgressSink,
  MessageBus,
  RecordCommit,
  SpecStore,
  StateStore,
} from '../ports.js';
import { type IngressKey, type Journal, type JournalEntry, MemoryJournal, type QueuedEnvelope } from './journal.js';
import { Mailbox, type MailboxEntry } from './mailbox.js';
import { TimerHeap } from './timer-heap.js';

export interface LocalBackendOptions {
  /** Where changes go before they apply. Default: an in-memory journal (nothing survives the process). */
  readonly journal?: Journal;
  readonly clock: Clock;
  /**
   * Default true: a commit's messages, timers and egress records apply in the commit's own journal entry, so
   * they can never be lost or doubled. False leaves their release to the engine through the ports, the way
   * the AWS backend works, so tests can exercise the release path (DESIGN I4) locally.
   */
  readonly atomicEffects?: boolean;
  /** How long `send` and `publish` drop a repeated id, like SQS FIFO dedup. @default 5 min */
  readonly dedupWindowMs?: number;
  /** How long an ingress `Idempotency-Key` is remembered. @default 7 days */
  readonly ingressKeyRetentionMs?: number;
}

/** Told when something becomes deliverable; the local runtime schedules work from these. */
export interface BackendListener {
  enqueued(addressKey: string): void;
  timersChanged(): void;
  /** A record became durable in the queue of `egress` (not called for records restored at recovery). */
  egressAppended(egress: string, record: EgressRecord): void;
  /** The journal failed to write: the process must stop, memory is ahead of the disk. */
  journalFailed?(error: Error): void;
}

/** Everything the embedded backend holds, as plain data (see `serialization.ts`). */
export interface BackendSnapshot {
  readonly nextSeq: number;
  readonly records: ReadonlyArray<readonly [Address, AddressRecord]>;
  readonly mailboxes: ReadonlyArray<QueuedEnvelope>;
  readonly timers: readonly TimerRef[];
  readonly egress: readonly EgressRecord[];
  readonly deadLetters: ReadonlyArray<readonly [Address, readonly DeadLetter[]]>;
  readonly specs: ReadonlyArray<readonly [string, readonly StateSpecDecl[]]>;
  readonly ingressKeys: readonly IngressKey[];
}

/** Consecutive entries that the journal gave one promise, and the one reaction that awaits it for all of them. */
interface DurableGroup {
  readonly appended: Promise<void>;
  durable: Promise<void>;
  /** The last entry of the group: durable once `appended` resolves, and every entry before it. */
  lastSeq: number;
  entries: number;
  /** Once `appended` settled, a new entry starts a group of its own even if given the same promise. */
  settled: boolean;
  /** Whether a background write already handles a rejection of `durable`. */
  watched: boolean;
}

/** What the methods that need not wait for the disk return. */
const DONE: Promise<void> = Promise.resolve();

const QUIET: BackendListener = { enqueued: () => {}, timersChanged: () => {}, egressAppended: () => {} };

/**
 * The embedded backend of `statefun dev` and of the test harness: every port in one process, as an in-memory
 * state machine whose every change is a {@link JournalEntry}; replaying the journal rebuilds the same state
 * (DESIGN "Local first").
 *
 * An entry applies the moment it is appended, so turns run without waiting for the disk and one group commit
 * covers everything appended meanwhile; but nothing leaves the process before its entry is durable: an
 * ingress acknowledges once its entry is (`ingest` resolves then), egress readers see only records whose
 * entries are (`egressRecords`, `egressAppended`), and a pop answers once its acknowledgement is. Because the
 * journal is written in order, a crash loses a suffix of entries, and everything that depended on them with
 * them: no output can have escaped that a restart takes back. Versions are taken synchronously at commit, so
 * two writers of one address are still fenced (I1).
 */
export class LocalBackend implements StateStore, MessageBus, DelayScheduler, EgressSink, SpecStore, DeadLetterStore {
  readonly atomicEffects: boolean;
  private readonly journal: Journal;
  private readonly clock: Clock;
  private readonly dedupWindowMs: number;
  private readonly ingressKeyRetentionMs: number;
  private listener: BackendListener = QUIET;

  private readonly records = new Map<string, AddressRecord>();
  private readonly knownAddresses = new Map<string, Address>();
  /** The keys of `knownAddresses` by typename and id, so hot paths look a key up instead of building it. */
  private readonly keysByType = new Map<string, Map<string, string>>();
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly timers = new Map<string, TimerRef>();
  private readonly timerHeap = new TimerHeap();
  /** Egress records with the sequence number of the entry that brought them (0: durable when restored). */
  private readonly egressQueues = new Map<string, Map<string, { readonly record: EgressRecord; readonly seq: number }>>();
  /** Egress records appended but not durable yet, announced to the listener once they are. */
  private egressNotices: Array<{ readonly record: EgressRecord; readonly seq: number }> = [];
  /** The entries appended last whose journal promise is one and the same (a group commit), awaited together. */
  private group: DurableGroup | undefined;
  /** Entries appended, and the last one known durable (the journal resolves appends in order). */
  private appendedSeq = 0;
  private durableSeq = 0;
  private failure: Error | undefined;
  private readonly deadLetters = new Map<string, DeadLetter[]>();
  private readonly specs = new Map<string, readonly StateSpecDecl[]>();
  private readonly ingressKeys = new Map<string, IngressKey>();
  private readonly recentlySent = new Map<string, number>();
  private readonly recentlyPublished = new Map<string, number>();
  private readonly inflight = new Map<string, readonly MailboxEntry[]>();
  private nextSeq = 1;

  constructor(options: LocalBackendOptions) {
    this.journal = options.journal ?? new MemoryJournal();
    this.clock = options.clock;
    this.atomicEffects = options.atomicEffects ?? true;
    this.dedupWindowMs = options.dedupWindowMs ?? 5 * 60_000;
    this.ingressKeyRetentionMs = options.ingressKeyRetentionMs ?? 7 * 86_400_000;
  }

  setListener(listener: BackendListener): void {
    this.listener = listener;
  }

  // ---- StateStore -------------------------------------------------------------------------------------

  load(address: Address): Promise<AddressRecord> {
    return Promise.resolve(this.records.get(this.keyOf(address)) ?? emptyRecord());
  }

  commit(commit: RecordCommit): Promise<CommitReceipt> {
    const key = this.keyOf(commit.address);
    const current = this.records.get(key)?.version ?? 0;
    if (current !== commit.expectedVersion) return Promise.reject(new VersionConflictError(key, commit.expectedVersion, current));
    const { outbox } = commit.record;
    const atomic = this.atomicEffects && outbox !== undefined;
    // With atomic effects the commit consumes its messages in its own entry: none of them can be delivered
    // again, so there is nothing for `lastConsumed` to recognise (and nothing of it to journal).
    const record = this.atomicEffects ? { ...commit.record, outbox: undefined, lastConsumed: [] } : commit.record;
    const timerOps = atomic ? netTimerOps(outbox.timers) : { schedule: [], cancel: [] };
    const entry: JournalEntry = {
      op: 'commit',
      address: commit.address,
      record,
      // With atomic effects the commit consumes its messages; otherwise, as on SQS, they leave the mailbox only
      // when acknowledged after the release, so a crash in between delivers them again and the release repeats.
      consumed: this.atomicEffects ? this.inflightSeqs(key, commit.record.lastConsumed) : [],
      enqueue: atomic ? outbox.messages.map((envelope) => this.queued(envelope)) : [],
      schedule: timerOps.schedule,
      cancel: timerOps.cancel.map((t) => t.timerId),
      egress: atomic ? outbox.egress : [],
    };
    // Applied at once; nothing it changes becomes visible outside the process before it is durable (see class).
    this.background(entry);
    return Promise.resolve({ effectsReleased: atomic || outbox === undefined, record });
  }

  // ---- MessageBus ---------------------------------------------------------------------------------------

  send(messages: readonly Envelope[]): Promise<void> {
    const now = this.clock.now();
    const fresh = messages.filter((m) => !this.seenRecently(this.recentlySent, m.id, now));
    if (fresh.length === 0) return DONE;
    for (const m of fresh) this.recentlySent.set(m.id, now + this.dedupWindowMs);
    this.background({ op: 'enqueue', messages: fresh.map((e) => this.queued(e)), keys: [] });
    return DONE;
  }


  // ---- Ingress --------------------------------------------------------------------------------------------

  /** The message id an ingress idempotency key was first used for, if it is still remembered. */
  ingressKey(key: string): IngressKey | undefined {
    const known = this.ingressKeys.get(key);
    if (known !== undefined && known.at + this.ingressKeyRetentionMs < this.clock.now()) {
      this.ingressKeys.delete(key);
      return undefined;
    }
    return known;
  }

  /**
   * Accepts messages from an ingress; resolves once they are durable. Each `keys` entry records an
   * idempotency key as taken (callers check {@link ingressKey} first).
   */
  ingest(messages: readonly Envelope[], keys: readonly IngressKey[] = []): Promise<void> {
    return this.write({ op: 'enqueue', messages: messages.map((e) => this.queued(e)), keys });
  }

  // ---- DelayScheduler -----------------------------------------------------------------------------------

  schedule(timers: readonly TimerRef[]): Promise<void> {
    this.background({ op: 'schedule', timers });
    return DONE;
  }


  cancel(timers: readonly TimerRef[]): Promise<void> {
    this.background({ op: 'cancel', timerIds: timers.map((t) => t.timerId) });
    return DONE;
  }


  /** Epoch ms of the earliest pending timer, leaving out the ones in `skip` (held back by fault injection). */
  nextTimerDue(skip?: ReadonlySet<string>): number | undefined {
    if (skip !== undefined && skip.size > 0) {
      let next: number | undefined;
      for (const t of this.timers.values()) if (!skip.has(t.timerId) && (next === undefined || t.dueAt < next)) next = t.dueAt;
      return next;
    }
    for (;;) {
      const due = this.timerHeap.peekDue();
      if (due === undefined) return undefined;
      const top = this.timerHeap.pop()!;
      const timer = this.timers.get(top.id);
      if (timer !== undefined && timer.dueAt === top.due) {
        this.timerHeap.push(top.due, top.id);
        return due;
      }
    }
  }

  /** Timers due at `now`, earliest first (they stay pending until {@link fire}d). */
  dueTimers(now: number, max = 1000): TimerRef[] {
    const out: TimerRef[] = [];
    const seen = new Set<string>();
    const putBack: Array<{ due: number; id: string }> = [];
    while (out.length < max) {
      const due = this.timerHeap.peekDue();
      if (due === undefined || due > now) break;
      const top = this.timerHeap.pop()!;
      const timer = this.timers.get(top.id);
      if (timer === undefined || timer.dueAt !== top.due || seen.has(top.id)) continue;
      seen.add(top.id);
      out.push(timer);
      putBack.push(top);
    }
    for (const t of putBack) this.timerHeap.push(t.due, t.id);
    return out;
  }

  /** Fires a timer: it leaves the pending set and its fire envelope enters the owner's mailbox. */
  fire(timer: TimerRef, copies = 1): Promise<void> {
    const fire = timerFireEnvelope(timer.owner, timer.timerId, timer.dueAt);
    for (let i = 0; i < copies; i++) this.background({ op: 'fire', timerId: timer.timerId, fire: this.queued(fire) });
    return DONE;
  }


  // ---- Egress -------------------------------------------------------------------------------------------

  publish(records: readonly EgressRecord[]): Promise<void> {
    const now = this.clock.now();
    const fresh = records.filter((r) => !this.seenRecently(this.recentlyPublished, r.key, now));
    if (fresh.length === 0) return DONE;
    for (const r of fresh) this.recentlyPublished.set(r.key, now + Math.max(this.dedupWindowMs, 3_600_000));
    this.background({ op: 'egress', records: fresh });
    return DONE;
  }


  /**
   * Durable egress records of one egress not yet taken by their reader, oldest first. A record whose turn is
   * not durable yet is not listed: nothing leaves the process that a crash could take back.
   */
  egressRecords(egress: string): EgressRecord[] {
    const out: EgressRecord[] = [];
    for (const queued of this.egressQueues.get(egress)?.values() ?? []) {
      if (queued.seq > this.durableSeq) break;
      out.push(queued.record);
    }
    return out;
  }

  /** Marks egress records as taken (a playground `GET /<topic>`, a file sink's write); resolves once durable. */
  ackEgress(egress: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.write({ op: 'egress-ack', egress, keys });
  }

  // ---- SpecStore ----------------------------------------------------------------------------------------

  loadSpecs(functionType: string): Promise<readonly StateSpecDecl[]> {
    return Promise.resolve(this.specs.get(functionType) ?? []);
  }

  registerSpecs(functionType: string, specs: readonly StateSpecDecl[]): Promise<void> {
    this.background({ op: 'specs', functionType, specs });
    return DONE;
  }


  // ---- DeadLetterStore ----------------------------------------------------------------------------------

  appendLetters(address: Address, letters: readonly DeadLetter[]): Promise<void> {
    const key = addressKey(address);
    this.background({
      op: 'dead-append',
      address,
      letters,
      consumed: this.atomicEffects ? this.inflightSeqs(key, letters.map((l) => l.envelope.id)) : [],
    });
    return DONE;
  }


  listLetters(address: Address): Promise<readonly DeadLetter[]> {
    return Promise.resolve([...(this.deadLetters.get(addressKey(address)) ?? [])]);
  }

  removeLetters(address: Address, ids: readonly string[]): Promise<void> {
    this.background({ op: 'dead-remove', address, ids });
    return DONE;
  }


  addressesWithLetters(): Promise<readonly Address[]> {
    return Promise.resolve([...this.deadLetters.keys()].map((k) => this.knownAddresses.get(k)!));
  }

  // ---- Mailboxes, for the local runtime -----------------------------------------------------------------

  mailbox(key: string): Mailbox | undefined {
    return this.mailboxes.get(key);
  }

  mailboxKeys(): IterableIterator<string> {
    return this.mailboxes.keys();
  }

  addressOf(key: string): Address | undefined {
    return this.knownAddresses.get(key);
  }

  /** The entries handed to the engine for `key`; commits and parking consume from these. */
  setInflight(key: string, entries: readonly MailboxEntry[] | undefined): void {
    if (entries === undefined) this.inflight.delete(key);
    else this.inflight.set(key, entries);
  }

  /** Acknowledges mailbox entries that were handled without a commit. */
  ack(address: Address, seqs: readonly number[]): Promise<void> {
    if (seqs.length > 0) this.background({ op: 'ack', address, seqs });
    return DONE;
  }


  /** Every address with a record. */
  recordKeys(): IterableIterator<string> {
    return this.records.keys();
  }

  recordOf(key: string): AddressRecord | undefined {
    return this.records.get(key);
  }

  // ---- Applying entries, recovery, snapshots -------------------------------------------------------------

  /** Applies one entry to the in-memory state. Recovery calls this for every durable entry, in order. */
  apply(entry: JournalEntry, seq = 0): void {
    switch (entry.op) {
      case 'commit': {
        const key = this.remember(entry.address);
        this.records.set(key, entry.record);
        const box = this.mailboxes.get(key);
        for (const seq of entry.consumed) box?.remove(seq);
        for (const t of entry.schedule) this.addTimer(t);
        for (const id of entry.cancel) this.timers.delete(id);
        this.enqueue(entry.enqueue);
        this.appendEgress(entry.egress, seq);
        if (entry.schedule.length > 0 || entry.cancel.length > 0) this.listener.timersChanged();
        return;
      }
      case 'enqueue':
        for (const k of entry.keys) this.ingressKeys.set(k.key, k);
        this.enqueue(entry.messages);
        return;
      case 'ack': {
        const box = this.mailboxes.get(this.remember(entry.address));
        for (const seq of entry.seqs) box?.remove(seq);
        return;
      }
      case 'egress':
        this.appendEgress(entry.records, seq);
        return;
      case 'schedule':
        for (const t of entry.timers) this.addTimer(t);
        this.listener.timersChanged();
        return;
      case 'cancel':
        for (const id of entry.timerIds) this.timers.delete(id);
        this.listener.timersChanged();
        return;
      case 'fire':
        this.timers.delete(entry.timerId);
        this.enqueue([entry.fire]);
        return;
      case 'dead-append': {
        const key = this.remember(entry.address);
        const letters = this.deadLetters.get(key) ?? [];
        const known = new Set(letters.map((l) => l.envelope.id));
        for (const letter of entry.letters) {
          // Also a letter given twice in one call (a duplicate delivery within a batch) is kept once.
          if (known.has(letter.envelope.id)) continue;
          known.add(letter.envelope.id);
          letters.push(letter);
        }
        if (letters.length > 0) this.deadLetters.set(key, letters);
        const box = this.mailboxes.get(key);
        for (const seq of entry.consumed) box?.remove(seq);
        return;
      }
      case 'dead-remove': {
        const key = this.remember(entry.address);
        const drop = new Set(entry.ids);
        const left = (this.deadLetters.get(key) ?? []).filter((l) => !drop.has(l.envelope.id));
        if (left.length > 0) this.deadLetters.set(key, left);
        else this.deadLetters.delete(key);
        return;
      }
      case 'specs':
        this.specs.set(entry.functionType, mergeSpecs(this.specs.get(entry.functionType) ?? [], entry.specs));
        return;
      case 'egress-ack': {
        const queue = this.egressQueues.get(entry.egress);
        for (const k of entry.keys) queue?.delete(k);
        return;
      }
    }
  }

  snapshot(): BackendSnapshot {
    const mailboxes: QueuedEnvelope[] = [];
    for (const box of this.mailboxes.values()) for (const e of box) mailboxes.push({ seq: e.seq, envelope: e.envelope });
    mailboxes.sort((a, b) => a.seq - b.seq);
    const now = this.clock.now();
    return {
      nextSeq: this.nextSeq,
      records: [...this.records].map(([k, r]) => [this.knownAddresses.get(k)!, r] as const),
      mailboxes,
      timers: [...this.timers.values()],
      egress: [...this.egressQueues.values()].flatMap((q) => [...q.values()].map((queued) => queued.record)),
      deadLetters: [...this.deadLetters].map(([k, l]) => [this.knownAddresses.get(k)!, l] as const),
      specs: [...this.specs],
      ingressKeys: [...this.ingressKeys.values()].filter((k) => k.at + this.ingressKeyRetentionMs >= now),
    };
  }

  /** Replaces the state with a snapshot (before replaying the entries written after it). */
  restore(snapshot: BackendSnapshot): void {
    this.nextSeq = snapshot.nextSeq;
    for (const [address, record] of snapshot.records) this.records.set(this.remember(address), record);
    this.enqueue(snapshot.mailboxes);
    for (const t of snapshot.timers) this.addTimer(t);
    this.appendEgress(snapshot.egress, 0);
    for (const [address, letters] of snapshot.deadLetters) this.deadLetters.set(this.remember(address), [...letters]);
    for (const [type, specs] of snapshot.specs) this.specs.set(type, specs);
    for (const k of snapshot.ingressKeys) this.ingressKeys.set(k.key, k);
  }

  private enqueue(messages: readonly QueuedEnvelope[]): void {
    for (const { seq, envelope } of messages) {
      if (seq >= this.nextSeq) this.nextSeq = seq + 1;
      const key = this.remember(envelope.target);
      let box = this.mailboxes.get(key);
      if (box === undefined) this.mailboxes.set(key, (box = new Mailbox()));
      box.push(seq, envelope);
      this.listener.enqueued(key);
    }
  }

  private appendEgress(records: readonly EgressRecord[], seq: number): void {
    for (const record of records) {
      let queue = this.egressQueues.get(record.egress);
      if (queue === undefined) this.egressQueues.set(record.egress, (queue = new Map<string, { readonly record: EgressRecord; readonly seq: number }>()));
      if (queue.has(record.key)) continue;
      queue.set(record.key, { record, seq });
      if (seq <= this.durableSeq) this.listener.egressAppended(record.egress, record);
      else this.egressNotices.push({ record, seq });
    }
  }

  /**
   * Appends an entry and applies it at once; the promise resolves when the entry is durable. A journal that
   * failed to write leaves memory ahead of the disk: every later write is refused with that failure.
   */
  private write(entry: JournalEntry): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return this.append(entry).durable;
  }

  /** Appends an entry nobody outside waits for; a write failure reaches the listener. */
  private background(entry: JournalEntry): void {
    if (this.failure !== undefined) return;
    const group = this.append(entry);
    if (group.watched) return;
    group.watched = true;
    group.durable.catch(() => {});
  }

  private append(entry: JournalEntry): DurableGroup {
    const seq = ++this.appendedSeq;
    const appended = this.journal.append(entry);
    this.apply(entry, seq);
    return this.joinGroup(appended, seq);
  }

  /**
   * The durability of an entry. Entries given the same journal promise become durable together, so they share
   * one reaction that marks the last of them durable (the journal resolves in append order), instead of one each.
   */
  private joinGroup(appended: Promise<void>, seq: number): DurableGroup {
    const current = this.group;
    if (current !== undefined && current.appended === appended && !current.settled) {
      current.lastSeq = seq;
      current.entries++;
      return current;
    }
    const group: DurableGroup = { appended, durable: DONE, lastSeq: seq, entries: 1, settled: false, watched: false };
    group.durable = appended.then(
      () => {
        group.settled = true;
        this.markDurable(group.lastSeq);
      },
      (error: unknown) => {
        group.settled = true;
        this.failure ??= error instanceof Error ? error : new Error(String(error));
        for (let i = 0; i < group.entries; i++) this.listener.journalFailed?.(this.failure);
        throw this.failure;
      },
    );
    this.group = group;
    return group;
  }

  private markDurable(seq: number): void {
    if (seq <= this.durableSeq) return;
    this.durableSeq = seq;
    if (this.egressNotices.length === 0) return;
    let ready = 0;
    while (ready < this.egressNotices.length && this.egressNotices[ready]!.seq <= seq) ready++;
    const notices = this.egressNotices.slice(0, ready);
    this.egressNotices = this.egressNotices.slice(ready);
    for (const { record } of notices) this.listener.egressAppended(record.egress, record);
  }

  /** Resolves once everything appended so far is durable. */
  async durable(): Promise<void> {
    const target = this.appendedSeq;
    while (this.durableSeq < target) {
      if (this.failure !== undefined) throw this.failure;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private addTimer(timer: TimerRef): void {
    this.remember(timer.owner);
    this.timers.set(timer.timerId, timer);
    this.timerHeap.push(timer.dueAt, timer.timerId);
  }

  private remember(address: Address): string {
    let byId = this.keysByType.get(address.typename);
    if (byId === undefined) this.keysByType.set(address.typename, (byId = new Map<string, string>()));
    let key = byId.get(address.id);
    if (key === undefined) {
      key = addressKey(address);
      byId.set(address.id, key);
      this.knownAddresses.set(key, address);
    }
    return key;
  }

  private keyOf(address: Address): string {
    return this.keysByType.get(address.typename)?.get(address.id) ?? addressKey(address);
  }

  private queued(envelope: Envelope): QueuedEnvelope {
    return { seq: this.nextSeq++, envelope };
  }

  /** The sequence numbers of the in-flight entries with these ids, each entry matched once, first match first. */
  private inflightSeqs(key: string, ids: readonly string[]): number[] {
    const entries = this.inflight.get(key);
    if (entries === undefined || ids.length === 0) return [];
    const taken: boolean[] = [];
    // Every entry before `from` is taken: ids usually come in the entries' order, so each search is one step.
    let from = 0;
    const seqs: number[] = [];
    for (const id of ids) {
      for (let i = from; i < entries.length; i++) {
        if (taken[i] === true || entries[i]!.envelope.id !== id) continue;
        taken[i] = true;
        seqs.push(entries[i]!.seq);
        while (taken[from] === true) from++;
        break;
      }
    }
    return seqs;
  }

  private seenRecently(seen: Map<string, number>, id: string, now: number): boolean {
    const until = seen.get(id);
    if (until === undefined) return false;
    if (until >= now) return true;
    seen.delete(id);
    if (seen.size > 10_000) for (const [k, v] of seen) if (v < now) seen.delete(k);
    return false;
  }
}

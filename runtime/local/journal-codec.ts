import type { Address } from '../core/address.js';
import type { Envelope, Origin } from '../core/envelope.js';
import type { AddressRecord, EgressRecord, Outbox, PendingTimer, SenderMark, StoredValue, TimerOp, TimerRef } from '../core/record.js';
import type { ExpireMode, StateSpecDecl } from '../core/state-spec.js';
import type { TypedValue } from '../core/typed-value.js';
import type { DeadLetter } from '../ports.js';
import { BinaryReader, BinaryWriter } from './binary-writer.js';
import type { IngressKey, JournalEntry, QueuedEnvelope } from './journal.js';

/**
 * The binary form of journal entries: a format byte, an operation byte, then the entry's fields in a fixed
 * order (varints, length-prefixed UTF-8 strings and bytes; optional fields behind a presence byte). Written
 * straight into the group-commit buffer, so appending costs no intermediate strings.
 */
export const JOURNAL_FORMAT = 1;

const OPS = ['commit', 'enqueue', 'ack', 'egress', 'schedule', 'cancel', 'fire', 'dead-append', 'dead-remove', 'specs', 'egress-ack'] as const;
const OP_CODE = new Map<string, number>(OPS.map((op, i) => [op, i]));
const ORIGINS = ['function', 'ingress', 'timer', 'control'] as const;
const MODES: readonly ExpireMode[] = ['none', 'after-write', 'after-invoke'];

export function writeEntry(w: BinaryWriter, entry: JournalEntry): void {
  w.u8(JOURNAL_FORMAT);
  w.u8(OP_CODE.get(entry.op)!);
  switch (entry.op) {
    case 'commit':
      address(w, entry.address);
      record(w, entry.record);
      list(w, entry.consumed, (s) => w.uint(s));
      list(w, entry.enqueue, (q) => queued(w, q));
      list(w, entry.schedule, (t) => timerRef(w, t));
      list(w, entry.cancel, (id) => w.string(id));
      list(w, entry.egress, (e) => egress(w, e));
      return;
    case 'enqueue':
      list(w, entry.messages, (q) => queued(w, q));
      list(w, entry.keys, (k) => ingressKey(w, k));
      return;
    case 'ack':
      address(w, entry.address);
      list(w, entry.seqs, (s) => w.uint(s));
      return;
    case 'egress':
      list(w, entry.records, (e) => egress(w, e));
      return;
    case 'schedule':
      list(w, entry.timers, (t) => timerRef(w, t));
      return;
    case 'cancel':
      list(w, entry.timerIds, (id) => w.string(id));
      return;
    case 'fire':
      w.string(entry.timerId);
      queued(w, entry.fire);
      return;
    case 'dead-append':
      address(w, entry.address);
      list(w, entry.letters, (l) => letter(w, l));
      list(w, entry.consumed, (s) => w.uint(s));
      return;
    case 'dead-remove':
      address(w, entry.address);
      list(w, entry.ids, (id) => w.string(id));
      return;
    case 'specs':
      w.string(entry.functionType);
      list(w, entry.specs, (s) => spec(w, s));
      return;
    case 'egress-ack':
      w.string(entry.egress);
      list(w, entry.keys, (k) => w.string(k));
      return;
  }
}

export function readEntry(buf: Buffer): JournalEntry {
  const r = new BinaryReader(buf);
  const format = r.u8();
  if (format !== JOURNAL_FORMAT) throw new RangeError(`journal entry of unknown format ${format}`);
  const op = OPS[r.u8()];
  switch (op) {
    case 'commit':
      return {
        op,
        address: readAddress(r),
        record: readRecord(r),
        consumed: readList(r, () => r.uint()),
        enqueue: readList(r, () => readQueued(r)),
        schedule: readList(r, () => readTimerRef(r)),
        cancel: readList(r, () => r.string()),
        egress: readList(r, () => readEgress(r)),
      };
    case 'enqueue':
      return { op, messages: readList(r, () => readQueued(r)), keys: readList(r, () => readIngressKey(r)) };
    case 'ack':
      return { op, address: readAddress(r), seqs: readList(r, () => r.uint()) };
    case 'egress':
      return { op, records: readList(r, () => readEgress(r)) };
    case 'schedule':
      return { op, timers: readList(r, () => readTimerRef(r)) };
    case 'cancel':
      return { op, timerIds: readList(r, () => r.string()) };
    case 'fire':
      return { op, timerId: r.string(), fire: readQueued(r) };
    case 'dead-append':
      return { op, address: readAddress(r), letters: readList(r, () => readLetter(r)), consumed: readList(r, () => r.uint()) };
    case 'dead-remove':
      return { op, address: readAddress(r), ids: readList(r, () => r.string()) };
    case 'specs':
      return { op, functionType: r.string(), specs: readList(r, () => readSpec(r)) };
    case 'egress-ack':
      return { op, egress: r.string(), keys: readList(r, () => r.string()) };
    default:
      throw new RangeError('journal entry of unknown operation');
  }
}

function list<T>(w: BinaryWriter, items: readonly T[], each: (item: T) => void): void {
  w.uint(items.length);
  for (const item of items) each(item);
}

function readList<T>(r: BinaryReader, each: () => T): T[] {
  const n = r.uint();
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = each();
  return out;
}

function optional<T>(w: BinaryWriter, value: T | undefined, write: (value: T) => void): void {
  if (value === undefined) {
    w.u8(0);
  } else {
    w.u8(1);
    write(value);
  }
}

function readOptional<T>(r: BinaryReader, read: () => T): T | undefined {
  return r.u8() === 0 ? undefined : read();
}

function address(w: BinaryWriter, a: Address): void {
  w.string(a.typename);
  w.string(a.id);
}

function readAddress(r: BinaryReader): Address {
  return { typename: r.string(), id: r.string() };
}

function typed(w: BinaryWriter, v: TypedValue): void {
  w.string(v.typename);
  w.bytes(v.value);
}

function readTyped(r: BinaryReader): TypedValue {
  return { typename: r.string(), value: r.bytes() };
}

function envelope(w: BinaryWriter, e: Envelope): void {
  w.string(e.id);
  address(w, e.target);
  optional(w, e.caller, (c) => address(w, c));
  typed(w, e.argument);
  const o = e.origin;
  w.u8(ORIGINS.indexOf(o.kind));
  switch (o.kind) {
    case 'function':
      address(w, o.sender);
      w.uint(o.incarnation);
      w.uint(o.turn);
      w.uint(o.index);
      w.uint(o.sentAt);
      w.bool(o.resent === true);
      return;
    case 'ingress':
      w.string(o.key);
      w.bool(o.keyed);
      w.uint(o.acceptedAt);
      w.bool(o.resent === true);
      return;
    case 'timer':
      w.string(o.timerId);
      w.uint(o.dueAt);
      return;
    case 'control':
      w.u8(o.command === 'replay' ? 0 : 1);
      optional(w, o.messageId, (id) => w.string(id));
      w.uint(o.issuedAt);
      return;
  }
}

function readEnvelope(r: BinaryReader): Envelope {
  const id = r.string();
  const target = readAddress(r);
  const caller = readOptional(r, () => readAddress(r));
  const argument = readTyped(r);
  let origin: Origin;
  const kind = ORIGINS[r.u8()];
  switch (kind) {
    case 'function': {
      const sender = readAddress(r);
      const incarnation = r.uint();
      const turn = r.uint();
      const index = r.uint();
      const sentAt = r.uint();
      const resent = r.bool();
      origin = { kind, sender, incarnation, turn, index, sentAt, ...(resent ? { resent } : {}) };
      break;
    }
    case 'ingress': {
      const key = r.string();
      const keyed = r.bool();
      const acceptedAt = r.uint();
      const resent = r.bool();
      origin = { kind, key, keyed, acceptedAt, ...(resent ? { resent } : {}) };
      break;
    }
    case 'timer':
      origin = { kind, timerId: r.string(), dueAt: r.uint() };
      break;
    case 'control': {
      const command = r.u8() === 0 ? 'replay' : 'skip';
      const messageId = readOptional(r, () => r.string());
      origin = { kind, command, ...(messageId !== undefined ? { messageId } : {}), issuedAt: r.uint() };
      break;
    }
    default:
      throw new RangeError('journal envelope of unknown origin');
  }
  return { id, target, caller, argument, origin };
}

function queued(w: BinaryWriter, q: QueuedEnvelope): void {
  w.uint(q.seq);
  envelope(w, q.envelope);
}

function readQueued(r: BinaryReader): QueuedEnvelope {
  return { seq: r.uint(), envelope: readEnvelope(r) };
}

function timerRef(w: BinaryWriter, t: TimerRef): void {
  w.string(t.timerId);
  address(w, t.owner);
  w.uint(t.dueAt);
}

function readTimerRef(r: BinaryReader): TimerRef {
  return { timerId: r.string(), owner: readAddress(r), dueAt: r.uint() };
}

function egress(w: BinaryWriter, e: EgressRecord): void {
  w.string(e.key);
  w.string(e.egress);
  typed(w, e.argument);
  address(w, e.source);
  w.uint(e.at);
}

function readEgress(r: BinaryReader): EgressRecord {
  return { key: r.string(), egress: r.string(), argument: readTyped(r), source: readAddress(r), at: r.uint() };
}

function ingressKey(w: BinaryWriter, k: IngressKey): void {
  w.string(k.key);
  w.string(k.messageId);
  w.uint(k.at);
}

function readIngressKey(r: BinaryReader): IngressKey {
  return { key: r.string(), messageId: r.string(), at: r.uint() };
}

function letter(w: BinaryWriter, l: DeadLetter): void {
  envelope(w, l.envelope);
  w.string(l.cause);
  w.uint(l.at);
  w.uint(l.attempts);
}

function readLetter(r: BinaryReader): DeadLetter {
  return { envelope: readEnvelope(r), cause: r.string(), at: r.uint(), attempts: r.uint() };
}

function spec(w: BinaryWriter, s: StateSpecDecl): void {
  w.string(s.name);
  w.string(s.typename);
  w.u8(MODES.indexOf(s.expiration.mode));
  w.uint(s.expiration.ttlMs);
}

function readSpec(r: BinaryReader): StateSpecDecl {
  return { name: r.string(), typename: r.string(), expiration: { mode: MODES[r.u8()] ?? 'none', ttlMs: r.uint() } };
}

function record(w: BinaryWriter, rec: AddressRecord): void {
  w.uint(rec.version);
  w.uint(rec.incarnation);
  w.uint(rec.lastCommitAt);
  w.uint(rec.values.size);
  for (const [name, v] of rec.values) {
    w.string(name);
    w.string(v.typename);
    w.bytes(v.value);
    optional(w, v.expiresAt, (at) => w.uint(at));
  }
  w.uint(rec.timers.size);
  for (const t of rec.timers.values()) {
    w.string(t.timerId);
    optional(w, t.token, (token) => w.string(token));
    w.uint(t.dueAt);
    address(w, t.target);
    typed(w, t.argument);
  }
  w.uint(rec.dedup.forgottenUntil);
  w.uint(rec.dedup.marks.size);
  for (const [key, m] of rec.dedup.marks) {
    w.string(key);
    w.uint(m.incarnation);
    w.uint(m.turn);
    w.uint(m.index);
    w.uint(m.sentAt);
    w.uint(m.seenAt);
  }
  list(w, rec.lastConsumed, (id) => w.string(id));
  optional(w, rec.outbox, (o) => outbox(w, o));
  optional(w, rec.parked, (p) => {
    w.uint(p.since);
    w.string(p.reason);
    w.string(p.messageId);
  });
}

function readRecord(r: BinaryReader): AddressRecord {
  const version = r.uint();
  const incarnation = r.uint();
  const lastCommitAt = r.uint();
  const values = new Map<string, StoredValue>();
  for (let n = r.uint(); n > 0; n--) {
    const name = r.string();
    values.set(name, { typename: r.string(), value: r.bytes(), expiresAt: readOptional(r, () => r.uint()) });
  }
  const timers = new Map<string, PendingTimer>();
  for (let n = r.uint(); n > 0; n--) {
    const timerId = r.string();
    const token = readOptional(r, () => r.string());
    timers.set(timerId, { timerId, token, dueAt: r.uint(), target: readAddress(r), argument: readTyped(r) });
  }
  const forgottenUntil = r.uint();
  const marks = new Map<string, SenderMark>();
  for (let n = r.uint(); n > 0; n--) {
    const key = r.string();
    marks.set(key, { incarnation: r.uint(), turn: r.uint(), index: r.uint(), sentAt: r.uint(), seenAt: r.uint() });
  }
  const lastConsumed = readList(r, () => r.string());
  const outbox = readOptional(r, () => readOutbox(r));
  const parked = readOptional(r, () => ({ since: r.uint(), reason: r.string(), messageId: r.string() }));
  return { version, incarnation, values, timers, dedup: { marks, forgottenUntil }, lastConsumed, outbox, lastCommitAt, parked };
}

function outbox(w: BinaryWriter, o: Outbox): void {
  w.uint(o.turn);
  w.bool(o.releaseProvenByAck);
  list(w, o.messages, (m) => envelope(w, m));
  list(w, o.timers, (op) => {
    w.bool(op.kind === 'cancel');
    timerRef(w, op.timer);
  });
  list(w, o.egress, (e) => egress(w, e));
}

function readOutbox(r: BinaryReader): Outbox {
  const turn = r.uint();
  const releaseProvenByAck = r.bool();
  const messages = readList(r, () => readEnvelope(r));
  const timers = readList<TimerOp>(r, () => {
    const cancel = r.bool();
    return { kind: cancel ? 'cancel' : 'schedule', timer: readTimerRef(r) };
  });
  return { turn, releaseProvenByAck, messages, timers, egress: readList(r, () => readEgress(r)) };
}

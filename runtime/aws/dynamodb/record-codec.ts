/**
 * The stored form of an {@link AddressRecord}: the `b` attribute of its DynamoDB item.
 *
 * One format byte, then the record in protobuf wire format (written by hand, see `proto-wire.ts`):
 * - `0x01`: the message as is;
 * - `0x02`: the message compressed with raw DEFLATE — used when the message is over {@link COMPRESS_ABOVE_BYTES}
 *   and compressing saves at least a tenth (state is often JSON, which shrinks 3–10×; DynamoDB bills writes per
 *   started KB, so this saves write units, not just storage).
 *
 * ```proto
 * message StoredRecord {
 *   uint64 version = 1;
 *   repeated Value values = 2;          // in the record's map order
 *   repeated Timer timers = 3;
 *   repeated Mark marks = 4;
 *   uint64 forgotten_until = 5;
 *   repeated string last_consumed = 6;
 *   Outbox outbox = 7;                  // absent: undefined
 *   uint64 last_commit_at = 8;
 *   Park parked = 9;                    // absent: undefined
 *   uint64 incarnation = 10;
 * }
 * message Value   { string name = 1; string typename = 2; bytes value = 3;
 *                   uint64 expires_at = 4; }                  // absent: never expires
 * message Timer   { string timer_id = 1; string token = 2;      // absent: no token
 *                   uint64 due_at = 3; string target = 4;       // an address key
 *                   string typename = 5; bytes value = 6; }
 * message Mark    { string sender = 1; uint64 turn = 2; uint64 index = 3; uint64 sent_at = 4;
 *                   uint64 incarnation = 5; uint64 seen_at = 6; }
 * message Outbox  { uint64 turn = 1; bool release_proven_by_ack = 2;
 *                   repeated bytes messages = 3;                // statefun_aws.v1.Envelope
 *                   repeated TimerOp timers = 4; repeated Egress egress = 5; }
 * message TimerOp { bool cancel = 1; string timer_id = 2; string owner = 3; uint64 due_at = 4; }
 * message Egress  { string key = 1; string egress = 2; string typename = 3; bytes value = 4;
 *                   string source = 5; uint64 at = 6; }
 * message Park    { uint64 since = 1; string reason = 2; string message_id = 3; }
 * ```
 *
 * Every optional field has explicit presence (written when defined, even if empty or zero), so a round trip gives
 * back an equal record — with one exception inherited from the envelope codec: an outbox message whose origin
 * says `resent: false` reads back without `resent` (both mean "a first release").
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Address } from '../../core/address.js';
import { TerminalError } from '../../core/errors.js';
import type { AddressRecord, EgressRecord, Outbox, PendingTimer, SenderMark, StoredValue, TimerOp } from '../../core/record.js';
import { decodeEnvelope, encodeEnvelope } from '../../remote/envelope-codec.js';
import { ProtoReader, ProtoWriter } from './proto-wire.js';

export const FORMAT_PLAIN = 0x01;
export const FORMAT_DEFLATE = 0x02;
/** Messages up to this size are stored as they are: one write unit is 1 KB, so compressing them saves nothing. */
export const COMPRESS_ABOVE_BYTES = 1024;

export interface RecordCodecOptions {
  /** Compress messages larger than this many bytes when it saves at least 10 %. @default 1024 */
  readonly compressAboveBytes?: number;
}

export function encodeRecord(record: AddressRecord, options: RecordCodecOptions = {}): Uint8Array {
  return frame(recordMessage(record), options.compressAboveBytes ?? COMPRESS_ABOVE_BYTES);
}

/** Reads a stored record; `what` names it in errors (e.g. the address key). */
export function decodeRecord(bytes: Uint8Array, what: string): AddressRecord {
  return readRecord(new ProtoReader(unframe(bytes, what), what));
}

/** Adds the format byte, compressing when it pays. */
export function frame(message: Uint8Array, compressAboveBytes: number): Uint8Array {
  if (message.length > compressAboveBytes) {
    const compressed = deflateRawSync(message, { level: 1 });
    if (compressed.length <= message.length * 0.9) return withFormat(FORMAT_DEFLATE, compressed);
  }
  return withFormat(FORMAT_PLAIN, message);
}

export function unframe(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length === 0) throw new TerminalError(`${what} is corrupt: no bytes`);
  const body = bytes.subarray(1);
  switch (bytes[0]) {
    case FORMAT_PLAIN:
      return body;
    case FORMAT_DEFLATE:
      try {
        const inflated = inflateRawSync(body);
        return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
      } catch (error) {
        throw new TerminalError(`${what} is corrupt: ${(error as Error).message}`, { cause: error });
      }
    default:
      throw new TerminalError(`${what} has unknown format ${String(bytes[0])}`);
  }
}

function withFormat(format: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = format;
  out.set(body, 1);
  return out;
}

// ---- writing -----------------------------------------------------------------------------------------------

function recordMessage(record: AddressRecord): Uint8Array {
  const w = new ProtoWriter(512);
  w.uint(1, record.version, 'the version');
  for (const [name, value] of record.values) w.message(2, (m) => writeValue(m, name, value));
  for (const timer of record.timers.values()) w.message(3, (m) => writeTimer(m, timer));
  for (const [sender, mark] of record.dedup.marks) w.message(4, (m) => writeMark(m, sender, mark));
  w.uint(5, record.dedup.forgottenUntil, 'dedup.forgottenUntil');
  for (const id of record.lastConsumed) w.string(6, id);
  if (record.outbox !== undefined) {
    const outbox = record.outbox;
    w.message(7, (m) => writeOutbox(m, outbox));
  }
  w.uint(8, record.lastCommitAt, 'lastCommitAt');
  if (record.parked !== undefined) {
    const { since, reason, messageId } = record.parked;
    w.message(9, (m) => m.uint(1, since, 'parked.since').string(2, reason).string(3, messageId));
  }
  w.uint(10, record.incarnation, 'the incarnation');
  return w.finish();
}

function writeValue(w: ProtoWriter, name: string, value: StoredValue): void {
  w.string(1, name).string(2, value.typename).bytes(3, value.value);
  if (value.expiresAt !== undefined) w.uint(4, value.expiresAt, `the expiry of state ${name}`);
}

function writeTimer(w: ProtoWriter, timer: PendingTimer): void {
  w.string(1, timer.timerId);
  if (timer.token !== undefined) w.string(2, timer.token);
  w.uint(3, timer.dueAt, `the due time of timer ${timer.timerId}`);
  w.string(4, keyOf(timer.target)).string(5, timer.argument.typename).bytes(6, timer.argument.value);
}

function writeMark(w: ProtoWriter, sender: string, mark: SenderMark): void {
  w.string(1, sender).uint(2, mark.turn, 'mark.turn').uint(3, mark.index, 'mark.index').uint(4, mark.sentAt, 'mark.sentAt');
  w.uint(5, mark.incarnation, 'mark.incarnation').uint(6, mark.seenAt, 'mark.seenAt');
}

function writeOutbox(w: ProtoWriter, outbox: Outbox): void {
  w.uint(1, outbox.turn, 'outbox.turn').bool(2, outbox.releaseProvenByAck);
  for (const message of outbox.messages) w.bytes(3, encodeEnvelope(message));
  for (const op of outbox.timers) w.message(4, (m) => writeTimerOp(m, op));
  for (const record of outbox.egress) w.message(5, (m) => writeEgress(m, record));
}

function writeTimerOp(w: ProtoWriter, op: TimerOp): void {
  const { timer } = op;
  w.bool(1, op.kind === 'cancel').string(2, timer.timerId).string(3, keyOf(timer.owner)).uint(4, timer.dueAt, `the due time of timer ${timer.timerId}`);
}

function writeEgress(w: ProtoWriter, record: EgressRecord): void {
  w.string(1, record.key).string(2, record.egress).string(3, record.argument.typename).bytes(4, record.argument.value);
  w.string(5, keyOf(record.source)).uint(6, record.at, `the time of egress record ${record.key}`);
}

// ---- reading -----------------------------------------------------------------------------------------------

function readRecord(r: ProtoReader): AddressRecord {
  let version = 0;
  let incarnation = 0;
  const values = new Map<string, StoredValue>();
  const timers = new Map<string, PendingTimer>();
  const marks = new Map<string, SenderMark>();
  let forgottenUntil = 0;
  const lastConsumed: string[] = [];
  let outbox: Outbox | undefined;
  let lastCommitAt = 0;
  let parked: AddressRecord['parked'];
  r.fields((field) => {
    switch (field) {
      case 1:
        version = r.uint();
        break;
      case 2: {
        const [name, value] = r.message(readValue);
        values.set(name, value);
        break;
      }
      case 3: {
        const timer = r.message((m) => readTimer(m));
        timers.set(timer.timerId, timer);
        break;
      }
      case 4: {
        const [sender, mark] = r.message(readMark);
        marks.set(sender, mark);
        break;
      }
      case 5:
        forgottenUntil = r.uint();
        break;
      case 6:
        lastConsumed.push(r.string());
        break;
      case 7:
        outbox = r.message(readOutbox);
        break;
      case 8:
        lastCommitAt = r.uint();
        break;
      case 9:
        parked = r.message(readPark);
        break;
      case 10:
        incarnation = r.uint();
        break;
    }
  });
  return { version, incarnation, values, timers, dedup: { marks, forgottenUntil }, lastConsumed, outbox, lastCommitAt, parked };
}

function readValue(r: ProtoReader): [string, StoredValue] {
  let name = '';
  let typename = '';
  let value: Uint8Array = EMPTY;
  let expiresAt: number | undefined;
  r.fields((field) => {
    if (field === 1) name = r.string();
    else if (field === 2) typename = r.string();
    else if (field === 3) value = r.bytes();
    else if (field === 4) expiresAt = r.uint();
  });
  return [name, { typename, value, expiresAt }];
}

function readTimer(r: ProtoReader): PendingTimer {
  let timerId = '';
  let token: string | undefined;
  let dueAt = 0;
  let target = '';
  let typename = '';
  let value: Uint8Array = EMPTY;
  r.fields((field) => {
    if (field === 1) timerId = r.string();
    else if (field === 2) token = r.string();
    else if (field === 3) dueAt = r.uint();
    else if (field === 4) target = r.string();
    else if (field === 5) typename = r.string();
    else if (field === 6) value = r.bytes();
  });
  return { timerId, token, dueAt, target: addressOfKey(target), argument: { typename, value } };
}

function readMark(r: ProtoReader): [string, SenderMark] {
  let sender = '';
  let turn = 0;
  let index = 0;
  let sentAt = 0;
  let incarnation = 0;
  let seenAt = 0;
  r.fields((field) => {
    if (field === 1) sender = r.string();
    else if (field === 2) turn = r.uint();
    else if (field === 3) index = r.uint();
    else if (field === 4) sentAt = r.uint();
    else if (field === 5) incarnation = r.uint();
    else if (field === 6) seenAt = r.uint();
  });
  return [sender, { incarnation, turn, index, sentAt, seenAt }];
}

function readOutbox(r: ProtoReader): Outbox {
  let turn = 0;
  let releaseProvenByAck = false;
  const messages: Outbox['messages'][number][] = [];
  const timers: TimerOp[] = [];
  const egress: EgressRecord[] = [];
  r.fields((field) => {
    if (field === 1) turn = r.uint();
    else if (field === 2) releaseProvenByAck = r.bool();
    else if (field === 3) messages.push(decodeEnvelope(r.bytes()));
    else if (field === 4) timers.push(r.message(readTimerOp));
    else if (field === 5) egress.push(r.message(readEgress));
  });
  return { messages, timers, egress, turn, releaseProvenByAck };
}

function readTimerOp(r: ProtoReader): TimerOp {
  let cancel = false;
  let timerId = '';
  let owner = '';
  let dueAt = 0;
  r.fields((field) => {
    if (field === 1) cancel = r.bool();
    else if (field === 2) timerId = r.string();
    else if (field === 3) owner = r.string();
    else if (field === 4) dueAt = r.uint();
  });
  return { kind: cancel ? 'cancel' : 'schedule', timer: { timerId, owner: addressOfKey(owner), dueAt } };
}

function readEgress(r: ProtoReader): EgressRecord {
  let key = '';
  let egress = '';
  let typename = '';
  let value: Uint8Array = EMPTY;
  let source = '';
  let at = 0;
  r.fields((field) => {
    if (field === 1) key = r.string();
    else if (field === 2) egress = r.string();
    else if (field === 3) typename = r.string();
    else if (field === 4) value = r.bytes();
    else if (field === 5) source = r.string();
    else if (field === 6) at = r.uint();
  });
  return { key, egress, argument: { typename, value }, source: addressOfKey(source), at };
}

function readPark(r: ProtoReader): NonNullable<AddressRecord['parked']> {
  let since = 0;
  let reason = '';
  let messageId = '';
  r.fields((field) => {
    if (field === 1) since = r.uint();
    else if (field === 2) reason = r.string();
    else if (field === 3) messageId = r.string();
  });
  return { since, reason, messageId };
}

const EMPTY: Uint8Array = new Uint8Array(0);

function keyOf(address: Address): string {
  return `${address.typename}/${address.id}`;
}

/**
 * The address of a key written by {@link keyOf}. Function namespaces and names contain no `/`, so the id is
 * everything after the second one (ids may contain `/`). Not validated again: it was valid when written.
 */
export function addressOfKey(key: string): Address {
  const first = key.indexOf('/');
  const second = first < 0 ? -1 : key.indexOf('/', first + 1);
  if (second < 0) throw new TerminalError(`stored address ${JSON.stringify(key)} is not of the form <namespace>/<name>/<id>`);
  return { typename: key.slice(0, second), id: key.slice(second + 1) };
}

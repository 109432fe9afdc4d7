/** Records, envelopes and letters exercising every field, for the port contract. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Address } from '../../runtime/core/address.js';
import { type Envelope, timerFireEnvelope } from '../../runtime/core/envelope.js';
import type { AddressRecord } from '../../runtime/core/record.js';
import type { DeadLetter } from '../../runtime/ports.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** An address no other test uses (the AWS backend shares one table and one queue between tests). */
export function uniqueAddress(typename: string, hint = ''): Address {
  return { typename, id: `${hint}${randomUUID().slice(0, 13)}` };
}

/** A message from `sender` to `target`, as a turn of the sender would produce it. */
export function functionMessage(sender: Address, target: Address, turn: number, index: number, sentAt: number, body = `m${turn}.${index}`): Envelope {
  return {
    id: `${sender.typename}/${sender.id}#k0.${turn}.${index}`,
    target,
    caller: sender,
    argument: { typename: 'example/Text', value: utf8(JSON.stringify(body)) },
    origin: { kind: 'function', sender, incarnation: 1_700_000_000_000, turn, index, sentAt },
  };
}

export function ingressMessage(target: Address, key: string, acceptedAt: number, keyed = true): Envelope {
  return {
    id: `ingress:${key}`,
    target,
    caller: undefined,
    argument: { typename: 'io.statefun.types/string', value: Uint8Array.of(0x0a, 0x02, 0x68, 0x69) },
    origin: { kind: 'ingress', key, keyed, acceptedAt, resent: true },
  };
}

export function controlMessage(target: Address, issuedAt: number): Envelope {
  return {
    id: `control:${randomUUID()}`,
    target,
    caller: undefined,
    argument: { typename: 'statefun-aws.internal/signal', value: new Uint8Array(0) },
    origin: { kind: 'control', command: 'skip', messageId: 'some/thing/x#1.0', issuedAt },
  };
}

/**
 * A record with every field set, and the awkward values a codec gets wrong: empty bytes, an empty token, an
 * expiry of 0, ids with `/` and `#`, non-ASCII text, an expired value, a parked address.
 */
export function fullRecord(self: Address, version: number, now: number): AddressRecord {
  const peer: Address = { typename: 'contract/peer', id: 'pé/er#1' };
  return {
    version,
    incarnation: now - 86_400_000,
    values: new Map([
      ['count', { typename: 'io.statefun.types/int', value: Uint8Array.of(0x0d, 0x2a, 0, 0, 0), expiresAt: undefined }],
      ['session', { typename: 'example/Session', value: utf8('{"user":"zoë","items":[1,2,3]}'), expiresAt: now + 3_600_000 }],
      ['empty', { typename: 'io.statefun.types/string', value: new Uint8Array(0), expiresAt: undefined }],
      ['expired', { typename: 'example/Old', value: utf8('"gone"'), expiresAt: 0 }],
    ]),
    timers: new Map([
      ['t1', { timerId: 't1', token: 'reminder', dueAt: now + 60_000, target: peer, argument: { typename: 'example/Text', value: utf8('"later"') } }],
      ['t2', { timerId: 't2', token: '', dueAt: now + 1, target: self, argument: { typename: 'example/Empty', value: new Uint8Array(0) } }],
      ['t3', { timerId: 't3', token: undefined, dueAt: now + 7_200_000, target: self, argument: { typename: 'example/Text', value: utf8('"x"') } }],
    ]),
    dedup: {
      marks: new Map([
        ['contract/peer/pé/er#1', { incarnation: 1_700_000_000_000, turn: 41, index: 2, sentAt: now - 5_000, seenAt: now - 4_000 }],
        ['ingress:client-key-1', { incarnation: 0, turn: 0, index: 0, sentAt: now - 1_000, seenAt: now - 900 }],
      ]),
      forgottenUntil: now - 3_600_000,
    },
    lastConsumed: ['contract/peer/pé/er#k0.41.2', 'ingress:client-key-1'],
    outbox: {
      turn: version,
      releaseProvenByAck: true,
      messages: [
        functionMessage(self, peer, version, 0, now),
        ingressMessage(peer, 'client-key-2', now - 10),
        timerFireEnvelope(self, 't0', now - 1),
        controlMessage(self, now),
      ],
      timers: [
        { kind: 'schedule', timer: { timerId: 't3', owner: self, dueAt: now + 7_200_000 } },
        { kind: 'cancel', timer: { timerId: 't9', owner: self, dueAt: now + 10 } },
      ],
      egress: [{ key: `${self.typename}/${self.id}#k0.${version}.e0`, egress: 'contract/out', argument: { typename: 'example/Receipt', value: utf8('{"total":42}') }, source: self, at: now }],
    },
    lastCommitAt: now,
    parked: { since: now - 10, reason: 'TerminalError: bad input «x»', messageId: 'contract/peer/pé/er#k0.41.2' },
  };
}

/** A record at `version` holding one value of `bytes` random bytes (incompressible). */
export function largeRecord(version: number, now: number, bytes: number): AddressRecord {
  return {
    version,
    incarnation: now,
    values: new Map([['blob', { typename: 'example/Blob', value: new Uint8Array(randomBytes(bytes)), expiresAt: undefined }]]),
    timers: new Map(),
    dedup: { marks: new Map(), forgottenUntil: 0 },
    lastConsumed: [],
    outbox: undefined,
    lastCommitAt: now,
    parked: undefined,
  };
}

/** A small record at `version` with one value. */
export function smallRecord(version: number, now: number, text: string): AddressRecord {
  return {
    version,
    incarnation: now,
    values: new Map([['text', { typename: 'example/Text', value: utf8(JSON.stringify(text)), expiresAt: undefined }]]),
    timers: new Map(),
    dedup: { marks: new Map(), forgottenUntil: 0 },
    lastConsumed: [],
    outbox: undefined,
    lastCommitAt: now,
    parked: undefined,
  };
}

export function letter(envelope: Envelope, cause: string, at: number, attempts = 1): DeadLetter {
  return { envelope, cause, at, attempts };
}

/**
 * A record or any domain value as plain data for comparison: bytes as hex (so "byte for byte" is literal),
 * maps as their entries in order, `undefined` fields kept.
 */
export function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  if (value instanceof Map) return { map: [...(value as Map<unknown, unknown>)].map(([k, v]) => [k, plain(v)]) };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

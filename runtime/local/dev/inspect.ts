import { randomUUID } from 'node:crypto';
import { type Address, addressKey, parseAddressKey } from '../../core/address.js';
import { type Envelope, INTERNAL_TYPENAME } from '../../core/envelope.js';
import { ValidationError } from '../../core/errors.js';
import type { StoredValue } from '../../core/record.js';
import { isExpired } from '../../core/turn.js';
import { parseTypeName, show } from '../../core/typename.js';
import type { LocalBackend } from '../backend.js';
import type { IngressMessage } from '../runtime.js';
import type { LetterView, ParkedDetail, ParkedSummary, SendRequest, StateView } from './admin-protocol.js';
import { base64, fromBase64 } from './value-format.js';

/**
 * Read-only views of a backend for the admin API and the CLI, and the operator commands of DESIGN I7. The
 * same code serves a running dev server and a stopped data directory opened by the CLI.
 */

/** The stored state of one address; expired values are left out. */
export function stateView(backend: LocalBackend, address: Address, now: number): StateView {
  const key = addressKey(address);
  const record = backend.recordOf(key);
  const values = [...(record?.values ?? new Map<string, StoredValue>())]
    .filter(([, v]) => !isExpired(v, now))
    .map(([name, v]) => ({ name, typename: v.typename, base64: base64(v.value), ...(v.expiresAt !== undefined ? { expiresAt: v.expiresAt } : {}) }));
  return {
    address: key,
    version: record?.version ?? 0,
    values,
    pendingTimers: record?.timers.size ?? 0,
    queued: backend.mailbox(key)?.size ?? 0,
    ...(record?.parked !== undefined ? { parked: record.parked } : {}),
  };
}

/** Every parked address, oldest first. */
export async function parkedList(backend: LocalBackend): Promise<ParkedSummary[]> {
  const out: ParkedSummary[] = [];
  for (const address of await backend.addressesWithLetters()) {
    const info = backend.recordOf(addressKey(address))?.parked;
    if (info === undefined) continue;
    out.push({ address: addressKey(address), ...info, letters: (await backend.listLetters(address)).length });
  }
  return out.sort((a, b) => a.since - b.since);
}

/** One parked address with its dead letters, or undefined when it is not parked. */
export async function parkedDetail(backend: LocalBackend, address: Address): Promise<ParkedDetail | undefined> {
  const info = backend.recordOf(addressKey(address))?.parked;
  if (info === undefined) return undefined;
  const letters = await backend.listLetters(address);
  const letterList: LetterView[] = letters.map((l) => ({
    messageId: l.envelope.id,
    cause: l.cause,
    at: l.at,
    attempts: l.attempts,
    from: describeOrigin(l.envelope),
    typename: l.envelope.argument.typename,
    base64: base64(l.envelope.argument.value),
  }));
  return { address: addressKey(address), ...info, letters: letters.length, letterList };
}

function describeOrigin(envelope: Envelope): string {
  const { origin } = envelope;
  switch (origin.kind) {
    case 'function':
      return `function ${addressKey(origin.sender)}`;
    case 'ingress':
      return origin.keyed ? `ingress (Idempotency-Key ${show(origin.key.slice(origin.key.indexOf('\u0000') + 1))})` : 'ingress';
    case 'timer':
      return 'timer';
    case 'control':
      return `control ${origin.command}`;
  }
}

/**
 * Enqueues a replay or skip for a parked address, durably, as a control message (the engine runs it as the
 * address's next turn). Throws a {@link ValidationError} when the address is not parked, or when `messageId`
 * is not one of its dead letters.
 */
export async function issueControl(
  backend: LocalBackend,
  address: Address,
  command: 'replay' | 'skip',
  messageId: string | undefined,
  now: number,
): Promise<void> {
  const key = addressKey(address);
  if (backend.recordOf(key)?.parked === undefined) throw new ValidationError(`address ${show(key)} is not parked`);
  if (messageId !== undefined && !(await backend.listLetters(address)).some((l) => l.envelope.id === messageId)) {
    throw new ValidationError(`address ${show(key)} has no parked message ${show(messageId)}; see statefun parked show ${key}`);
  }
  await backend.ingest([
    {
      id: `control:${command}:${key}:${randomUUID()}`,
      target: address,
      caller: undefined,
      argument: { typename: INTERNAL_TYPENAME, value: new Uint8Array(0) },
      origin: { kind: 'control', command, issuedAt: now, ...(messageId !== undefined ? { messageId } : {}) },
    },
  ]);
}

/** A send request of the admin API as an ingress message; throws a {@link ValidationError} for a bad field. */
export function sendRequestMessage(request: SendRequest): IngressMessage {
  if (typeof request?.address !== 'string' || typeof request.typename !== 'string' || typeof request.base64 !== 'string') {
    throw new ValidationError(`a send request needs address, typename and base64, got ${show(request)}`);
  }
  const target = parseAddressKey(request.address);
  parseTypeName(request.typename, 'typename of the message');
  const argument = { typename: request.typename, value: fromBase64(request.base64) };
  if (request.idempotencyKey === undefined) return { target, argument };
  if (typeof request.idempotencyKey !== 'string' || request.idempotencyKey === '') {
    throw new ValidationError(`idempotencyKey must be a non-empty string, got ${show(request.idempotencyKey)}`);
  }
  return { target, argument, idempotencyKey: request.idempotencyKey };
}

import { type Envelope, INTERNAL_TYPENAME, NO_ARGUMENT, type Origin } from '../core/envelope.js';
import { show } from '../core/typename.js';
import { fromWireAddress, fromWireValue, int64ToNumber, invalid, plainBytes, toWireAddress, toWireValue, WireEnvelope, type WireInt64 } from './wire.js';

/**
 * Envelope ↔ bytes (proto/statefun_aws/v1/envelope.proto), for transports that carry envelopes as bytes
 * (SQS message bodies, base64).
 *
 * Round trip: `decodeEnvelope(encodeEnvelope(e))` equals `e`, except that `resent: false` reads back as
 * absent (both mean "a first release"). Timer and control envelopes leave their argument out
 * ({@link NO_ARGUMENT} is implied).
 */

const COMMAND_REPLAY = 1;
const COMMAND_SKIP = 2;

type WireEnvelopeProperties = Parameters<typeof WireEnvelope.encode>[0];

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const { origin, argument } = envelope;
  const wire: WireEnvelopeProperties = { id: envelope.id, target: toWireAddress(envelope.target) };
  if (envelope.caller !== undefined) wire.caller = toWireAddress(envelope.caller);
  const signal = argument.typename === INTERNAL_TYPENAME && argument.value.length === 0;
  if (!signal) wire.argument = toWireValue(argument);
  switch (origin.kind) {
    case 'function':
      wire.functionOrigin = {
        sender: toWireAddress(origin.sender),
        incarnation: origin.incarnation,
        turn: origin.turn,
        index: origin.index,
        sentAtMs: origin.sentAt,
        resent: origin.resent === true,
      };
      break;
    case 'ingress':
      wire.ingressOrigin = { key: origin.key, keyed: origin.keyed, acceptedAtMs: origin.acceptedAt, resent: origin.resent === true };
      break;
    case 'timer':
      wire.timerOrigin = { timerId: origin.timerId, dueAtMs: origin.dueAt };
      break;
    case 'control':
      wire.controlOrigin = {
        command: origin.command === 'replay' ? COMMAND_REPLAY : COMMAND_SKIP,
        messageId: origin.messageId ?? '',
        issuedAtMs: origin.issuedAt,
      };
      break;
  }
  return plainBytes(WireEnvelope.encode(wire).finish());
}

/** Reads an envelope; a {@link TerminalError} names what is wrong with bytes that are not a valid envelope. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  let wire: ReturnType<typeof WireEnvelope.decode>;
  try {
    wire = WireEnvelope.decode(plainBytes(bytes));
  } catch (error) {
    invalid(`an envelope (${bytes.length} bytes) does not parse: ${(error as Error).message}`, error);
  }
  const id = wire.id ?? '';
  if (id.length === 0) invalid(`an envelope (${bytes.length} bytes) has no id`);
  const what = `envelope ${show(id)}`;
  const target = fromWireAddress(wire.target, `the target of ${what}`);
  const caller = wire.caller === undefined || wire.caller === null ? undefined : fromWireAddress(wire.caller, `the caller of ${what}`);
  const argument = wire.argument === undefined || wire.argument === null ? NO_ARGUMENT : fromWireValue(wire.argument, `the argument of ${what}`);
  return { id, target, caller, argument, origin: readOrigin(wire, what) };
}

function readOrigin(wire: ReturnType<typeof WireEnvelope.decode>, what: string): Origin {
  const time = (value: unknown, field: string): number => int64ToNumber(value as WireInt64 | null | undefined, `${field} of ${what}`);
  switch (wire.origin) {
    case 'functionOrigin': {
      const o = wire.functionOrigin;
      return {
        kind: 'function',
        sender: fromWireAddress(o.sender, `the sender of ${what}`),
        incarnation: time(o.incarnation, 'the incarnation'),
        turn: time(o.turn, 'the turn'),
        index: o.index ?? 0,
        sentAt: time(o.sentAtMs, 'sent_at_ms'),
        ...(o.resent === true ? { resent: true } : {}),
      };
    }
    case 'ingressOrigin': {
      const o = wire.ingressOrigin;
      const key = o.key ?? '';
      if (key.length === 0) invalid(`the ingress origin of ${what} has no key`);
      return {
        kind: 'ingress',
        key,
        keyed: o.keyed === true,
        acceptedAt: time(o.acceptedAtMs, 'accepted_at_ms'),
        ...(o.resent === true ? { resent: true } : {}),
      };
    }
    case 'timerOrigin': {
      const o = wire.timerOrigin;
      const timerId = o.timerId ?? '';
      if (timerId.length === 0) invalid(`the timer origin of ${what} has no timer_id`);
      return { kind: 'timer', timerId, dueAt: time(o.dueAtMs, 'due_at_ms') };
    }
    case 'controlOrigin': {
      const o = wire.controlOrigin;
      const command: number = o.command ?? 0;
      if (command !== COMMAND_REPLAY && command !== COMMAND_SKIP) {
        invalid(`the control origin of ${what} has unknown command ${command}`);
      }
      const messageId = o.messageId ?? '';
      return {
        kind: 'control',
        command: command === COMMAND_REPLAY ? 'replay' : 'skip',
        ...(messageId.length > 0 ? { messageId } : {}),
        issuedAt: time(o.issuedAtMs, 'issued_at_ms'),
      };
    }
    default:
      return invalid(`${what} has no origin`);
  }
}

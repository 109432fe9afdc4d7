import * as pb from '../../proto/generated/messages.js';
import { type Envelope, INTERNAL_TYPENAME, NO_ARGUMENT, type Origin } from '../core/envelope.js';
import { show } from '../core/typename.js';
import { decodeWire, fromWireAddress, fromWireValue, invalid, toWireAddress, toWireValue } from './wire.js';

/**
 * Envelope ↔ bytes (proto/statefun_aws/v1/envelope.proto), for transports that carry envelopes as bytes
 * (SQS message bodies, base64).
 *
 * Round trip: `decodeEnvelope(encodeEnvelope(e))` equals `e`, except that `resent: false` reads back as
 * absent (both mean "a first release"). Timer and control envelopes leave their argument out
 * ({@link NO_ARGUMENT} is implied).
 */

const COMMAND_REPLAY = pb.Envelope_ControlOrigin_Command.REPLAY;
const COMMAND_SKIP = pb.Envelope_ControlOrigin_Command.SKIP;

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const { origin, argument } = envelope;
  const wire: pb.EnvelopeInit = { id: envelope.id, target: toWireAddress(envelope.target) };
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
  return pb.encodeEnvelope(wire);
}

/** Reads an envelope; a {@link TerminalError} names what is wrong with bytes that are not a valid envelope. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const wire = decodeWire(pb.decodeEnvelope, bytes, 'an envelope', 'does not parse');
  const id = wire.id;
  if (id.length === 0) invalid(`an envelope (${bytes.length} bytes) has no id`);
  const what = `envelope ${show(id)}`;
  const target = fromWireAddress(wire.target, `the target of ${what}`);
  const caller = wire.caller === null ? undefined : fromWireAddress(wire.caller, `the caller of ${what}`);
  const argument = wire.argument === null ? NO_ARGUMENT : fromWireValue(wire.argument, `the argument of ${what}`);
  return { id, target, caller, argument, origin: readOrigin(wire, what) };
}

function readOrigin(wire: pb.Envelope, what: string): Origin {
  switch (wire.origin) {
    case 'functionOrigin': {
      const o = wire.functionOrigin;
      return {
        kind: 'function',
        sender: fromWireAddress(o.sender, `the sender of ${what}`),
        incarnation: o.incarnation,
        turn: o.turn,
        index: o.index,
        sentAt: o.sentAtMs,
        ...(o.resent ? { resent: true } : {}),
      };
    }
    case 'ingressOrigin': {
      const o = wire.ingressOrigin;
      const key = o.key;
      if (key.length === 0) invalid(`the ingress origin of ${what} has no key`);
      return {
        kind: 'ingress',
        key,
        keyed: o.keyed,
        acceptedAt: o.acceptedAtMs,
        ...(o.resent ? { resent: true } : {}),
      };
    }
    case 'timerOrigin': {
      const o = wire.timerOrigin;
      const timerId = o.timerId;
      if (timerId.length === 0) invalid(`the timer origin of ${what} has no timer_id`);
      return { kind: 'timer', timerId, dueAt: o.dueAtMs };
    }
    case 'controlOrigin': {
      const o = wire.controlOrigin;
      const command = o.command;
      if (command !== COMMAND_REPLAY && command !== COMMAND_SKIP) {
        invalid(`the control origin of ${what} has unknown command ${command}`);
      }
      const messageId = o.messageId;
      return {
        kind: 'control',
        command: command === COMMAND_REPLAY ? 'replay' : 'skip',
        ...(messageId.length > 0 ? { messageId } : {}),
        issuedAt: o.issuedAtMs,
      };
    }
    default:
      return invalid(`${what} has no origin`);
  }
}

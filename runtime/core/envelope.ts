import type { Address } from './address.js';
import type { TypedValue } from './typed-value.js';

/**
 * Where a message came from. The origin carries what the receiving address needs to apply every message
 * exactly once (DESIGN I3, I5):
 *
 * - `function`: sent by another (or the same) address in its turn `turn`, as effect number `index`.
 *   Messages from one sender to one receiver arrive in (incarnation, turn, index) order, so the receiver
 *   remembers the highest triple per sender (a *mark*). `incarnation` is the time of the sender's first
 *   commit: a record deleted and created again counts turns anew under a later one. `sentAt` is the sender's
 *   commit time, used to tell whether a re-sent copy could predate what the receiver still remembers.
 * - `ingress`: entered through an ingress; `key` is the client's `Idempotency-Key` (`keyed`) or an id minted
 *   at ingress.
 * - `timer`: a delayed message coming due. It is delivered to its *owner* (the sender) first, which checks
 *   that the timer is still pending — so a cancelled or already-fired timer never delivers.
 * - `control`: an operator command for a parked address (replay, skip).
 *
 * `resent` is set on copies released again after a crash; only those can be duplicates the receiver may no
 * longer remember, and only those are checked against the receiver's forgotten horizon.
 */
export type Origin =
  | {
      readonly kind: 'function';
      readonly sender: Address;
      readonly incarnation: number;
      readonly turn: number;
      readonly index: number;
      readonly sentAt: number;
      readonly resent?: boolean;
    }
  | {
      readonly kind: 'ingress';
      readonly key: string;
      readonly keyed: boolean;
      readonly acceptedAt: number;
      readonly resent?: boolean;
    }
  | { readonly kind: 'timer'; readonly timerId: string; readonly dueAt: number }
  | {
      readonly kind: 'control';
      readonly command: 'replay' | 'skip';
      /** For `skip`: the id of the parked message to drop (default: the first one). */
      readonly messageId?: string;
      readonly issuedAt: number;
    };

/**
 * A message in flight to one address: what every transport (local queue, SQS FIFO) carries.
 *
 * @example
 * { id: 'shop/cart/alice#7.0', target: { typename: 'shop/checkout', id: 'alice' },
 *   caller: { typename: 'shop/cart', id: 'alice' }, argument: { typename: 'shop/Order', value: … },
 *   origin: { kind: 'function', sender: …, turn: 7, index: 0, sentAt: 1763769600000 } }
 */
export interface Envelope {
  /** Deterministic, unique id: the same message always has the same id, however often it is sent. */
  readonly id: string;
  readonly target: Address;
  /** The sending address; undefined for ingress messages. */
  readonly caller: Address | undefined;
  readonly argument: TypedValue;
  readonly origin: Origin;
}

/** Typename of the argument of timer and control envelopes, which carry no user value. */
export const INTERNAL_TYPENAME = 'statefun-aws.internal/signal';
export const NO_ARGUMENT: TypedValue = Object.freeze({ typename: INTERNAL_TYPENAME, value: new Uint8Array(0) });

/** `<sender>#<incarnation base 36>.<turn>.<index>`: unique over every turn the sender ever commits. */
export function messageId(senderKey: string, incarnation: number, turn: number, index: number): string {
  return `${senderKey}#${incarnation.toString(36)}.${turn}.${index}`;
}

export function timerId(ownerKey: string, incarnation: number, turn: number, index: number): string {
  return `${ownerKey}#${incarnation.toString(36)}.${turn}.t${index}`;
}

export function egressKey(sourceKey: string, incarnation: number, turn: number, index: number): string {
  return `${sourceKey}#${incarnation.toString(36)}.${turn}.e${index}`;
}

export function ingressMessageId(key: string): string {
  // Joined, not concatenated: V8 then makes one flat string instead of a rope, which the first comparison of
  // the id (the duplicate check of its turn) would have to flatten, long after and far from where it was made.
  return ['ingress:', key].join('');
}

/** The envelope that fires a timer back at its owner. */
export function timerFireEnvelope(owner: Address, id: string, dueAt: number): Envelope {
  return { id: `${id}!fire`, target: owner, caller: undefined, argument: NO_ARGUMENT, origin: { kind: 'timer', timerId: id, dueAt } };
}

/** A copy of an envelope marked as released again (see {@link Origin} `resent`). */
export function asResent(envelope: Envelope): Envelope {
  const { origin } = envelope;
  if ((origin.kind !== 'function' && origin.kind !== 'ingress') || origin.resent === true) return envelope;
  return { ...envelope, origin: { ...origin, resent: true } };
}

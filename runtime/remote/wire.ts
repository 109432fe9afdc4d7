/**
 * Short names for the generated protobuf codecs (proto/generated, built ahead of time by `npm run proto`),
 * and the small conversions every codec of this folder shares.
 */
import { io, statefun_aws } from '../../proto/generated/statefun.js';
import type { Address } from '../core/address.js';
import { TerminalError } from '../core/errors.js';
import type { TypedValue } from '../core/typed-value.js';
import { parseFunctionTypeName, parseTypeName, show } from '../core/typename.js';

export const ToFunction = io.statefun.sdk.reqreply.ToFunction;
export const FromFunction = io.statefun.sdk.reqreply.FromFunction;
export const WireEnvelope = statefun_aws.v1.Envelope;
export const KafkaProducerRecord = io.statefun.sdk.egress.KafkaProducerRecord;
export const KinesisEgressRecord = io.statefun.sdk.egress.KinesisEgressRecord;

export type WireAddress = io.statefun.sdk.reqreply.Address.$Properties;
export type WireTypedValue = io.statefun.sdk.reqreply.TypedValue.$Properties;

/** `PersistedValueMutation.MutationType`. */
export const MUTATION_DELETE = 0;
export const MUTATION_MODIFY = 1;
/** `ExpirationSpec.ExpireMode`. */
export const EXPIRE_NONE = 0;
export const EXPIRE_AFTER_WRITE = 1;
export const EXPIRE_AFTER_INVOKE = 2;

/** What protobufjs decodes an int64 to: a number, or a `Long` when the `long` package is loaded. */
export type WireInt64 = number | { toNumber(): number; toString(): string };

/**
 * A plain `Uint8Array` view of `bytes`. protobufjs reads a Node `Buffer` into `Buffer` slices and writes
 * `Buffer`s; viewing them as plain arrays keeps decoded values and encoded bodies one kind of object.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Throws a {@link TerminalError}: content that can never be processed. */
export function invalid(message: string, cause?: unknown): never {
  throw new TerminalError(message, cause === undefined ? undefined : { cause });
}

export function int64ToNumber(value: WireInt64 | null | undefined, what: string): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'number' ? value : value.toNumber();
  if (!Number.isSafeInteger(n)) invalid(`${what} ${String(value)} is not a safe integer`);
  return n;
}

/** Splits the typename at its last `/`, as StateFun does (`type` is the name part). */
export function toWireAddress(address: Address): WireAddress {
  const slash = address.typename.lastIndexOf('/');
  return { namespace: address.typename.slice(0, slash), type: address.typename.slice(slash + 1), id: address.id };
}

/** A function address from the wire; `what` names it in the error, e.g. "the target of outgoing message #2". */
export function fromWireAddress(wire: WireAddress | null | undefined, what: string): Address {
  if (wire === undefined || wire === null) invalid(`${what} is missing`);
  const typename = `${wire.namespace ?? ''}/${wire.type ?? ''}`;
  try {
    parseFunctionTypeName(typename, `the function type of ${what}`);
  } catch (error) {
    invalid((error as Error).message, error);
  }
  const id = wire.id ?? '';
  if (id.length === 0) invalid(`${what} (${typename}) has an empty id`);
  return { typename, id };
}

/** A present value: `has_value` is always set, also for zero-length values (zero values of the built-in types). */
export function toWireValue(value: TypedValue): WireTypedValue {
  return { typename: value.typename, hasValue: true, value: value.value };
}

const EMPTY = new Uint8Array(0);

/** A typed value from the wire. Like StateFun, reads `value` whatever `has_value` says (unset: zero bytes). */
export function fromWireValue(wire: WireTypedValue | null | undefined, what: string): TypedValue {
  if (wire === undefined || wire === null) invalid(`${what} is missing`);
  const typename = wire.typename ?? '';
  try {
    parseTypeName(typename, `the typename of ${what}`);
  } catch (error) {
    invalid((error as Error).message, error);
  }
  return { typename, value: wire.value == null || wire.value.length === 0 ? EMPTY : wire.value };
}

/** `function shop/cart (id "alice")`, for error messages. */
export function describeAddress(address: Address): string {
  return `function ${address.typename} (id ${show(address.id)})`;
}

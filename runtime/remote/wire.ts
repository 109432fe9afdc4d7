/**
 * The generated protobuf codecs (proto/generated/messages.ts, built ahead of time by `npm run proto`) in the
 * shape the rest of the code base and the tests know, and the small conversions every codec of this folder
 * shares.
 */
import * as pb from '../../proto/generated/messages.js';
import type { Address } from '../core/address.js';
import { TerminalError } from '../core/errors.js';
import type { TypedValue } from '../core/typed-value.js';
import { parseFunctionTypeName, parseTypeName, show } from '../core/typename.js';

/**
 * A message codec shaped like a protobufjs static class (`encode(message).finish()`, `decode(bytes)`), which
 * `protobufType` (runtime/sdk/types.ts) also takes. The bytes are encoded when `encode` is called.
 */
export interface MessageCodec<Init, Decoded> {
  encode(message: Init): { finish(): Uint8Array };
  decode(bytes: Uint8Array): Decoded;
}

/* @__NO_SIDE_EFFECTS__ */
function codec<Init, Decoded>(encode: (message: Init) => Uint8Array, decode: (bytes: Uint8Array) => Decoded): MessageCodec<Init, Decoded> {
  return {
    encode(message) {
      const bytes = encode(message);
      return { finish: () => bytes };
    },
    decode,
  };
}

export const ToFunction = codec(pb.encodeToFunction, pb.decodeToFunction);
export const FromFunction = codec(pb.encodeFromFunction, pb.decodeFromFunction);
export const WireEnvelope = codec(pb.encodeEnvelope, pb.decodeEnvelope);
export const KafkaProducerRecord = codec(pb.encodeKafkaProducerRecord, pb.decodeKafkaProducerRecord);
export const KinesisEgressRecord = codec(pb.encodeKinesisEgressRecord, pb.decodeKinesisEgressRecord);

export type WireAddress = pb.AddressInit;
export type WireTypedValue = pb.TypedValueInit;

/** `PersistedValueMutation.MutationType`. */
export const MUTATION_DELETE = pb.FromFunction_PersistedValueMutation_MutationType.DELETE;
export const MUTATION_MODIFY = pb.FromFunction_PersistedValueMutation_MutationType.MODIFY;
/** `ExpirationSpec.ExpireMode`. */
export const EXPIRE_NONE = pb.FromFunction_ExpirationSpec_ExpireMode.NONE;
export const EXPIRE_AFTER_WRITE = pb.FromFunction_ExpirationSpec_ExpireMode.AFTER_WRITE;
export const EXPIRE_AFTER_INVOKE = pb.FromFunction_ExpirationSpec_ExpireMode.AFTER_INVOKE;

/** Throws a {@link TerminalError}: content that can never be processed. */
export function invalid(message: string, cause?: unknown): never {
  throw new TerminalError(message, cause === undefined ? undefined : { cause });
}

/**
 * How the codecs name the elements of the repeated fields of the request-reply messages and of the envelope
 * in errors, e.g. `delayed_invocations[2]` is "delayed invocation #2".
 */
const ELEMENT_WORDS: Readonly<Record<string, string>> = {
  state: 'state',
  invocations: 'invocation',
  state_mutations: 'state mutation',
  outgoing_messages: 'outgoing message',
  delayed_invocations: 'delayed invocation',
  outgoing_egresses: 'egress message',
  missing_values: 'missing value',
};

/** The oneof members that wrap a whole message (`FromFunction.invocation_result`, ...): left out of names. */
const WRAPPERS: ReadonlySet<string> = new Set(['invocation', 'invocation_result', 'incomplete_invocation_context']);

/**
 * Reads `bytes` with a generated decoder; a {@link TerminalError} says what is wrong otherwise. A 64-bit field
 * beyond the safe integers is named as the codecs name fields, e.g. "the delay_in_ms of delayed invocation #0
 * of <where>: 1152921504606846976 is not a safe integer (...)"; bytes that do not parse at all are "<where>
 * (n bytes) <notA>: <the decoder's message>".
 */
export function decodeWire<T>(decode: (bytes: Uint8Array) => T, bytes: Uint8Array, where: string, notA: string): T {
  try {
    return decode(bytes);
  } catch (error) {
    if (pb.isProtoWireError(error) && error.problem === 'unsafe-integer') invalid(`${describeField(error.path, where)}: ${error.detail}`, error);
    return invalid(`${where} (${bytes.length} bytes) ${notA}: ${(error as Error).message}`, error);
  }
}

/** `['invocation_result', 'delayed_invocations', 0, 'delay_in_ms']` → "the delay_in_ms of delayed invocation #0 of <where>". */
function describeField(path: ReadonlyArray<string | number>, where: string): string {
  const parts: string[] = [];
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i]!;
    if (typeof step === 'number') {
      const name = String(path[i - 1]);
      parts.push(`${ELEMENT_WORDS[name] ?? name} #${step}`);
      i--;
    } else if (!(WRAPPERS.has(step) && i === 0)) {
      parts.push(`the ${step}`);
    }
  }
  return [...parts, where].join(' of ');
}

/** Splits the typename at its last `/`, as StateFun does (`type` is the name part). */
export function toWireAddress(address: Address): pb.AddressInit {
  const slash = address.typename.lastIndexOf('/');
  return { namespace: address.typename.slice(0, slash), type: address.typename.slice(slash + 1), id: address.id };
}

/** A function address from the wire; `what` names it in the error, e.g. "the target of outgoing message #2". */
export function fromWireAddress(wire: pb.Address | null, what: string): Address {
  if (wire === null) invalid(`${what} is missing`);
  const typename = `${wire.namespace}/${wire.type}`;
  try {
    parseFunctionTypeName(typename, `the function type of ${what}`);
  } catch (error) {
    invalid((error as Error).message, error);
  }
  if (wire.id.length === 0) invalid(`${what} (${typename}) has an empty id`);
  return { typename, id: wire.id };
}

/** A present value: `has_value` is always set, also for zero-length values (zero values of the built-in types). */
export function toWireValue(value: TypedValue): pb.TypedValueInit {
  return { typename: value.typename, hasValue: true, value: value.value };
}

/** A typed value from the wire. Like StateFun, reads `value` whatever `has_value` says (unset: zero bytes). */
export function fromWireValue(wire: pb.TypedValue | null, what: string): TypedValue {
  if (wire === null) invalid(`${what} is missing`);
  try {
    parseTypeName(wire.typename, `the typename of ${what}`);
  } catch (error) {
    invalid((error as Error).message, error);
  }
  return { typename: wire.typename, value: wire.value };
}

/** `function shop/cart (id "alice")`, for error messages. */
export function describeAddress(address: Address): string {
  return `function ${address.typename} (id ${show(address.id)})`;
}

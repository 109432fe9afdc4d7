import * as pb from '../../proto/generated/messages.js';
import type { Address } from '../core/address.js';
import type {
  DelayedEffect,
  EgressEffect,
  InvocationEffects,
  InvocationOutcome,
  InvocationRequest,
  Invocation,
  OutgoingMessage,
  StateEntry,
  StateMutation,
} from '../core/invocation.js';
import type { Expiration, StateSpecDecl } from '../core/state-spec.js';
import { show } from '../core/typename.js';
import {
  decodeWire,
  describeAddress,
  EXPIRE_AFTER_INVOKE,
  EXPIRE_AFTER_WRITE,
  EXPIRE_NONE,
  fromWireAddress,
  fromWireValue,
  invalid,
  MUTATION_DELETE,
  MUTATION_MODIFY,
  toWireAddress,
  toWireValue,
} from './wire.js';

/**
 * Conversion between the domain exchange (runtime/core/invocation.ts) and StateFun's request-reply wire
 * format (proto/io/statefun/sdk/reqreply/request-reply.proto).
 *
 * Runtime side: {@link encodeToFunction} and {@link decodeFromFunction}. Serving side (TypeScript functions
 * behind an HTTP endpoint or a Lambda): {@link decodeToFunction} and {@link encodeFromFunction}.
 * Decoders throw a {@link TerminalError} naming what was wrong: bad content never gets better by retrying.
 */

/**
 * Serializes a batch as a `ToFunction`. Empty states are sent as a `PersistedValue` without a value, as
 * StateFun does: the function then knows the state is registered but empty.
 */
export function encodeToFunction(request: InvocationRequest): Uint8Array {
  const state = request.state.map((entry) =>
    entry.value === undefined
      ? { stateName: entry.name }
      : { stateName: entry.name, stateValue: { typename: entry.typename, hasValue: true, value: entry.value } },
  );
  const invocations = request.invocations.map((invocation) =>
    invocation.caller === undefined
      ? { argument: toWireValue(invocation.argument) }
      : { caller: toWireAddress(invocation.caller), argument: toWireValue(invocation.argument) },
  );
  return pb.encodeToFunction({ invocation: { target: toWireAddress(request.target), state, invocations } });
}

/**
 * Reads a function's answer to `request`. An empty body (0 bytes) means "no effects". A body that does not
 * parse, holds neither a result nor an incomplete-context answer, or holds invalid content (a missing
 * address, an empty typename, an unknown mutation type, ...) is a {@link TerminalError} naming the problem.
 */
export function decodeFromFunction(body: Uint8Array, request: InvocationRequest): InvocationOutcome {
  const where = `the response of ${describeAddress(request.target)}`;
  const completed = request.invocations.length;
  if (body.length === 0) return { kind: 'result', completed, mutations: [], messages: [], delayed: [], egress: [] };
  const wire = decodeWire(pb.decodeFromFunction, body, where, 'is not a FromFunction message');
  switch (wire.response) {
    case 'invocationResult':
      return { kind: 'result', completed, ...readEffects(wire.invocationResult, where) };
    case 'incompleteInvocationContext':
      return { kind: 'incomplete', missing: readMissing(wire.incompleteInvocationContext, where) };
    default:
      return invalid(`${where} (${body.length} bytes) holds neither an invocation_result nor an incomplete_invocation_context`);
  }
}

function readEffects(response: pb.FromFunction_InvocationResponse, where: string): InvocationEffects {
  const mutations = response.stateMutations.map((m, i): StateMutation => {
    const what = `state mutation #${i} of ${where}`;
    const name = m.stateName;
    if (name.length === 0) invalid(`${what} has no state name`);
    const type = m.mutationType;
    if (type === MUTATION_DELETE) return { kind: 'delete', name };
    if (type !== MUTATION_MODIFY) invalid(`${what} (state ${show(name)}) has unknown mutation type ${String(type)}`);
    return { kind: 'modify', name, value: fromWireValue(m.stateValue, `the new value of state ${show(name)} in ${what}`) };
  });
  const messages = response.outgoingMessages.map((m, i): OutgoingMessage => {
    const what = `outgoing message #${i} of ${where}`;
    return { target: fromWireAddress(m.target, `the target of ${what}`), argument: fromWireValue(m.argument, `the argument of ${what}`) };
  });
  const delayed = response.delayedInvocations.map((d, i): DelayedEffect => {
    const what = `delayed invocation #${i} of ${where}`;
    const token = d.cancellationToken;
    if (d.isCancellationRequest) {
      if (token.length === 0) invalid(`${what} is a cancellation request without a cancellation_token`);
      return { kind: 'cancel', cancellationToken: token };
    }
    return {
      kind: 'delay',
      delayMs: d.delayInMs,
      target: fromWireAddress(d.target, `the target of ${what}`),
      argument: fromWireValue(d.argument, `the argument of ${what}`),
      cancellationToken: token.length === 0 ? undefined : token,
    };
  });
  const egress = response.outgoingEgresses.map((e, i): EgressEffect => {
    const what = `egress message #${i} of ${where}`;
    const namespace = e.egressNamespace;
    const type = e.egressType;
    if (namespace.length === 0 || type.length === 0) {
      invalid(`${what} names egress ${show(`${namespace}/${type}`)}: egress_namespace and egress_type must both be set`);
    }
    return { egress: `${namespace}/${type}`, argument: fromWireValue(e.argument, `the argument of ${what}`) };
  });
  return { mutations, messages, delayed, egress };
}

function readMissing(context: pb.FromFunction_IncompleteInvocationContext, where: string): StateSpecDecl[] {
  return context.missingValues.map((spec, i) => {
    const what = `missing value #${i} of ${where}`;
    const name = spec.stateName;
    if (name.length === 0) invalid(`${what} has no state_name`);
    const typename = spec.typeTypename;
    if (typename.length === 0) invalid(`${what} (state ${show(name)}) has no type_typename`);
    return { name, typename, expiration: readExpiration(spec.expirationSpec, `the expiration of state ${show(name)} in ${what}`) };
  });
}

function readExpiration(spec: pb.FromFunction_ExpirationSpec | null, what: string): Expiration {
  const mode = spec?.mode ?? EXPIRE_NONE;
  if (mode === EXPIRE_NONE) return { mode: 'none', ttlMs: 0 };
  const ttlMs = spec?.expireAfterMillis ?? 0;
  if (mode === EXPIRE_AFTER_WRITE) return { mode: 'after-write', ttlMs };
  if (mode === EXPIRE_AFTER_INVOKE) return { mode: 'after-invoke', ttlMs };
  return invalid(`${what} has unknown expire mode ${String(mode)}`);
}

// ---------------------------------------------------------------------------------------------------------
// The serving side
// ---------------------------------------------------------------------------------------------------------

/**
 * Reads a `ToFunction` request, as a function endpoint receives it. A state sent without a value has
 * typename `''` when the request did not say (StateFun leaves empty values out entirely); the serving side
 * fills in the declared type. Throws a {@link TerminalError} for a body that is not a valid batch request.
 */
export function decodeToFunction(body: Uint8Array): InvocationRequest {
  const wire = decodeWire(pb.decodeToFunction, body, 'the request body', 'is not a ToFunction message');
  const batch = wire.invocation;
  if (batch === null) {
    invalid(`the request body (${body.length} bytes) holds no invocation batch`);
  }
  const target: Address = fromWireAddress(batch.target, 'the target address of the request');
  const where = `the request for ${describeAddress(target)}`;
  const state = batch.state.map((s, i): StateEntry => {
    const name = s.stateName;
    if (name.length === 0) invalid(`state #${i} of ${where} has no state_name`);
    const value = s.stateValue;
    if (value === null || !value.hasValue) {
      return { name, typename: value?.typename ?? '', value: undefined };
    }
    return { name, ...fromWireValue(value, `the value of state ${show(name)} in ${where}`) };
  });
  const invocations = batch.invocations.map((inv, i): Invocation => {
    const what = `invocation #${i} of ${where}`;
    const caller = inv.caller === null ? undefined : fromWireAddress(inv.caller, `the caller of ${what}`);
    return { caller, argument: fromWireValue(inv.argument, `the argument of ${what}`) };
  });
  if (invocations.length === 0) invalid(`${where} holds no invocations`);
  return { target, state, invocations };
}

/** Serializes effects (`InvocationResponse`) or missing states (`IncompleteInvocationContext`) as a `FromFunction`. */
export function encodeFromFunction(answer: InvocationEffects | { readonly missing: readonly StateSpecDecl[] }): Uint8Array {
  if ('missing' in answer) {
    const missingValues = answer.missing.map((spec) => ({
      stateName: spec.name,
      typeTypename: spec.typename,
      ...(spec.expiration.mode === 'none'
        ? {}
        : {
            expirationSpec: {
              mode: spec.expiration.mode === 'after-write' ? EXPIRE_AFTER_WRITE : EXPIRE_AFTER_INVOKE,
              expireAfterMillis: spec.expiration.ttlMs,
            },
          }),
    }));
    return pb.encodeFromFunction({ incompleteInvocationContext: { missingValues } });
  }
  const stateMutations = answer.mutations.map((m) =>
    m.kind === 'delete'
      ? { mutationType: MUTATION_DELETE, stateName: m.name }
      : { mutationType: MUTATION_MODIFY, stateName: m.name, stateValue: toWireValue(m.value) },
  );
  const outgoingMessages = answer.messages.map((m) => ({ target: toWireAddress(m.target), argument: toWireValue(m.argument) }));
  const delayedInvocations = answer.delayed.map((d) =>
    d.kind === 'cancel'
      ? { isCancellationRequest: true, cancellationToken: d.cancellationToken }
      : {
          delayInMs: d.delayMs,
          target: toWireAddress(d.target),
          argument: toWireValue(d.argument),
          ...(d.cancellationToken === undefined ? {} : { cancellationToken: d.cancellationToken }),
        },
  );
  const outgoingEgresses = answer.egress.map((e) => {
    const slash = e.egress.lastIndexOf('/');
    return { egressNamespace: e.egress.slice(0, slash), egressType: e.egress.slice(slash + 1), argument: toWireValue(e.argument) };
  });
  return pb.encodeFromFunction({ invocationResult: { stateMutations, outgoingMessages, delayedInvocations, outgoingEgresses } });
}

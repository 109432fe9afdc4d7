import type { Address } from './address.js';
import type { StateSpecDecl } from './state-spec.js';
import type { TypedValue } from './typed-value.js';

/**
 * The exchange between the runtime and a function, in domain types. It mirrors StateFun's request-reply
 * protocol (`ToFunction` / `FromFunction`), so embedded TypeScript functions and remote functions behind any
 * transport are invoked the same way.
 */

/** One registered state sent with a request. `value` is undefined when the state is empty or expired. */
export interface StateEntry {
  readonly name: string;
  readonly typename: string;
  readonly value: Uint8Array | undefined;
}

/** One message to process: its argument and, unless it came from an ingress, the address that sent it. */
export interface Invocation {
  readonly caller: Address | undefined;
  readonly argument: TypedValue;
}

/** A batch of messages for one address, with all of its registered state (StateFun `InvocationBatchRequest`). */
export interface InvocationRequest {
  readonly target: Address;
  readonly state: readonly StateEntry[];
  readonly invocations: readonly Invocation[];
  /**
   * The turn's time (epoch ms), from which its delays count and with which its effects are stamped. Not on
   * StateFun's wire: a remote function reads its own clock.
   */
  readonly now?: number;
}

/** A change to one state: a new value, or deletion. */
export type StateMutation =
  | { readonly kind: 'modify'; readonly name: string; readonly value: TypedValue }
  | { readonly kind: 'delete'; readonly name: string };

/** A message to another (or the same) address, sent when the turn commits. */
export interface OutgoingMessage {
  readonly target: Address;
  readonly argument: TypedValue;
}

/**
 * A delayed message or the cancellation of one, in the order the function asked for them.
 * Cancellation tokens are scoped to the sending address.
 */
export type DelayedEffect =
  | {
      readonly kind: 'delay';
      readonly delayMs: number;
      readonly target: Address;
      readonly argument: TypedValue;
      /** Optional token to cancel it later; reusing a token that is still pending replaces that message. */
      readonly cancellationToken: string | undefined;
    }
  | { readonly kind: 'cancel'; readonly cancellationToken: string };

/** A record for an egress, identified by the egress typename `namespace/type`. */
export interface EgressEffect {
  readonly egress: string;
  readonly argument: TypedValue;
}

/** Everything a batch asked the runtime to do, in StateFun's order of application. */
export interface InvocationEffects {
  readonly mutations: readonly StateMutation[];
  readonly messages: readonly OutgoingMessage[];
  readonly delayed: readonly DelayedEffect[];
  readonly egress: readonly EgressEffect[];
}

/**
 * The answer to a batch.
 *
 * - `result`: the effects of the first `completed` invocations. When `completed` is less than the batch size,
 *   `failure` says why invocation number `completed` failed; the effects of the ones before it stand
 *   (embedded functions can tell; remote functions fail or succeed as a whole).
 * - `incomplete`: the function needs states the request did not carry (StateFun's
 *   `IncompleteInvocationContext`); no user code ran. The runtime registers them and sends the batch again.
 */
export type InvocationOutcome =
  | ({ readonly kind: 'result'; readonly completed: number; readonly failure?: unknown } & InvocationEffects)
  | { readonly kind: 'incomplete'; readonly missing: readonly StateSpecDecl[] };

/** Invokes one function type: embedded handlers, a remote HTTP endpoint, a Lambda, a test double. */
export interface FunctionInvoker {
  /**
   * Runs the batch. Rejects (with a {@link RetryableError}, a {@link TerminalError} or anything else,
   * which counts as retryable) when nothing of the batch can be used.
   *
   * @param timeoutMs how long the answer may take from now (`Infinity` for no limit); invokers give up by
   *   then. A duration, not a point in time, so that an invoker measures it on its own clock, whatever clock
   *   the engine runs on (a virtual one in tests).
   */
  invoke(request: InvocationRequest, timeoutMs: number): Promise<InvocationOutcome>;
}

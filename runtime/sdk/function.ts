import type { Address } from '../core/address.js';
import { type Duration, durationToMs } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import type { StateSpecDecl } from '../core/state-spec.js';
import { validateStateName, validateStateSpec } from '../core/state-spec.js';
import { parseFunctionTypeName, show } from '../core/typename.js';
import type { EgressMessage } from './egress-records.js';
import type { Message } from './message.js';
import { checkType, type Type } from './types.js';
import type { ValueSpec } from './value-spec.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Specs = Readonly<Record<string, ValueSpec<any>>>;

/** The typed view of a function's declared states: read a property to get, assign to set, assign undefined to delete. */
export type StateOf<S extends Specs> = { -readonly [K in keyof S]: S[K] extends ValueSpec<infer T> ? T | undefined : never };

/** Anything that names a function type, optionally with the type of message it accepts. */
export interface FunctionRef<M = unknown> {
  readonly typename: string;
  readonly accepts?: Type<M> | undefined;
}

/** A message to send: to an address (`to` + `id`), with a value and its type. */
export interface OutgoingMessage<M> {
  /** The target function: its definition (type-checked) or its typename. */
  readonly to: FunctionRef<M> | string;
  readonly id: string;
  readonly value: M;
  /** Type of `value`. Defaults to the target's `accepts`, or to the built-in type of a string or boolean. */
  readonly type?: Type<M>;
}

export interface SendAfterOptions {
  /** Names the delayed message so it can be cancelled; reusing a pending token replaces that message. */
  readonly cancellationToken?: string;
}

/** A state registered at runtime (StateFun 2.2's dynamic state registration). */
export interface StateCell<T> {
  get(): T | undefined;
  /** Writes the value; `undefined` deletes it. */
  set(value: T | undefined): void;
  clear(): void;
}

/**
 * What a handler can do. The context only records intents: messages, delayed messages, cancellations,
 * egress records and state changes take effect together when the turn commits, or not at all.
 */
export interface Context<S extends Specs = Specs> {
  /** The address being invoked. */
  readonly self: Address;
  /** The sending address; undefined for messages from an ingress. */
  readonly caller: Address | undefined;
  /**
   * The time of this batch on the runtime's clock (virtual in the test runtime): the same for every message of
   * the batch, so a handler that branches on time stays deterministic within its turn. Delays count from it:
   * `ctx.sendAfter({ seconds: 10 }, …)` arrives no earlier than `ctx.now()` plus 10 seconds.
   */
  now(): Date;
  /** The declared states, typed. */
  readonly storage: StateOf<S>;
  send<M>(message: OutgoingMessage<M>): void;
  /** Sends after `delay` (a {@link Duration}: `{ days: 3 }`, `"10 s"`; a bare number is refused). */
  sendAfter<M>(delay: Duration, message: OutgoingMessage<M>, options?: SendAfterOptions): void;
  /** Cancels the pending delayed message with this token, if any. */
  cancelDelayedMessage(cancellationToken: string): void;
  sendEgress<V>(record: EgressMessage<V>): void;
  /** A state not declared up front; registered for the function type on first use, persisted by the runtime. */
  state<T>(name: string, spec: ValueSpec<T>): StateCell<T>;
}

export type Handler<S extends Specs> = (ctx: Context<S>, message: Message) => void | Promise<void>;

export interface FunctionOptions<S extends Specs, M> {
  /** Function type `namespace/name`. */
  readonly typename: string;
  /** Declared states by name. */
  readonly specs?: S;
  /** The message type this function expects, so that `ctx.send({ to: thisFunction, … })` type-checks. */
  readonly accepts?: Type<M>;
  readonly handler: Handler<S>;
  /** Most messages per turn. @default 10 (an SQS FIFO batch) */
  readonly maxBatch?: number;
  /** Longest a batch may take before it counts as failed. @default { minutes: 1 } */
  readonly timeout?: Duration;
}

const DEFINITION = Symbol.for('statefun-aws.function-definition');

export interface FunctionDefinition<S extends Specs = Specs, M = unknown> extends FunctionRef<M> {
  readonly [DEFINITION]: true;
  readonly typename: string;
  readonly specs: S;
  readonly accepts: Type<M> | undefined;
  /** Declared as a method so that a definition of any specs is a `FunctionDefinition` (bivariant parameters). */
  handler(ctx: Context<S>, message: Message): void | Promise<void>;
  readonly maxBatch: number;
  readonly timeoutMs: number;
  /** The declared states as the runtime registers them. */
  readonly stateSpecs: readonly StateSpecDecl[];
}

/**
 * Defines a stateful function. Validates eagerly: the error names the function and the bad value.
 *
 * @example
 * export const greeter = defineFunction({
 *   typename: 'example/greeter',
 *   specs: { seen: valueSpec(intType) },
 *   accepts: GreetRequest,
 *   handler(ctx, message) {
 *     const seen = (ctx.storage.seen ?? 0) + 1;
 *     ctx.storage.seen = seen;
 *     ctx.sendEgress(playgroundEgressRecord({ topic: 'greetings', payload: `Hello ${message.as(GreetRequest).name} (${seen})` }));
 *   },
 * });
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export function defineFunction<S extends Specs = {}, M = unknown>(options: FunctionOptions<S, M>): FunctionDefinition<S, M> {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(`defineFunction needs an options object, got ${show(options)}`);
  }
  const { typename } = options;
  parseFunctionTypeName(typename, 'typename of defineFunction');
  if (typeof options.handler !== 'function') {
    throw new ValidationError(`function ${typename} needs a handler function, got ${show(options.handler)}`);
  }
  const specs = (options.specs ?? {}) as S;
  if (typeof specs !== 'object' || specs === null || Array.isArray(specs)) {
    throw new ValidationError(`specs of function ${typename} must be an object of valueSpec(...) by state name, got ${show(specs)}`);
  }
  const stateSpecs: StateSpecDecl[] = Object.entries(specs).map(([name, spec]) => {
    validateStateName(name, typename);
    if (typeof spec !== 'object' || spec === null || typeof spec.type?.typename !== 'string' || spec.expiration === undefined) {
      throw new ValidationError(`state "${name}" of function ${typename} must be declared with valueSpec(type), got ${show(spec)}`);
    }
    // A hand-made spec must hold what valueSpec(...) guarantees, or it would fail only at the first message.
    checkType(spec.type, `type of state "${name}" of function ${typename}`);
    return validateStateSpec({ name, typename: spec.type.typename, expiration: spec.expiration }, typename);
  });
  const maxBatch = options.maxBatch ?? 10;
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) {
    throw new ValidationError(`maxBatch of function ${typename} must be a whole number of at least 1, got ${show(maxBatch)}`);
  }
  const timeoutMs = durationToMs(options.timeout ?? { minutes: 1 }, `timeout of function ${typename}`, { allowZero: false });
  return Object.freeze({
    [DEFINITION]: true as const,
    typename,
    specs,
    accepts: options.accepts,
    handler: options.handler,
    maxBatch,
    timeoutMs,
    stateSpecs: Object.freeze(stateSpecs),
  });
}

export function isFunctionDefinition(value: unknown): value is FunctionDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION] === true;
}

import { type Address, checkAddressId } from '../core/address.js';
import { type Duration, durationToMs } from '../core/duration.js';
import { RetryableError, ValidationError } from '../core/errors.js';
import type {
  DelayedEffect,
  EgressEffect,
  FunctionInvoker,
  InvocationOutcome,
  InvocationRequest,
  OutgoingMessage as OutgoingEffect,
  StateMutation,
} from '../core/invocation.js';
import { sameSpec, type StateSpecDecl, validateStateName } from '../core/state-spec.js';
import { parseFunctionTypeName, parseTypeName, show } from '../core/typename.js';
import { type Clock, systemClock } from '../ports.js';
import type { EgressMessage } from './egress-records.js';
import type { Context, FunctionDefinition, OutgoingMessage, SendAfterOptions, Specs, StateCell, StateOf } from './function.js';
import { Message } from './message.js';
import { boolType, checkType, stringType, type Type } from './types.js';
import type { ValueSpec } from './value-spec.js';

/** Thrown into a handler that reads a state the request did not carry; the batch is answered as incomplete. */
class MissingStateSignal extends Error {
  constructor(readonly spec: StateSpecDecl) {
    super(`state "${spec.name}" is not registered yet`);
  }
}

interface Cell {
  readonly typename: string;
  readonly value: Uint8Array | undefined;
}

const ABSENT = Symbol('absent');

/**
 * The context of one batch. Effects and state changes of each invocation are kept apart until it returns,
 * so that a handler failing on message k leaves the effects of messages 0…k-1 intact and none of its own.
 */
class BatchContext implements Context<Specs> {
  caller: Address | undefined;
  readonly storage: StateOf<Specs>;
  readonly missing: StateSpecDecl[] = [];
  closed = false;

  private readonly base = new Map<string, Cell>();
  /** The state changes of the batch, the running invocation's included. */
  private readonly changes = new Map<string, Uint8Array | typeof ABSENT>();
  /** The states the running invocation changed, and what they were in `changes` (undefined: not there). */
  private readonly undoNames: string[] = [];
  private readonly undoValues: Array<Uint8Array | typeof ABSENT | undefined> = [];
  private sends: OutgoingEffect[] = [];
  private delays: DelayedEffect[] = [];
  private egresses: EgressEffect[] = [];
  readonly batchMessages: OutgoingEffect[] = [];
  readonly batchDelayed: DelayedEffect[] = [];
  readonly batchEgress: EgressEffect[] = [];
  private readonly dynamic = new Map<string, StateSpecDecl>();

  constructor(
    readonly self: Address,
    private readonly definition: FunctionDefinition,
    request: InvocationRequest,
    storageClass: new (ctx: BatchContext) => StateOf<Specs>,
    private readonly at: number,
  ) {
    for (const entry of request.state) this.base.set(entry.name, { typename: entry.typename, value: entry.value });
    this.storage = new storageClass(this);
  }

  now(): Date {
    return new Date(this.at);
  }

  private get where(): string {
    return `function ${this.definition.typename}`;
  }

  private checkOpen(): void {
    if (this.closed) throw new ValidationError(`${this.where} used its context after its batch ended (a handler kept running past its timeout?)`);
  }

  read<T>(spec: StateSpecDecl, type: Type<T>): T | undefined {
    this.checkOpen();
    const bytes = this.bytesOf(spec);
    return bytes === undefined ? undefined : type.deserialize(bytes);
  }

  write<T>(spec: StateSpecDecl, type: Type<T>, value: T | undefined | null): void {
    this.checkOpen();
    this.bytesOf(spec);
    const next = value === undefined || value === null ? ABSENT : type.serialize(value);
    if (!this.undoNames.includes(spec.name)) {
      this.undoNames.push(spec.name);
      this.undoValues.push(this.changes.get(spec.name));
    }
    this.changes.set(spec.name, next);
  }

  private bytesOf(spec: StateSpecDecl): Uint8Array | undefined {
    const changed = this.changes.get(spec.name);
    if (changed !== undefined) return changed === ABSENT ? undefined : changed;
    const cell = this.base.get(spec.name);
    if (cell === undefined || cell.typename !== spec.typename) {
      this.missing.push(spec);
      throw new MissingStateSignal(spec);
    }
    return cell.value;
  }

  send<M>(message: OutgoingMessage<M>): void {
    this.checkOpen();
    this.sends.push(this.outgoing(message, 'ctx.send'));
  }

  sendAfter<M>(delay: Duration, message: OutgoingMessage<M>, options?: SendAfterOptions): void {
    this.checkOpen();
    const delayMs = durationToMs(delay, `delay of ctx.sendAfter in ${this.where}`);
    const token = options?.cancellationToken;
    if (token !== undefined && (typeof token !== 'string' || token.length === 0)) {
      throw new ValidationError(`cancellation token of ctx.sendAfter in ${this.where} must be a non-empty string, got ${show(token)}`);
    }
    const { target, argument } = this.outgoing(message, 'ctx.sendAfter');
    this.delays.push({ kind: 'delay', delayMs, target, argument, cancellationToken: token });
  }

  cancelDelayedMessage(cancellationToken: string): void {
    this.checkOpen();
    if (typeof cancellationToken !== 'string' || cancellationToken.length === 0) {
      throw new ValidationError(`ctx.cancelDelayedMessage in ${this.where} needs a non-empty token, got ${show(cancellationToken)}`);
    }
    this.delays.push({ kind: 'cancel', cancellationToken });
  }

  sendEgress<V>(record: EgressMessage<V>): void {
    this.checkOpen();
    if (typeof record !== 'object' || record === null) {
      throw new ValidationError(`ctx.sendEgress in ${this.where} needs { egress, value, type }, got ${show(record)}`);
    }
    parseTypeName(record.egress, `egress of ctx.sendEgress in ${this.where}`);
    const type = record.type ?? defaultType(record.value);
    if (type === undefined) {
      throw new ValidationError(`ctx.sendEgress to ${record.egress} in ${this.where}: pass a type for ${show(record.value)}`);
    }
    this.egresses.push({ egress: record.egress, argument: { typename: type.typename, value: type.serialize(record.value) } });
  }

  state<T>(name: string, spec: ValueSpec<T>): StateCell<T> {
    this.checkOpen();
    validateStateName(name, this.definition.typename);
    if (typeof spec !== 'object' || spec === null || spec.expiration === undefined) {
      throw new ValidationError(`state "${name}" of ${this.where} must be registered with valueSpec(type), got ${show(spec)}`);
    }
    checkType(spec.type, `type of state "${name}" of ${this.where}`);
    const decl: StateSpecDecl = { name, typename: spec.type.typename, expiration: spec.expiration };
    const declared = this.definition.stateSpecs.find((s) => s.name === name) ?? this.dynamic.get(name);
    if (declared !== undefined && !sameSpec(declared, decl)) {
      throw new ValidationError(
        `${this.where} registers state "${name}" as ${decl.typename} (${decl.expiration.mode}), but it is already ${declared.typename} (${declared.expiration.mode})`,
      );
    }
    this.dynamic.set(name, decl);
    return {
      get: () => this.read(decl, spec.type),
      set: (value) => this.write(decl, spec.type, value),
      clear: () => this.write(decl, spec.type, undefined),
    };
  }

  private outgoing<M>(message: OutgoingMessage<M>, what: string): OutgoingEffect {
    if (typeof message !== 'object' || message === null) {
      throw new ValidationError(`${what} in ${this.where} needs { to, id, value }, got ${show(message)}`);
    }
    const typename = typeof message.to === 'string' ? message.to : message.to?.typename;
    parseFunctionTypeName(typename, `target of ${what} in ${this.where}`);
    checkAddressId(message.id, typename, `the id of ${what} in ${this.where}`);
    const accepts = typeof message.to === 'string' ? undefined : message.to.accepts;
    const type = message.type ?? accepts ?? defaultType(message.value);
    if (type === undefined) {
      throw new ValidationError(`${what} to ${typename} in ${this.where}: pass a type for the value ${show(message.value)}`);
    }
    return { target: { typename: typename, id: message.id }, argument: { typename: type.typename, value: type.serialize(message.value) } };
  }

  /** Keeps the effects of the invocation that just returned. */
  commitInvocation(): void {
    this.undoNames.length = 0;
    this.undoValues.length = 0;
    if (this.sends.length > 0) { this.batchMessages.push(...this.sends); this.sends = []; }
    if (this.delays.length > 0) { this.batchDelayed.push(...this.delays); this.delays = []; }
    if (this.egresses.length > 0) { this.batchEgress.push(...this.egresses); this.egresses = []; }
  }

  /** Drops the effects of the invocation that just failed. */
  discardInvocation(): void {
    for (let i = this.undoNames.length - 1; i >= 0; i--) {
      const previous = this.undoValues[i];
      if (previous === undefined) this.changes.delete(this.undoNames[i]!);
      else this.changes.set(this.undoNames[i]!, previous);
    }
    this.undoNames.length = 0;
    this.undoValues.length = 0;
    this.sends = [];
    this.delays = [];
    this.egresses = [];
  }

  mutations(): StateMutation[] {
    const out: StateMutation[] = [];
    for (const [name, value] of this.changes) {
      if (value === ABSENT) {
        out.push({ kind: 'delete', name });
      } else {
        const typename = this.base.get(name)?.typename ?? this.dynamic.get(name)?.typename;
        out.push({ kind: 'modify', name, value: { typename: typename!, value } });
      }
    }
    return out;
  }
}

function defaultType(value: unknown): Type<never> | undefined {
  if (typeof value === 'string') return stringType as Type<never>;
  if (typeof value === 'boolean') return boolType as Type<never>;
  return undefined;
}

const storageClasses = new WeakMap<FunctionDefinition, new (ctx: BatchContext) => StateOf<Specs>>();

/** One class per definition with an accessor per declared state, so storage access is a plain property access. */
function storageClassOf(definition: FunctionDefinition): new (ctx: BatchContext) => StateOf<Specs> {
  let cls = storageClasses.get(definition);
  if (cls !== undefined) return cls;
  const ctxKey = Symbol('ctx');
  const Storage = function (this: Record<symbol, BatchContext>, ctx: BatchContext) {
    this[ctxKey] = ctx;
  } as unknown as new (ctx: BatchContext) => StateOf<Specs>;
  for (const decl of definition.stateSpecs) {
    const type = definition.specs[decl.name]!.type as Type<unknown>;
    Object.defineProperty(Storage.prototype, decl.name, {
      enumerable: true,
      get(this: Record<symbol, BatchContext>) {
        return this[ctxKey]!.read(decl, type);
      },
      set(this: Record<symbol, BatchContext>, value: unknown) {
        this[ctxKey]!.write(decl, type, value);
      },
    });
  }
  Object.defineProperty(Storage.prototype, 'toJSON', {
    value(this: Record<string, unknown>) {
      return Object.fromEntries(definition.stateSpecs.map((s) => [s.name, this[s.name]]));
    },
  });
  storageClasses.set(definition, (cls = Storage));
  return cls;
}

/** setTimeout fires at once for longer delays. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Invokes a TypeScript function definition in-process, exactly as a remote function would be invoked:
 * request in, effects out. Used embedded in the dispatcher and `statefun dev`, and behind the remote
 * request-reply handlers, so one definition runs either way unchanged.
 *
 * @param clock the engine's clock, for `ctx.now()` (a virtual one in tests).
 */
export function embeddedInvoker(definition: FunctionDefinition, clock: Clock = systemClock): FunctionInvoker {
  const storageClass = storageClassOf(definition);
  return {
    async invoke(request: InvocationRequest, timeoutMs: number): Promise<InvocationOutcome> {
      const started = Date.now();
      const ctx = new BatchContext(request.target, definition, request, storageClass, request.now ?? clock.now());
      let timeout: Promise<'timeout'> | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let completed = 0;
      let failure: unknown;
      try {
        for (const invocation of request.invocations) {
          ctx.caller = invocation.caller;
          let failed = false;
          try {
            const returned = definition.handler(ctx, new Message(invocation.argument));
            if (isThenable(returned)) {
              if (Number.isFinite(timeoutMs)) {
                timeout ??= new Promise<'timeout'>((resolve) => {
                  timer = setTimeout(() => resolve('timeout'), Math.min(MAX_TIMEOUT_MS, Math.max(0, timeoutMs - (Date.now() - started))));
                });
                const settled = await Promise.race([returned, timeout]);
                if (settled === 'timeout') {
                  ctx.closed = true;
                  failed = true;
                  failure = new RetryableError(`${definition.typename} did not finish its batch before its deadline`);
                }
              } else {
                await returned;
              }
            }
          } catch (error) {
            failed = true;
            failure = error;
          }
          if (ctx.missing.length > 0) return { kind: 'incomplete', missing: dedupeSpecs(ctx.missing) };
          if (failed) {
            ctx.discardInvocation();
            break;
          }
          ctx.commitInvocation();
          completed++;
        }
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        ctx.closed = true;
      }
      return {
        kind: 'result',
        completed,
        ...(completed < request.invocations.length ? { failure } : {}),
        mutations: ctx.mutations(),
        messages: ctx.batchMessages,
        delayed: ctx.batchDelayed,
        egress: ctx.batchEgress,
      };
    },
  };
}

function dedupeSpecs(specs: readonly StateSpecDecl[]): StateSpecDecl[] {
  return [...new Map(specs.map((s) => [s.name, s])).values()];
}

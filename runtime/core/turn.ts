import { type Address, addressKey, sameAddress } from './address.js';
import { DedupTracker, type DedupPolicy } from './dedup.js';
import { type Envelope, egressKey, messageId, timerId } from './envelope.js';
import { TerminalError } from './errors.js';
import type { Invocation, InvocationEffects, InvocationRequest, StateEntry } from './invocation.js';
import type { AddressRecord, EgressRecord, PendingTimer, StoredValue, TimerOp } from './record.js';
import { type StateSpecDecl, UNTYPED_STATE_TYPENAME } from './state-spec.js';
import { show } from './typename.js';

/**
 * One turn: an address processes an ordered batch of messages against its record (DESIGN "turn").
 * {@link planTurn} decides what each delivered message means; the function runs the request;
 * {@link applyTurn} folds its effects into the next record. Both are pure.
 */

export interface TurnContext {
  readonly self: Address;
  /** Epoch ms, from the runtime's clock. */
  readonly now: number;
  /** All states registered for the function type; each request carries all of them. */
  readonly specs: readonly StateSpecDecl[];
  /** Most invocations in one request (StateFun `maxNumBatchRequests`, SQS FIFO batch of 10). */
  readonly maxBatch: number;
  readonly dedup: DedupPolicy;
  /** See {@link Outbox.releaseProvenByAck}. */
  readonly releaseProvenByAck: boolean;
}

/** What one delivered message means for this turn. */
export type TurnItem =
  /** Run the function on it. `timer` is set for a delayed message the address sent to itself, now due. */
  | { readonly kind: 'invoke'; readonly envelope: Envelope; readonly timer: PendingTimer | undefined }
  /** A delayed message to another address came due: send it on. */
  | { readonly kind: 'forward'; readonly envelope: Envelope; readonly timer: PendingTimer }
  /** Already applied, a timer that was cancelled or fired before, or a control message with nothing to do. */
  | { readonly kind: 'skip'; readonly envelope: Envelope; readonly reason: 'duplicate' | 'stale-timer' | 'ignored' };

export interface TurnPlan {
  /** Messages taken into this turn, in delivery order. */
  readonly items: readonly TurnItem[];
  /** The request for the `invoke` items, or undefined when there is none. */
  readonly request: InvocationRequest | undefined;
  /** When set, this message (and every later one) must be parked: see {@link DedupPolicy}. */
  readonly parkFrom: { readonly envelope: Envelope; readonly reason: string } | undefined;
  /** Messages not taken (batch limit), for the next turn. */
  readonly rest: readonly Envelope[];
}

/** Decides the meaning of each delivery and builds the request. Throws {@link TerminalError} on a state type clash. */
export function planTurn(record: AddressRecord, deliveries: readonly Envelope[], ctx: TurnContext): TurnPlan {
  const tracker = new DedupTracker(record.dedup, record.lastConsumed);
  const items: TurnItem[] = [];
  const invocations: Invocation[] = [];
  // Allocated on first use: most batches hold no timer fire.
  let firedTimers: Set<string> | undefined;
  const invokedIds: string[] = [];
  let parkFrom: TurnPlan['parkFrom'];
  let taken = 0;

  for (; taken < deliveries.length; taken++) {
    const envelope = deliveries[taken]!;
    const { origin } = envelope;
    if (origin.kind === 'control') {
      // A replay or skip for an address that is not (or no longer) parked: nothing to do.
      items.push({ kind: 'skip', envelope, reason: 'ignored' });
      continue;
    }
    if (origin.kind === 'timer') {
      const timer = firedTimers?.has(origin.timerId) === true ? undefined : record.timers.get(origin.timerId);
      if (timer === undefined) {
        items.push({ kind: 'skip', envelope, reason: 'stale-timer' });
        continue;
      }
      const toSelf = sameAddress(timer.target, ctx.self);
      if (toSelf && invocations.length >= ctx.maxBatch) break;
      (firedTimers ??= new Set()).add(origin.timerId);
      if (toSelf) {
        invocations.push({ caller: ctx.self, argument: timer.argument });
        items.push({ kind: 'invoke', envelope, timer });
      } else {
        items.push({ kind: 'forward', envelope, timer });
      }
      continue;
    }
    const verdict = invokedIds.includes(envelope.id) ? 'duplicate' : tracker.judge(envelope);
    if (verdict === 'duplicate') {
      items.push({ kind: 'skip', envelope, reason: 'duplicate' });
      continue;
    }
    if (verdict === 'ambiguous') {
      parkFrom = {
        envelope,
        reason:
          `message ${show(envelope.id)} was sent again after a failure, and ${addressKey(ctx.self)} no longer ` +
          `remembers whether it applied it (its dedup memory reaches back to ${new Date(record.dedup.forgottenUntil).toISOString()}): ` +
          `parked instead of risking a duplicate; replay it if it was not applied, skip it if it was`,
      };
      break;
    }
    if (invocations.length >= ctx.maxBatch) break;
    tracker.remember(envelope, ctx.now);
    invokedIds.push(envelope.id);
    invocations.push({ caller: envelope.caller, argument: envelope.argument });
    items.push({ kind: 'invoke', envelope, timer: undefined });
  }

  const rest = parkFrom === undefined ? deliveries.slice(taken) : [];
  const request =
    invocations.length === 0 ? undefined : { target: ctx.self, state: stateEntries(record, ctx), invocations, now: turnTime(record, ctx) };
  return { items, request, parkFrom, rest };
}

/** The registered states as the request carries them: expired values read as empty. */
export function stateEntries(record: AddressRecord, ctx: Pick<TurnContext, 'specs' | 'now' | 'self'>): StateEntry[] {
  return ctx.specs.map((spec) => {
    const stored = record.values.get(spec.name);
    if (stored === undefined || isExpired(stored, ctx.now)) {
      return { name: spec.name, typename: spec.typename, value: undefined };
    }
    if (spec.typename === UNTYPED_STATE_TYPENAME) return { name: spec.name, typename: stored.typename, value: stored.value };
    if (stored.typename !== spec.typename) {
      throw new TerminalError(
        `state "${spec.name}" of ${addressKey(ctx.self)} holds a value of type ${stored.typename}, ` +
          `but the function registers it as ${spec.typename}`,
      );
    }
    return { name: spec.name, typename: spec.typename, value: stored.value };
  });
}

export function isExpired(value: StoredValue, now: number): boolean {
  return value.expiresAt !== undefined && value.expiresAt <= now;
}

/** The function's answer for a plan: the effects of the first `completed` invocations. */
export interface TurnOutcome extends InvocationEffects {
  readonly completed: number;
}

export interface TurnResult {
  /** The record to commit, at version `record.version + 1`. Undefined when the turn consumed nothing. */
  readonly record: AddressRecord | undefined;
  readonly effects: { readonly messages: readonly Envelope[]; readonly timers: readonly TimerOp[]; readonly egress: readonly EgressRecord[] };
  /** The deliveries this commit consumes. */
  readonly consumed: readonly Envelope[];
  /** Deliveries of the plan that this turn did not consume (after a failed invocation). */
  readonly unconsumed: readonly Envelope[];
}

/** The turn's time: the clock's, but never before the address's last commit, so its stamps never go back. */
function turnTime(record: AddressRecord, ctx: TurnContext): number {
  return Math.max(ctx.now, record.lastCommitAt);
}

/**
 * Folds a turn's outcome into the next record. Effects apply in StateFun's order: messages, delayed messages
 * and cancellations, egress, state mutations. Throws {@link TerminalError} when the function asked for
 * something invalid (unregistered state, wrong state type, empty cancellation token, negative delay).
 */
export function applyTurn(record: AddressRecord, plan: TurnPlan, outcome: TurnOutcome, ctx: TurnContext): TurnResult {
  const self = ctx.self;
  const selfKey = addressKey(self);

  // Consume every item up to the first invocation that did not complete.
  let invoked = 0;
  let cut = plan.items.length;
  for (let i = 0; i < plan.items.length; i++) {
    if (plan.items[i]!.kind !== 'invoke') continue;
    if (invoked === outcome.completed) {
      cut = i;
      break;
    }
    invoked++;
  }
  const taken = plan.items.slice(0, cut);
  const consumed = taken.map((item) => item.envelope);
  const unconsumed = plan.items.slice(cut).map((item) => item.envelope);
  const changes = taken.some((item) => item.kind !== 'skip');
  if (!changes) return { record: undefined, effects: { messages: [], timers: [], egress: [] }, consumed, unconsumed };

  const turn = record.version + 1;
  const commitAt = turnTime(record, ctx);
  const incarnation = record.version === 0 ? commitAt : record.incarnation;
  const messages: Envelope[] = [];
  const send = (target: Address, argument: Envelope['argument']): void => {
    const index = messages.length;
    messages.push({
      id: messageId(selfKey, incarnation, turn, index),
      target,
      caller: self,
      argument,
      origin: { kind: 'function', sender: self, incarnation, turn, index, sentAt: commitAt },
    });
  };

  let timers: Map<string, PendingTimer> | undefined;
  const mutableTimers = (): Map<string, PendingTimer> => (timers ??= new Map(record.timers));
  const tracker = new DedupTracker(record.dedup, []);
  for (const item of taken) {
    if (item.kind === 'skip') continue;
    if (item.kind === 'forward') {
      send(item.timer.target, item.timer.argument);
    }
    if (item.timer !== undefined) mutableTimers().delete(item.timer.timerId);
    else tracker.remember(item.envelope, commitAt);
  }

  for (const message of outcome.messages) send(message.target, message.argument);

  const timerOps: TimerOp[] = [];
  outcome.delayed.forEach((effect, index) => {
    if (effect.kind === 'cancel') {
      if (effect.cancellationToken.length === 0) {
        throw new TerminalError(`${where(self)} asked to cancel a delayed message with an empty cancellation token`);
      }
      const pending = findByToken(timers ?? record.timers, effect.cancellationToken);
      if (pending !== undefined) {
        mutableTimers().delete(pending.timerId);
        timerOps.push({ kind: 'cancel', timer: { timerId: pending.timerId, owner: self, dueAt: pending.dueAt } });
      }
      return;
    }
    if (!Number.isSafeInteger(effect.delayMs) || effect.delayMs < 0) {
      throw new TerminalError(`${where(self)} sent a delayed message with an invalid delay ${show(effect.delayMs)} ms`);
    }
    const token = effect.cancellationToken === '' ? undefined : effect.cancellationToken;
    if (effect.delayMs === 0 && token === undefined) {
      send(effect.target, effect.argument);
      return;
    }
    if (token !== undefined) {
      const replaced = findByToken(timers ?? record.timers, token);
      if (replaced !== undefined) {
        mutableTimers().delete(replaced.timerId);
        timerOps.push({ kind: 'cancel', timer: { timerId: replaced.timerId, owner: self, dueAt: replaced.dueAt } });
      }
    }
    const id = timerId(selfKey, incarnation, turn, index);
    const dueAt = commitAt + effect.delayMs;
    mutableTimers().set(id, { timerId: id, token, dueAt, target: effect.target, argument: effect.argument });
    timerOps.push({ kind: 'schedule', timer: { timerId: id, owner: self, dueAt } });
  });

  const egress: EgressRecord[] = outcome.egress.map((effect, index) => ({
    key: egressKey(selfKey, incarnation, turn, index),
    egress: effect.egress,
    argument: effect.argument,
    source: self,
    at: commitAt,
  }));

  const values = applyMutations(record, outcome, invoked > 0, ctx, commitAt);

  return {
    record: {
      version: turn,
      incarnation,
      values,
      timers: timers ?? record.timers,
      dedup: tracker.finish(commitAt, ctx.dedup),
      lastConsumed: consumed.map((e) => e.id),
      outbox: { turn, messages, timers: timerOps, egress, releaseProvenByAck: ctx.releaseProvenByAck },
      lastCommitAt: commitAt,
      parked: record.parked,
    },
    effects: { messages, timers: timerOps, egress },
    consumed,
    unconsumed,
  };
}

function where(self: Address): string {
  return `function ${self.typename} (id ${show(self.id)})`;
}

/** The spec of a state by name; the last one wins, should a name come twice. */
function specNamed(specs: readonly StateSpecDecl[], name: string): StateSpecDecl | undefined {
  for (let i = specs.length - 1; i >= 0; i--) if (specs[i]!.name === name) return specs[i];
  return undefined;
}

function findByToken(timers: ReadonlyMap<string, PendingTimer>, token: string): PendingTimer | undefined {
  for (const timer of timers.values()) if (timer.token === token) return timer;
  return undefined;
}

function applyMutations(
  record: AddressRecord,
  outcome: TurnOutcome,
  invoked: boolean,
  ctx: TurnContext,
  commitAt: number,
): ReadonlyMap<string, StoredValue> {
  let values: Map<string, StoredValue> | undefined;
  const mutable = (): Map<string, StoredValue> => (values ??= new Map(record.values));

  for (const [name, stored] of record.values) if (isExpired(stored, ctx.now)) mutable().delete(name);
  if (invoked) {
    for (const spec of ctx.specs) {
      if (spec.expiration.mode !== 'after-invoke') continue;
      const stored = (values ?? record.values).get(spec.name);
      if (stored !== undefined) mutable().set(spec.name, { ...stored, expiresAt: commitAt + spec.expiration.ttlMs });
    }
  }
  for (const mutation of outcome.mutations) {
    const spec = specNamed(ctx.specs, mutation.name);
    if (spec === undefined) {
      throw new TerminalError(`${where(ctx.self)} changed state ${show(mutation.name)}, which is not registered for it`);
    }
    if (mutation.kind === 'delete') {
      mutable().delete(mutation.name);
      continue;
    }
    const untyped = spec.typename === UNTYPED_STATE_TYPENAME;
    if (!untyped && mutation.value.typename !== spec.typename) {
      throw new TerminalError(
        `${where(ctx.self)} wrote a value of type ${mutation.value.typename} to state "${mutation.name}", registered as ${spec.typename}`,
      );
    }
    const expiresAt = spec.expiration.mode === 'none' ? undefined : commitAt + spec.expiration.ttlMs;
    mutable().set(mutation.name, { typename: mutation.value.typename, value: mutation.value.value, expiresAt });
  }
  return values ?? record.values;
}

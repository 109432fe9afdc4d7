import { type Address, addressKey } from '../core/address.js';
import { DEFAULT_DEDUP_POLICY, type DedupPolicy } from '../core/dedup.js';
import { asResent, type Envelope } from '../core/envelope.js';
import { describeError, isStatefunError, TerminalError } from '../core/errors.js';
import type { InvocationOutcome, InvocationRequest } from '../core/invocation.js';
import { type AddressRecord, type Effects, netTimerOps } from '../core/record.js';
import { afterFailure, DEFAULT_RETRY_POLICY, type RetryPolicy } from '../core/retry-policy.js';
import { type StateSpecDecl, validateStateSpec } from '../core/state-spec.js';
import { applyTurn, planTurn, stateEntries, type TurnContext, type TurnOutcome, type TurnPlan } from '../core/turn.js';
import { show } from '../core/typename.js';
import {
  type Clock,
  type DeadLetter,
  type DeadLetterStore,
  type DelayScheduler,
  type EgressSink,
  type MessageBus,
  type Metrics,
  noMetrics,
  type SpecStore,
  type StateStore,
} from '../ports.js';
import type { EgressCatalog, FunctionBinding, FunctionRegistry } from './function-registry.js';

/** A message handed to the runner, with the number of this delivery attempt (1 for the first). */
export interface Delivery {
  readonly envelope: Envelope;
  readonly attempt: number;
}

/** What became of one delivery: acknowledge it, or leave it to be delivered again after `afterMs`. */
export type DeliveryOutcome =
  | { readonly kind: 'done'; readonly how: 'consumed' | 'duplicate' | 'stale-timer' | 'parked' | 'ignored' }
  | { readonly kind: 'retry'; readonly afterMs: number; readonly cause: string };

export interface TurnRunnerDeps {
  readonly store: StateStore;
  readonly deadLetters: DeadLetterStore;
  readonly specStore: SpecStore;
  readonly bus: MessageBus;
  readonly scheduler: DelayScheduler;
  readonly egress: EgressSink & EgressCatalog;
  readonly functions: FunctionRegistry;
  readonly clock: Clock;
  readonly metrics?: Metrics;
  readonly retry?: RetryPolicy;
  readonly dedup?: DedupPolicy;
  /**
   * True when deliveries come from an ordered stream whose next message is only delivered once the previous
   * one was acknowledged (an SQS FIFO group, a local mailbox). See {@link Outbox.releaseProvenByAck}.
   */
  readonly releaseProvenByAck: boolean;
  /** Start no new turn with less than this left before the deadline. Default 1,000 ms. */
  readonly safetyMarginMs?: number;
}

const EMPTY_OUTCOME: TurnOutcome = Object.freeze({ completed: 0, mutations: [], messages: [], delayed: [], egress: [] });
/** The outcomes of consumed deliveries, shared: they carry nothing of the delivery. */
const DONE_CONSUMED: DeliveryOutcome = Object.freeze({ kind: 'done', how: 'consumed' });
const DONE_SKIPPED: Readonly<Record<'duplicate' | 'stale-timer' | 'ignored', DeliveryOutcome>> = Object.freeze({
  duplicate: Object.freeze({ kind: 'done', how: 'duplicate' }),
  'stale-timer': Object.freeze({ kind: 'done', how: 'stale-timer' }),
  ignored: Object.freeze({ kind: 'done', how: 'ignored' }),
});
const MAX_REGISTRATION_ROUNDS = 3;

/**
 * Runs turns for one address at a time: the commit protocol of DESIGN I1–I7 over the ports.
 *
 * For a batch of deliveries to one address, in order: load the record; release the last turn's effects again
 * if a delivery shows they may not have left (I4); drop duplicates (I3); invoke the function; commit state,
 * consumption and effects in one conditional write (I1, I2); release the effects; acknowledge. A failing
 * message is retried with backoff, then its address is parked with it and every later message (I7).
 *
 * Callers must not run two batches of the same address at once in one process; across processes the
 * conditional commit fences the slower writer off.
 */
export class TurnRunner {
  private readonly metrics: Metrics;
  private readonly retry: RetryPolicy;
  private readonly dedup: DedupPolicy;
  private readonly margin: number;
  private readonly registered = new Map<string, readonly StateSpecDecl[]>();

  constructor(private readonly deps: TurnRunnerDeps) {
    this.metrics = deps.metrics ?? noMetrics;
    this.retry = deps.retry ?? DEFAULT_RETRY_POLICY;
    this.dedup = deps.dedup ?? DEFAULT_DEDUP_POLICY;
    this.margin = deps.safetyMarginMs ?? 1000;
  }

  /**
   * Processes the deliveries of one address, in order, and says for each whether to acknowledge it.
   * Never rejects for a failure of the function; rejects only if a port fails outside a turn.
   *
   * @param deadline epoch ms by which the runner must have returned (e.g. from a Lambda's remaining time).
   */
  async run(address: Address, deliveries: readonly Delivery[], deadline = Number.POSITIVE_INFINITY): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = new Array<DeliveryOutcome>(deliveries.length);
    if (deliveries.length === 0) return outcomes;
    const record = await this.deps.store.load(address);
    const all = deliveries.map((_, i) => i);
    if (record.parked !== undefined) {
      await this.whileParked(address, record, deliveries, all, outcomes, deadline);
    } else {
      await this.process(address, record, deliveries, all, outcomes, deadline, undefined);
    }
    return outcomes;
  }

  /**
   * The turn loop. In replay mode (`replay` set) the deliveries are dead letters of a parked address: consumed
   * letters are removed from the store after each commit, a failure leaves the address parked, and the
   * address is unparked when every letter is through.
   */
  private async process(
    address: Address,
    initial: AddressRecord,
    deliveries: readonly Delivery[],
    indices: readonly number[],
    outcomes: DeliveryOutcome[],
    deadline: number,
    replay: { readonly control: Delivery } | undefined,
  ): Promise<{ record: AddressRecord; finished: boolean }> {
    const { clock, store } = this.deps;
    const functionType = address.typename;
    const binding = this.deps.functions.resolve(functionType);
    let record = initial;
    let pending = indices;
    let previousReleased = false;
    let forceSingle = false;

    const retryAll = (from: readonly number[], afterMs: number, cause: string): void => {
      for (const i of from) outcomes[i] = { kind: 'retry', afterMs, cause };
    };
    const backoffFor = (i: number, error: unknown): number => {
      const step = afterFailure({ ...this.retry, maxAttempts: Number.POSITIVE_INFINITY }, deliveries[i]!.attempt, error);
      return step.kind === 'retry' ? step.afterMs : 0;
    };
    const fail = async (from: readonly number[], error: unknown): Promise<{ record: AddressRecord; finished: boolean }> => {
      const first = from[0]!;
      const attempt = replay !== undefined ? replay.control.attempt : deliveries[first]!.attempt;
      const step = afterFailure(this.retry, attempt, error);
      if (step.kind === 'retry') {
        this.metrics.retried(functionType, step.cause);
        retryAll(from, step.afterMs, step.cause);
        return { record, finished: false };
      }
      record = await this.park(address, record, deliveries, from, outcomes, step.cause, replay !== undefined);
      return { record, finished: false };
    };

    while (pending.length > 0) {
      if (clock.now() > deadline - this.margin) {
        retryAll(pending, 0, 'time budget of this run spent');
        return { record, finished: false };
      }
      const envelopes = pending.map((i) => deliveries[i]!.envelope);
      if (!previousReleased && needsRelease(record, envelopes)) {
        try {
          await this.release(record.outbox!, true);
        } catch (error) {
          retryAll(pending, backoffFor(pending[0]!, error), `releasing the effects of turn ${record.outbox!.turn} failed: ${describeError(error)}`);
          return { record, finished: false };
        }
        previousReleased = true;
      }
      // Only after the release above: parking must not drop a committed turn's unreleased effects (I4).
      if (binding === undefined) {
        return fail(pending, new TerminalError(`no function is bound for type ${show(functionType)} (message for ${addressKey(address)})`));
      }

      const cachedOrLoading = this.specsFor(binding);
      let specs = Array.isArray(cachedOrLoading) ? (cachedOrLoading as readonly StateSpecDecl[]) : await cachedOrLoading;
      const single = forceSingle || (replay === undefined && deliveries[pending[0]!]!.attempt > 1);
      let ctx = this.context(address, specs, single ? 1 : binding.maxBatch);
      let plan: TurnPlan;
      try {
        plan = planTurn(record, envelopes, ctx);
      } catch (error) {
        return fail(pending, error);
      }

      if (plan.items.length === 0 && plan.parkFrom === undefined) {
        throw new Error(`internal: a turn of ${addressKey(address)} took no message (batch limit ${ctx.maxBatch})`);
      }
      let outcome = EMPTY_OUTCOME;
      let failure: unknown;
      if (plan.request !== undefined) {
        const started = clock.now();
        for (const item of plan.items) if (item.kind === 'invoke') this.metrics.delivered(functionType, started - enteredAt(item.envelope));
        try {
          const answer = await this.invoke(binding, plan.request, record, ctx, deadline);
          if (answer.specs !== specs) {
            specs = answer.specs;
            ctx = { ...ctx, specs };
          }
          this.validateEffects(answer.outcome, address);
          outcome = answer.outcome;
          if (outcome.completed < plan.request.invocations.length) {
            failure = answer.outcome.failure ?? new Error('the function did not complete the batch');
          }
        } catch (error) {
          if (isStatefunError(error, 'terminal') && plan.request.invocations.length > 1 && !forceSingle) {
            forceSingle = true;
            continue;
          }
          failure = error;
        }
        this.metrics.invoked(functionType, outcome.completed, clock.now() - started);
      }

      let result;
      try {
        result = applyTurn(record, plan, outcome, ctx);
      } catch (error) {
        if (plan.request !== undefined && plan.request.invocations.length > 1 && !forceSingle) {
          forceSingle = true;
          continue;
        }
        failure = error;
        result = applyTurn(record, plan, EMPTY_OUTCOME, ctx);
      }
      const taken = pending.slice(0, plan.items.length);
      const consumedIdx = taken.slice(0, result.consumed.length);

      if (result.record !== undefined) {
        try {
          const receipt = await store.commit({ address, expectedVersion: record.version, record: result.record });
          record = receipt.record;
          if (!receipt.effectsReleased) await this.release(result.effects, false);
        } catch (error) {
          if (isStatefunError(error, 'version-conflict')) {
            this.metrics.conflict(functionType);
            retryAll(pending, 0, describeError(error));
          } else {
            retryAll(pending, backoffFor(pending[0]!, error), `commit or release failed: ${describeError(error)}`);
          }
          return { record, finished: false };
        }
      }
      // Also when nothing was committed (every letter a duplicate or stale timer): they are through all the same.
      if (replay !== undefined && result.consumed.length > 0) {
        await this.deps.deadLetters.removeLetters(address, result.consumed.map((e) => e.id));
      }
      for (let k = 0; k < consumedIdx.length; k++) {
        const item = plan.items[k]!;
        if (item.kind === 'skip') {
          if (item.reason === 'duplicate') this.metrics.duplicateDropped(functionType);
          outcomes[consumedIdx[k]!] = DONE_SKIPPED[item.reason];
        } else {
          outcomes[consumedIdx[k]!] = DONE_CONSUMED;
        }
      }
      forceSingle = false;

      if (failure !== undefined) return fail(pending.slice(consumedIdx.length), failure);
      if (plan.parkFrom !== undefined) {
        record = await this.park(address, record, deliveries, pending.slice(plan.items.length), outcomes, plan.parkFrom.reason, replay !== undefined);
        return { record, finished: false };
      }
      pending = pending.slice(plan.items.length);
    }
    return { record, finished: true };
  }

  private context(self: Address, specs: readonly StateSpecDecl[], maxBatch: number): TurnContext {
    return {
      self,
      now: this.deps.clock.now(),
      specs,
      maxBatch,
      dedup: this.dedup,
      releaseProvenByAck: this.deps.releaseProvenByAck,
    };
  }

  /** Invokes, registering missing states and resending as often as the function asks (within reason). */
  private async invoke(
    binding: FunctionBinding,
    request: InvocationRequest,
    record: AddressRecord,
    ctx: TurnContext,
    deadline: number,
  ): Promise<{ outcome: Extract<InvocationOutcome, { kind: 'result' }>; specs: readonly StateSpecDecl[] }> {
    let specs = ctx.specs;
    let current = request;
    const callDeadline = Math.min(deadline - this.margin / 2, this.deps.clock.now() + binding.callTimeoutMs);
    for (let round = 0; round <= MAX_REGISTRATION_ROUNDS; round++) {
      const outcome = await binding.invoker.invoke(current, Math.max(0, callDeadline - this.deps.clock.now()));
      if (outcome.kind === 'result') return { outcome, specs };
      if (round === MAX_REGISTRATION_ROUNDS || outcome.missing.length === 0) break;
      const missing = outcome.missing.map((spec) => validateStateSpec(spec, binding.typename));
      await this.deps.specStore.registerSpecs(binding.typename, missing);
      specs = mergeSpecs(specs, missing);
      this.registered.set(binding.typename, mergeSpecs(this.registered.get(binding.typename) ?? [], missing));
      current = { ...current, state: stateEntries(record, { ...ctx, specs }) };
    }
    throw new TerminalError(
      `function ${binding.typename} kept answering that states are missing after ${MAX_REGISTRATION_ROUNDS} registrations`,
    );
  }

  /** The specs of a function type: synchronous once its registrations are cached (the hot path). */
  private specsFor(binding: FunctionBinding): readonly StateSpecDecl[] | Promise<readonly StateSpecDecl[]> {
    const registered = this.registered.get(binding.typename);
    if (registered === undefined) {
      return this.deps.specStore.loadSpecs(binding.typename).then((loaded) => {
        this.registered.set(binding.typename, loaded);
        return loaded.length === 0 ? binding.specs : mergeSpecs(binding.specs, loaded);
      });
    }
    return registered.length === 0 ? binding.specs : mergeSpecs(binding.specs, registered);
  }

  /** An unknown target function or egress parks the address with a clear reason (never a lost message). */
  private validateEffects(outcome: TurnOutcome, address: Address): void {
    for (const message of outcome.messages) this.checkTarget(message.target, address);
    for (const delayed of outcome.delayed) if (delayed.kind === 'delay') this.checkTarget(delayed.target, address);
    for (const record of outcome.egress) {
      if (!this.deps.egress.has(record.egress)) {
        throw new TerminalError(`${where(address)} sent a record to egress ${show(record.egress)}, but no such egress is configured`);
      }
    }
  }

  private checkTarget(target: Address, sender: Address): void {
    if (this.deps.functions.resolve(target.typename) === undefined) {
      throw new TerminalError(`${where(sender)} sent a message to ${show(target.typename)}, but no such function type is bound`);
    }
  }

  /** Releases effects: messages, timers and egress, each idempotently (I4). */
  private async release(effects: Effects, resent: boolean): Promise<void> {
    const { schedule, cancel } = netTimerOps(effects.timers);
    const { bus, scheduler, egress } = this.deps;
    await Promise.all([
      effects.messages.length > 0 ? bus.send(resent ? effects.messages.map(asResent) : effects.messages) : undefined,
      schedule.length > 0 ? scheduler.schedule(schedule) : undefined,
      cancel.length > 0 ? scheduler.cancel(cancel) : undefined,
      effects.egress.length > 0 ? egress.publish(effects.egress) : undefined,
    ]);
  }

  /** Parks the address with the given deliveries as its dead letters, in order (I7). */
  private async park(
    address: Address,
    record: AddressRecord,
    deliveries: readonly Delivery[],
    indices: readonly number[],
    outcomes: DeliveryOutcome[],
    cause: string,
    alreadyParked: boolean,
  ): Promise<AddressRecord> {
    const now = this.deps.clock.now();
    // On a failed replay `deliveries` are the letters: the one that failed now is the one to look at.
    const firstId = indices.length > 0 ? deliveries[indices[0]!]!.envelope.id : (record.parked?.messageId ?? '');
    const parked: AddressRecord = {
      ...record,
      version: record.version + 1,
      lastConsumed: [],
      outbox: undefined,
      lastCommitAt: Math.max(now, record.lastCommitAt),
      parked: { since: alreadyParked ? (record.parked?.since ?? now) : now, reason: cause, messageId: firstId },
    };
    let stored: AddressRecord;
    try {
      stored = (await this.deps.store.commit({ address, expectedVersion: record.version, record: parked })).record;
    } catch (error) {
      if (!alreadyParked) for (const i of indices) outcomes[i] = { kind: 'retry', afterMs: 0, cause: describeError(error) };
      return record;
    }
    this.metrics.parked(address, cause);
    if (alreadyParked) return stored;
    // Letters only once the park is durable: a park that failed must leave no letter behind, or a later replay
    // would apply a message that was retried and applied meanwhile. If this append fails, the messages come
    // again and join the letters of the now parked address.
    const letters: DeadLetter[] = indices.map((i, k) => ({
      envelope: deliveries[i]!.envelope,
      cause: k === 0 ? cause : `behind a failed message of a parked address: ${cause}`,
      at: now,
      attempts: deliveries[i]!.attempt,
    }));
    try {
      await this.deps.deadLetters.appendLetters(address, letters);
    } catch (error) {
      for (const i of indices) outcomes[i] = { kind: 'retry', afterMs: 0, cause: describeError(error) };
      return stored;
    }
    for (const i of indices) outcomes[i] = { kind: 'done', how: 'parked' };
    return stored;
  }

  /** A parked address: messages join its dead letters; control messages replay or skip them. */
  private async whileParked(
    address: Address,
    initial: AddressRecord,
    deliveries: readonly Delivery[],
    indices: readonly number[],
    outcomes: DeliveryOutcome[],
    deadline: number,
  ): Promise<void> {
    let record = initial;
    let letters: number[] = [];
    const flush = async (): Promise<void> => {
      if (letters.length === 0) return;
      const now = this.deps.clock.now();
      const reason = record.parked?.reason ?? 'parked';
      await this.deps.deadLetters.appendLetters(
        address,
        letters.map((i) => ({ envelope: deliveries[i]!.envelope, cause: `arrived while the address was parked: ${reason}`, at: now, attempts: deliveries[i]!.attempt })),
      );
      for (const i of letters) outcomes[i] = { kind: 'done', how: 'parked' };
      letters = [];
    };
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      const { envelope } = deliveries[i]!;
      if (envelope.origin.kind !== 'control') {
        letters.push(i);
        continue;
      }
      await flush();
      const replayed = await this.replay(address, record, deliveries[i]!, envelope.origin, deadline);
      record = replayed.record;
      outcomes[i] = replayed.outcome;
      if (replayed.outcome.kind === 'retry') {
        for (const j of indices.slice(k + 1)) outcomes[j] = { kind: 'retry', afterMs: 0, cause: 'behind an unfinished replay' };
        return;
      }
      if (record.parked === undefined) {
        await this.process(address, record, deliveries, indices.slice(k + 1), outcomes, deadline, undefined);
        return;
      }
    }
    await flush();
  }

  /**
   * Replays the dead letters of a parked address (after dropping one, for `skip`). Unparks it when all are
   * through; a failure leaves it parked with the new cause, or asks for the control message again later.
   */
  private async replay(
    address: Address,
    initial: AddressRecord,
    control: Delivery,
    command: Extract<Envelope['origin'], { kind: 'control' }>,
    deadline: number,
  ): Promise<{ record: AddressRecord; outcome: DeliveryOutcome }> {
    const { deadLetters } = this.deps;
    let letters = await deadLetters.listLetters(address);
    if (command.command === 'skip') {
      // By default the message the address is parked on; a letter left by an unfinished park may precede it.
      const skip = command.messageId ?? initial.parked?.messageId ?? letters[0]?.envelope.id;
      if (skip !== undefined) {
        await deadLetters.removeLetters(address, [skip]);
        letters = letters.filter((l) => l.envelope.id !== skip);
      }
    }
    // `replay` is the operator's word that the message the address is parked on was not applied: if it was
    // parked as ambiguous (a re-sent copy older than the dedup memory), it must not be judged ambiguous again.
    const vouched = command.command === 'replay' ? initial.parked?.messageId : undefined;
    const replayed: Delivery[] = letters.map((l) => ({ envelope: l.envelope.id === vouched ? notResent(l.envelope) : l.envelope, attempt: 1 }));
    const outcomes: DeliveryOutcome[] = new Array<DeliveryOutcome>(replayed.length);
    const { record, finished } = await this.process(address, initial, replayed, replayed.map((_, i) => i), outcomes, deadline, { control });
    if (!finished) {
      const retry = outcomes.find((o): o is Extract<DeliveryOutcome, { kind: 'retry' }> => o?.kind === 'retry');
      return { record, outcome: retry ?? { kind: 'done', how: 'consumed' } };
    }
    const unparked: AddressRecord = {
      ...record,
      version: record.version + 1,
      parked: undefined,
      lastConsumed: [],
      lastCommitAt: Math.max(this.deps.clock.now(), record.lastCommitAt),
    };
    const receipt = await this.deps.store.commit({ address, expectedVersion: record.version, record: unparked });
    return { record: receipt.record, outcome: { kind: 'done', how: 'consumed' } };
  }
}

function where(address: Address): string {
  return `function ${address.typename} (id ${show(address.id)})`;
}

/** Whether the last turn's effects must be released before anything else (DESIGN I4). */
export function needsRelease(record: AddressRecord, envelopes: readonly Envelope[]): boolean {
  const { outbox } = record;
  if (outbox === undefined) return false;
  if (!outbox.releaseProvenByAck) return true;
  return envelopes.some((e) => record.lastConsumed.includes(e.id));
}

/** The envelope as a first copy: no longer checked against the receiver's forgotten horizon. */
function notResent(envelope: Envelope): Envelope {
  const { origin } = envelope;
  if ((origin.kind !== 'function' && origin.kind !== 'ingress') || origin.resent !== true) return envelope;
  return { ...envelope, origin: { ...origin, resent: false } };
}

/** When a message entered the system, for delivery latency. */
function enteredAt(envelope: Envelope): number {
  const { origin } = envelope;
  switch (origin.kind) {
    case 'function':
      return origin.sentAt;
    case 'ingress':
      return origin.acceptedAt;
    case 'timer':
      return origin.dueAt;
    case 'control':
      return origin.issuedAt;
  }
}

export function mergeSpecs(base: readonly StateSpecDecl[], added: readonly StateSpecDecl[]): readonly StateSpecDecl[] {
  const byName = new Map(base.map((s) => [s.name, s]));
  for (const spec of added) byName.set(spec.name, spec);
  return [...byName.values()];
}

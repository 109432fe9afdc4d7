/**
 * Hand-written fakes of the engine's ports, for tests of the turn runner. Each keeps what it was asked to do,
 * in order, and can be told to fail its next calls.
 */
import { type Address, addressKey } from '../../../runtime/core/address.js';
import type { Envelope } from '../../../runtime/core/envelope.js';
import { VersionConflictError } from '../../../runtime/core/errors.js';
import type { FunctionBinding, FunctionRegistry } from '../../../runtime/core/function-binding.js';
import type { FunctionInvoker, InvocationEffects, InvocationOutcome, InvocationRequest } from '../../../runtime/core/invocation.js';
import { type AddressRecord, type EgressRecord, emptyRecord, type TimerRef } from '../../../runtime/core/record.js';
import type { StateSpecDecl } from '../../../runtime/core/state-spec.js';
import type { EgressCatalog } from '../../../runtime/engine/function-registry.js';
import { mergeSpecs, TurnRunner, type TurnRunnerDeps } from '../../../runtime/engine/turn-runner.js';
import type {
  Clock,
  CommitReceipt,
  DeadLetter,
  DeadLetterStore,
  DelayScheduler,
  EgressSink,
  MessageBus,
  Metrics,
  RecordCommit,
  SpecStore,
  StateStore,
} from '../../../runtime/ports.js';

export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
}

/** Records by address; checks the expected version like a conditional write. */
export class FakeStore implements StateStore {
  readonly records = new Map<string, AddressRecord>();
  readonly commits: RecordCommit[] = [];
  /** Failures for the next commits, in order: `'conflict'` as another writer would cause, or any error. */
  readonly failNext: Array<'conflict' | Error> = [];

  load(address: Address): Promise<AddressRecord> {
    return Promise.resolve(this.records.get(addressKey(address)) ?? emptyRecord());
  }

  commit(commit: RecordCommit): Promise<CommitReceipt> {
    const key = addressKey(commit.address);
    const failure = this.failNext.shift();
    const current = this.records.get(key)?.version ?? 0;
    if (failure === 'conflict') return Promise.reject(new VersionConflictError(key, commit.expectedVersion, current + 1));
    if (failure !== undefined) return Promise.reject(failure);
    if (current !== commit.expectedVersion) return Promise.reject(new VersionConflictError(key, commit.expectedVersion, current));
    this.records.set(key, commit.record);
    this.commits.push(commit);
    return Promise.resolve({ effectsReleased: false, record: commit.record });
  }

  record(address: Address): AddressRecord {
    return this.records.get(addressKey(address)) ?? emptyRecord();
  }
}

export class FakeBus implements MessageBus {
  readonly sent: Envelope[] = [];
  readonly failNext: Error[] = [];
  send(messages: readonly Envelope[]): Promise<void> {
    const failure = this.failNext.shift();
    if (failure !== undefined) return Promise.reject(failure);
    this.sent.push(...messages);
    return Promise.resolve();
  }
}

export class FakeScheduler implements DelayScheduler {
  readonly scheduled: TimerRef[] = [];
  readonly cancelled: TimerRef[] = [];
  schedule(timers: readonly TimerRef[]): Promise<void> {
    this.scheduled.push(...timers);
    return Promise.resolve();
  }
  cancel(timers: readonly TimerRef[]): Promise<void> {
    this.cancelled.push(...timers);
    return Promise.resolve();
  }
}

export class FakeEgress implements EgressSink, EgressCatalog {
  readonly published: EgressRecord[] = [];
  constructor(private readonly names: readonly string[] = ['test/out']) {}
  has(egress: string): boolean {
    return this.names.includes(egress);
  }
  publish(records: readonly EgressRecord[]): Promise<void> {
    this.published.push(...records);
    return Promise.resolve();
  }
}

export class FakeDeadLetters implements DeadLetterStore {
  private readonly letters = new Map<string, { address: Address; letters: DeadLetter[] }>();

  appendLetters(address: Address, letters: readonly DeadLetter[]): Promise<void> {
    const key = addressKey(address);
    const entry = this.letters.get(key) ?? { address, letters: [] };
    for (const letter of letters) if (!entry.letters.some((l) => l.envelope.id === letter.envelope.id)) entry.letters.push(letter);
    this.letters.set(key, entry);
    return Promise.resolve();
  }
  listLetters(address: Address): Promise<readonly DeadLetter[]> {
    return Promise.resolve([...(this.letters.get(addressKey(address))?.letters ?? [])]);
  }
  removeLetters(address: Address, ids: readonly string[]): Promise<void> {
    const entry = this.letters.get(addressKey(address));
    if (entry !== undefined) entry.letters = entry.letters.filter((l) => !ids.includes(l.envelope.id));
    return Promise.resolve();
  }
  addressesWithLetters(): Promise<readonly Address[]> {
    return Promise.resolve([...this.letters.values()].filter((e) => e.letters.length > 0).map((e) => e.address));
  }
  /** Ids of the letters of `address`, in order. */
  ids(address: Address): string[] {
    return (this.letters.get(addressKey(address))?.letters ?? []).map((l) => l.envelope.id);
  }
  of(address: Address): DeadLetter[] {
    return [...(this.letters.get(addressKey(address))?.letters ?? [])];
  }
}

export class FakeSpecStore implements SpecStore {
  readonly specs = new Map<string, readonly StateSpecDecl[]>();
  readonly registrations: Array<{ functionType: string; specs: readonly StateSpecDecl[] }> = [];
  loadSpecs(functionType: string): Promise<readonly StateSpecDecl[]> {
    return Promise.resolve(this.specs.get(functionType) ?? []);
  }
  registerSpecs(functionType: string, specs: readonly StateSpecDecl[]): Promise<void> {
    this.registrations.push({ functionType, specs });
    this.specs.set(functionType, mergeSpecs(this.specs.get(functionType) ?? [], specs));
    return Promise.resolve();
  }
}

export class CountingMetrics implements Metrics {
  readonly counts = { invoked: 0, delivered: 0, retried: 0, parked: 0, duplicateDropped: 0, conflict: 0 };
  invoked(): void {
    this.counts.invoked++;
  }
  delivered(): void {
    this.counts.delivered++;
  }
  retried(): void {
    this.counts.retried++;
  }
  parked(): void {
    this.counts.parked++;
  }
  duplicateDropped(): void {
    this.counts.duplicateDropped++;
  }
  conflict(): void {
    this.counts.conflict++;
  }
}

/** The effects of one invocation, as a scripted function returns them. */
export type Answer = Partial<InvocationEffects> | Error | { readonly incomplete: readonly StateSpecDecl[] };

/**
 * A function that answers each invocation by a script, as an embedded function would: effects per message,
 * and a failure at message k keeps the effects of the messages before it.
 */
export class ScriptedInvoker implements FunctionInvoker {
  readonly requests: InvocationRequest[] = [];
  constructor(private readonly script: (request: InvocationRequest, index: number) => Answer | Promise<Answer>) {}

  async invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    this.requests.push(request);
    const total: { mutations: unknown[]; messages: unknown[]; delayed: unknown[]; egress: unknown[] } = { mutations: [], messages: [], delayed: [], egress: [] };
    for (let i = 0; i < request.invocations.length; i++) {
      const answer = await this.script(request, i);
      if ('incomplete' in answer) return { kind: 'incomplete', missing: answer.incomplete };
      if (answer instanceof Error) return { kind: 'result', completed: i, failure: answer, ...(total as InvocationEffects) };
      total.mutations.push(...(answer.mutations ?? []));
      total.messages.push(...(answer.messages ?? []));
      total.delayed.push(...(answer.delayed ?? []));
      total.egress.push(...(answer.egress ?? []));
    }
    return { kind: 'result', completed: request.invocations.length, ...(total as InvocationEffects) };
  }

  /** The string arguments of every invocation, request by request. */
  batches(decode: (bytes: Uint8Array) => string): string[][] {
    return this.requests.map((r) => r.invocations.map((i) => decode(i.argument.value)));
  }
}

export class FakeRegistry implements FunctionRegistry {
  readonly bindings = new Map<string, FunctionBinding>();
  bind(typename: string, invoker: FunctionInvoker, options: { specs?: readonly StateSpecDecl[]; maxBatch?: number } = {}): this {
    this.bindings.set(typename, { typename, invoker, specs: options.specs ?? [], maxBatch: options.maxBatch ?? 10, callTimeoutMs: 60_000 });
    return this;
  }
  resolve(typename: string): FunctionBinding | undefined {
    return this.bindings.get(typename);
  }
}

export interface Harness {
  readonly store: FakeStore;
  readonly bus: FakeBus;
  readonly scheduler: FakeScheduler;
  readonly egress: FakeEgress;
  readonly deadLetters: FakeDeadLetters;
  readonly specStore: FakeSpecStore;
  readonly metrics: CountingMetrics;
  readonly clock: ManualClock;
  readonly functions: FakeRegistry;
  runner(overrides?: Partial<TurnRunnerDeps>): TurnRunner;
}

export function harness(): Harness {
  const parts = {
    store: new FakeStore(),
    bus: new FakeBus(),
    scheduler: new FakeScheduler(),
    egress: new FakeEgress(),
    deadLetters: new FakeDeadLetters(),
    specStore: new FakeSpecStore(),
    metrics: new CountingMetrics(),
    clock: new ManualClock(),
    functions: new FakeRegistry(),
  };
  return {
    ...parts,
    runner: (overrides = {}) =>
      new TurnRunner({
        ...parts,
        releaseProvenByAck: true,
        safetyMarginMs: 0,
        retry: { maxAttempts: 3, initialBackoffMs: 1000, maxBackoffMs: 60_000, multiplier: 2 },
        ...overrides,
      }),
  };
}

import { type Address, addressKey } from '../../core/address.js';
import { DEFAULT_DEDUP_POLICY, type DedupPolicy } from '../../core/dedup.js';
import { type Duration, durationToMs } from '../../core/duration.js';
import type { FunctionBinding } from '../../core/function-binding.js';
import type { EgressRecord, ParkInfo, PendingTimer, StoredValue, TimerRef } from '../../core/record.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../core/retry-policy.js';
import { isExpired } from '../../core/turn.js';
import { StaticFunctionRegistry } from '../../engine/function-registry.js';
import type { DeadLetter } from '../../ports.js';
import { embeddedBinding } from '../../sdk/binding.js';
import { PLAYGROUND_EGRESS, type PlaygroundEgressRecord, PlaygroundEgressRecordType } from '../../sdk/egress-records.js';
import type { FunctionDefinition, FunctionRef, Specs, StateOf } from '../../sdk/function.js';
import { boolType, stringType, type Type } from '../../sdk/types.js';
import { type BackendSnapshot, LocalBackend } from '../backend.js';
import { type Journal, type JournalEntry } from '../journal.js';
import { type IngestReceipt, LocalRuntime } from '../runtime.js';
import { VirtualClock } from '../timer-service.js';
import { Faults } from './faults.js';

export interface TestRuntimeOptions {
  /** The functions under test. */
  readonly functions?: readonly FunctionDefinition[];
  /** More function types: fakes, remote invokers. */
  readonly bindings?: readonly FunctionBinding[];
  /** Egress typenames that exist. @default ['io.statefun.playground/egress'] */
  readonly egresses?: readonly string[];
  /** Virtual time at start (a Date, epoch ms, or an ISO string). @default 2026-01-01T00:00:00Z */
  readonly startTime?: Date | number | string;
  readonly retry?: Partial<RetryPolicy>;
  readonly dedup?: Partial<DedupPolicy>;
  /**
   * @default true: a commit's effects apply atomically with it. False releases them through the ports
   * after the commit, as the AWS backend does, so `crashMidRelease` and re-releases can be tested.
   */
  readonly atomicEffects?: boolean;
}

/** A message to put into the runtime through the ingress. */
export interface TestMessage<M> {
  readonly to: FunctionRef<M> | string;
  readonly id: string;
  readonly value: M;
  /** Type of `value`: defaults to the target's `accepts`, or to the built-in type of a string or boolean. */
  readonly type?: Type<M>;
  /** An `Idempotency-Key`: a second message with the same key (to the same address) is accepted once. */
  readonly idempotencyKey?: string;
}

/** A message one function sent another. */
export interface SentMessage {
  readonly id: string;
  readonly from: Address;
  readonly to: Address;
  readonly typename: string;
  readonly value: Uint8Array;
  as<T>(type: Type<T>): T;
}

export interface ParkedAddressReport {
  readonly address: Address;
  readonly info: ParkInfo;
  readonly letters: readonly DeadLetter[];
}

const DURABLE = Promise.resolve();

/** Everything the test runtime journals is durable at once; the observer sees each entry first. */
class ObservedJournal implements Journal {
  constructor(private readonly observe: (entry: JournalEntry) => void) {}
  append(entry: JournalEntry): Promise<void> {
    this.observe(entry);
    return DURABLE;
  }
}

/**
 * Runs functions in memory, on virtual time, with the same engine and commit protocol as `statefun dev` and
 * the AWS dispatcher. Check state, sent messages and egress records; skip time to fire delayed messages;
 * inject faults to check your functions under the exactly-once guarantees.
 *
 * @example
 * const t = createTestRuntime({ functions: [greeter] });
 * await t.send({ to: greeter, id: 'Bob', value: { name: 'Bob' } });
 * expect(t.state(greeter, 'Bob').seen).toBe(1);
 * expect(t.playgroundPayloads('greetings')).toEqual(['Hello Bob']);
 */
export class TestRuntime {
  readonly clock: VirtualClock;
  readonly faults: Faults;
  private readonly registry = new StaticFunctionRegistry();
  private readonly definitions = new Map<string, FunctionDefinition>();
  private readonly egresses: Set<string>;
  private readonly journal: ObservedJournal;
  private readonly sent = new Map<string, SentMessage>();
  private readonly emitted = new Map<string, EgressRecord>();
  private readonly retry: RetryPolicy;
  private readonly dedup: DedupPolicy;
  private readonly atomic: boolean;
  private backend!: LocalBackend;
  private runtime!: LocalRuntime;
  private errors: unknown[] = [];

  constructor(options: TestRuntimeOptions = {}) {
    const start = options.startTime === undefined ? undefined : new Date(options.startTime).getTime();
    this.clock = new VirtualClock(start);
    for (const definition of options.functions ?? []) {
      this.registry.bind(embeddedBinding(definition, this.clock));
      this.definitions.set(definition.typename, definition);
    }
    for (const binding of options.bindings ?? []) this.registry.bind(binding);
    this.egresses = new Set(options.egresses ?? [PLAYGROUND_EGRESS]);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.dedup = { ...DEFAULT_DEDUP_POLICY, ...options.dedup };
    this.atomic = options.atomicEffects ?? true;
    this.faults = new Faults({
      now: () => this.clock.now(),
      at: (time, action) => {
        this.clock.setTimer(time, () => void action().catch((e: unknown) => this.errors.push(e)));
      },
      deliverCopy: (envelope) => this.backend.ingest([envelope]),
      fire: (timer) => this.backend.fire(timer),
    });
    this.journal = new ObservedJournal((entry) => {
      this.record(entry);
      this.faults.observe(entry);
    });
    this.boot(undefined);
  }

  private boot(state: BackendSnapshot | undefined): void {
    this.backend = new LocalBackend({ journal: this.journal, clock: this.clock, atomicEffects: this.atomic });
    if (state !== undefined) this.backend.restore(state);
    this.runtime = new LocalRuntime({
      backend: this.backend,
      functions: this.registry,
      egress: { has: (name) => this.egresses.has(name) },
      timers: this.clock,
      retry: this.retry,
      dedup: this.dedup,
      faults: this.faults.runtimeFaults(),
      onError: (error) => this.errors.push(error),
    });
    this.runtime.start();
  }

  private record(entry: JournalEntry): void {
    const messages = entry.op === 'commit' ? entry.enqueue : entry.op === 'enqueue' ? entry.messages : [];
    for (const { envelope } of messages) {
      if (envelope.origin.kind !== 'function' || this.sent.has(envelope.id)) continue;
      const { argument } = envelope;
      this.sent.set(envelope.id, {
        id: envelope.id,
        from: envelope.origin.sender,
        to: envelope.target,
        typename: argument.typename,
        value: argument.value,
        as: <T>(type: Type<T>) => type.deserialize(argument.value),
      });
    }
    const egress = entry.op === 'commit' || entry.op === 'egress' ? (entry.op === 'commit' ? entry.egress : entry.records) : [];
    for (const record of egress) if (!this.emitted.has(record.key)) this.emitted.set(record.key, record);
  }

  /** Virtual now, epoch ms. */
  get now(): number {
    return this.clock.now();
  }

  /** Puts a message in through the ingress and runs until nothing more is deliverable now. */
  async send<M>(message: TestMessage<M>): Promise<IngestReceipt> {
    const receipt = await this.ingest(message);
    await this.run();
    return receipt;
  }

  /** Puts a message in through the ingress without running anything. */
  ingest<M>(message: TestMessage<M>): Promise<IngestReceipt> {
    const typename = typeof message.to === 'string' ? message.to : message.to.typename;
    const accepts = typeof message.to === 'string' ? undefined : message.to.accepts;
    const type =
      message.type ?? accepts ?? ((typeof message.value === 'string' ? stringType : typeof message.value === 'boolean' ? boolType : undefined) as Type<M> | undefined);
    if (type === undefined) throw new TypeError(`pass a type for the message to ${typename}`);
    const target = { typename, id: message.id };
    const argument = { typename: type.typename, value: type.serialize(message.value) };
    const { idempotencyKey } = message;
    return this.runtime.ingest(idempotencyKey === undefined ? { target, argument } : { target, argument, idempotencyKey });
  }

  /** Processes until nothing is deliverable at the current virtual time (retries and timers may wait). */
  async run(): Promise<void> {
    await this.runtime.idle();
    this.throwErrors();
  }

  /**
   * Moves virtual time forward, stopping at every due timer and retry on the way to process what came due.
   *
   * @example await t.advance({ days: 3 })
   */
  async advance(duration: Duration): Promise<void> {
    const target = this.clock.now() + durationToMs(duration, 'advance');
    await this.run();
    for (;;) {
      const next = this.clock.nextDue();
      if (next === undefined || next > target) break;
      this.clock.advanceTo(next);
      await this.run();
    }
    this.clock.advanceTo(target);
    await this.run();
  }

  /** The states of an address, decoded with the function's declared types; expired values read as undefined. */
  state<S extends Specs>(fn: FunctionDefinition<S>, id: string): Readonly<StateOf<S>> {
    const values = this.storedValues({ typename: fn.typename, id });
    const out: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(fn.specs)) {
      const stored = values.get(name);
      out[name] = stored === undefined ? undefined : (spec.type as Type<unknown>).deserialize(stored.value);
    }
    return out as StateOf<S>;
  }

  /** The stored, unexpired values of an address, by state name (dynamically registered states too). */
  storedValues(address: Address): ReadonlyMap<string, StoredValue> {
    const record = this.backend.recordOf(addressKey(address));
    const out = new Map<string, StoredValue>();
    if (record === undefined) return out;
    for (const [name, value] of record.values) if (!isExpired(value, this.now)) out.set(name, value);
    return out;
  }

  /** Every message functions sent each other, once each, in commit order. */
  messages(filter: { readonly to?: FunctionRef | string; readonly from?: FunctionRef | string } = {}): SentMessage[] {
    const name = (ref: FunctionRef | string | undefined): string | undefined => (typeof ref === 'string' ? ref : ref?.typename);
    const to = name(filter.to);
    const from = name(filter.from);
    return [...this.sent.values()].filter((m) => (to === undefined || m.to.typename === to) && (from === undefined || m.from.typename === from));
  }

  /** Every egress record emitted, once each, in commit order. */
  egress(egress: string = PLAYGROUND_EGRESS): EgressRecord[] {
    return [...this.emitted.values()].filter((r) => r.egress === egress);
  }

  /** The values of an egress's records, decoded. */
  egressValues<V>(type: Type<V>, egress: string = PLAYGROUND_EGRESS): V[] {
    return this.egress(egress).map((r) => type.deserialize(r.argument.value));
  }

  /** Payloads sent to a playground egress topic, in order. */
  playgroundPayloads(topic: string, egress: string = PLAYGROUND_EGRESS): string[] {
    return this.egressValues<PlaygroundEgressRecord>(PlaygroundEgressRecordType, egress)
      .filter((r) => r.topic === topic)
      .map((r) => r.payload);
  }

  /** Delayed messages an address sent that are still pending: `pendingTimers(fn, id)` or `pendingTimers(address)`. */
  pendingTimers(fn: FunctionRef | Address, id?: string): PendingTimer[] {
    const address: Address = id === undefined ? (fn as Address) : { typename: fn.typename, id };
    return [...(this.backend.recordOf(addressKey(address))?.timers.values() ?? [])];
  }

  /** Every parked address, with why and its dead letters in order. */
  async parked(): Promise<ParkedAddressReport[]> {
    const out: ParkedAddressReport[] = [];
    for (const address of await this.backend.addressesWithLetters()) {
      const info = this.backend.recordOf(addressKey(address))?.parked;
      if (info === undefined) continue;
      out.push({ address, info, letters: await this.backend.listLetters(address) });
    }
    return out;
  }

  /** Replays the dead letters of a parked address, in order, and runs. */
  replay(address: Address): Promise<void> {
    return this.control(address, 'replay', undefined);
  }

  /** Drops one dead letter (the first, or `messageId`) of a parked address, replays the rest, and runs. */
  skip(address: Address, messageId?: string): Promise<void> {
    return this.control(address, 'skip', messageId);
  }

  private async control(address: Address, command: 'replay' | 'skip', messageId: string | undefined): Promise<void> {
    const id = `control:${command}:${addressKey(address)}:${this.now}:${Math.random().toString(36).slice(2)}`;
    await this.backend.ingest([
      {
        id,
        target: address,
        caller: undefined,
        argument: { typename: 'statefun-aws.internal/signal', value: new Uint8Array(0) },
        origin: { kind: 'control', command, issuedAt: this.now, ...(messageId !== undefined ? { messageId } : {}) },
      },
    ]);
    await this.run();
  }

  /**
   * Simulates a crash and a restart: everything not durable is dropped (delivery attempts, backoffs, dedup
   * windows of the bus) and the runtime starts again from the durable state, as `statefun dev` recovers from
   * its data directory. Messages in flight come again.
   */
  async restart(): Promise<void> {
    await this.runtime.stop();
    this.boot(this.backend.snapshot());
    await this.run();
  }

  /** Stops the runtime. */
  stop(): Promise<void> {
    return this.runtime.stop();
  }

  /** @internal Fires a timer as if the scheduler did (used by fault injection). */
  fireTimer(timer: TimerRef): Promise<void> {
    return this.backend.fire(timer);
  }

  private throwErrors(): void {
    if (this.errors.length === 0) return;
    const errors = this.errors;
    this.errors = [];
    throw new AggregateError(errors, `the runtime reported ${errors.length} error(s) outside any turn: ${String(errors[0])}`);
  }
}

/** Creates and starts a {@link TestRuntime}. */
export function createTestRuntime(options: TestRuntimeOptions = {}): TestRuntime {
  return new TestRuntime(options);
}

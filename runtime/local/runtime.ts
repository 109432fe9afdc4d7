import { randomBytes } from 'node:crypto';
import { type Address, addressKey } from '../core/address.js';
import type { DedupPolicy } from '../core/dedup.js';
import { type Envelope, ingressMessageId } from '../core/envelope.js';
import { describeError } from '../core/errors.js';
import type { EgressRecord, TimerRef } from '../core/record.js';
import type { RetryPolicy } from '../core/retry-policy.js';
import type { TypedValue } from '../core/typed-value.js';
import type { EgressCatalog, FunctionRegistry } from '../engine/function-registry.js';
import { type Delivery, type DeliveryOutcome, TurnRunner } from '../engine/turn-runner.js';
import type { DelayScheduler, EgressSink, MessageBus, Metrics, StateStore } from '../ports.js';
import type { LocalBackend } from './backend.js';
import type { TimerService } from './timer-service.js';

/** A message entering through an ingress. */
export interface IngressMessage {
  readonly target: Address;
  readonly argument: TypedValue;
  /** The client's `Idempotency-Key`: a message with a key already used is accepted once (I3). */
  readonly idempotencyKey?: string;
}

export interface IngestReceipt {
  readonly messageId: string;
  /** True when the key was used before: nothing new was enqueued. */
  readonly duplicate: boolean;
}

/** The ports the engine writes through, as fault injection may wrap them. */
export interface EnginePorts {
  readonly store: StateStore;
  readonly bus: MessageBus;
  readonly scheduler: DelayScheduler;
  readonly egress: EgressSink;
}

/** Hooks for fault injection; the test harness sets them. */
export interface RuntimeFaults {
  /** Wraps the ports the engine sees (e.g. to crash before or after a commit, or halfway through a release). */
  wrapPorts?(ports: EnginePorts): EnginePorts;
  /** How many fire envelopes a due timer produces (2 = fired twice). */
  fireCopies?(timer: TimerRef): number;
  /** How much later than due a timer fires (0 = on time). */
  fireDelayMs?(timer: TimerRef): number;
}

export interface LocalRuntimeOptions {
  readonly backend: LocalBackend;
  readonly functions: FunctionRegistry;
  readonly egress: EgressCatalog;
  readonly timers: TimerService;
  readonly metrics?: Metrics;
  readonly retry?: RetryPolicy;
  readonly dedup?: DedupPolicy;
  /** Most turns in flight at once, over all addresses. @default 512 */
  readonly concurrency?: number;
  readonly faults?: RuntimeFaults;
  /** Called with errors no turn could report (a port failing outside a turn). */
  readonly onError?: (error: unknown) => void;
  /**
   * Called for each egress record once it is durable, while the runtime runs (records already in the backend
   * at start are not replayed: read them with `backend.egressRecords`). Egress readers and sinks use it.
   */
  readonly onEgressAppended?: (record: EgressRecord) => void;
}

/**
 * Runs an app on the embedded backend: one mailbox per address, at most one turn per address at a time,
 * turns of different addresses concurrently (their commits share the journal's group commit), timers fired
 * when due, failed messages retried with backoff.
 */
export class LocalRuntime {
  readonly runner: TurnRunner;
  private readonly backend: LocalBackend;
  private readonly timers: TimerService;
  private readonly concurrency: number;
  private readonly ready = new Set<string>();
  private readonly running = new Set<string>();
  private readonly wakeups = new Map<string, () => void>();
  private inFlight = 0;
  private pumpScheduled = false;
  private stopped = true;
  private firing = false;
  private timerArmedAt: number | undefined;
  private cancelTimer: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];
  /** Minted ingress ids: a random prefix per runtime start and a counter, unique without a random draw each. */
  private readonly idPrefix = randomBytes(9).toString('base64url');
  private mintedCount = 0;
  /** Timers whose fire fault injection holds back. */
  private readonly lateFires = new Set<string>();

  constructor(private readonly options: LocalRuntimeOptions) {
    this.backend = options.backend;
    this.timers = options.timers;
    this.concurrency = options.concurrency ?? 512;
    const backend = this.backend;
    const direct: EnginePorts = { store: backend, bus: backend, scheduler: backend, egress: backend };
    const ports = options.faults?.wrapPorts?.(direct) ?? direct;
    this.runner = new TurnRunner({
      store: ports.store,
      deadLetters: backend,
      specStore: backend,
      bus: ports.bus,
      scheduler: ports.scheduler,
      egress: { publish: (records) => ports.egress.publish(records), has: (name) => options.egress.has(name) },
      functions: options.functions,
      clock: options.timers,
      ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(options.dedup !== undefined ? { dedup: options.dedup } : {}),
      releaseProvenByAck: true,
      safetyMarginMs: 0,
    });
  }

  /** Starts delivering: every mailbox with messages, and the timers. */
  start(): void {
    this.stopped = false;
    this.backend.setListener({
      enqueued: (key) => this.markReady(key),
      timersChanged: () => this.armTimers(),
      egressAppended: (_egress, record) => this.options.onEgressAppended?.(record),
      journalFailed: (error) => this.options.onError?.(error),
    });
    for (const key of this.backend.mailboxKeys()) if ((this.backend.mailbox(key)?.size ?? 0) > 0) this.ready.add(key);
    this.armTimers();
    this.schedulePump();
  }

  /** Stops taking new turns and waits for the running ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    for (const cancel of this.wakeups.values()) cancel();
    this.wakeups.clear();
    while (this.inFlight > 0 || this.firing) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Accepts a message from an ingress; resolves once it is durable. */
  ingest(message: IngressMessage): Promise<IngestReceipt> {
    const now = this.timers.now();
    const key = message.idempotencyKey;
    if (key !== undefined) {
      const scoped = `${addressKey(message.target)}\u0000${key}`;
      const known = this.backend.ingressKey(scoped);
      if (known !== undefined) return Promise.resolve({ messageId: known.messageId, duplicate: true });
      const messageId = ingressMessageId(`${addressKey(message.target)}#${key}`);
      const receipt: IngestReceipt = { messageId, duplicate: false };
      return this.backend.ingest([this.envelope(message, messageId, scoped, true, now)], [{ key: scoped, messageId, at: now }]).then(() => receipt);
    }
    const minted = `${(this.mintedCount++).toString(36)}.${this.idPrefix}`;
    const messageId = ingressMessageId(minted);
    const receipt: IngestReceipt = { messageId, duplicate: false };
    return this.backend.ingest([this.envelope(message, messageId, minted, false, now)]).then(() => receipt);
  }

  private envelope(message: IngressMessage, id: string, key: string, keyed: boolean, now: number): Envelope {
    return {
      id,
      target: message.target,
      caller: undefined,
      argument: message.argument,
      origin: { kind: 'ingress', key, keyed, acceptedAt: now },
    };
  }

  /** Resolves when nothing is deliverable now and no turn is running (retries and timers may be pending). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.ready.size === 0 && !this.firing && !this.pumpScheduled;
  }

  private checkIdle(): void {
    if (!this.isIdle() || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private markReady(key: string): void {
    if (this.stopped) return;
    this.ready.add(key);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    for (const key of this.ready) {
      if (this.inFlight >= this.concurrency) break;
      this.ready.delete(key);
      if (this.running.has(key)) continue;
      this.running.add(key);
      this.inFlight++;
      this.turn(key).then(
        () => this.turnEnded(key),
        (error: unknown) => {
          try {
            this.options.onError?.(error);
          } finally {
            this.turnEnded(key);
          }
        },
      );
    }
    this.checkIdle();
  }

  private turnEnded(key: string): void {
    this.running.delete(key);
    this.inFlight--;
    if (this.deliverableNow(key)) this.ready.add(key);
    if (this.ready.size > 0) this.schedulePump();
    this.checkIdle();
  }

  private deliverableNow(key: string): boolean {
    const first = this.backend.mailbox(key)?.first();
    if (first === undefined) return false;
    if (first.notBefore <= this.timers.now()) return true;
    this.wakeAt(key, first.notBefore);
    return false;
  }

  private wakeAt(key: string, at: number): void {
    this.wakeups.get(key)?.();
    this.wakeups.set(
      key,
      this.timers.setTimer(at, () => {
        this.wakeups.delete(key);
        this.markReady(key);
      }),
    );
  }

  private async turn(key: string): Promise<void> {
    const box = this.backend.mailbox(key);
    const address = this.backend.addressOf(key);
    if (box === undefined || address === undefined) return;
    const now = this.timers.now();
    const maxBatch = this.options.functions.resolve(address.typename)?.maxBatch ?? 10;
    const entries = box.due(maxBatch, now);
    if (entries.length === 0) return;
    this.backend.setInflight(key, entries);
    const deliveries: Delivery[] = [];
    for (const e of entries) deliveries.push({ envelope: e.envelope, attempt: e.attempts + 1 });
    let outcomes: DeliveryOutcome[];
    try {
      outcomes = await this.runner.run(address, deliveries);
    } catch (error) {
      this.options.onError?.(error);
      outcomes = entries.map(() => ({ kind: 'retry', afterMs: 1000, cause: describeError(error) }));
    } finally {
      this.backend.setInflight(key, undefined);
    }
    const acked: number[] = [];
    let counted = false;
    const after = this.timers.now();
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i]!;
      const entry = entries[i]!;
      if (outcome.kind === 'done') {
        if (box.remove(entry.seq)) acked.push(entry.seq);
        continue;
      }
      if (!counted) {
        entry.attempts++;
        counted = true;
      }
      entry.notBefore = after + outcome.afterMs;
    }
    await this.backend.ack(address, acked);
  }

  private armTimers(): void {
    if (this.stopped) return;
    // Timers held back by fault injection fire from their own callbacks; arming on them would spin.
    const next = this.backend.nextTimerDue(this.lateFires);
    if (next === this.timerArmedAt) return;
    this.cancelTimer?.();
    this.timerArmedAt = next;
    this.cancelTimer = next === undefined ? undefined : this.timers.setTimer(next, () => void this.fireDue());
  }

  private async fireDue(): Promise<void> {
    if (this.firing || this.stopped) return;
    this.firing = true;
    this.timerArmedAt = undefined;
    try {
      for (;;) {
        const due = this.backend.dueTimers(this.timers.now()).filter((t) => !this.lateFires.has(t.timerId));
        if (due.length === 0) break;
        for (const timer of due) {
          const late = this.options.faults?.fireDelayMs?.(timer) ?? 0;
          if (late > 0) {
            this.lateFires.add(timer.timerId);
            this.timers.setTimer(this.timers.now() + late, () => {
              this.backend
                .fire(timer)
                .catch((error: unknown) => this.options.onError?.(error))
                .finally(() => {
                  this.lateFires.delete(timer.timerId);
                  this.armTimers();
                });
            });
            continue;
          }
          await this.backend.fire(timer, this.options.faults?.fireCopies?.(timer) ?? 1);
        }
      }
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.firing = false;
      this.armTimers();
      this.checkIdle();
    }
  }
}

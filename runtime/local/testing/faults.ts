import type { Address } from '../../core/address.js';
import { durationToMs, type Duration } from '../../core/duration.js';
import { asResent, type Envelope } from '../../core/envelope.js';
import type { TimerRef } from '../../core/record.js';
import type { JournalEntry, QueuedEnvelope } from '../journal.js';
import type { EnginePorts, RuntimeFaults } from '../runtime.js';

/** Which faults to inject how often, and where. */
export interface FaultOptions {
  /** How many times to inject it. @default 1 */
  readonly times?: number;
  /** Only at addresses of this function type (or matching this predicate). */
  readonly where?: string | { readonly typename: string } | ((address: Address) => boolean);
}

export interface DuplicateOptions extends FaultOptions {
  /** Deliver the copy this much later (virtual time), e.g. `{ minutes: 10 }` to pass SQS's 5-minute dedup window. */
  readonly after?: Duration;
}

/** How often each fault was actually injected, so a test can check that it exercised what it claims. */
export interface InjectedCounts {
  lateFires: number;
  crashesBeforeCommit: number;
  crashesAfterCommit: number;
  crashesMidRelease: number;
  duplicates: number;
  doubleFires: number;
  firesAfterCancel: number;
}

export class InjectedCrash extends Error {
  constructor(where: string) {
    super(`injected crash ${where}`);
    this.name = 'InjectedCrash';
  }
}

interface Pending {
  remaining: number;
  readonly matches: (address: Address) => boolean;
}

function pending(options: FaultOptions | undefined): Pending {
  const where = options?.where;
  const matches =
    where === undefined
      ? () => true
      : typeof where === 'function'
        ? where
        : (address: Address) => address.typename === (typeof where === 'string' ? where : where.typename);
  return { remaining: options?.times ?? 1, matches };
}

function take(list: Pending[], address: Address): boolean {
  const hit = list.find((p) => p.remaining > 0 && p.matches(address));
  if (hit === undefined) return false;
  hit.remaining--;
  return true;
}

/** The hooks through which {@link Faults} reaches a test runtime. */
export interface FaultHost {
  now(): number;
  at(time: number, action: () => Promise<void>): void;
  deliverCopy(envelope: Envelope): Promise<void>;
  fire(timer: TimerRef): Promise<void>;
}

/**
 * Fault injection for the test runtime: crashes around commits and releases, duplicate deliveries, timers
 * firing twice or after their cancellation. Each fault is armed for a number of occurrences.
 */
export class Faults {
  readonly injected: InjectedCounts = {
    lateFires: 0,
    crashesBeforeCommit: 0,
    crashesAfterCommit: 0,
    crashesMidRelease: 0,
    duplicates: 0,
    doubleFires: 0,
    firesAfterCancel: 0,
  };
  private beforeCommit: Pending[] = [];
  private afterCommit: Pending[] = [];
  private midRelease: Pending[] = [];
  private duplicates: Array<Pending & { readonly afterMs: number }> = [];
  private doubleFire: Pending[] = [];
  private lateFire: Array<Pending & { readonly byMs: number }> = [];
  private fireAfterCancel = false;
  private readonly scheduled = new Map<string, TimerRef>();

  constructor(private readonly host: FaultHost) {}

  /** The next commit(s) fail before anything is written, as if the process died. */
  crashBeforeCommit(options?: FaultOptions): this {
    this.beforeCommit.push(pending(options));
    return this;
  }

  /** The next commit(s) are written, then the worker dies before acknowledging its messages. */
  crashAfterCommit(options?: FaultOptions): this {
    this.afterCommit.push(pending(options));
    return this;
  }

  /**
   * The next release(s) send their first message, then the worker dies. Only meaningful with
   * `atomicEffects: false`, where effects leave through the ports after the commit (as on AWS).
   */
  crashMidRelease(options?: FaultOptions): this {
    this.midRelease.push(pending(options));
    return this;
  }

  /**
   * The next message(s) to the matching addresses are delivered twice, the copy marked as re-sent. Applies to
   * messages sent by functions and to ingress messages with an idempotency key.
   */
  duplicateDelivery(options?: DuplicateOptions): this {
    const afterMs = options?.after === undefined ? 0 : durationToMs(options.after, 'after of duplicateDelivery');
    this.duplicates.push({ ...pending(options), afterMs });
    return this;
  }

  /** The next due timer(s) of matching owners fire twice. */
  timerFiresTwice(options?: FaultOptions): this {
    this.doubleFire.push(pending(options));
    return this;
  }

  /**
   * The next due timer(s) of matching owners fire this much late, as EventBridge Scheduler may (within a
   * minute): messages sent meanwhile arrive first.
   */
  timerFiresLate(options: FaultOptions & { readonly by: Duration }): this {
    this.lateFire.push({ ...pending(options), byMs: durationToMs(options.by, 'by of timerFiresLate', { allowZero: false }) });
    return this;
  }

  /** From now on, cancelled timers still fire at their due time; their owners must drop them. */
  timerFiresAfterCancel(): this {
    this.fireAfterCancel = true;
    return this;
  }

  /** Disarms every fault. */
  clear(): void {
    this.beforeCommit = [];
    this.afterCommit = [];
    this.midRelease = [];
    this.duplicates = [];
    this.doubleFire = [];
    this.lateFire = [];
    this.fireAfterCancel = false;
  }

  /** @internal The runtime hooks. */
  runtimeFaults(): RuntimeFaults {
    return {
      wrapPorts: (ports) => this.wrap(ports),
      fireCopies: (timer) => {
        if (!take(this.doubleFire, timer.owner)) return 1;
        this.injected.doubleFires++;
        return 2;
      },
      fireDelayMs: (timer) => {
        const hit = this.lateFire.find((p) => p.remaining > 0 && p.matches(timer.owner));
        if (hit === undefined) return 0;
        hit.remaining--;
        this.injected.lateFires++;
        return hit.byMs;
      },
    };
  }

  /** @internal Sees every journal entry before it applies. */
  observe(entry: JournalEntry): void {
    let delivered: readonly QueuedEnvelope[] = [];
    if (entry.op === 'commit') {
      delivered = entry.enqueue;
      for (const t of entry.schedule) this.scheduled.set(t.timerId, t);
      this.cancelled(entry.cancel);
    } else if (entry.op === 'enqueue') {
      delivered = entry.messages;
    } else if (entry.op === 'schedule') {
      for (const t of entry.timers) this.scheduled.set(t.timerId, t);
    } else if (entry.op === 'cancel') {
      this.cancelled(entry.timerIds);
    }
    for (const { envelope } of delivered) {
      // Only messages with an identity that outlives their delivery can arrive again later: messages sent by
      // functions, and ingress messages with an Idempotency-Key. An unkeyed ingress message is sent once; its
      // redelivery keeps its place in the queue, which `crashAfterCommit` models.
      const { origin } = envelope;
      if (origin.kind !== 'function' && !(origin.kind === 'ingress' && origin.keyed)) continue;
      const hit = this.duplicates.find((p) => p.remaining > 0 && p.matches(envelope.target));
      if (hit === undefined) continue;
      hit.remaining--;
      this.injected.duplicates++;
      const copy = asResent(envelope);
      this.host.at(this.host.now() + hit.afterMs, () => this.host.deliverCopy(copy));
    }
  }

  private cancelled(ids: readonly string[]): void {
    if (!this.fireAfterCancel) return;
    for (const id of ids) {
      const timer = this.scheduled.get(id);
      if (timer === undefined) continue;
      this.injected.firesAfterCancel++;
      this.host.at(timer.dueAt, () => this.host.fire(timer));
    }
  }

  private wrap(ports: EnginePorts): EnginePorts {
    return {
      ...ports,
      store: {
        load: (address) => ports.store.load(address),
        commit: (commit) => {
          if (take(this.beforeCommit, commit.address)) {
            this.injected.crashesBeforeCommit++;
            return Promise.reject(new InjectedCrash('before commit'));
          }
          return ports.store.commit(commit).then((receipt) => {
            if (take(this.afterCommit, commit.address)) {
              this.injected.crashesAfterCommit++;
              throw new InjectedCrash('after commit');
            }
            return receipt;
          });
        },
      },
      bus: {
        send: async (messages) => {
          const sender = messages[0]?.caller;
          if (sender !== undefined && take(this.midRelease, sender)) {
            this.injected.crashesMidRelease++;
            await ports.bus.send(messages.slice(0, 1));
            throw new InjectedCrash('halfway through a release');
          }
          return ports.bus.send(messages);
        },
      },
    };
  }
}

import { randomUUID } from 'node:crypto';
import { type Address, addressKey } from '../core/address.js';
import { type Envelope, ingressMessageId } from '../core/envelope.js';
import { describeError, ValidationError } from '../core/errors.js';
import type { EgressRecord } from '../core/record.js';
import type { TypedValue } from '../core/typed-value.js';
import { show } from '../core/typename.js';
import { type DeliveryOutcome, TurnRunner } from '../engine/turn-runner.js';
import { type AppRuntime, type HandlerOptions, lazyRuntime } from './app-runtime.js';

/**
 * The engine inside your own Lambda, on any event source (Kinesis, DynamoDB Streams, EventBridge, …), on the
 * same state table as the app's dispatcher: StateFun 2.2's DataStream SDK, the AWS way.
 *
 * `process` runs the given messages through their addresses' functions directly — not through the FIFO queue
 * — and returns the egress records those turns produced instead of publishing them. Messages the functions
 * send to other addresses, and delayed messages, go through the app's FIFO queue and scheduler as usual.
 *
 * Guarantees, and what the caller does for them:
 * - Give each message an `idempotencyKey` that is stable across your event source's retries (a Kinesis
 *   sequence number, a DynamoDB Streams event id): a message seen again is then applied once (DESIGN I3).
 *   Without one, a retried event applies again.
 * - Messages for one address are applied in the order given; call `process` for one address from one
 *   place at a time (a Kinesis shard, a partition key) to keep order across calls. Concurrent writers are
 *   fenced off (I1): the loser gets a failure to retry.
 * - Returned egress records are at least once: each has a deterministic `key`, and a record may be returned
 *   again by a later call for its address (the engine re-releases an address's last turn when nothing proves
 *   it was released, I4). Deduplicate by `key`, or use a sink that does.
 * - A failure is returned, not thrown, with `afterMs` as the suggested backoff: report it as a batch item
 *   failure of your event source. A message failing with a terminal error, or on its `attempt` ≥ the retry
 *   policy's `maxAttempts`, parks its address (I7), as in the dispatcher.
 *
 * @example
 * const engine = createEmbeddedEngine({ app: { modules: [shop] } });
 * export const handler = async (event: KinesisStreamEvent) => {
 *   const { failures } = await engine.process(event.Records.map((r) => ({
 *     target: { typename: 'shop/counter', id: r.kinesis.partitionKey },
 *     value: { typename: 'shop/Click', value: Buffer.from(r.kinesis.data, 'base64') },
 *     idempotencyKey: r.kinesis.sequenceNumber,
 *   })));
 *   return { batchItemFailures: failures.map((f) => ({ itemIdentifier: event.Records[f.index]!.kinesis.sequenceNumber })) };
 * };
 */

/** One message to process. */
export interface EngineMessage {
  readonly target: Address;
  readonly value: TypedValue;
  /** Stable across retries of the same event: applied once per key and address. */
  readonly idempotencyKey?: string;
  /** Which attempt this is (1 for the first), when the event source says; above 1 marks the message re-sent. @default 1 */
  readonly attempt?: number;
  /**
   * When the event entered your source (epoch ms, e.g. a Kinesis record's `approximateArrivalTimestamp`), so
   * that a re-sent message older than the address's dedup memory parks as ambiguous instead of applying twice.
   * @default now
   */
  readonly acceptedAt?: number;
}

export interface EngineFailure {
  /** Index of the message in the `process` call. */
  readonly index: number;
  readonly cause: string;
  /** Suggested wait before retrying it. */
  readonly afterMs: number;
}

export interface ProcessResult {
  /** Egress records of the turns, per address in message order. */
  readonly egress: readonly EgressRecord[];
  /** Messages not processed; every later message of the same address is among them. */
  readonly failures: readonly EngineFailure[];
}

export interface ProcessOptions {
  /** Time left to the caller (e.g. `context.getRemainingTimeInMillis()`): no turn starts too late to finish. */
  readonly remainingTimeMs?: number;
}

export interface EmbeddedEngine {
  process(messages: readonly EngineMessage[], options?: ProcessOptions): Promise<ProcessResult>;
  /** Closes remote invokers and the clients the engine made. */
  close(): Promise<void>;
}

/** Options as for the handlers (`STATEFUN_TABLE_NAME` and `STATEFUN_QUEUE_URL` must be set). */
export type EmbeddedEngineOptions = HandlerOptions;

/** Creates the engine; it builds its clients and runtime once, on first use. */
export function createEmbeddedEngine(options: EmbeddedEngineOptions): EmbeddedEngine {
  const runtime = lazyRuntime(options);
  let engine: Promise<DirectEngine> | undefined;
  const get = (): Promise<DirectEngine> => {
    engine ??= runtime().then((rt) => new DirectEngine(rt));
    engine.catch(() => (engine = undefined));
    return engine;
  };
  return {
    process: async (messages, processOptions) => (await get()).process(messages, processOptions),
    close: async () => {
      const built = await engine?.catch(() => undefined);
      await built?.rt.close();
    },
  };
}

class DirectEngine {
  private readonly runner: TurnRunner;
  /** Egress records by the source address whose turn is running: each `process` call collects its own. */
  private readonly collecting = new Map<string, EgressRecord[]>();
  /** One turn sequence per address at a time in this container. */
  private readonly locks = new Map<string, Promise<void>>();

  constructor(readonly rt: AppRuntime) {
    const { backend, model } = rt;
    this.runner = new TurnRunner({
      store: backend.store,
      deadLetters: backend.deadLetters,
      specStore: backend.specStore,
      bus: backend.bus,
      scheduler: backend.scheduler,
      egress: {
        has: (name) => model.egresses.has(name),
        publish: (records) => {
          for (const record of records) this.collecting.get(addressKey(record.source))?.push(record);
          return Promise.resolve();
        },
      },
      functions: rt.functions,
      clock: rt.clock,
      metrics: rt.metrics,
      retry: rt.retry,
      // Nothing acknowledges these messages after the release: a later turn cannot prove it completed.
      releaseProvenByAck: false,
    });
  }

  async process(messages: readonly EngineMessage[], options: ProcessOptions = {}): Promise<ProcessResult> {
    const { rt } = this;
    const now = rt.clock.now();
    const deadline = options.remainingTimeMs === undefined ? Number.POSITIVE_INFINITY : now + options.remainingTimeMs;
    const byAddress = new Map<string, Array<{ index: number; envelope: Envelope; attempt: number }>>();
    messages.forEach((message, index) => {
      const envelope = this.envelope(message, now, index);
      const key = addressKey(envelope.target);
      let list = byAddress.get(key);
      if (list === undefined) byAddress.set(key, (list = []));
      list.push({ index, envelope, attempt: message.attempt ?? 1 });
    });
    const failures: EngineFailure[] = [];
    const egress = await Promise.all(
      [...byAddress].map(([key, list]) =>
        this.exclusive(key, async () => {
          const collected: EgressRecord[] = [];
          this.collecting.set(key, collected);
          let outcomes: DeliveryOutcome[];
          try {
            outcomes = await this.runner.run(list[0]!.envelope.target, list.map(({ envelope, attempt }) => ({ envelope, attempt })), deadline);
          } catch (error) {
            outcomes = list.map(() => ({ kind: 'retry', afterMs: rt.retry.initialBackoffMs, cause: describeError(error) }));
          } finally {
            this.collecting.delete(key);
          }
          const first = outcomes.findIndex((o) => o.kind === 'retry');
          if (first >= 0) {
            const failed = outcomes[first] as Extract<DeliveryOutcome, { kind: 'retry' }>;
            for (const { index } of list.slice(first)) failures.push({ index, cause: failed.cause, afterMs: failed.afterMs });
          }
          return collected;
        }),
      ),
    );
    rt.metrics.flush();
    failures.sort((a, b) => a.index - b.index);
    return { egress: egress.flat(), failures };
  }

  private envelope(message: EngineMessage, now: number, index: number): Envelope {
    const target = message.target;
    if (typeof target?.typename !== 'string' || typeof target.id !== 'string' || target.id === '') {
      throw new ValidationError(`message ${index}: target must be an address { typename, id }, got ${show(target)}`);
    }
    if (!(message.value?.value instanceof Uint8Array) || typeof message.value.typename !== 'string') {
      throw new ValidationError(`message ${index} to ${addressKey(target)}: value must be a typed value { typename, value: Uint8Array }`);
    }
    const key = message.idempotencyKey;
    if (key === undefined) {
      const minted = randomUUID();
      return { id: ingressMessageId(minted), target, caller: undefined, argument: message.value, origin: { kind: 'ingress', key: minted, keyed: false, acceptedAt: now } };
    }
    if (typeof key !== 'string' || key === '') throw new ValidationError(`message ${index} to ${addressKey(target)}: idempotencyKey must be a non-empty string`);
    const scoped = `${addressKey(target)}\u0000${key}`;
    return {
      id: ingressMessageId(`${addressKey(target)}#${key}`),
      target,
      caller: undefined,
      argument: message.value,
      origin: { kind: 'ingress', key: scoped, keyed: true, acceptedAt: message.acceptedAt ?? now, ...((message.attempt ?? 1) > 1 ? { resent: true } : {}) },
    };
  }

  private async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => mine);
    this.locks.set(key, chained);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.locks.get(key) === chained) this.locks.delete(key);
    }
  }
}

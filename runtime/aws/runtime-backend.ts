import type { Envelope } from '../core/envelope.js';
import type { EgressSpec } from '../module/egress.js';
import type { DeadLetterStore, DelayScheduler, EgressSink, MessageBus, SpecStore, StateStore } from '../ports.js';
import type { EgressBinding } from './runtime-env.js';

/**
 * What the Lambda handlers need of a backend, in domain types: the engine's ports, plus the few queue
 * operations the handlers do themselves. The AWS backend (DynamoDB, SQS FIFO, EventBridge Scheduler) is the
 * default; tests put the embedded backend behind the same seam.
 */
export interface RuntimeBackend {
  readonly store: StateStore;
  readonly specStore: SpecStore;
  readonly deadLetters: DeadLetterStore;
  /** The FIFO queue of addresses. */
  readonly bus: MessageBus;
  readonly scheduler: DelayScheduler;
  readonly ingressKeys: IngressKeyStore;
  readonly queue: QueueControl;
  /**
   * Reads the body of a FIFO queue message as the bus wrote it. Throws a {@link TerminalError} naming what is
   * wrong with a body that is not an envelope.
   */
  decodeQueueMessage(body: string): Envelope;
  /** The envelopes of a body of the queue of addresses: one, or a bundle for one address, in order. */
  decodeQueueMessages(body: string): Envelope[];
  /** Forwards delay-queue records (short delays, Scheduler fires); undefined when the app has no delay queue. */
  readonly delays: DelayForwarding | undefined;
  /**
   * The sink for one egress of the app, or undefined when this backend cannot deliver its kind (the runtime
   * then logs a warning and functions sending to it park with a clear cause).
   */
  egressSink(spec: EgressSpec, binding: EgressBinding | undefined): EgressSink | undefined;
  /** Releases clients the backend made itself. */
  close?(): void;
}

/** The idempotency keys of the HTTP ingress (DESIGN I3). */
export interface IngressKeyStore {
  /**
   * Remembers that `key` was first used for `messageId` at `at`, for `ttlMs`, unless it is remembered already
   * (put-if-absent). Answers what is remembered: `fresh` is true when this call stored it.
   */
  claim(key: string, messageId: string, at: number, ttlMs: number): Promise<IngressKeyClaim>;
}

export interface IngressKeyClaim {
  readonly messageId: string;
  readonly at: number;
  readonly fresh: boolean;
}

/** One message of a batch whose visibility to change: SQS's receipt handle and the new timeout. */
export interface VisibilityChange {
  readonly receiptHandle: string;
  readonly timeoutSeconds: number;
}

/** The queue operations a handler does itself (Lambda's event source mapping does the receives and deletes). */
export interface QueueControl {
  /**
   * Changes the visibility of received messages of the FIFO queue, so that they come again after their
   * timeout (the retry backoff). Best effort: a stale receipt handle (the message was received again by
   * someone else meanwhile) is ignored, and so is any failure: the messages then come back when their
   * visibility timeout expires.
   */
  changeVisibility(changes: readonly VisibilityChange[]): Promise<void>;
}

/** One record of the delay queue, as the forwarder receives it. */
export interface DelayRecord {
  readonly messageId: string;
  readonly body: string;
  /** Epoch ms the message was first sent (the SQS `SentTimestamp`). */
  readonly sentAt: number;
}

/** What became of one delay record: forwarded or re-queued (`done`), or to be received again (`retry`). */
export type DelayOutcome = { readonly kind: 'done' } | { readonly kind: 'retry'; readonly cause: string };

/** The delay forwarder's work: fires that are due go to their owners' FIFO groups, the others wait again. */
export interface DelayForwarding {
  forward(records: readonly DelayRecord[], now: number): Promise<DelayOutcome[]>;
}

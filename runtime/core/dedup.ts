import { addressKey } from './address.js';
import type { Envelope } from './envelope.js';
import type { DedupMemory, SenderMark } from './record.js';

/**
 * How long an address remembers senders (DESIGN I3).
 *
 * A message can only come again while a copy of it, or of the turn that sent it, is still being retried:
 * within the queue's redelivery span. Marks are kept for `windowMs` (default 1 h, well beyond a Lambda's
 * 15-minute limit times a few redeliveries); beyond `maxMarks` senders the oldest are pruned, but not one
 * younger than `minRetentionMs` — unless there are more than `hardMaxMarks`, which bounds the record's size
 * whatever the traffic. A re-sent copy older than everything pruned is not applied blindly: it is judged
 * *ambiguous* and its address parked with the message, so nothing is ever applied twice silently.
 */
export interface DedupPolicy {
  readonly windowMs: number;
  readonly maxMarks: number;
  readonly minRetentionMs: number;
  readonly hardMaxMarks: number;
}

export const DEFAULT_DEDUP_POLICY: DedupPolicy = Object.freeze({
  windowMs: 60 * 60_000,
  maxMarks: 1000,
  minRetentionMs: 20 * 60_000,
  hardMaxMarks: 5000,
});

export type DedupVerdict = 'new' | 'duplicate' | 'ambiguous';

/** The mark key of a message's origin, or undefined when its origin is not remembered per sender. */
export function markKey(envelope: Envelope): string | undefined {
  const { origin } = envelope;
  if (origin.kind === 'function') return addressKey(origin.sender);
  if (origin.kind === 'ingress' && origin.keyed) return `ingress:${origin.key}`;
  return undefined;
}

/**
 * A working copy of a {@link DedupMemory} for one turn: judge messages in order, remember the ones applied,
 * then {@link DedupTracker.finish} to prune and freeze.
 */
export class DedupTracker {
  private marks: Map<string, SenderMark> | undefined;
  private forgottenUntil: number;

  constructor(
    private readonly memory: DedupMemory,
    private readonly lastConsumed: readonly string[],
  ) {
    this.forgottenUntil = memory.forgottenUntil;
  }

  private get current(): ReadonlyMap<string, SenderMark> {
    return this.marks ?? this.memory.marks;
  }

  judge(envelope: Envelope): DedupVerdict {
    if (this.lastConsumed.includes(envelope.id)) return 'duplicate';
    const { origin } = envelope;
    const key = markKey(envelope);
    if (key === undefined) return 'new';
    const mark = this.current.get(key);
    if (origin.kind === 'function') {
      if (mark !== undefined && !after(origin, mark)) return 'duplicate';
      if (mark === undefined && origin.resent === true && origin.sentAt <= this.forgottenUntil) return 'ambiguous';
      return 'new';
    }
    if (origin.kind === 'ingress') {
      if (mark !== undefined) return 'duplicate';
      if (origin.resent === true && origin.acceptedAt <= this.forgottenUntil) return 'ambiguous';
    }
    return 'new';
  }

  /** Remembers a message applied at `now`. */
  remember(envelope: Envelope, now: number): void {
    const key = markKey(envelope);
    if (key === undefined) return;
    const { origin } = envelope;
    const mark: SenderMark =
      origin.kind === 'function'
        ? { incarnation: origin.incarnation, turn: origin.turn, index: origin.index, sentAt: origin.sentAt, seenAt: now }
        : { incarnation: 0, turn: 0, index: 0, sentAt: origin.kind === 'ingress' ? origin.acceptedAt : 0, seenAt: now };
    this.marks ??= new Map(this.memory.marks);
    this.marks.set(key, mark);
  }

  /** Prunes by the policy at time `now` and returns the memory to commit. */
  finish(now: number, policy: DedupPolicy): DedupMemory {
    const marks = this.current;
    const horizon = now - policy.windowMs;
    let prune: Array<[string, SenderMark]> = [];
    for (const entry of marks) if (entry[1].seenAt < horizon) prune.push(entry);
    const excess = marks.size - prune.length - policy.maxMarks;
    if (excess > 0) {
      const keep = now - Math.min(policy.minRetentionMs, policy.windowMs);
      const candidates = [...marks].filter(([, m]) => m.seenAt >= horizon);
      candidates.sort((a, b) => a[1].seenAt - b[1].seenAt);
      const old = candidates.filter(([, m]) => m.seenAt < keep).length;
      const hardExcess = marks.size - prune.length - policy.hardMaxMarks;
      prune = prune.concat(candidates.slice(0, Math.max(Math.min(excess, old), hardExcess)));
    }
    if (prune.length === 0) {
      return this.marks === undefined && this.forgottenUntil === this.memory.forgottenUntil
        ? this.memory
        : { marks: marks, forgottenUntil: this.forgottenUntil };
    }
    const next = new Map(marks);
    let forgottenUntil = this.forgottenUntil;
    for (const [key, mark] of prune) {
      next.delete(key);
      if (mark.sentAt > forgottenUntil) forgottenUntil = mark.sentAt;
    }
    return { marks: next, forgottenUntil };
  }
}

/** Whether a message's (incarnation, turn, index) comes after a mark's. */
function after(origin: { readonly incarnation: number; readonly turn: number; readonly index: number }, mark: SenderMark): boolean {
  if (origin.incarnation !== mark.incarnation) return origin.incarnation > mark.incarnation;
  if (origin.turn !== mark.turn) return origin.turn > mark.turn;
  return origin.index > mark.index;
}

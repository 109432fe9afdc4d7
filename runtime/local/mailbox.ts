import type { Envelope } from '../core/envelope.js';

/** A message waiting in an address's mailbox, with its delivery bookkeeping. */
export interface MailboxEntry {
  readonly seq: number;
  readonly envelope: Envelope;
  /** Delivery attempts so far (not durable: a restart starts counting again). */
  attempts: number;
  /** Epoch ms before which it is not delivered again (retry backoff). */
  notBefore: number;
}

/** The ordered queue of one address. Removal is by sequence number, so it is idempotent. */
export class Mailbox {
  private entries: MailboxEntry[] = [];
  private head = 0;

  get size(): number {
    return this.entries.length - this.head;
  }

  push(seq: number, envelope: Envelope): void {
    this.entries.push({ seq, envelope, attempts: 0, notBefore: 0 });
  }

  /** Up to `max` entries from the front, in order. */
  peek(max: number): MailboxEntry[] {
    return this.entries.slice(this.head, this.head + max);
  }

  /** Up to `max` entries from the front, in order, as long as they are deliverable at `now`. */
  due(max: number, now: number): MailboxEntry[] {
    const out: MailboxEntry[] = [];
    const end = Math.min(this.entries.length, this.head + max);
    for (let i = this.head; i < end; i++) {
      const entry = this.entries[i]!;
      if (entry.notBefore > now) break;
      out.push(entry);
    }
    return out;
  }

  first(): MailboxEntry | undefined {
    return this.entries[this.head];
  }

  /** Removes the entry with this sequence number; false if it is not here. */
  remove(seq: number): boolean {
    const front = this.entries[this.head];
    if (front !== undefined && front.seq === seq) {
      this.entries[this.head] = undefined as unknown as MailboxEntry;
      this.head++;
      if (this.head > 64 && this.head * 2 > this.entries.length) {
        this.entries = this.entries.slice(this.head);
        this.head = 0;
      }
      return true;
    }
    for (let i = this.head + 1; i < this.entries.length; i++) {
      if (this.entries[i]!.seq === seq) {
        this.entries.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  *[Symbol.iterator](): IterableIterator<MailboxEntry> {
    for (let i = this.head; i < this.entries.length; i++) yield this.entries[i]!;
  }
}

import type { EgressRecord } from '../../core/record.js';
import type { LocalBackend } from '../backend.js';

/** Where a sink puts records; resolves once they are safely out (printed, written and synced). */
export interface SinkWriter {
  write(records: readonly EgressRecord[]): Promise<void>;
  close?(): Promise<void>;
}

const MAX_BATCH = 1000;
const RETRY_MS = 1000;

/**
 * Moves the records of one egress from the data directory to a sink, in order: write a batch, then
 * acknowledge it (a journal entry), so a record leaves the backend only once the sink has it. One batch is in
 * flight at a time; records arriving meanwhile go in the next batch. A failing sink is retried every second.
 */
export class EgressDrain {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly backend: LocalBackend,
    readonly egress: string,
    private readonly writer: SinkWriter,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Something was appended: drain soon. */
  notify(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.notify();
      }
    });
  }

  /** Drains what is there now, then stops taking more. */
  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    while (this.running !== undefined) await this.running;
    this.stopped = true;
    await this.drain();
    await this.writer.close?.();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const records = this.backend.egressRecords(this.egress);
        if (records.length === 0) return;
        const batch = records.length > MAX_BATCH ? records.slice(0, MAX_BATCH) : records;
        await this.writer.write(batch);
        await this.backend.ackEgress(this.egress, batch.map((r) => r.key));
      }
    } catch (error) {
      this.onError(error);
      if (!this.stopped) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.notify(), RETRY_MS);
        this.retryTimer.unref();
      }
    }
  }
}

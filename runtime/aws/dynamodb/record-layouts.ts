/** What a store knows of an address's stored items: enough to bill a replacement and find old chunks. */
export interface RecordLayout {
  readonly version: number;
  /** Chunk items besides the record item. */
  readonly chunks: number;
  /** Size of the record item in bytes (0 when there is none). */
  readonly size: number;
}

const DEFAULT_CAPACITY = 10_000;

/**
 * The layouts this store last read or wrote, by address key, least recently used dropped first. The engine
 * loads an address before committing it, so at commit time the layout of the version being replaced is known.
 */
export class RecordLayouts {
  private readonly layouts = new Map<string, RecordLayout>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  remember(key: string, layout: RecordLayout): void {
    this.layouts.delete(key);
    this.layouts.set(key, layout);
    if (this.layouts.size > this.capacity) {
      const oldest = this.layouts.keys().next().value;
      if (oldest !== undefined) this.layouts.delete(oldest);
    }
  }

  /** The layout of `version` of `key`, if that is the one known. */
  take(key: string, version: number): RecordLayout | undefined {
    const layout = this.layouts.get(key);
    return layout?.version === version ? layout : undefined;
  }

  forget(key: string): void {
    this.layouts.delete(key);
  }
}

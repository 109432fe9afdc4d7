/**
 * A per-store tally of DynamoDB requests and request units, by operation, for the cost benchmark and for
 * metrics. Units are computed from item sizes (see `item-size.ts`); the units DynamoDB reported
 * (`ReturnConsumedCapacity: TOTAL`) are kept beside them when it reported any.
 */
export interface CapacityCount {
  readonly requests: number;
  /** Read request units (strongly consistent reads), computed. */
  readonly rru: number;
  /** Write request units, computed (transactions count twice, failed conditions count). */
  readonly wru: number;
  /** Capacity units the service reported, for the requests that reported any. */
  readonly reported: number;
}

/** Operation names used by the DynamoDB adapters (free text: the tally accepts any). */
export type CapacityOperation =
  | 'record.load'
  | 'record.loadChunks'
  | 'record.commit'
  | 'record.commitChunked'
  | 'record.conflict'
  | 'record.cleanChunks'
  | 'specs.load'
  | 'specs.register'
  | 'letters.list'
  | 'letters.append'
  | 'letters.remove'
  | 'letters.index'
  | 'ingressKey.claim'
  | 'ingressKey.get'
  | 'ingressKey.update'
  | (string & {});

export class CapacityTally {
  private readonly counts = new Map<string, { requests: number; rru: number; wru: number; reported: number }>();

  add(operation: CapacityOperation, units: { rru?: number; wru?: number; reported?: number | undefined }): void {
    let count = this.counts.get(operation);
    if (count === undefined) this.counts.set(operation, (count = { requests: 0, rru: 0, wru: 0, reported: 0 }));
    count.requests += 1;
    count.rru += units.rru ?? 0;
    count.wru += units.wru ?? 0;
    count.reported += units.reported ?? 0;
  }

  /** Counts by operation, and their total. */
  snapshot(): { readonly byOperation: Readonly<Record<string, CapacityCount>>; readonly total: CapacityCount } {
    const byOperation: Record<string, CapacityCount> = {};
    const total = { requests: 0, rru: 0, wru: 0, reported: 0 };
    for (const [operation, count] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      byOperation[operation] = { ...count };
      total.requests += count.requests;
      total.rru += count.rru;
      total.wru += count.wru;
      total.reported += count.reported;
    }
    return { byOperation, total };
  }

  reset(): void {
    this.counts.clear();
  }
}

type Consumed = { readonly CapacityUnits?: number | undefined };

/** The capacity units in a `ConsumedCapacity` answer (one object or a list of them). */
export function reportedUnits(consumed: Consumed | readonly Consumed[] | undefined): number | undefined {
  if (consumed === undefined) return undefined;
  const list: readonly Consumed[] = isList(consumed) ? consumed : [consumed];
  let sum = 0;
  let any = false;
  for (const c of list) {
    if (c.CapacityUnits !== undefined) {
      sum += c.CapacityUnits;
      any = true;
    }
  }
  return any ? sum : undefined;
}

function isList(consumed: Consumed | readonly Consumed[]): consumed is readonly Consumed[] {
  return Array.isArray(consumed);
}

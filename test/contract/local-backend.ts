/** The embedded backend (runtime/local/backend.ts) as a contract backend, on a virtual clock. */
import { type Address, addressKey } from '../../runtime/core/address.js';
import { LocalBackend } from '../../runtime/local/backend.js';
import type { Arrival, ContractBackend } from './port-contract.js';

class VirtualClock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
}

/**
 * `atomicEffects: false`, as the AWS backend works: commits keep their outbox, and releasing is the engine's
 * business through the bus and the scheduler — what the contract is about.
 */
export function localContractBackend(): Promise<ContractBackend> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const backend = new LocalBackend({ clock, atomicEffects: false });
  /** When each mailbox entry arrived, by sequence number. */
  const arrivedAt = new Map<number, number>();
  const seen = new Set<number>();
  backend.setListener({
    enqueued: (key) => {
      for (const entry of backend.mailbox(key) ?? []) if (!arrivedAt.has(entry.seq)) arrivedAt.set(entry.seq, clock.now());
    },
    timersChanged: () => {},
    egressAppended: () => {},
  });

  /** Advances to `until`, stopping at each timer's due time to fire it, as the local runtime's timer service does. */
  const advance = async (until: number): Promise<void> => {
    for (;;) {
      const next = backend.nextTimerDue();
      if (next === undefined || next > until) break;
      clock.time = Math.max(clock.time, next);
      for (const timer of backend.dueTimers(clock.time)) await backend.fire(timer);
    }
    clock.time = Math.max(clock.time, until);
  };

  const received = (target: Address): Promise<Arrival[]> => {
    const out: Arrival[] = [];
    for (const entry of backend.mailbox(addressKey(target)) ?? []) {
      if (seen.has(entry.seq)) continue;
      seen.add(entry.seq);
      out.push({ envelope: entry.envelope, at: arrivedAt.get(entry.seq) ?? clock.now() });
    }
    return Promise.resolve(out);
  };

  return Promise.resolve({
    store: backend,
    specs: backend,
    letters: backend,
    bus: backend,
    scheduler: backend,
    probe: { now: () => clock.now(), passTime: (ms) => advance(clock.now() + ms), received },
    traits: {
      longDelayMs: undefined,
      shortDelayMs: 2_000,
      fireLatenessMs: 0,
      cancelledTimer: () => 'not-delivered',
      listingLagMs: 0,
    },
    close: () => Promise.resolve(),
  });
}

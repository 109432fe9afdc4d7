/**
 * The contract of the engine's ports (runtime/ports.ts), written once and run against every backend: the
 * embedded backend (`local.contract.test.ts`) and the AWS adapters on the emulators (`aws.contract.test.ts`).
 * A backend plugs in through a {@link ContractBackend}: its ports, and a probe that reads what the bus and the
 * scheduler delivered and lets time pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Address } from '../../runtime/core/address.js';
import { asResent, type Envelope, timerFireEnvelope } from '../../runtime/core/envelope.js';
import { isStatefunError, VersionConflictError } from '../../runtime/core/errors.js';
import { emptyRecord, type TimerRef } from '../../runtime/core/record.js';
import type { StateSpecDecl } from '../../runtime/core/state-spec.js';
import type { DeadLetterStore, DelayScheduler, MessageBus, SpecStore, StateStore } from '../../runtime/ports.js';
import { controlMessage, fullRecord, functionMessage, ingressMessage, largeRecord, letter, plain, smallRecord, uniqueAddress } from './fixtures.js';

/** A message as the probe saw it arrive in its target's ordered stream. */
export interface Arrival {
  readonly envelope: Envelope;
  /** When it entered the target's stream, on the backend's clock. */
  readonly at: number;
}

export interface BackendProbe {
  /** The backend's clock (virtual for the embedded backend, the wall clock for AWS). */
  now(): number;
  /** Lets `ms` pass: advances a virtual clock (firing what comes due), or waits them out while delays are forwarded. */
  passTime(ms: number): Promise<void>;
  /**
   * What reached `target` since the last call for it, in stream order. Waits until `atLeast` arrived or
   * `waitMs` passed (default: looks once).
   */
  received(target: Address, options?: { readonly atLeast?: number; readonly waitMs?: number }): Promise<Arrival[]>;
}

export interface BackendTraits {
  /** Delays of at least this go the long way (EventBridge Scheduler); undefined: one path for every delay. */
  readonly longDelayMs: number | undefined;
  /** A short delay for the timer tests (ms). */
  readonly shortDelayMs: number;
  /** How late a fire may arrive after its due time on this backend (0 on a virtual clock). */
  readonly fireLatenessMs: number;
  /** What becomes of a timer cancelled before it fires: never delivered, or delivered and dropped by its owner as stale. */
  cancelledTimer(delayMs: number): 'not-delivered' | 'stale-fire';
  /** How long an index listing may lag behind a write (DynamoDB GSIs are eventually consistent). */
  readonly listingLagMs: number;
}

export interface ContractBackend {
  readonly store: StateStore;
  readonly specs: SpecStore;
  readonly letters: DeadLetterStore;
  readonly bus: MessageBus;
  readonly scheduler: DelayScheduler;
  readonly probe: BackendProbe;
  readonly traits: BackendTraits;
  close(): Promise<void>;
}

async function conflictOf(promise: Promise<unknown>): Promise<VersionConflictError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStatefunError(error, 'version-conflict'), `expected a VersionConflictError, got ${String(error)}`).toBe(true);
  return error as VersionConflictError;
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ids = (arrivals: readonly Arrival[]): string[] => arrivals.map((a) => a.envelope.id);
const spec = (name: string, typename: string, mode: StateSpecDecl['expiration']['mode'] = 'none', ttlMs = 0): StateSpecDecl => ({
  name,
  typename,
  expiration: { mode, ttlMs },
});

export function describePortContract(name: string, makeBackend: () => Promise<ContractBackend>): void {
  describe(`port contract: ${name}`, () => {
    let backend: ContractBackend;
    beforeAll(async () => {
      backend = await makeBackend();
    });
    afterAll(async () => {
      await backend?.close();
    });

    describe('StateStore', () => {
      it('loads an address that never committed as an empty record at version 0', async () => {
        const record = await backend.store.load(uniqueAddress('contract/store'));
        expect(plain(record)).toStrictEqual(plain(emptyRecord()));
      });

      it('round-trips every field of a committed record, byte for byte', async () => {
        const self = uniqueAddress('contract/store', 'ünï/c#');
        const record = fullRecord(self, 1, backend.probe.now());
        const receipt = await backend.store.commit({ address: self, expectedVersion: 0, record });
        expect(receipt.effectsReleased).toBe(false);
        expect(plain(receipt.record)).toStrictEqual(plain(record));
        const loaded = await backend.store.load(self);
        expect(plain(loaded)).toStrictEqual(plain(record));
        for (const value of loaded.values.values()) expect(value.value).toBeInstanceOf(Uint8Array);

        // A next version replaces it whole: nothing of the old one lingers.
        const next = { ...smallRecord(2, backend.probe.now(), 'next'), incarnation: record.incarnation };
        await backend.store.commit({ address: self, expectedVersion: 1, record: next });
        expect(plain(await backend.store.load(self))).toStrictEqual(plain(next));
      });

      it('rejects a commit on a stale version with a VersionConflictError naming the version found, and changes nothing', async () => {
        const self = uniqueAddress('contract/store');
        const now = backend.probe.now();
        const v1 = smallRecord(1, now, 'one');
        const v2 = smallRecord(2, now, 'two');
        await backend.store.commit({ address: self, expectedVersion: 0, record: v1 });
        await backend.store.commit({ address: self, expectedVersion: 1, record: v2 });

        const stale = await conflictOf(backend.store.commit({ address: self, expectedVersion: 1, record: smallRecord(2, now, 'zombie') }));
        expect(stale.expectedVersion).toBe(1);
        expect(stale.actualVersion).toBe(2);
        const again = await conflictOf(backend.store.commit({ address: self, expectedVersion: 0, record: smallRecord(1, now, 'first again') }));
        expect(again.actualVersion).toBe(2);
        expect(plain(await backend.store.load(self))).toStrictEqual(plain(v2));

        const never = uniqueAddress('contract/store');
        const ahead = await conflictOf(backend.store.commit({ address: never, expectedVersion: 4, record: smallRecord(5, now, 'ahead') }));
        expect(ahead.actualVersion).toBe(0);
        expect(plain(await backend.store.load(never))).toStrictEqual(plain(emptyRecord()));
      });

      it('lets exactly one of two racing commits on the same version win', async () => {
        for (const base of [0, 3]) {
          const self = uniqueAddress('contract/store');
          const now = backend.probe.now();
          for (let v = 1; v <= base; v++) await backend.store.commit({ address: self, expectedVersion: v - 1, record: smallRecord(v, now, `v${v}`) });
          const a = smallRecord(base + 1, now, 'writer A');
          const b = smallRecord(base + 1, now, 'writer B');
          const results = await Promise.allSettled([
            backend.store.commit({ address: self, expectedVersion: base, record: a }),
            backend.store.commit({ address: self, expectedVersion: base, record: b }),
          ]);
          const won = results.filter((r) => r.status === 'fulfilled');
          const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(1);
          expect(isStatefunError(lost[0]!.reason, 'version-conflict')).toBe(true);
          const winner = results[0].status === 'fulfilled' ? a : b;
          expect(plain(await backend.store.load(self))).toStrictEqual(plain(winner));
        }
      });

      it('round-trips a record of more than 1 MB, and one that shrinks and grows again', async () => {
        const self = uniqueAddress('contract/store');
        const now = backend.probe.now();
        const big = largeRecord(1, now, 1_100_000);
        await backend.store.commit({ address: self, expectedVersion: 0, record: big });
        expect(plain(await backend.store.load(self))).toStrictEqual(plain(big));

        const small = smallRecord(2, now, 'small again');
        await backend.store.commit({ address: self, expectedVersion: 1, record: small });
        expect(plain(await backend.store.load(self))).toStrictEqual(plain(small));

        const bigger = largeRecord(3, now, 2_000_000);
        await backend.store.commit({ address: self, expectedVersion: 2, record: bigger });
        expect(plain(await backend.store.load(self))).toStrictEqual(plain(bigger));
        await conflictOf(backend.store.commit({ address: self, expectedVersion: 2, record: largeRecord(3, now, 1_500_000) }));
        expect(plain(await backend.store.load(self))).toStrictEqual(plain(bigger));
      });
    });

    describe('MessageBus', () => {
      it('delivers the messages of each target in the order they were sent, across sends', async () => {
        const sender = uniqueAddress('contract/sender');
        const targets = [uniqueAddress('contract/target'), uniqueAddress('contract/target'), uniqueAddress('contract/target')];
        const now = backend.probe.now();
        const first: Envelope[] = [];
        for (let i = 0; i < 12; i++) first.push(functionMessage(sender, targets[i % 3]!, 1, i, now));
        const second = [functionMessage(sender, targets[0]!, 2, 0, now), functionMessage(sender, targets[0]!, 2, 1, now), functionMessage(sender, targets[2]!, 2, 2, now)];
        await backend.bus.send(first);
        await backend.bus.send(second);
        const all = [...first, ...second];
        for (const target of targets) {
          const expected = all.filter((m) => m.target === target);
          const arrived = await backend.probe.received(target, { atLeast: expected.length, waitMs: 15_000 });
          expect(ids(arrived)).toEqual(expected.map((m) => m.id));
          expect(arrived.map((a) => plain(a.envelope))).toStrictEqual(expected.map(plain));
        }
      });

      it('carries every kind of message unchanged', async () => {
        const target = uniqueAddress('contract/target');
        const now = backend.probe.now();
        const messages = [
          functionMessage(uniqueAddress('contract/sender'), target, 7, 0, now),
          ingressMessage(target, `key-${target.id}`, now),
          ingressMessage(target, `minted-${target.id}`, now, false),
          timerFireEnvelope(target, `${target.typename}/${target.id}#k0.3.t0`, now - 5),
          controlMessage(target, now),
        ];
        await backend.bus.send(messages);
        const arrived = await backend.probe.received(target, { atLeast: messages.length, waitMs: 15_000 });
        expect(arrived.map((a) => plain(a.envelope))).toStrictEqual(messages.map(plain));
      });

      it('delivers nothing new when the same messages are sent again within the dedup window, also as re-sent copies', async () => {
        const sender = uniqueAddress('contract/sender');
        const target = uniqueAddress('contract/target');
        const now = backend.probe.now();
        const m0 = functionMessage(sender, target, 1, 0, now);
        const m1 = functionMessage(sender, target, 1, 1, now);
        await backend.bus.send([m0, m1]);
        await backend.bus.send([m0, m1]);
        await backend.bus.send([m0, m1].map(asResent));
        const m2 = functionMessage(sender, target, 2, 0, now);
        await backend.bus.send([m2]);
        const arrived = await backend.probe.received(target, { atLeast: 4, waitMs: 3_000 });
        expect(ids(arrived)).toEqual([m0.id, m1.id, m2.id]);
      });
    });

    describe('DelayScheduler', () => {
      const timer = (owner: Address, delayMs: number, tag: string): TimerRef => ({
        timerId: `${owner.typename}/${owner.id}#k0.1.t${tag}`,
        owner,
        dueAt: backend.probe.now() + delayMs,
      });
      const delays = (): Array<[string, number]> => {
        const { shortDelayMs, longDelayMs } = backend.traits;
        return longDelayMs === undefined ? [['short', shortDelayMs]] : [['short', shortDelayMs], ['long', longDelayMs]];
      };

      it('fires a timer at its owner at or after its due time, never before, and once though scheduled twice', async () => {
        for (const [path, delay] of delays()) {
          const owner = uniqueAddress('contract/owner', `${path}-`);
          const t = timer(owner, delay, 'a');
          await backend.scheduler.schedule([t]);
          await backend.scheduler.schedule([t]);
          await backend.probe.passTime(delay - 1_000);
          expect(ids(await backend.probe.received(owner)), `${path}: nothing before the due time`).toEqual([]);
          await backend.probe.passTime(1_000);
          const fires = await backend.probe.received(owner, { atLeast: 1, waitMs: backend.traits.fireLatenessMs });
          expect(fires.map((f) => plain(f.envelope)), `${path}: one fire`).toStrictEqual([plain(timerFireEnvelope(owner, t.timerId, t.dueAt))]);
          expect(fires[0]!.at, `${path}: not before ${t.dueAt}`).toBeGreaterThanOrEqual(t.dueAt);
          expect(fires[0]!.at - t.dueAt, `${path}: lateness`).toBeLessThanOrEqual(backend.traits.fireLatenessMs);
          await backend.probe.passTime(Math.min(2_000, backend.traits.fireLatenessMs));
          expect(ids(await backend.probe.received(owner)), `${path}: no second fire`).toEqual([]);
        }
      });

      it('does not deliver a cancelled timer, or delivers it only as a stale fire its owner drops (per backend trait)', async () => {
        for (const [path, delay] of delays()) {
          const owner = uniqueAddress('contract/owner', `${path}-`);
          const cancelled = timer(owner, delay, 'c');
          const kept = timer(owner, delay + 1, 'k');
          await backend.scheduler.schedule([cancelled, kept]);
          await backend.scheduler.cancel([cancelled]);
          await backend.probe.passTime(delay + 1);
          const fires = await backend.probe.received(owner, { atLeast: 2, waitMs: backend.traits.fireLatenessMs });
          const expected = backend.traits.cancelledTimer(delay) === 'not-delivered' ? [kept.timerId] : [cancelled.timerId, kept.timerId];
          expect(
            fires.map((f) => (f.envelope.origin.kind === 'timer' ? f.envelope.origin.timerId : f.envelope.id)).sort(),
            `${path} path`,
          ).toEqual(expected.sort());
        }
      });
    });

    describe('SpecStore', () => {
      it('has no specs for a function type never registered', async () => {
        expect(await backend.specs.loadSpecs(`contract/${uniqueAddress('x').id}`)).toEqual([]);
      });

      it('adds or replaces the registered specs and keeps the others', async () => {
        const type = `contract/specs-${uniqueAddress('x').id}`;
        await backend.specs.registerSpecs(type, [spec('a', 'io.statefun.types/int'), spec('b', 'io.statefun.types/string')]);
        await backend.specs.registerSpecs(type, [spec('b', 'example/B', 'after-write', 60_000), spec('c', 'example/C', 'after-invoke', 1_000)]);
        const loaded = [...(await backend.specs.loadSpecs(type))].sort((x, y) => x.name.localeCompare(y.name));
        expect(loaded).toEqual([spec('a', 'io.statefun.types/int'), spec('b', 'example/B', 'after-write', 60_000), spec('c', 'example/C', 'after-invoke', 1_000)]);
      });

      it('keeps the specs of two writers registering at once', async () => {
        const type = `contract/specs-${uniqueAddress('x').id}`;
        await Promise.all([
          backend.specs.registerSpecs(type, [spec('x', 'example/X')]),
          backend.specs.registerSpecs(type, [spec('y', 'example/Y')]),
          backend.specs.registerSpecs(type, [spec('z', 'example/Z')]),
        ]);
        const names = (await backend.specs.loadSpecs(type)).map((s) => s.name).sort();
        expect(names).toEqual(['x', 'y', 'z']);
      });
    });

    describe('DeadLetterStore', () => {
      const listed = async (address: Address, present: boolean): Promise<boolean> => {
        const has = (all: readonly Address[]): boolean => all.some((a) => a.typename === address.typename && a.id === address.id);
        return has(await eventually(() => backend.letters.addressesWithLetters(), (all) => has(all) === present, backend.traits.listingLagMs));
      };

      it('keeps letters in arrival order, appends idempotently by envelope id, removes by id and lists addresses with letters', async () => {
        const parked = uniqueAddress('contract/parked', 'p/a#');
        const sender = uniqueAddress('contract/sender');
        const now = backend.probe.now();
        const [m1, m2, m4] = [0, 1, 3].map((i) => functionMessage(sender, parked, 1, i, now));
        const l1 = letter(m1!, 'TerminalError: boom', now, 10);
        const l2 = letter(m2!, 'behind a failed message', now, 1);
        const l3 = letter(ingressMessage(parked, `k-${parked.id}`, now), 'arrived while parked', now + 1, 2);

        expect(await backend.letters.listLetters(parked)).toEqual([]);
        await backend.letters.appendLetters(parked, [l1, l2]);
        await backend.letters.appendLetters(parked, [l2, l3, l3]);
        expect((await backend.letters.listLetters(parked)).map(plain)).toStrictEqual([l1, l2, l3].map(plain));
        expect(await listed(parked, true)).toBe(true);

        await backend.letters.removeLetters(parked, [m2!.id]);
        expect((await backend.letters.listLetters(parked)).map((l) => l.envelope.id)).toEqual([m1!.id, l3.envelope.id]);
        const l4 = letter(m4!, 'later', now + 2);
        await backend.letters.appendLetters(parked, [l4]);
        expect((await backend.letters.listLetters(parked)).map((l) => l.envelope.id)).toEqual([m1!.id, l3.envelope.id, m4!.id]);

        await backend.letters.removeLetters(parked, [m1!.id, l3.envelope.id, m4!.id, 'not/a/letter']);
        expect(await backend.letters.listLetters(parked)).toEqual([]);
        expect(await listed(parked, false)).toBe(false);
      });

      it('keeps a letter of nearly 1 MB', async () => {
        const parked = uniqueAddress('contract/parked');
        const now = backend.probe.now();
        const envelope = functionMessage(uniqueAddress('contract/sender'), parked, 1, 0, now);
        const big: Envelope = { ...envelope, argument: { typename: 'example/Blob', value: new Uint8Array(700_000).map((_, i) => (i * 7919) % 251) } };
        const stored = letter(big, 'too big to process', now);
        await backend.letters.appendLetters(parked, [stored]);
        expect((await backend.letters.listLetters(parked)).map(plain)).toStrictEqual([plain(stored)]);
        await backend.letters.removeLetters(parked, [big.id]);
        expect(await backend.letters.listLetters(parked)).toEqual([]);
      });
    });
  });
}

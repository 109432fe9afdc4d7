import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Envelope, Origin } from '../../../runtime/core/envelope.js';
import type { AddressRecord, EgressRecord, TimerRef } from '../../../runtime/core/record.js';
import { BinaryWriter } from '../../../runtime/local/binary-writer.js';
import type { JournalEntry } from '../../../runtime/local/journal.js';
import { readEntry, writeEntry } from '../../../runtime/local/journal-codec.js';

const text = fc.string({ unit: 'binary', maxLength: 40 });
const longText = fc.string({ unit: 'grapheme', minLength: 100, maxLength: 400 });
const time = fc.integer({ min: 0, max: 2 ** 53 - 1 });
const small = fc.nat({ max: 1_000_000 });
const bytes = fc.uint8Array({ maxLength: 300 });
const address = fc.record({ typename: fc.constantFrom('shop/cart', 'a/b'), id: fc.oneof(text, longText) });
const typed = fc.record({ typename: fc.constantFrom('io.statefun.types/int', 'shop/Cart'), value: bytes });

const origin: fc.Arbitrary<Origin> = fc.oneof(
  fc.record({ kind: fc.constant('function' as const), sender: address, incarnation: time, turn: time, index: small, sentAt: time, resent: fc.constant(true) }, { requiredKeys: ['kind', 'sender', 'incarnation', 'turn', 'index', 'sentAt'] }),
  fc.record({ kind: fc.constant('ingress' as const), key: text, keyed: fc.boolean(), acceptedAt: time, resent: fc.constant(true) }, { requiredKeys: ['kind', 'key', 'keyed', 'acceptedAt'] }),
  fc.record({ kind: fc.constant('timer' as const), timerId: text, dueAt: time }),
  fc.record({ kind: fc.constant('control' as const), command: fc.constantFrom('replay' as const, 'skip' as const), messageId: text, issuedAt: time }, { requiredKeys: ['kind', 'command', 'issuedAt'] }),
);
const envelope: fc.Arbitrary<Envelope> = fc.record({ id: text, target: address, caller: fc.option(address, { nil: undefined }), argument: typed, origin });
const timerRef: fc.Arbitrary<TimerRef> = fc.record({ timerId: text, owner: address, dueAt: time });
const egress: fc.Arbitrary<EgressRecord> = fc.record({ key: text, egress: text, argument: typed, source: address, at: time });

const record: fc.Arbitrary<AddressRecord> = fc.record({
  version: small,
  incarnation: time,
  values: fc.array(fc.tuple(text, fc.record({ typename: text, value: bytes, expiresAt: fc.option(time, { nil: undefined }) }))).map((e) => new Map(e)),
  timers: fc
    .array(fc.record({ timerId: text, token: fc.option(text, { nil: undefined }), dueAt: time, target: address, argument: typed }))
    .map((ts) => new Map(ts.map((t) => [t.timerId, t]))),
  dedup: fc.record({
    marks: fc.array(fc.tuple(text, fc.record({ incarnation: time, turn: time, index: small, sentAt: time, seenAt: time }))).map((e) => new Map(e)),
    forgottenUntil: time,
  }),
  lastConsumed: fc.array(text),
  outbox: fc.option(
    fc.record({
      turn: small,
      releaseProvenByAck: fc.boolean(),
      messages: fc.array(envelope, { maxLength: 3 }),
      timers: fc.array(fc.record({ kind: fc.constantFrom('schedule' as const, 'cancel' as const), timer: timerRef }), { maxLength: 3 }),
      egress: fc.array(egress, { maxLength: 3 }),
    }),
    { nil: undefined },
  ),
  lastCommitAt: time,
  parked: fc.option(fc.record({ since: time, reason: longText, messageId: text }), { nil: undefined }),
});
const queued = fc.record({ seq: time, envelope });
const letter = fc.record({ envelope, cause: text, at: time, attempts: small });
const spec = fc.record({
  name: text,
  typename: text,
  expiration: fc.record({ mode: fc.constantFrom('none' as const, 'after-write' as const, 'after-invoke' as const), ttlMs: time }),
});

const entry: fc.Arbitrary<JournalEntry> = fc.oneof(
  fc.record({ op: fc.constant('commit' as const), address, record, consumed: fc.array(time), enqueue: fc.array(queued, { maxLength: 3 }), schedule: fc.array(timerRef, { maxLength: 3 }), cancel: fc.array(text), egress: fc.array(egress, { maxLength: 3 }) }),
  fc.record({ op: fc.constant('enqueue' as const), messages: fc.array(queued, { maxLength: 4 }), keys: fc.array(fc.record({ key: text, messageId: text, at: time })) }),
  fc.record({ op: fc.constant('ack' as const), address, seqs: fc.array(time) }),
  fc.record({ op: fc.constant('egress' as const), records: fc.array(egress, { maxLength: 3 }) }),
  fc.record({ op: fc.constant('schedule' as const), timers: fc.array(timerRef) }),
  fc.record({ op: fc.constant('cancel' as const), timerIds: fc.array(text) }),
  fc.record({ op: fc.constant('fire' as const), timerId: text, fire: queued }),
  fc.record({ op: fc.constant('dead-append' as const), address, letters: fc.array(letter, { maxLength: 3 }), consumed: fc.array(time) }),
  fc.record({ op: fc.constant('dead-remove' as const), address, ids: fc.array(text) }),
  fc.record({ op: fc.constant('specs' as const), functionType: text, specs: fc.array(spec) }),
  fc.record({ op: fc.constant('egress-ack' as const), egress: text, keys: fc.array(text) }),
);

describe('the binary journal codec', () => {
  it('readsBackExactlyWhatItWroteForEveryEntryKind', () => {
    const w = new BinaryWriter(16);
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), (entries) => {
        const ends: number[] = [];
        w.reset();
        for (const e of entries) {
          writeEntry(w, e);
          ends.push(w.pos);
        }
        const all = Buffer.from(w.view());
        entries.forEach((e, i) => {
          expect(readEntry(all.subarray(i === 0 ? 0 : ends[i - 1], ends[i]))).toEqual(e);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('refusesAnEntryOfAnotherFormatOrCutShort', () => {
    const w = new BinaryWriter();
    writeEntry(w, { op: 'cancel', timerIds: ['a', 'b'] });
    const bytes = Buffer.from(w.view());
    expect(() => readEntry(Buffer.concat([Buffer.from([9]), bytes.subarray(1)]))).toThrow(/unknown format 9/);
    expect(() => readEntry(bytes.subarray(0, bytes.length - 1))).toThrow(/ends/);
  });
});

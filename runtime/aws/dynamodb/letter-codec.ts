/**
 * The stored form of a {@link DeadLetter}: one format byte (as in `record-codec.ts`: plain or DEFLATE), then
 *
 * ```proto
 * message StoredLetter {
 *   bytes envelope = 1;   // statefun_aws.v1.Envelope
 *   string cause = 2;
 *   uint64 at = 3;        // epoch ms
 *   uint64 attempts = 4;
 * }
 * ```
 */
import type { DeadLetter } from '../../ports.js';
import { decodeEnvelope, encodeEnvelope } from '../../remote/envelope-codec.js';
import { ProtoReader, ProtoWriter } from './proto-wire.js';
import { COMPRESS_ABOVE_BYTES, frame, unframe } from './record-codec.js';

export function encodeLetter(letter: DeadLetter): Uint8Array {
  const w = new ProtoWriter(256);
  w.bytes(1, encodeEnvelope(letter.envelope)).string(2, letter.cause);
  w.uint(3, letter.at, 'the time of a dead letter').uint(4, letter.attempts, 'the attempts of a dead letter');
  return frame(w.finish(), COMPRESS_ABOVE_BYTES);
}

export function decodeLetter(bytes: Uint8Array, what: string): DeadLetter {
  const r = new ProtoReader(unframe(bytes, what), what);
  let envelope: Uint8Array | undefined;
  let cause = '';
  let at = 0;
  let attempts = 0;
  r.fields((field) => {
    if (field === 1) envelope = r.bytes();
    else if (field === 2) cause = r.string();
    else if (field === 3) at = r.uint();
    else if (field === 4) attempts = r.uint();
  });
  return { envelope: decodeEnvelope(envelope ?? new Uint8Array(0)), cause, at, attempts };
}

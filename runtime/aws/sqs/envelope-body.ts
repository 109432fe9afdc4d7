import type { Envelope } from '../../core/envelope.js';
import { TerminalError } from '../../core/errors.js';
import { decodeEnvelope, encodeEnvelope } from '../../remote/envelope-codec.js';

/** SQS's largest message (body and attributes): 1 MiB. */
export const MAX_SQS_MESSAGE_BYTES = 1_048_576;

/** An envelope as an SQS message body: its protobuf encoding (proto/statefun_aws/v1/envelope.proto) in base64. */
export function encodeMessageBody(envelope: Envelope): string {
  const bytes = encodeEnvelope(envelope);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Reads a body written by {@link encodeMessageBody}; a {@link TerminalError} says what is wrong otherwise. */
/** Decodes a body that holds one envelope (the delay queue's bodies, and single messages). */
export function decodeMessageBody(body: string): Envelope {
  const envelopes = decodeMessageBodies(body);
  if (envelopes.length !== 1) throw new TerminalError(`an SQS message body holds ${envelopes.length} envelopes where one was expected`);
  return envelopes[0]!;
}

/**
 * Decodes a body of the queue of addresses: one envelope, or a bundle of several for the same address, in
 * order (base64 envelopes joined by commas, see {@link bundleBodies}).
 */
export function decodeMessageBodies(body: string): Envelope[] {
  const parts = body.split(',');
  const envelopes = parts.map((part) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(part) || part.length % 4 !== 0 || part.length === 0) {
      throw new TerminalError(`an SQS message body (${body.length} characters) is not base64: ${JSON.stringify(part.slice(0, 40))}`);
    }
    const buffer = Buffer.from(part, 'base64');
    return decodeEnvelope(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  });
  const target = envelopes[0]!.target;
  if (envelopes.some((e) => e.target.typename !== target.typename || e.target.id !== target.id)) {
    throw new TerminalError(`an SQS message body bundles envelopes for different addresses`);
  }
  return envelopes;
}

/**
 * Whether an envelope may share an SQS message with others. A bundle processed partly comes again whole, so
 * only envelopes the address recognises as applied after a later turn may travel in one: messages from
 * functions (sender marks), timer fires (the owner's pending timers), keyed ingress messages (their key's
 * mark) and control messages. An unkeyed ingress message is recognised only within its own turn: alone.
 */
export function bundleable(envelope: Envelope): boolean {
  const { origin } = envelope;
  return origin.kind !== 'ingress' || origin.keyed;
}

/** A body ready to send: the envelopes it carries (one, or a bundle for one address), in order. */
export interface MessageBodyPart {
  readonly envelopes: readonly Envelope[];
  readonly body: string;
}

/**
 * The SQS bodies for the messages of one send, in order: consecutive bundleable messages to the same address
 * share a body up to `limit` characters (one SQS message keeps their order and is one request's entry);
 * every other message travels alone. Messages to different addresses keep their relative order per address.
 * A message given twice is sent once.
 */
export function bundleBodies(messages: readonly Envelope[], limit = MAX_SQS_MESSAGE_BYTES): MessageBodyPart[] {
  const out: MessageBodyPart[] = [];
  const open = new Map<string, { envelopes: Envelope[]; parts: string[]; length: number; index: number }>();
  const seen = new Set<string>();
  for (const envelope of messages) {
    // The same message twice in one send (a timer scheduled twice, say) is one message: SQS would drop the
    // second copy by its dedup id, but not inside a bundle.
    if (seen.has(envelope.id)) continue;
    seen.add(envelope.id);
    const key = `${envelope.target.typename}/${envelope.target.id}`;
    const body = checkedMessageBody(envelope, limit);
    const current = open.get(key);
    if (!bundleable(envelope)) {
      open.delete(key);
      out.push({ envelopes: [envelope], body });
      continue;
    }
    if (current !== undefined && current.length + 1 + body.length <= limit) {
      current.envelopes.push(envelope);
      current.parts.push(body);
      current.length += 1 + body.length;
      out[current.index] = { envelopes: current.envelopes, body: current.parts.join(',') };
      continue;
    }
    const index = out.push({ envelopes: [envelope], body }) - 1;
    open.set(key, { envelopes: [envelope], parts: [body], length: body.length, index });
  }
  return out;
}

/** The body of an envelope, refused with a {@link TerminalError} naming it when SQS could not take it. */
export function checkedMessageBody(envelope: Envelope, limit = MAX_SQS_MESSAGE_BYTES): string {
  const body = encodeMessageBody(envelope);
  if (body.length > limit) {
    throw new TerminalError(
      `message ${envelope.id} to ${envelope.target.typename}/${envelope.target.id} is ${body.length} bytes as an SQS body (base64), ` +
        `more than SQS takes (${limit}): send a smaller value`,
    );
  }
  return body;
}

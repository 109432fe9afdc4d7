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
export function decodeMessageBody(body: string): Envelope {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw new TerminalError(`an SQS message body (${body.length} characters) is not base64: ${JSON.stringify(body.slice(0, 40))}`);
  }
  const buffer = Buffer.from(body, 'base64');
  return decodeEnvelope(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
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

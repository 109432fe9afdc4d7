import { type Address, addressKey } from '../../core/address.js';
import type { Envelope } from '../../core/envelope.js';
import { isStatefunError } from '../../core/errors.js';
import type { AppRuntime } from '../app-runtime.js';

/**
 * Messages that cannot reach any address — an SQS body that is not an envelope, an ingress record no router
 * accepts — are never dropped silently: they are parked as dead letters of an internal address, with the raw
 * body and the cause, where `statefun parked list|show|skip` finds them and the `ParkedAddresses` metric
 * raises the alarm. Retrying them is useless (the same bytes fail the same way), so they are set aside at once.
 *
 * `skip` drops one; `replay` fails again (no function serves the internal type) and parks on the next letter.
 */

/** Dispatcher messages whose body is not an envelope, parked per message group. */
export const UNDECODABLE_TYPE = 'statefun-aws.internal/undecodable';
/** Ingress records no router accepted (or routed to an unknown function type), parked per ingress. */
export const UNROUTABLE_TYPE = 'statefun-aws.internal/unroutable';
/** Typename of a dead letter holding a raw SQS body (UTF-8). */
export const RAW_SQS_BODY_TYPENAME = 'statefun-aws.internal/sqs-body';

/** A dead letter holding the raw body of an SQS message, under an internal address. */
export function rawBodyLetter(address: Address, idPrefix: string, messageId: string, body: Uint8Array, sentAt: number): Envelope {
  return {
    id: `${idPrefix}:${messageId}`,
    target: address,
    caller: undefined,
    argument: { typename: RAW_SQS_BODY_TYPENAME, value: body },
    origin: { kind: 'ingress', key: `sqs:${messageId}`, keyed: false, acceptedAt: sentAt },
  };
}

const MAX_ROUNDS = 3;

/**
 * Parks `address` (unless it is parked already) and adds `envelope` to its dead letters with `cause`.
 * Idempotent: a redelivered message joins the letters once (they are keyed by envelope id).
 */
export async function setAside(
  rt: Pick<AppRuntime, 'backend' | 'clock' | 'metrics' | 'logger'>,
  request: { readonly envelope: Envelope; readonly cause: string; readonly attempt: number },
): Promise<void> {
  const { store, deadLetters } = rt.backend;
  const { envelope, cause } = request;
  const address = envelope.target;
  const now = rt.clock.now();
  for (let round = 1; ; round++) {
    const record = await store.load(address);
    if (record.parked !== undefined) break;
    try {
      // Park first, then add the letter (as the engine does): a letter never exists for an unparked address.
      await store.commit({
        address,
        expectedVersion: record.version,
        record: {
          ...record,
          version: record.version + 1,
          lastConsumed: [],
          outbox: undefined,
          lastCommitAt: Math.max(now, record.lastCommitAt),
          parked: { since: now, reason: cause, messageId: envelope.id },
        },
      });
      break;
    } catch (error) {
      // Another batch set a message aside at the same address first: it is parked now; load again.
      if (!isStatefunError(error, 'version-conflict') || round >= MAX_ROUNDS) throw error;
    }
  }
  await deadLetters.appendLetters(address, [{ envelope, cause, at: now, attempts: request.attempt }]);
  rt.metrics.parked(address);
  rt.logger.error('message set aside as a dead letter', { address: addressKey(address), messageId: envelope.id, cause });
}

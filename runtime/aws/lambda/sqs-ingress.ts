import { type Envelope, ingressMessageId } from '../../core/envelope.js';
import { describeError, ValidationError } from '../../core/errors.js';
import { show } from '../../core/typename.js';
import type { AppModel } from '../../module/app.js';
import type { SqsIngressSpec } from '../../module/ingress.js';
import { INGRESS_KINDS } from '../../module/kinds.js';
import type { IngressRecord, Routed } from '../../module/routing.js';
import type { AppRuntime } from '../app-runtime.js';
import { ENV } from '../runtime-env.js';
import { batchFailures, type RecordOutcome } from './batch-failures.js';
import { receiveCount, sentTimestamp, type SqsBatchResponse, type SqsEvent, type SqsRecord } from './events.js';
import { rawBodyLetter, setAside, UNROUTABLE_TYPE } from './set-aside.js';

/**
 * The SQS ingress: records of a user's queue (`io.statefun-aws.sqs.v1/ingress`), routed by the ingress's
 * routers to addresses and sent into the FIFO queue of addresses.
 *
 * Each routed message's id is derived from the SQS message id (stable across redeliveries of the record), and
 * its origin is keyed by it, so a record delivered twice — also long after the FIFO queue's 5-minute dedup
 * window — is applied once (DESIGN I3); redeliveries (`ApproximateReceiveCount > 1`) are marked re-sent.
 * A record no router accepts, or that routes to an unknown function type, is set aside as a dead letter of
 * `statefun-aws.internal/unroutable/<ingress id>`. A record that could not be sent is reported as a batch
 * item failure (for a FIFO source queue, with every later record of its group).
 */

/** Which SQS ingress this function serves: `STATEFUN_INGRESS_ID`, else the app's only SQS ingress. */
export function resolveSqsIngress(model: AppModel, ingressId: string | undefined): SqsIngressSpec {
  const all = [...model.ingresses.values()].filter((s): s is SqsIngressSpec => s.kind === INGRESS_KINDS.sqs);
  if (ingressId !== undefined) {
    const spec = all.find((s) => s.id === ingressId);
    if (spec === undefined) {
      throw new ValidationError(`${ENV.ingressId} names ${show(ingressId)}, which is not an SQS ingress of the app (those are ${show(all.map((s) => s.id))})`);
    }
    return spec;
  }
  if (all.length !== 1) {
    throw new ValidationError(
      all.length === 0 ? 'the app declares no SQS ingress (io.statefun-aws.sqs.v1/ingress)' : `the app has several SQS ingresses (${all.map((s) => s.id).join(', ')}): set ${ENV.ingressId}`,
    );
  }
  return all[0]!;
}

/** The record as routers see it. */
export function ingressRecordOf(record: SqsRecord): IngressRecord {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (value.stringValue !== undefined && (value.dataType.startsWith('String') || value.dataType.startsWith('Number'))) attributes[name] = value.stringValue;
  }
  return {
    body: new TextEncoder().encode(record.body),
    ...(record.attributes.MessageGroupId !== undefined ? { messageGroupId: record.attributes.MessageGroupId } : {}),
    attributes,
  };
}

/** The envelope of the `index`-th message routed from `record`: its id and key depend only on the record. */
export function sqsIngressEnvelope(ingress: string, record: SqsRecord, routed: Routed, index: number): Envelope {
  const key = `sqs:${ingress}:${record.messageId}:${index}`;
  return {
    id: ingressMessageId(key),
    target: routed.target,
    caller: undefined,
    argument: routed.value,
    origin: { kind: 'ingress', key, keyed: true, acceptedAt: sentTimestamp(record), ...(receiveCount(record) > 1 ? { resent: true } : {}) },
  };
}

export async function ingestSqsBatch(rt: AppRuntime, ingress: SqsIngressSpec, event: SqsEvent): Promise<SqsBatchResponse> {
  const records = event.Records;
  const routers = rt.model.routersOf(ingress.id);
  const outcomes: RecordOutcome[] = new Array<RecordOutcome>(records.length);
  const envelopes: Envelope[] = [];
  const sentBy: number[] = [];
  for (const [i, record] of records.entries()) {
    let routed: Routed[];
    try {
      const input = ingressRecordOf(record);
      routed = routers.flatMap((binding) => binding.router.route(input));
      for (const m of routed) {
        if (rt.functions.resolve(m.target.typename) === undefined) throw new ValidationError(`routed to function type ${show(m.target.typename)}, which no module serves`);
      }
    } catch (error) {
      const address = { typename: UNROUTABLE_TYPE, id: ingress.id };
      const letter = rawBodyLetter(address, 'unroutable', record.messageId, new TextEncoder().encode(record.body), sentTimestamp(record));
      try {
        await setAside(rt, { envelope: letter, cause: `ingress ${ingress.id} could not route SQS message ${record.messageId}: ${describeError(error)}`, attempt: receiveCount(record) });
        outcomes[i] = { kind: 'done' };
      } catch (failure) {
        rt.logger.warn('setting an unroutable record aside failed; it comes again', { messageId: record.messageId, error: describeError(failure) });
        outcomes[i] = { kind: 'retry', afterMs: 0 };
      }
      continue;
    }
    routed.forEach((m, n) => {
      envelopes.push(sqsIngressEnvelope(ingress.id, record, m, n));
      sentBy.push(i);
    });
    outcomes[i] = { kind: 'done' };
  }
  if (envelopes.length > 0) {
    try {
      await rt.backend.bus.send(envelopes);
    } catch (error) {
      rt.logger.warn('SQS ingress could not send; the records come again', { ingress: ingress.id, records: records.length, error: describeError(error) });
      for (const i of sentBy) outcomes[i] = { kind: 'retry', afterMs: 0 };
    }
  }
  rt.metrics.batch(ingress.id, records.length);
  rt.metrics.flush();
  return batchFailures(records, outcomes).response;
}

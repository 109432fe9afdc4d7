import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { addressKey } from '../../core/address.js';
import { TerminalError } from '../../core/errors.js';
import type { EgressRecord } from '../../core/record.js';
import type { EventBridgeEgressSpec } from '../../module/egress.js';
import type { EgressSink } from '../../ports.js';
import { awsCall } from '../aws-errors.js';
import { type EntryFailure, type EntryRetryOptions, sendWithEntryRetries } from '../entry-retries.js';
import { batches } from '../sqs/batches.js';
import { base64, egressPayload } from './payload.js';

/** PutEvents' limit per entry and per request (Time, Source, DetailType and Detail counted). */
export const MAX_EVENT_BYTES = 262_144;
const MAX_DETAIL_TYPE = 128;

/** Entry error codes of PutEvents that no retry fixes. */
const PERMANENT_ENTRY_ERRORS: ReadonlySet<string> = new Set(['InvalidArgument', 'MalformedDetail', 'ValidationException', 'InvalidEventPatternException']);

export interface EventBridgeEgressSinkOptions {
  readonly spec: Pick<EventBridgeEgressSpec, 'id' | 'bus' | 'eventSource' | 'detailType'>;
  /** The client, built once per container by the caller. */
  readonly client: EventBridgeClient;
  /** The bus name or ARN when a deployment binds it. @default - the spec's `bus` */
  readonly busName?: string;
  readonly retry?: EntryRetryOptions;
}

/**
 * The `detail` of the event carrying an egress record: its idempotency key, the value's typename, the sending
 * address, and the value — embedded as JSON when it is JSON or a string (`value`), as base64 otherwise (`base64`).
 *
 * @example { "idempotencyKey": "shop/cart/alice#m3k2.7.e0", "typename": "shop/OrderPlaced",
 *            "source": "shop/cart/alice", "value": { "orderId": "o-17", "total": 42 } }
 */
export function eventDetail(record: EgressRecord): Record<string, unknown> {
  const payload = egressPayload(record.argument);
  const head = { idempotencyKey: record.key, typename: record.argument.typename, source: addressKey(record.source) };
  switch (payload.kind) {
    case 'json':
      return { ...head, value: payload.value };
    case 'text':
      return { ...head, value: payload.text };
    case 'binary':
      return { ...head, base64: base64(payload.bytes) };
  }
}

/**
 * {@link EgressSink} to an EventBridge bus (`io.statefun-aws.eventbridge.v1/egress`), by PutEvents (10 entries,
 * 256 KiB per request): `Source` from the spec, `DetailType` from the spec or the value's typename, `Time` the
 * commit time of the turn, `Detail` from {@link eventDetail}.
 *
 * Dedup (DESIGN I6): none on EventBridge's side (PutEvents has no idempotency token) — at least once. A record
 * released again produces a second event with the same `detail.idempotencyKey`; rules' targets dedup by it.
 * Entries that fail (throttling, internal failures) are retried; an event over 256 KiB is refused with a
 * {@link TerminalError} naming the egress and the record.
 */
export class EventBridgeEgressSink implements EgressSink {
  private readonly busName: string;

  constructor(private readonly options: EventBridgeEgressSinkOptions) {
    this.busName = options.busName ?? options.spec.bus.ref;
  }

  async publish(records: readonly EgressRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { spec } = this.options;
    const entries = records.map((record) => {
      const entry: PutEventsRequestEntry = {
        Source: spec.eventSource,
        DetailType: (spec.detailType ?? record.argument.typename).slice(0, MAX_DETAIL_TYPE),
        Detail: JSON.stringify(eventDetail(record)),
        EventBusName: this.busName,
        Time: new Date(record.at),
      };
      const bytes = 14 + Buffer.byteLength(entry.Source!) + Buffer.byteLength(entry.DetailType!) + Buffer.byteLength(entry.Detail!);
      if (bytes > MAX_EVENT_BYTES) {
        throw new TerminalError(`egress ${spec.id}: record ${record.key} is ${bytes} bytes as an event, more than EventBridge takes (${MAX_EVENT_BYTES})`);
      }
      return { entry, describe: `record ${record.key}`, bytes };
    });
    const what = `EventBridge PutEvents to egress ${spec.id} (${this.busName})`;
    await Promise.all(
      batches(entries, 10, MAX_EVENT_BYTES).map((batch) =>
        sendWithEntryRetries(
          what,
          batch,
          async (pending) => {
            const out = await awsCall(what, () => this.options.client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) })));
            const failures: EntryFailure[] = [];
            // Answers come in request order; a failed entry has an ErrorCode instead of an EventId.
            (out.Entries ?? []).forEach((result, index) => {
              if (result.ErrorCode !== undefined) {
                failures.push({ index, code: result.ErrorCode, message: result.ErrorMessage, permanent: PERMANENT_ENTRY_ERRORS.has(result.ErrorCode) });
              }
            });
            if (failures.length === 0 && (out.FailedEntryCount ?? 0) > 0) {
              return pending.map((_, index): EntryFailure => ({ index, code: 'Unknown', message: `${out.FailedEntryCount} entries failed`, permanent: false }));
            }
            return failures;
          },
          (e) => e.describe,
          this.options.retry,
        ),
      ),
    );
  }
}

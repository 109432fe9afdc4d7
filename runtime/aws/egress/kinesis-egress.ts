import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { TerminalError } from '../../core/errors.js';
import type { EgressRecord } from '../../core/record.js';
import type { AwsKinesisEgressSpec } from '../../module/egress.js';
import type { EgressSink } from '../../ports.js';
import { KinesisEgressRecord } from '../../remote/wire.js';
import { KINESIS_EGRESS_RECORD } from '../../sdk/egress-records.js';
import { awsCall } from '../aws-errors.js';
import { type EntryFailure, type EntryRetryOptions, sendWithEntryRetries } from '../entry-retries.js';
import { sha256Base64Url } from '../hashing.js';
import { batches } from '../sqs/batches.js';
import { keyOf, SOURCE_ADDRESS } from './key-rules.js';
import { dataBytes, egressPayload } from './payload.js';

/** Kinesis limits: a record (data and partition key), a PutRecords request, records per request. */
export const MAX_KINESIS_RECORD_BYTES = 1_048_576;
export const MAX_PUT_RECORDS_BYTES = 5 * 1_048_576;
export const MAX_PUT_RECORDS_ENTRIES = 500;
/** Kinesis's longest partition key, in Unicode characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;

export interface KinesisEgressSinkOptions {
  readonly spec: Pick<AwsKinesisEgressSpec, 'id' | 'stream' | 'partitionKey'>;
  /** The client, built once per container by the caller. */
  readonly client: KinesisClient;
  /** Stream name or ARN for plain values when a deployment binds it. @default - the spec's `stream` */
  readonly streamName?: string;
  readonly retry?: EntryRetryOptions;
}

/** A partition key within Kinesis's limit: the key itself, or `h:` + its base64url SHA-256 when longer. */
export function partitionKeyFor(key: string): string {
  return [...key].length <= MAX_PARTITION_KEY_LENGTH ? key : `h:${sha256Base64Url(key)}`;
}

interface KinesisEntry {
  readonly stream: string;
  readonly entry: PutRecordsRequestEntry;
  readonly describe: string;
  readonly bytes: number;
}

/**
 * {@link EgressSink} to Kinesis data streams (`io.statefun-aws.kinesis.v1/egress`), by PutRecords (≤ 500 records,
 * ≤ 5 MiB per request, one request per stream).
 *
 * - A StateFun `KinesisEgressRecord` (`kinesisEgressRecord(...)`, typename
 *   `type.googleapis.com/io.statefun.sdk.egress.KinesisEgressRecord`) is decoded: its stream, partition key,
 *   explicit hash key and value bytes are used as they are (StateFun's own Kinesis egress does the same).
 * - Any other value goes to the spec's stream, keyed by its key rule (default: the sending address); the data is
 *   a string as UTF-8, anything else as its bytes.
 *
 * Dedup (DESIGN I6): none — Kinesis has no idempotent put, and the data is the user's bytes, so the record key
 * travels nowhere: at least once, and a release repeated after a crash writes the record again. Records that
 * fail (throttling, internal failures) are retried, which can reorder them within a shard. Consumers that need
 * exactly once must dedup on a key inside their data.
 */
export class KinesisEgressSink implements EgressSink {
  constructor(private readonly options: KinesisEgressSinkOptions) {}

  async publish(records: readonly EgressRecord[]): Promise<void> {
    if (records.length === 0) return;
    const entries = records.map((record) => this.entryOf(record));
    const byStream = new Map<string, KinesisEntry[]>();
    for (const e of entries) {
      let list = byStream.get(e.stream);
      if (list === undefined) byStream.set(e.stream, (list = []));
      list.push(e);
    }
    const requests: Promise<void>[] = [];
    for (const [stream, list] of byStream) {
      const what = `Kinesis PutRecords to ${stream} (egress ${this.options.spec.id})`;
      const target = stream.startsWith('arn:') ? { StreamARN: stream } : { StreamName: stream };
      for (const batch of batches(list, MAX_PUT_RECORDS_ENTRIES, MAX_PUT_RECORDS_BYTES)) {
        requests.push(
          sendWithEntryRetries(
            what,
            batch,
            async (pending) => {
              const out = await awsCall(what, () => this.options.client.send(new PutRecordsCommand({ ...target, Records: pending.map((p) => p.entry) })));
              const failures: EntryFailure[] = [];
              // Answers come in request order; a failed record has an ErrorCode instead of a sequence number.
              (out.Records ?? []).forEach((result, index) => {
                if (result.ErrorCode !== undefined) failures.push({ index, code: result.ErrorCode, message: result.ErrorMessage, permanent: false });
              });
              return failures;
            },
            (e) => e.describe,
            this.options.retry,
          ),
        );
      }
    }
    await Promise.all(requests);
  }

  private entryOf(record: EgressRecord): KinesisEntry {
    const { spec } = this.options;
    const describe = `record ${record.key}`;
    let stream: string;
    let entry: PutRecordsRequestEntry;
    if (record.argument.typename === KINESIS_EGRESS_RECORD) {
      let decoded: ReturnType<typeof KinesisEgressRecord.decode>;
      try {
        decoded = KinesisEgressRecord.decode(record.argument.value);
      } catch (error) {
        throw new TerminalError(`egress ${spec.id}: ${describe} is not a valid KinesisEgressRecord: ${(error as Error).message}`, { cause: error });
      }
      if (!decoded.stream) throw new TerminalError(`egress ${spec.id}: the KinesisEgressRecord ${describe} names no stream`);
      if (!decoded.partitionKey) throw new TerminalError(`egress ${spec.id}: the KinesisEgressRecord ${describe} has no partition key`);
      stream = decoded.stream;
      entry = {
        Data: decoded.valueBytes ?? new Uint8Array(0),
        PartitionKey: partitionKeyFor(decoded.partitionKey),
        ...(decoded.explicitHashKey ? { ExplicitHashKey: decoded.explicitHashKey } : {}),
      };
    } else {
      const configured = this.options.streamName ?? spec.stream?.ref;
      if (configured === undefined) {
        throw new TerminalError(
          `egress ${spec.id}: ${describe} (${record.argument.typename}) is not a KinesisEgressRecord, and the egress names no stream for plain values`,
        );
      }
      stream = configured;
      const payload = egressPayload(record.argument);
      entry = { Data: dataBytes(payload, record.argument), PartitionKey: partitionKeyFor(keyOf(spec.partitionKey ?? SOURCE_ADDRESS, record, payload)) };
    }
    const bytes = entry.Data!.length + Buffer.byteLength(entry.PartitionKey!);
    if (bytes > MAX_KINESIS_RECORD_BYTES) {
      throw new TerminalError(`egress ${spec.id}: ${describe} is ${bytes} bytes, more than a Kinesis record takes (${MAX_KINESIS_RECORD_BYTES})`);
    }
    return { stream, entry, describe, bytes };
  }
}

import type { FifoCapableRef, ResourceRef } from './aws-names.js';
import type { AwsCredentialsSpec, AwsRegionSpec } from './ingress.js';
import type { EGRESS_KINDS } from './kinds.js';
import type { SourceRef } from './source.js';

/**
 * Egresses: where functions send records out of the app (`ctx.sendEgress({ egress: <id>, … })`). One type per
 * kind, told apart by `kind`; each carries its `id` (the egress typename functions address) and where it was
 * declared. Every record has a deterministic key (DESIGN I6); each sink documents how it dedups with it.
 */
export type EgressSpec =
  | PlaygroundEgressSpec
  | KafkaEgressSpec
  | KinesisEgressSpec
  | SqsEgressSpec
  | SnsEgressSpec
  | EventBridgeEgressSpec
  | AwsKinesisEgressSpec
  | LogEgressSpec
  | FileEgressSpec;

interface EgressBase {
  /** Egress typename `namespace/name`, e.g. `shop/receipts`. */
  readonly id: string;
  readonly source: SourceRef;
}

/**
 * StateFun's playground egress: an HTTP port where `GET /<topic>` pops the next payload of a topic (see
 * playground.ts). Its id is always `io.statefun.playground/egress`.
 *
 * @example
 * kind: io.statefun.playground.v1/egress
 * spec:
 *   port: 8091
 *   topics: [greetings]
 */
export interface PlaygroundEgressSpec extends EgressBase {
  readonly kind: typeof EGRESS_KINDS.playground;
  readonly port: number;
  /** The topics functions may write to and clients may read. */
  readonly topics: readonly string[];
}

/**
 * StateFun's Kafka egress, read faithfully (reported as unsupported when run). Functions send
 * `KafkaProducerRecord`s (`kafkaEgressRecord(...)`).
 *
 * @example
 * kind: io.statefun.kafka.v1/egress
 * spec:
 *   id: com.example/users
 *   address: kafka-broker:9092
 *   deliverySemantic: { type: exactly-once, transactionTimeout: 15min }
 *   properties: [{ foo.config: bar }]
 */
export interface KafkaEgressSpec extends EgressBase {
  readonly kind: typeof EGRESS_KINDS.kafka;
  readonly address: string | undefined;
  /** @default { type: 'at-least-once' } */
  readonly deliverySemantic:
    | { readonly type: 'at-least-once' | 'none' }
    | { readonly type: 'exactly-once'; readonly transactionTimeoutMs: number };
  readonly properties: Readonly<Record<string, string>>;
}

/**
 * StateFun's Kinesis egress, read faithfully (reported as unsupported when run; `io.statefun-aws.kinesis.v1/egress`
 * takes the same `KinesisEgressRecord`s).
 *
 * @example
 * kind: io.statefun.kinesis.v1/egress
 * spec:
 *   id: com.example/out
 *   awsRegion: { type: specific, id: eu-west-1 }
 *   maxOutstandingRecords: 9999
 */
export interface KinesisEgressSpec extends EgressBase {
  readonly kind: typeof EGRESS_KINDS.kinesis;
  readonly awsRegion: AwsRegionSpec;
  readonly awsCredentials: AwsCredentialsSpec;
  /** @default 1000 */
  readonly maxOutstandingRecords: number;
  readonly clientConfigProperties: Readonly<Record<string, string>>;
}

/**
 * How an egress derives a key (an SQS/SNS FIFO message group id, a Kinesis partition key) from a record:
 * - `source-address`: the sending address `namespace/name/id` (order per sender kept; the default);
 * - `source-id`: the sending address's id only (all functions of one entity share a group);
 * - `source-type`: the sending function type (one group per function type: ordered, but serial);
 * - `fixed`: one constant value (a single ordered stream);
 * - `json-pointer`: a string or number inside the record's JSON value.
 * Keys longer than AWS allows (128 characters for group ids, 256 for partition keys) are hashed.
 */
export type KeyRule =
  | { readonly type: 'source-address' | 'source-id' | 'source-type' }
  | { readonly type: 'fixed'; readonly value: string }
  | { readonly type: 'json-pointer'; readonly pointer: string };

/**
 * An SQS queue of the user's. The message body is the record's value (UTF-8 text for string and JSON types,
 * base64 otherwise, with the typename in a `statefun-typename` message attribute). For FIFO queues the
 * deduplication id is derived from the record key.
 *
 * @example
 * kind: io.statefun-aws.sqs.v1/egress
 * spec:
 *   id: shop/receipts
 *   queue: receipts.fifo          # name, URL or ARN
 *   messageGroupId: source-id     # FIFO queues only; default source-address
 */
export interface SqsEgressSpec extends EgressBase {
  readonly kind: typeof EGRESS_KINDS.sqs;
  readonly queue: FifoCapableRef;
  /** For FIFO queues; undefined for standard queues. @default { type: 'source-address' } */
  readonly messageGroupId: KeyRule | undefined;
  readonly region: string | undefined;
}

/**
 * An SNS topic. The message is the record's value, as for SQS; FIFO topics get a group id and a
 * deduplication id derived from the record key.
 *
 * @example
 * kind: io.statefun-aws.sns.v1/egress
 * spec:
 *   id: shop/notifications
 *   topic: arn:aws:sns:eu-west-1:123456789012:order-events
 *   subject: Order update        # optional
 */
export interface SnsEgressSpec extends EgressBase {
  readonly kind: typeof EGRESS_KINDS.sns;
  readonly topic: FifoCapableRef;
  /** For FIFO topics; undefined for standard topics. @default { type: 'source-address' } */
  readonly messageGroupId: KeyRule | undefined;
  /** Subject of email deliveries; at most 99 characters. */
  readonly subject: string | undefined;
  readonly region: string | undefined;
}

/**
 * An EventBridge event bus. The event detail is the record's value, which must be JSON (or a string, sent as
 * a JSON string).
 *
 * @example
 * kind: io.statefun-aws.eventbridge.v1/egress
 * spec:
 *   id: shop/events
 *   bus: shop-events             # name or ARN; default "default"
 *   source: com.example.shop     # required; may not start with "aws."
 *   detailType: OrderPlaced      # default: the typename of each record's value
 */
export interface EventBridgeEgressSpec extends EgressBase {
  readonly kind: typeof EGRESS_KINDS.eventbridge;
  /** @default the account's `default` bus */
  readonly bus: ResourceRef;
  readonly eventSource: string;
  /** undefined: the typename of each record's value. */
  readonly detailType: string | undefined;
  readonly region: string | undefined;
}

/**
 * A Kinesis data stream. Records of StateFun's `KinesisEgressRecord` type (`kinesisEgressRecord(...)`) name
 * their stream and partition key; other values go to `stream` keyed by `partitionKey`.
 *
 * @example
 * kind: io.statefun-aws.kinesis.v1/egress
 * spec:
 *   id: shop/clicks
 *   stream: clicks                # for values that are not KinesisEgressRecords
 *   partitionKey: source-id       # default source-address
 */
export interface AwsKinesisEgressSpec extends EgressBase {
  readonly kind: typeof EGRESS_KINDS.awsKinesis;
  /** Stream for plain values; undefined: only `KinesisEgressRecord`s are accepted. */
  readonly stream: ResourceRef | undefined;
  /** @default { type: 'source-address' } */
  readonly partitionKey: KeyRule;
  readonly region: string | undefined;
}

/**
 * Writes each record to the log (standard output under `statefun dev`, CloudWatch Logs on AWS): for local
 * development and debugging.
 *
 * @example
 * kind: io.statefun-aws.log.v1/egress
 * spec:
 *   id: shop/debug
 *   format: json                 # text (default): one readable line; json: one JSON object per line
 */
export interface LogEgressSpec extends EgressBase {
  readonly kind: typeof EGRESS_KINDS.log;
  readonly format: 'text' | 'json';
}

/**
 * Appends each record to a local file, one line each: for local development and tests (`statefun dev`;
 * not deployable).
 *
 * @example
 * kind: io.statefun-aws.file.v1/egress
 * spec:
 *   id: shop/receipts
 *   path: out/receipts.jsonl     # relative to the module file
 *   format: jsonl                # jsonl (default): {"key","egress","typename","value","source","at"}; text: the value as text
 */
export interface FileEgressSpec extends EgressBase {
  readonly kind: typeof EGRESS_KINDS.file;
  /** Absolute path of the file. */
  readonly path: string;
  readonly format: 'jsonl' | 'text';
}

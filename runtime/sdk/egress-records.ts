import { ValidationError } from '../core/errors.js';
import { show } from '../core/typename.js';
import { WireWriter } from './protobuf-wire.js';
import { jsonType, stringType, type Type } from './types.js';

/** A record for an egress, as `ctx.sendEgress` takes it. */
export interface EgressMessage<V = unknown> {
  /** Egress typename `namespace/type`, e.g. `io.statefun.playground/egress`. */
  readonly egress: string;
  readonly value: V;
  /** Type of `value`; may be left out for strings. */
  readonly type?: Type<V>;
}

/** The record the StateFun playground egress reads: a payload for a topic. */
export interface PlaygroundEgressRecord {
  readonly topic: string;
  readonly payload: string;
}

export const PLAYGROUND_EGRESS = 'io.statefun.playground/egress';
export const PlaygroundEgressRecordType: Type<PlaygroundEgressRecord> = jsonType<PlaygroundEgressRecord>('io.statefun.playground/EgressRecord');

/**
 * A record for the playground egress (`io.statefun.playground.v1/egress`): `GET /<topic>` returns `payload`.
 *
 * @example ctx.sendEgress(playgroundEgressRecord({ topic: 'greetings', payload: 'Hello Bob' }))
 */
export function playgroundEgressRecord(record: PlaygroundEgressRecord, egress = PLAYGROUND_EGRESS): EgressMessage<PlaygroundEgressRecord> {
  if (typeof record?.topic !== 'string' || record.topic.length === 0) {
    throw new ValidationError(`a playground egress record needs a topic, got ${show(record?.topic)}`);
  }
  if (typeof record.payload !== 'string') {
    throw new ValidationError(`the payload of a playground egress record must be a string, got ${show(record.payload)}`);
  }
  return { egress, value: { topic: record.topic, payload: record.payload }, type: PlaygroundEgressRecordType };
}

function payloadBytes<V>(value: V, type: Type<V> | undefined, what: string): Uint8Array {
  if (type !== undefined) return type.serialize(value);
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (value instanceof Uint8Array) return value;
  throw new ValidationError(`${what}: pass a type for a value that is not a string or bytes, got ${show(value)}`);
}

const bytesType = (typename: string): Type<Uint8Array> => ({ typename, serialize: (v) => v, deserialize: (b) => b });
export const KAFKA_PRODUCER_RECORD = 'type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord';
export const KINESIS_EGRESS_RECORD = 'type.googleapis.com/io.statefun.sdk.egress.KinesisEgressRecord';

/** A record for a Kafka egress (StateFun's `KafkaProducerRecord`). */
export function kafkaEgressRecord<V>(options: { egress: string; topic: string; key?: string; value: V; type?: Type<V> }): EgressMessage<Uint8Array> {
  const w = new WireWriter();
  if (options.key !== undefined && options.key !== '') w.string(1, options.key);
  w.bytes(2, payloadBytes(options.value, options.type, 'kafkaEgressRecord'));
  w.string(3, options.topic);
  return { egress: options.egress, value: w.finish(), type: bytesType(KAFKA_PRODUCER_RECORD) };
}

/** A record for a Kinesis egress (StateFun's `KinesisEgressRecord`). */
export function kinesisEgressRecord<V>(options: {
  egress: string;
  stream: string;
  partitionKey: string;
  explicitHashKey?: string;
  value: V;
  type?: Type<V>;
}): EgressMessage<Uint8Array> {
  const w = new WireWriter();
  w.string(1, options.partitionKey);
  w.bytes(2, payloadBytes(options.value, options.type, 'kinesisEgressRecord'));
  w.string(3, options.stream);
  if (options.explicitHashKey !== undefined && options.explicitHashKey !== '') w.string(4, options.explicitHashKey);
  return { egress: options.egress, value: w.finish(), type: bytesType(KINESIS_EGRESS_RECORD) };
}

export { stringType as defaultEgressType };

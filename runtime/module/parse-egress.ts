import { show } from '../core/typename.js';
import { agreeingRegion, type FifoCapableRef, readEventBus, readQueue, readRegion, readStream, readTopic, type ResourceRef } from './aws-names.js';
import type {
  AwsKinesisEgressSpec,
  EgressSpec,
  EventBridgeEgressSpec,
  FileEgressSpec,
  KafkaEgressSpec,
  KeyRule,
  KinesisEgressSpec,
  LogEgressSpec,
  PlaygroundEgressSpec,
  SnsEgressSpec,
  SqsEgressSpec,
} from './egress.js';
import { EGRESS_KINDS, type EgressKind } from './kinds.js';
import { resolveSpecPath } from './parse-endpoint.js';
import { ignorePlaygroundId, readAwsCredentials, readAwsRegion, readPort } from './parse-ingress.js';
import { readKeyRule } from './parse-routing.js';
import { PLAYGROUND_EGRESS_ID } from './playground.js';
import { readProperties, type SpecObject, type SpecValue } from './spec-reader.js';

/**
 * Reads the spec of an egress of `kind`.
 *
 * @param id the egress id when the format keeps it outside the spec (`meta.id` of `version: "3.0"` modules);
 *   undefined: `spec.id`.
 */
export function readEgress(kind: EgressKind, spec: SpecObject, id: SpecValue | undefined): EgressSpec {
  const egress = READERS[kind](spec, id);
  spec.finish(kind);
  return egress;
}

const READERS: { readonly [K in EgressKind]: (spec: SpecObject, id: SpecValue | undefined) => EgressSpec } = {
  [EGRESS_KINDS.playground]: readPlaygroundEgress,
  [EGRESS_KINDS.kafka]: readKafkaEgress,
  [EGRESS_KINDS.kinesis]: readKinesisEgress,
  [EGRESS_KINDS.sqs]: readSqsEgress,
  [EGRESS_KINDS.sns]: readSnsEgress,
  [EGRESS_KINDS.eventbridge]: readEventBridgeEgress,
  [EGRESS_KINDS.awsKinesis]: readAwsKinesisEgress,
  [EGRESS_KINDS.log]: readLogEgress,
  [EGRESS_KINDS.file]: readFileEgress,
};

function readId(spec: SpecObject, id: SpecValue | undefined): string {
  return (id ?? spec.require('id')).typename();
}

function readPlaygroundEgress(spec: SpecObject, id: SpecValue | undefined): PlaygroundEgressSpec {
  ignorePlaygroundId(spec, id, PLAYGROUND_EGRESS_ID);
  const port = readPort(spec.require('port'));
  const topics: string[] = [];
  for (const item of spec.require('topics').nonEmptyList()) {
    const topic = item.text();
    if (topic === '' || topic.includes('/')) item.fail(`must be a topic name without "/", got ${show(item.raw)}`);
    if (topics.includes(topic)) item.warn(`lists topic ${show(topic)} a second time`);
    else topics.push(topic);
  }
  return { kind: EGRESS_KINDS.playground, id: PLAYGROUND_EGRESS_ID, source: spec.ctx.source, port, topics };
}

function readKafkaEgress(spec: SpecObject, id: SpecValue | undefined): KafkaEgressSpec {
  return {
    kind: EGRESS_KINDS.kafka,
    id: readId(spec, id),
    source: spec.ctx.source,
    address: spec.get('address')?.string(),
    deliverySemantic: readDeliverySemantic(spec.get('deliverySemantic')),
    properties: readProperties(spec.get('properties')),
  };
}

function readDeliverySemantic(value: SpecValue | undefined): KafkaEgressSpec['deliverySemantic'] {
  if (value === undefined) return { type: 'at-least-once' };
  const object = value.object();
  const type = object.require('type').oneOf(['at-least-once', 'exactly-once', 'none'] as const);
  let semantic: KafkaEgressSpec['deliverySemantic'];
  if (type === 'exactly-once') {
    // StateFun prefers the deprecated `transactionTimeoutMillis`, then `transactionTimeout`.
    const millis = object.get('transactionTimeoutMillis');
    const duration = object.get('transactionTimeout');
    if (millis !== undefined && duration !== undefined) duration.warn('is overridden by transactionTimeoutMillis, which StateFun reads first');
    const transactionTimeoutMs =
      millis !== undefined ? millis.integer({ min: 1 }) : (duration ?? object.require('transactionTimeout')).durationMs({ allowZero: false });
    semantic = { type, transactionTimeoutMs };
  } else {
    semantic = { type };
  }
  object.finish(`deliverySemantic ${type}`);
  return semantic;
}

function readKinesisEgress(spec: SpecObject, id: SpecValue | undefined): KinesisEgressSpec {
  return {
    kind: EGRESS_KINDS.kinesis,
    id: readId(spec, id),
    source: spec.ctx.source,
    awsRegion: readAwsRegion(spec.get('awsRegion')),
    awsCredentials: readAwsCredentials(spec.get('awsCredentials')),
    maxOutstandingRecords: spec.get('maxOutstandingRecords')?.integer({ min: 1 }) ?? 1000,
    clientConfigProperties: readProperties(spec.get('clientConfigProperties')),
  };
}

/** `region`, checked against the region of the resource's ARN or URL. */
function readResourceRegion(spec: SpecObject, resource: ResourceRef | undefined): string | undefined {
  const value = spec.get('region');
  const region = value === undefined ? undefined : readRegion(value);
  return resource === undefined ? region : agreeingRegion(value, region, resource);
}

/** `messageGroupId` of a FIFO queue or topic (default: per source address); refused for standard ones. */
function readGroupId(spec: SpecObject, target: FifoCapableRef, what: string): KeyRule | undefined {
  const value = spec.get('messageGroupId');
  if (!target.fifo) {
    if (value !== undefined) value.fail(`is set, but ${what} ${show(target.ref)} is not FIFO (FIFO names end in ".fifo")`);
    return undefined;
  }
  return value === undefined ? { type: 'source-address' } : readKeyRule(value);
}

function readSqsEgress(spec: SpecObject, id: SpecValue | undefined): SqsEgressSpec {
  const egressId = readId(spec, id);
  const queue = readQueue(spec.require('queue'));
  return {
    kind: EGRESS_KINDS.sqs,
    id: egressId,
    source: spec.ctx.source,
    queue,
    messageGroupId: readGroupId(spec, queue, 'queue'),
    region: readResourceRegion(spec, queue),
  };
}

function readSnsEgress(spec: SpecObject, id: SpecValue | undefined): SnsEgressSpec {
  const egressId = readId(spec, id);
  const topic = readTopic(spec.require('topic'));
  const subjectValue = spec.get('subject');
  const subject = subjectValue?.string();
  if (subject !== undefined && (subject.length > 99 || /[\r\n]/.test(subject))) {
    subjectValue!.fail(`must be one line of at most 99 characters, got ${show(subject)}`);
  }
  return {
    kind: EGRESS_KINDS.sns,
    id: egressId,
    source: spec.ctx.source,
    topic,
    messageGroupId: readGroupId(spec, topic, 'topic'),
    subject,
    region: readResourceRegion(spec, topic),
  };
}

function readEventBridgeEgress(spec: SpecObject, id: SpecValue | undefined): EventBridgeEgressSpec {
  const egressId = readId(spec, id);
  const busValue = spec.get('bus');
  const bus: ResourceRef = busValue === undefined ? { ref: 'default', name: 'default', region: undefined } : readEventBus(busValue);
  const sourceValue = spec.require('source');
  const eventSource = sourceValue.string();
  if (eventSource.length > 256 || eventSource.startsWith('aws.')) {
    sourceValue.fail(`must be at most 256 characters and may not start with "aws." (reserved for AWS services), got ${show(eventSource)}`);
  }
  const detailTypeValue = spec.get('detailType');
  const detailType = detailTypeValue?.string();
  if (detailType !== undefined && detailType.length > 128) detailTypeValue!.fail(`must be at most 128 characters, got ${show(detailType)}`);
  return {
    kind: EGRESS_KINDS.eventbridge,
    id: egressId,
    source: spec.ctx.source,
    bus,
    eventSource,
    detailType,
    region: readResourceRegion(spec, bus),
  };
}

function readAwsKinesisEgress(spec: SpecObject, id: SpecValue | undefined): AwsKinesisEgressSpec {
  const egressId = readId(spec, id);
  const streamValue = spec.get('stream');
  const stream = streamValue === undefined ? undefined : readStream(streamValue);
  const partitionKey = spec.get('partitionKey');
  return {
    kind: EGRESS_KINDS.awsKinesis,
    id: egressId,
    source: spec.ctx.source,
    stream,
    partitionKey: partitionKey === undefined ? { type: 'source-address' } : readKeyRule(partitionKey),
    region: readResourceRegion(spec, stream),
  };
}

function readLogEgress(spec: SpecObject, id: SpecValue | undefined): LogEgressSpec {
  return {
    kind: EGRESS_KINDS.log,
    id: readId(spec, id),
    source: spec.ctx.source,
    format: spec.get('format')?.oneOf(['text', 'json'] as const) ?? 'text',
  };
}

function readFileEgress(spec: SpecObject, id: SpecValue | undefined): FileEgressSpec {
  return {
    kind: EGRESS_KINDS.file,
    id: readId(spec, id),
    source: spec.ctx.source,
    path: resolveSpecPath(spec.require('path')),
    format: spec.get('format')?.oneOf(['jsonl', 'text'] as const) ?? 'jsonl',
  };
}

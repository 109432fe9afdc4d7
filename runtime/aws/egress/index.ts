/** Egress sinks for the module's AWS egress kinds: SQS, SNS, EventBridge and Kinesis. */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EgressSpec } from '../../module/egress.js';
import { EGRESS_KINDS } from '../../module/kinds.js';
import type { EgressSink } from '../../ports.js';
import type { EntryRetryOptions } from '../entry-retries.js';
import { EventBridgeEgressSink } from './eventbridge-egress.js';
import { KinesisEgressSink } from './kinesis-egress.js';
import { SnsEgressSink } from './sns-egress.js';
import { SqsEgressSink } from './sqs-egress.js';

export { EMPTY_BODY, ENCODING_ATTRIBUTE, IDEMPOTENCY_KEY_ATTRIBUTE, messageBody, SOURCE_ATTRIBUTE, TYPENAME_ATTRIBUTE } from './attributes.js';
export { EventBridgeEgressSink, type EventBridgeEgressSinkOptions, eventDetail } from './eventbridge-egress.js';
export { keyOf } from './key-rules.js';
export { KinesisEgressSink, type KinesisEgressSinkOptions, partitionKeyFor } from './kinesis-egress.js';
export { bodyText, type EgressPayload, egressPayload } from './payload.js';
export { SnsEgressSink, type SnsEgressSinkOptions } from './sns-egress.js';
export { SqsEgressSink, type SqsEgressSinkOptions } from './sqs-egress.js';

/** The actions each sink calls, for IAM policies on the egress's resource. */
export const EGRESS_ACTIONS = {
  sqs: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
  sns: ['sns:Publish'],
  eventbridge: ['events:PutEvents'],
  kinesis: ['kinesis:PutRecords'],
} as const;

/** The clients the sinks use, each built once per container by the caller (and only used when needed). */
export interface EgressClients {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly eventbridge: EventBridgeClient;
  readonly kinesis: KinesisClient;
}

/** Where a deployment put an egress's resource (overrides the name in the module). */
export type EgressResourceBinding =
  | { readonly queueUrl: string }
  | { readonly topicArn: string }
  | { readonly busName: string }
  | { readonly streamName: string };

/**
 * The sink for one egress of the app, or undefined for kinds that have none on AWS (playground, Kafka,
 * StateFun's Kinesis kind, log and file egresses are served elsewhere or not at all).
 */
export function awsEgressSink(
  spec: EgressSpec,
  clients: EgressClients,
  binding?: EgressResourceBinding,
  retry?: EntryRetryOptions,
): EgressSink | undefined {
  const extra = retry === undefined ? {} : { retry };
  switch (spec.kind) {
    case EGRESS_KINDS.sqs:
      return new SqsEgressSink({ spec, client: clients.sqs, ...(binding !== undefined && 'queueUrl' in binding ? { queueUrl: binding.queueUrl } : {}), ...extra });
    case EGRESS_KINDS.sns:
      return new SnsEgressSink({ spec, client: clients.sns, ...(binding !== undefined && 'topicArn' in binding ? { topicArn: binding.topicArn } : {}), ...extra });
    case EGRESS_KINDS.eventbridge:
      return new EventBridgeEgressSink({ spec, client: clients.eventbridge, ...(binding !== undefined && 'busName' in binding ? { busName: binding.busName } : {}), ...extra });
    case EGRESS_KINDS.awsKinesis:
      return new KinesisEgressSink({ spec, client: clients.kinesis, ...(binding !== undefined && 'streamName' in binding ? { streamName: binding.streamName } : {}), ...extra });
    default:
      return undefined;
  }
}

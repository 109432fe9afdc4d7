/**
 * The Lambda event and response shapes the handlers take and return, written out here (field for field as
 * AWS sends them, and assignable to and from `@types/aws-lambda`'s) so that the published types need no
 * `@types/aws-lambda`.
 */

/** One SQS message as Lambda's event source mapping delivers it. */
export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: SqsRecordAttributes;
  readonly messageAttributes: Readonly<Record<string, SqsMessageAttribute>>;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string | null;
  readonly eventSource: string;
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

export interface SqsRecordAttributes {
  readonly ApproximateReceiveCount: string;
  readonly SentTimestamp: string;
  readonly SenderId: string;
  readonly ApproximateFirstReceiveTimestamp: string;
  readonly AWSTraceHeader?: string;
  readonly SequenceNumber?: string;
  readonly MessageGroupId?: string;
  readonly MessageDeduplicationId?: string;
  readonly DeadLetterQueueSourceArn?: string;
}

export interface SqsMessageAttribute {
  readonly stringValue?: string;
  readonly binaryValue?: string;
  readonly stringListValues?: string[];
  readonly binaryListValues?: string[];
  readonly dataType: string;
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/** The partial batch response of `ReportBatchItemFailures`. */
export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** What the handlers use of Lambda's context. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
  readonly functionName?: string;
}

/** An API Gateway HTTP API request, payload format 2.0. */
export interface HttpApiEvent {
  readonly version: string;
  readonly routeKey: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: string[];
  /** Header names in lower case; repeated headers joined with commas. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly pathParameters?: Readonly<Record<string, string | undefined>>;
  readonly stageVariables?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: {
    readonly accountId: string;
    readonly apiId: string;
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly http: {
      readonly method: string;
      readonly path: string;
      readonly protocol: string;
      readonly sourceIp: string;
      readonly userAgent: string;
    };
    readonly requestId: string;
    readonly routeKey: string;
    readonly stage: string;
    readonly time: string;
    readonly timeEpoch: number;
  };
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

/** The structured response of an HTTP API Lambda integration. */
export interface HttpApiResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** The receive count of a record: 1 on the first delivery. */
export function receiveCount(record: SqsRecord): number {
  const count = Number(record.attributes.ApproximateReceiveCount);
  return Number.isSafeInteger(count) && count > 0 ? count : 1;
}

/** Epoch ms the record was sent. */
export function sentTimestamp(record: SqsRecord): number {
  const at = Number(record.attributes.SentTimestamp);
  return Number.isFinite(at) ? at : 0;
}

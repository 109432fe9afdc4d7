import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Message } from '@aws-sdk/client-sqs';
import type { HttpApiEvent, LambdaContext, SqsMessageAttribute, SqsRecord, SqsRecordAttributes } from '../lambda/events.js';

/**
 * The events Lambda builds, made from what the SQS API returns and from plain HTTP requests, so that the
 * `functions/` handlers run locally (and in tests) on exactly the shapes they get on AWS.
 */

/** The queue a record came from. */
export interface QueueSource {
  readonly arn: string;
  readonly region: string;
}

/**
 * An SQS record as Lambda's event source mapping delivers it, from a received message (requested with
 * `MessageSystemAttributeNames: ['All']` and `MessageAttributeNames: ['All']`).
 */
export function sqsRecordOf(message: Message, source: QueueSource): SqsRecord {
  const a = message.Attributes ?? {};
  const body = message.Body ?? '';
  const attributes: SqsRecordAttributes = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? String(Date.now()),
    SenderId: a.SenderId ?? 'AIDAIENQZJOLO23YVJ4VO',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    ...(a.SequenceNumber !== undefined ? { SequenceNumber: a.SequenceNumber } : {}),
    ...(a.MessageGroupId !== undefined ? { MessageGroupId: a.MessageGroupId } : {}),
    ...(a.MessageDeduplicationId !== undefined ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
    ...(a.AWSTraceHeader !== undefined ? { AWSTraceHeader: a.AWSTraceHeader } : {}),
  };
  const messageAttributes: Record<string, SqsMessageAttribute> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? randomUUID(),
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(body, 'utf8').digest('hex'),
    ...(message.MD5OfMessageAttributes !== undefined ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: source.arn,
    awsRegion: source.region,
  };
}

/** A Lambda context whose remaining time counts down from `timeoutMs` on the wall clock. */
export function lambdaContext(timeoutMs: number, functionName = 'statefun-local', now: () => number = Date.now): LambdaContext {
  const deadline = now() + timeoutMs;
  return { getRemainingTimeInMillis: () => Math.max(0, deadline - now()), awsRequestId: randomUUID(), functionName };
}

/** What an HTTP API request carries, as a plain HTTP server sees it. */
export interface PlainHttpRequest {
  readonly method: string;
  /** Path and query, as sent (percent-encoded). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
  readonly sourceIp?: string;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+json)/i;

/**
 * The API Gateway HTTP API event (payload format 2.0) for a request: header names in lower case and repeated
 * headers joined with commas, cookies apart, the body base64-encoded unless its content type is text (as API
 * Gateway does for a route without binary media types), `$default` stage and route.
 */
export function httpApiEvent(request: PlainHttpRequest, now: number = Date.now()): HttpApiEvent {
  const query = request.url.indexOf('?');
  const rawPath = query < 0 ? request.url : request.url.slice(0, query);
  const rawQueryString = query < 0 ? '' : request.url.slice(query + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      cookies = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(';').map((c) => c.trim()));
      continue;
    }
    headers[lower] = Array.isArray(value) ? value.join(',') : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQueryString)) queryStringParameters[k] = queryStringParameters[k] === undefined ? v : `${queryStringParameters[k]},${v}`;
  const text = TEXT_TYPES.test(headers['content-type'] ?? '');
  const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  let decodedPath = rawPath;
  try {
    decodedPath = decodeURIComponent(rawPath);
  } catch {
    // API Gateway passes such paths through as they are.
  }
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies !== undefined ? { cookies } : {}),
    headers,
    ...(rawQueryString !== '' ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: request.method.toUpperCase(),
        path: decodedPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

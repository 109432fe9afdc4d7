import { describeError } from '../core/errors.js';
import type { FunctionDefinition } from '../sdk/function.js';
import { createRequestReplyHandler, httpStatusFor, type RequestReplyHandler } from './serve.js';
import { OCTET_STREAM } from './transport.js';

/**
 * The part of a Lambda function URL / API Gateway HTTP API (payload format 2.0) event the handler reads.
 * The Lambda invoke transport sends just `{ body, isBase64Encoded: true }`.
 */
export interface LambdaRequestReplyEvent {
  /** The request body: base64 when `isBase64Encoded`, else text. */
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  /** Present for HTTP events; only `POST` is served. */
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}

/** The answer, in the shape function URLs and HTTP APIs turn into an HTTP response. */
export interface LambdaRequestReplyResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Base64 of the `FromFunction` when `isBase64Encoded`; otherwise a plain-text reason for the failure. */
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** The part of the Lambda context the handler reads, to stop before the invocation times out. */
export interface LambdaContextLike {
  getRemainingTimeInMillis?(): number;
}

/** Time kept back from the Lambda's remaining time to answer before it is killed. */
const LAMBDA_SAFETY_MS = 500;

/**
 * A Lambda handler serving functions over StateFun's request-reply protocol: behind a function URL or an
 * HTTP API (binary bodies arrive base64-encoded), or invoked directly by the Lambda invoke transport.
 * Success: 200 with the base64 `FromFunction`. Failures answer as {@link httpStatusFor} says.
 *
 * @example
 * export const handler = createLambdaRequestReplyHandler([greeter]);
 */
export function createLambdaRequestReplyHandler(
  functions: readonly FunctionDefinition[] | RequestReplyHandler,
): (event: LambdaRequestReplyEvent, context?: LambdaContextLike) => Promise<LambdaRequestReplyResult> {
  const handle = typeof functions === 'function' ? functions : createRequestReplyHandler(functions);
  return async (event, context) => {
    const method = event?.requestContext?.http?.method;
    if (method !== undefined && method.toUpperCase() !== 'POST') {
      return text(405, `use POST with a ${OCTET_STREAM} body`);
    }
    const raw = event?.body ?? '';
    const body = event?.isBase64Encoded === true ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    const remaining = context?.getRemainingTimeInMillis?.();
    const deadline = remaining === undefined ? Number.POSITIVE_INFINITY : Date.now() + remaining - LAMBDA_SAFETY_MS;
    try {
      const answer = await handle(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), deadline);
      return {
        statusCode: 200,
        headers: { 'content-type': OCTET_STREAM },
        body: Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength).toString('base64'),
        isBase64Encoded: true,
      };
    } catch (error) {
      return text(httpStatusFor(error), describeError(error));
    }
  };
}

function text(statusCode: number, reason: string): LambdaRequestReplyResult {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: reason, isBase64Encoded: false };
}

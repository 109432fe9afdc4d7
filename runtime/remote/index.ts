/**
 * StateFun's request-reply protocol: invoking remote functions (any official StateFun SDK), serving
 * TypeScript functions remotely, and the wire codecs (also of statefun-aws's own message envelope).
 */
export { decodeFromFunction, decodeToFunction, encodeFromFunction, encodeToFunction } from './codec.js';
export { ENDPOINT_DEFAULTS, type HttpEndpointOptions, type HttpTlsOptions } from './endpoint-options.js';
export { FUNCTION_NAME_PLACEHOLDER, type HttpTarget, resolveTarget } from './endpoint-url.js';
export { decodeEnvelope, encodeEnvelope } from './envelope-codec.js';
export { HttpTransport } from './http-transport.js';
export { InFlightLimiter, processInFlightLimiter } from './in-flight-limiter.js';
export { RemoteFunctionInvoker, type TransportOptions } from './remote-invoker.js';
export { type BackoffOptions, DEFAULT_BACKOFF, withRetries } from './retry.js';
export { createRequestReplyHandler, httpStatusFor, type RequestReplyHandler } from './serve.js';
export { createRequestReplyListener, type RequestReplyListenerOptions } from './serve-http.js';
export {
  createLambdaRequestReplyHandler,
  type LambdaContextLike,
  type LambdaRequestReplyEvent,
  type LambdaRequestReplyResult,
} from './serve-lambda.js';
export { readTlsFiles, type TlsFiles } from './tls-files.js';
export {
  type ExchangeRequest,
  isRetryableStatus,
  OCTET_STREAM,
  type RequestReplyTransport,
  RETRYABLE_STATUSES,
  retryAfterMs,
} from './transport.js';

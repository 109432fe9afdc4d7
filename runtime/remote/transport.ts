/**
 * A way to deliver one serialized `ToFunction` to a remote function and get its `FromFunction` back:
 * HTTP(S) (`HttpTransport`), a direct Lambda invocation (runtime/aws/lambda-transport.ts), a test double.
 * The codec and the {@link RemoteFunctionInvoker} on top are the same for all of them.
 */
export interface ExchangeRequest {
  /** The function type being invoked, e.g. `example/greeter`; picks the URL or the target. */
  readonly functionType: string;
  /** A serialized `ToFunction`. */
  readonly body: Uint8Array;
}

export interface RequestReplyTransport {
  /**
   * Delivers `request.body` and resolves the response body (possibly empty). Passing failures (connection
   * errors, timeouts, throttling, 5xx) are retried with backoff inside the transport's call budget and
   * before `deadline`; then it rejects with a {@link RetryableError}. It rejects with a
   * {@link TerminalError} at once when retrying cannot help (e.g. a 404, an oversized payload).
   *
   * @param deadline epoch milliseconds by which the answer is needed (`Infinity` for none).
   */
  exchange(request: ExchangeRequest, deadline: number): Promise<Uint8Array>;
  /** Releases pooled connections. Calls after closing fail. */
  close(): Promise<void>;
}

/** The media type of both bodies of the request-reply protocol. */
export const OCTET_STREAM = 'application/octet-stream';

/**
 * HTTP statuses retried inside the call budget besides 5xx: those StateFun's okhttp transport retries
 * (408 Request Timeout, 409 Conflict, 420 Enhance Your Calm, 429 Too Many Requests, 499 Client Closed Request).
 * Other non-2xx statuses are terminal.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 420, 429, 499]);

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || RETRYABLE_STATUSES.has(status);
}

/** Milliseconds from a `Retry-After` header (seconds or an HTTP date), if it has a usable value. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

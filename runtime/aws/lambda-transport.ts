import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describeError, isStatefunError, RetryableError, TerminalError, ValidationError } from '../core/errors.js';
import { parseTypeName, show } from '../core/typename.js';
import { FUNCTION_NAME_PLACEHOLDER } from '../remote/endpoint-url.js';
import { type InFlightLimiter, processInFlightLimiter } from '../remote/in-flight-limiter.js';
import { type BackoffOptions, withRetries } from '../remote/retry.js';
import { type ExchangeRequest, isRetryableStatus, type RequestReplyTransport } from '../remote/transport.js';

/**
 * Functions served by another Lambda function (e.g. `createLambdaRequestReplyHandler`), invoked directly
 * and synchronously instead of over HTTP. runtime/module's `LambdaTransportSpec` maps onto this.
 *
 * @example
 * new RemoteFunctionInvoker({ transport: new LambdaTransport({ functionName: 'shop-functions', qualifier: 'live' }) })
 */
export interface LambdaTransportOptions {
  /**
   * Function name, `name:qualifier`, or (partial) ARN. `{function.name}` is replaced by the name part of the
   * function type, so one endpoint can spread its types over several Lambdas.
   */
  readonly functionName: string;
  /** Version or alias to invoke. @default - `$LATEST`, or the qualifier in `functionName` */
  readonly qualifier?: string;
  /** Region of the function, for the default client. @default - the runtime's own */
  readonly region?: string;
  /** The client to invoke with. @default - a client of its own for `region`, without SDK-level retries (this transport retries) */
  readonly client?: LambdaClient;
  /** Budget for one call, retries and backoff included. @default 120_000 */
  readonly callTimeoutMs?: number;
  /** Largest invocation payload either way, as JSON (base64 body included). @default 6_291_456 (6 MiB, Lambda's synchronous limit) */
  readonly payloadMaxBytes?: number;
  /** Backoff between attempts. @default - 10 ms doubling up to 1 s, with jitter */
  readonly retry?: BackoffOptions;
  /** The process-wide cap on remote calls in flight. @default - {@link processInFlightLimiter} */
  readonly inFlight?: InFlightLimiter;
}

/** Errors of the Lambda Invoke API worth retrying besides 5xx and the retryable statuses of HTTP endpoints. */
const RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'EC2ThrottledException',
  'ResourceConflictException',
  'ResourceNotReadyException',
  'SnapStartNotReadyException',
  'SnapStartTimeoutException',
  'ServiceException',
]);

const LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ERROR_SNIPPET = 512;

/**
 * Invokes a Lambda function (`RequestResponse`) with the request-reply payload
 * `{"body": "<base64 ToFunction>", "isBase64Encoded": true}` and reads the `{statusCode, body,
 * isBase64Encoded}` it answers (what `createLambdaRequestReplyHandler` returns).
 *
 * Retried inside the call budget, then a {@link RetryableError}: the function failing (`FunctionError`:
 * an unhandled error, a crash, its own timeout), throttling and other retryable Lambda errors, Lambda 5xx,
 * network errors and timeouts, and answers whose `statusCode` is 5xx or 408/409/420/429/499. Terminal at
 * once ({@link TerminalError}): other Lambda 4xx (no such function, access denied, payload too large), a
 * payload that is not the JSON answer described above, other answer statuses, oversized payloads.
 */
export class LambdaTransport implements RequestReplyTransport {
  private readonly client: LambdaClient;
  private readonly ownsClient: boolean;
  private readonly callTimeoutMs: number;
  private readonly payloadMaxBytes: number;
  private readonly limiter: InFlightLimiter;
  private closed = false;

  constructor(private readonly options: LambdaTransportOptions) {
    const what = `Lambda endpoint ${show(options?.functionName)}`;
    if (typeof options?.functionName !== 'string' || options.functionName.trim() === '') {
      throw new ValidationError(`a Lambda endpoint needs a functionName, got ${show(options?.functionName)}`);
    }
    this.callTimeoutMs = positive(options.callTimeoutMs ?? 120_000, `${what}: callTimeoutMs`);
    this.payloadMaxBytes = positive(options.payloadMaxBytes ?? LAMBDA_PAYLOAD_LIMIT, `${what}: payloadMaxBytes`);
    this.limiter = options.inFlight ?? processInFlightLimiter;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new LambdaClient({ maxAttempts: 1, ...(options.region !== undefined ? { region: options.region } : {}) });
  }

  /** The function invoked for a function type. */
  functionNameFor(functionType: string): string {
    const { name } = parseTypeName(functionType, 'function type');
    return this.options.functionName.split(FUNCTION_NAME_PLACEHOLDER).join(name);
  }

  async exchange(request: ExchangeRequest, deadline: number): Promise<Uint8Array> {
    const functionName = this.functionNameFor(request.functionType);
    const qualifier = this.options.qualifier;
    const describe = `Lambda ${functionName}${qualifier !== undefined ? `:${qualifier}` : ''} (${request.functionType})`;
    if (this.closed) throw new RetryableError(`${describe}: the transport is closed`);
    const payload = Buffer.from(JSON.stringify({ body: Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString('base64'), isBase64Encoded: true }));
    if (payload.length > this.payloadMaxBytes) {
      throw new TerminalError(`${describe}: the request payload of ${payload.length} bytes exceeds payloadMaxBytes (${this.payloadMaxBytes})`);
    }
    const command = new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: payload,
      ...(qualifier !== undefined ? { Qualifier: qualifier } : {}),
    });
    return withRetries(
      async (_n, attemptDeadline) => {
        const release = await this.limiter.acquire(attemptDeadline);
        try {
          return await this.attempt(command, attemptDeadline, describe);
        } finally {
          release();
        }
      },
      { deadline: Math.min(deadline, Date.now() + this.callTimeoutMs), describe, stopped: () => this.closed, ...(this.options.retry !== undefined ? { backoff: this.options.retry } : {}) },
    );
  }

  private async attempt(command: InvokeCommand, deadline: number, describe: string): Promise<Uint8Array> {
    const budget = Math.max(0, deadline - Date.now());
    // The deadline holds even if a client ignores the abort signal.
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new RetryableError(`${describe}: no answer within ${budget} ms`));
      }, budget);
    });
    let output;
    try {
      output = await Promise.race([this.client.send(command, { abortSignal: abort.signal }), expired]);
    } catch (error) {
      throw isStatefunError(error) ? error : invokeError(error, describe, budget);
    } finally {
      clearTimeout(timer);
    }
    const payload = output.Payload ?? new Uint8Array(0);
    if (payload.length > this.payloadMaxBytes) {
      throw new TerminalError(`${describe}: the answer of ${payload.length} bytes exceeds payloadMaxBytes (${this.payloadMaxBytes})`);
    }
    const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
    if (output.FunctionError !== undefined) {
      throw new RetryableError(`${describe}: the function failed (${output.FunctionError}): ${snippet(text)}`);
    }
    return readAnswer(text, describe);
  }

  /** Destroys the client if this transport made it. */
  close(): Promise<void> {
    this.closed = true;
    if (this.ownsClient) this.client.destroy();
    return Promise.resolve();
  }
}

/** The body of the `{statusCode, body, isBase64Encoded}` answer, or the error it stands for. */
function readAnswer(text: string, describe: string): Uint8Array {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new TerminalError(`${describe}: the answer is not JSON: ${snippet(text)}`);
  }
  const { statusCode, body, isBase64Encoded } = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
  if (typeof statusCode !== 'number' || (body !== undefined && body !== null && typeof body !== 'string')) {
    throw new TerminalError(`${describe}: the answer is not a request-reply answer {statusCode, body, isBase64Encoded}: ${snippet(text)}`);
  }
  const raw = typeof body === 'string' ? body : '';
  if (statusCode < 200 || statusCode >= 300) {
    const reason = `${describe}: answered status ${statusCode}: ${snippet(isBase64Encoded === true ? Buffer.from(raw, 'base64').toString('utf8') : raw)}`;
    throw isRetryableStatus(statusCode) ? new RetryableError(reason) : new TerminalError(`${reason}; not retried`);
  }
  const bytes = isBase64Encoded === true ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Maps a failed Invoke call to what happens next. */
function invokeError(error: unknown, describe: string, budget: number): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
    $retryable?: unknown;
    retryAfterSeconds?: string;
  };
  if (e.name === 'AbortError' || e.name === 'TimeoutError') {
    return new RetryableError(`${describe}: no answer within ${budget} ms`, { cause: error });
  }
  const status = e.$metadata?.httpStatusCode;
  const reason = `${describe}: ${describeError(error)}${status !== undefined ? ` (HTTP ${status})` : ''}`;
  const retryable = status === undefined || isRetryableStatus(status) || e.$fault === 'server' || e.$retryable !== undefined || RETRYABLE_ERRORS.has(e.name ?? '');
  if (!retryable) return new TerminalError(`${reason}; not retried`, { cause: error });
  const after = e.retryAfterSeconds === undefined ? undefined : Number(e.retryAfterSeconds) * 1000;
  return new RetryableError(reason, { cause: error, ...(after !== undefined && Number.isFinite(after) ? { retryAfterMs: after } : {}) });
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return show(flat.length > ERROR_SNIPPET ? `${flat.slice(0, ERROR_SNIPPET)}…` : flat);
}

function positive(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new ValidationError(`${what} must be a whole number above zero, got ${show(value)}`);
  return value;
}

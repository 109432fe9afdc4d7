import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { RetryableError, TerminalError, ValidationError } from '../core/errors.js';
import { show } from '../core/typename.js';
import { type HttpEndpointOptions, type ResolvedEndpointOptions, resolveEndpointOptions } from './endpoint-options.js';
import { type HttpTarget, resolveTarget } from './endpoint-url.js';
import { type InFlightLimiter, processInFlightLimiter } from './in-flight-limiter.js';
import { withRetries } from './retry.js';
import { type ExchangeRequest, isRetryableStatus, OCTET_STREAM, type RequestReplyTransport, retryAfterMs } from './transport.js';

/** How much of an error response body is kept for the error message. */
const ERROR_BODY_SNIPPET = 512;

/**
 * StateFun's HTTP transport: POSTs `ToFunction` bodies to one endpoint (see {@link HttpEndpointOptions}).
 *
 * - Connections are kept alive and pooled (at most `poolSize`, idle ones closed after `poolTtlMs`).
 * - Every attempt waits for a slot of the process-wide {@link InFlightLimiter} first (backpressure).
 * - Each attempt is bounded by the connect, write and read timeouts and by what is left of the call budget
 *   (`callTimeoutMs`, and the caller's deadline, whichever ends first).
 * - Connection errors, timeouts, 5xx and 408/409/420/429/499 are retried with exponential backoff while the
 *   budget lasts (a `Retry-After` is honoured), then the call fails with a {@link RetryableError}.
 * - Any other status, a 2xx with another content type than `application/octet-stream` (missing or with
 *   parameters is fine), or a body over `payloadMaxBytes` fails at once with a {@link TerminalError}.
 */
export class HttpTransport implements RequestReplyTransport {
  private readonly options: ResolvedEndpointOptions;
  private readonly agent: http.Agent;
  private readonly limiter: InFlightLimiter;
  private readonly targets = new Map<string, HttpTarget>();
  private readonly tls: boolean;
  private closed = false;

  constructor(options: HttpEndpointOptions) {
    this.options = resolveEndpointOptions(options);
    this.limiter = this.options.inFlight ?? processInFlightLimiter;
    this.tls = resolveTarget(this.options.urlPathTemplate, 'statefun.template/check').tls;
    const { poolSize, poolTtlMs } = this.options;
    const pooling = { keepAlive: true, maxSockets: poolSize, maxFreeSockets: poolSize, scheduling: 'lifo' as const, ...(poolTtlMs > 0 ? { timeout: poolTtlMs } : {}) };
    this.agent = this.tls ? new https.Agent({ ...pooling, ...this.tlsMaterial() }) : new http.Agent(pooling);
  }

  /** The TLS options for the agent, checked now so that a bad certificate or key password fails at start-up. */
  private tlsMaterial(): https.AgentOptions {
    const tls = this.options.tls;
    if (tls === undefined) return {};
    const material: https.AgentOptions = {
      ...(tls.trustCaCerts !== undefined ? { ca: pem(tls.trustCaCerts) } : {}),
      ...(tls.clientCert !== undefined ? { cert: pem(tls.clientCert) } : {}),
      ...(tls.clientKey !== undefined ? { key: pem(tls.clientKey) } : {}),
      ...(tls.clientKeyPassword !== undefined ? { passphrase: tls.clientKeyPassword } : {}),
    };
    try {
      createSecureContext(material);
    } catch (error) {
      throw new ValidationError(`remote endpoint ${show(this.options.urlPathTemplate)}: unusable TLS material: ${(error as Error).message}`, { cause: error });
    }
    return material;
  }

  /** The URL a function type is posted to. */
  targetFor(functionType: string): HttpTarget {
    let target = this.targets.get(functionType);
    if (target === undefined) {
      target = resolveTarget(this.options.urlPathTemplate, functionType);
      this.targets.set(functionType, target);
    }
    return target;
  }

  async exchange(request: ExchangeRequest, deadline: number): Promise<Uint8Array> {
    const target = this.targetFor(request.functionType);
    const describe = `POST ${target.display} (${request.functionType})`;
    if (this.closed) throw new RetryableError(`${describe}: the transport is closed`);
    const { payloadMaxBytes, callTimeoutMs, retry } = this.options;
    if (request.body.length > payloadMaxBytes) {
      throw new TerminalError(`${describe}: the request of ${request.body.length} bytes exceeds payloadMaxBytes (${payloadMaxBytes})`);
    }
    const callDeadline = Math.min(deadline, Date.now() + callTimeoutMs);
    return withRetries(
      async (_attempt, attemptDeadline) => {
        const release = await this.limiter.acquire(attemptDeadline);
        try {
          return await this.attempt(target, request.body, attemptDeadline, describe);
        } finally {
          release();
        }
      },
      { deadline: callDeadline, describe, backoff: retry, stopped: () => this.closed },
    );
  }

  /** One POST, bounded by `deadline` and the per-attempt timeouts. */
  private attempt(target: HttpTarget, body: Uint8Array, deadline: number, describe: string): Promise<Uint8Array> {
    const { connectTimeoutMs, readTimeoutMs, writeTimeoutMs, payloadMaxBytes } = this.options;
    return new Promise<Uint8Array>((resolve, reject) => {
      let settled = false;
      let written = false;
      let connectTimer: ReturnType<typeof setTimeout> | undefined;
      let writeTimer: ReturnType<typeof setTimeout> | undefined;
      let readTimer: ReturnType<typeof setTimeout> | undefined;
      const budget = Math.max(0, deadline - Date.now());
      const callTimer = setTimeout(() => fail(new RetryableError(`${describe}: no complete answer within ${budget} ms`)), budget);

      const clearTimers = (): void => {
        clearTimeout(callTimer);
        clearTimeout(connectTimer);
        clearTimeout(writeTimer);
        clearTimeout(readTimer);
      };
      // `reuse`: the exchange completed, so the connection may go back to the pool.
      const fail = (error: Error, reuse = false): void => {
        if (settled) return;
        settled = true;
        clearTimers();
        if (!reuse) req.destroy();
        reject(error);
      };
      const succeed = (bytes: Uint8Array): void => {
        if (settled) return;
        settled = true;
        clearTimers();
        resolve(bytes);
      };
      const armRead = (): void => {
        if (readTimeoutMs === 0 || settled) return;
        clearTimeout(readTimer);
        readTimer = setTimeout(() => fail(new RetryableError(`${describe}: nothing read for ${readTimeoutMs} ms (read timeout)`)), readTimeoutMs);
      };
      const armWrite = (): void => {
        if (writeTimeoutMs === 0 || settled || written) return;
        writeTimer = setTimeout(() => fail(new RetryableError(`${describe}: the request was not sent within ${writeTimeoutMs} ms (write timeout)`)), writeTimeoutMs);
      };

      const req = (target.tls ? https : http).request({
        agent: this.agent,
        method: 'POST',
        host: target.host,
        ...(target.port !== undefined ? { port: target.port } : {}),
        ...(target.socketPath !== undefined ? { socketPath: target.socketPath } : {}),
        path: target.path,
        headers: { 'content-type': OCTET_STREAM, accept: OCTET_STREAM, 'content-length': body.length },
      });

      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) {
          armWrite();
          return;
        }
        connectTimer = setTimeout(
          () => fail(new RetryableError(`${describe}: could not connect within ${connectTimeoutMs} ms (connect timeout)`)),
          connectTimeoutMs,
        );
        socket.once(target.tls ? 'secureConnect' : 'connect', () => {
          clearTimeout(connectTimer);
          armWrite();
        });
      });
      req.on('finish', () => {
        written = true;
        clearTimeout(writeTimer);
        armRead();
      });
      req.on('error', (error: NodeJS.ErrnoException) => fail(new RetryableError(`${describe}: ${connectionProblem(error)}`, { cause: error })));

      req.on('response', (res: http.IncomingMessage) => {
        armRead();
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        const declared = Number(res.headers['content-length'] ?? 0);
        if (ok && declared > payloadMaxBytes) {
          fail(new TerminalError(`${describe}: the response of ${declared} bytes exceeds payloadMaxBytes (${payloadMaxBytes})`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          armRead();
          size += chunk.length;
          if (ok) {
            if (size > payloadMaxBytes) {
              fail(new TerminalError(`${describe}: the response exceeds payloadMaxBytes (${payloadMaxBytes}) after ${size} bytes`));
              return;
            }
            chunks.push(chunk);
          } else if (size - chunk.length < ERROR_BODY_SNIPPET) {
            chunks.push(chunk);
          }
        });
        res.on('error', (error) => fail(new RetryableError(`${describe}: the connection broke while reading the response: ${error.message}`, { cause: error })));
        res.on('close', () => {
          if (!res.complete) fail(new RetryableError(`${describe}: the connection closed before the response was complete`));
        });
        res.on('end', () => {
          const bytes = chunks.length === 1 && ok ? chunks[0]! : Buffer.concat(chunks, ok ? size : Math.min(size, ERROR_BODY_SNIPPET));
          if (!ok) {
            fail(statusError(describe, status, res.headers, bytes), true);
            return;
          }
          const contentType = res.headers['content-type'];
          if (contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() !== OCTET_STREAM) {
            fail(new TerminalError(`${describe}: answered ${status} with content type ${show(contentType)} instead of ${OCTET_STREAM}`), true);
            return;
          }
          succeed(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        });
      });

      req.end(body);
    });
  }

  /** Closes pooled connections; exchanges in flight fail, later ones are refused. */
  close(): Promise<void> {
    this.closed = true;
    this.agent.destroy();
    return Promise.resolve();
  }
}

function pem(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function connectionProblem(error: NodeJS.ErrnoException): string {
  const code = error.code === undefined ? '' : ` (${error.code})`;
  return `connection failed${code}: ${error.message}`;
}

function statusError(describe: string, status: number, headers: http.IncomingHttpHeaders, body: Buffer): Error {
  const text = body.toString('utf8').replace(/\s+/g, ' ').trim();
  const detail = text.length === 0 ? '' : `: ${show(text)}`;
  if (isRetryableStatus(status)) {
    const after = retryAfterMs(headers['retry-after']);
    return new RetryableError(`${describe}: answered HTTP ${status}${detail}`, after === undefined ? undefined : { retryAfterMs: after });
  }
  const location = status >= 300 && status < 400 && headers.location !== undefined ? ` (redirect to ${show(headers.location)}, not followed)` : '';
  return new TerminalError(`${describe}: answered HTTP ${status}${location}${detail}; not retried`);
}

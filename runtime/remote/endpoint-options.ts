import { ValidationError } from '../core/errors.js';
import { show } from '../core/typename.js';
import type { InFlightLimiter } from './in-flight-limiter.js';
import { type BackoffOptions, DEFAULT_BACKOFF } from './retry.js';

/**
 * TLS material for `https` and `https+unix` endpoints, as contents (PEM text), not paths. StateFun's
 * transport keys name files; {@link readTlsFiles} reads them into this shape.
 */
export interface HttpTlsOptions {
  /** CA certificates to trust instead of the default ones (StateFun `trust_cacerts`); several PEM blocks may follow each other. */
  readonly trustCaCerts?: string | Uint8Array;
  /** Client certificate chain for mutual TLS (StateFun `client_cert`), PEM. */
  readonly clientCert?: string | Uint8Array;
  /** The client certificate's private key (StateFun `client_key`), PEM: PKCS#8 (encrypted or not), PKCS#1 or SEC1. */
  readonly clientKey?: string | Uint8Array;
  /** Password of an encrypted `clientKey`: the contents of StateFun's `client_key_password` file. */
  readonly clientKeyPassword?: string;
}

/**
 * How to reach one remote endpoint (StateFun `io.statefun.endpoints.v2/http`, with its `transport`), in
 * milliseconds and bytes. runtime/module maps its `EndpointSpec` onto this.
 *
 * Defaults are those of StateFun's `io.statefun.transports.v1/async` transport; for the okhttp transport
 * (`v1/http` endpoints, or `transport.timeouts`) pass `callTimeoutMs: 60_000, connectTimeoutMs: 10_000,
 * readTimeoutMs: 10_000, writeTimeoutMs: 10_000` (or the configured values).
 *
 * @example
 * { urlPathTemplate: 'https://functions.example.com/statefun/{function.name}', callTimeoutMs: 30_000 }
 */
export interface HttpEndpointOptions {
  /**
   * The URL to POST to. `{function.name}` is replaced by the name part of the function typename
   * (`greeter` for `example/greeter`). Schemes: `http`, `https`, and `http+unix` / `https+unix` for a
   * Unix domain socket, written `http+unix:///path/to/file.sock/url/path` (the socket file is the first
   * path segment ending in `.sock`).
   */
  readonly urlPathTemplate: string;
  /** Budget for one call: connecting, sending, waiting, reading, and every retry and backoff. @default 120_000 */
  readonly callTimeoutMs?: number;
  /** Longest to open a connection (TCP, and TLS handshake), per attempt. @default 20_000 */
  readonly connectTimeoutMs?: number;
  /** Longest silence while waiting for the response or between its chunks, per attempt; 0 for none. @default 0 */
  readonly readTimeoutMs?: number;
  /** Longest to hand the request to the network, per attempt; 0 for none. @default 0 */
  readonly writeTimeoutMs?: number;
  /** Idle pooled connections are closed after this long (StateFun `pool_ttl`); 0 keeps them until the server closes them. @default 15_000 */
  readonly poolTtlMs?: number;
  /** Most connections open to the endpoint at once (StateFun `pool_size`); further requests wait for one. @default 1024 */
  readonly poolSize?: number;
  /** Largest request or response body, in bytes (StateFun `payload_max_bytes`). @default 33_554_432 (32 MiB) */
  readonly payloadMaxBytes?: number;
  /** TLS material for https endpoints. @default - the default trusted CAs, no client certificate */
  readonly tls?: HttpTlsOptions;
  /** Backoff between the attempts of one call. @default - 10 ms doubling up to 1 s, with jitter */
  readonly retry?: BackoffOptions;
  /** The cap on remote calls in flight shared with other endpoints. @default - {@link processInFlightLimiter} */
  readonly inFlight?: InFlightLimiter;
}

/** The defaults of {@link HttpEndpointOptions}. */
export interface EndpointDefaults {
  readonly callTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly poolTtlMs: number;
  readonly poolSize: number;
  readonly payloadMaxBytes: number;
}

export const ENDPOINT_DEFAULTS: EndpointDefaults = Object.freeze({
  callTimeoutMs: 120_000,
  connectTimeoutMs: 20_000,
  readTimeoutMs: 0,
  writeTimeoutMs: 0,
  poolTtlMs: 15_000,
  poolSize: 1024,
  payloadMaxBytes: 32 * 1024 * 1024,
});

export type ResolvedEndpointOptions = EndpointDefaults & {
  readonly urlPathTemplate: string;
  readonly tls: HttpTlsOptions | undefined;
  readonly retry: Required<BackoffOptions>;
  readonly inFlight: InFlightLimiter | undefined;
};

/** Fills in defaults and validates, naming the endpoint and the bad value. */
export function resolveEndpointOptions(options: HttpEndpointOptions): ResolvedEndpointOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(`a remote endpoint needs an options object with a urlPathTemplate, got ${show(options)}`);
  }
  const what = `remote endpoint ${show(options.urlPathTemplate)}`;
  if (typeof options.urlPathTemplate !== 'string' || options.urlPathTemplate.length === 0) {
    throw new ValidationError(`a remote endpoint needs a urlPathTemplate, got ${show(options.urlPathTemplate)}`);
  }
  const resolved = {
    ...ENDPOINT_DEFAULTS,
    ...definedOnly(options),
    urlPathTemplate: options.urlPathTemplate,
    tls: options.tls,
    retry: { ...DEFAULT_BACKOFF, ...options.retry },
    inFlight: options.inFlight,
  };
  const positive = ['callTimeoutMs', 'connectTimeoutMs', 'poolSize', 'payloadMaxBytes'] as const;
  const nonNegative = ['readTimeoutMs', 'writeTimeoutMs', 'poolTtlMs'] as const;
  for (const key of [...positive, ...nonNegative]) {
    const value: unknown = resolved[key];
    const min = (positive as readonly string[]).includes(key) ? 1 : 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw new ValidationError(`${what}: ${key} must be a whole number ${min === 1 ? 'above zero' : 'of at least 0'}, got ${show(value)}`);
    }
  }
  const { initialBackoffMs, maxBackoffMs, multiplier } = resolved.retry;
  if (!Number.isFinite(initialBackoffMs) || initialBackoffMs < 0 || !Number.isFinite(maxBackoffMs) || maxBackoffMs < initialBackoffMs) {
    throw new ValidationError(`${what}: retry needs 0 <= initialBackoffMs <= maxBackoffMs, got ${show(options.retry)}`);
  }
  if (!Number.isFinite(multiplier) || multiplier < 1) {
    throw new ValidationError(`${what}: retry.multiplier must be at least 1, got ${show(multiplier)}`);
  }
  const tls = options.tls;
  if (tls !== undefined && (tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
    throw new ValidationError(`${what}: tls.clientCert and tls.clientKey go together; got only ${tls.clientCert === undefined ? 'clientKey' : 'clientCert'}`);
  }
  return resolved;
}

function definedOnly(options: HttpEndpointOptions): Partial<EndpointDefaults> {
  const out: Partial<Record<keyof EndpointDefaults, number>> = {};
  for (const key of Object.keys(ENDPOINT_DEFAULTS) as Array<keyof EndpointDefaults>) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

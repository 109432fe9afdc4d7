import { ValidationError } from '../core/errors.js';
import type { StateSpecDecl } from '../core/state-spec.js';
import { parseFunctionTypeName, show } from '../core/typename.js';
import type { TRANSPORT_TYPES } from './kinds.js';
import type { SourceRef } from './source.js';

/**
 * Remote function endpoints, normalized: whichever StateFun format declared them (`io.statefun.endpoints.v1/http`,
 * `…v2/http` with any transport, a `version: "2.0"` function), the transports of `runtime/remote` and
 * `runtime/aws` read one {@link EndpointSpec} with every duration in milliseconds and every default filled in.
 */

/** Which function types an endpoint serves: one type, or every type of a namespace (`ns/*`). */
export type FunctionPattern =
  | { readonly kind: 'exact'; readonly typename: string }
  | { readonly kind: 'namespace'; readonly namespace: string };

/** The placeholder of `urlPathTemplate` (and of a Lambda `function_name`) replaced by the function type's name. */
export const FUNCTION_NAME_PLACEHOLDER = '{function.name}';

/** StateFun's default `maxNumBatchRequests`. */
export const DEFAULT_MAX_NUM_BATCH_REQUESTS = 1000;

/**
 * Where and how to reach the functions of one pattern.
 *
 * @example
 * {
 *   declaredAs: 'io.statefun.endpoints.v2/http',
 *   functions: { kind: 'namespace', namespace: 'shop' },
 *   maxNumBatchRequests: 1000,
 *   transport: { kind: 'http', type: 'io.statefun.transports.v1/async', url: { template: 'http://fns:8000/{function.name}', scheme: 'http' },
 *                callTimeoutMs: 120000, connectTimeoutMs: 20000, … },
 *   states: [],
 *   source: { module: 'module.yaml', component: 'document 1 (io.statefun.endpoints.v2/http)' },
 * }
 */
export interface EndpointSpec {
  readonly source: SourceRef;
  /** What declared it: a component kind, or `version 2.0 function` / `version 1.0 function`. */
  readonly declaredAs: string;
  readonly functions: FunctionPattern;
  /** Most invocations in one request to one address (StateFun `maxNumBatchRequests`). @default 1000 */
  readonly maxNumBatchRequests: number;
  readonly transport: TransportSpec;
  /**
   * States declared up front (`version: "2.0"` and `"1.0"` modules). Empty for 3.x endpoints, whose functions
   * announce their states through `IncompleteInvocationContext`. See {@link UNTYPED_STATE_TYPENAME}.
   */
  readonly states: readonly StateSpecDecl[];
}

export type TransportSpec = HttpTransportSpec | LambdaTransportSpec;

/**
 * An HTTP endpoint speaking StateFun's request-reply protocol.
 *
 * The fields are the union of StateFun's two clients, filled in as each of them behaves:
 * - `io.statefun.transports.v1/async`: `call` 2 min, `connect` 20 s, `pool_ttl` 15 s, `pool_size` 1024,
 *   `payload_max_bytes` 32 MiB, TLS files. It has no separate read or write timeout: the call budget bounds
 *   them, so `readTimeoutMs` and `writeTimeoutMs` equal `callTimeoutMs`.
 * - `io.statefun.transports.v1/okhttp` (and `io.statefun.endpoints.v1/http`, and `version: "2.0"` functions):
 *   `call` 1 min, `connect` 10 s, `read` 10 s, `write` 10 s; pool and payload settings keep the async defaults.
 */
export interface HttpTransportSpec {
  readonly kind: 'http';
  /** The StateFun client the module described. */
  readonly type: typeof TRANSPORT_TYPES.async | typeof TRANSPORT_TYPES.okhttp;
  readonly url: UrlTemplate;
  /** Budget of a whole call: connecting, writing, the function's work, reading; retries included. */
  readonly callTimeoutMs: number;
  /** Longest wait for a connection (per attempt). */
  readonly connectTimeoutMs: number;
  /** Longest wait for one read from the connection. */
  readonly readTimeoutMs: number;
  /** Longest wait for one write to the connection. */
  readonly writeTimeoutMs: number;
  /** How long a pooled connection lives; 0: forever. */
  readonly poolTtlMs: number;
  /** Most connections in the pool. */
  readonly poolSize: number;
  /** Largest request or response body. */
  readonly payloadMaxBytes: number;
  readonly tls: TlsSpec;
}

/**
 * TLS files of the async transport, as absolute paths (resolved against the module file's directory;
 * StateFun's `classpath:` prefix reads as a path relative to it). Undefined: not set.
 */
export interface TlsSpec {
  /** PEM file of trusted CA certificates; undefined: the system's trust store. */
  readonly trustCaCerts: string | undefined;
  /** Client certificate (PEM) for mutual TLS. */
  readonly clientCert: string | undefined;
  /** PKCS#8 client private key (PEM) for mutual TLS. */
  readonly clientKey: string | undefined;
  /** A file holding the password of `clientKey`, if it has one. */
  readonly clientKeyPassword: string | undefined;
}

/**
 * Functions served by another Lambda function, invoked synchronously (`RequestResponse`) with the serialized
 * `ToFunction` as the payload (see runtime/aws). Declared as an `io.statefun.endpoints.v2/http` endpoint with
 * `transport.type: io.statefun-aws.transports.v1/lambda`.
 */
export interface LambdaTransportSpec {
  readonly kind: 'lambda';
  readonly type: typeof TRANSPORT_TYPES.lambda;
  /**
   * Function name, name with `:qualifier`, partial ARN (`123456789012:function:name`) or full ARN, as written;
   * may contain `{function.name}`. Resolve with {@link lambdaFunctionName}.
   */
  readonly functionName: string;
  /** Version or alias to invoke; undefined: `$LATEST`, or the qualifier written in `functionName`. */
  readonly qualifier: string | undefined;
  /** Region of the function: as written, else the one in its ARN; undefined: the runtime's own. */
  readonly region: string | undefined;
  /** Budget of one invocation. @default 2 min */
  readonly callTimeoutMs: number;
  /** Largest request or response payload. @default 6 MiB (Lambda's limit for synchronous invocations) */
  readonly payloadMaxBytes: number;
}

/**
 * A URL with an optional `{function.name}` placeholder. For the `+unix` schemes the path starts with the
 * socket file, up to the first segment ending in `.sock`: `http+unix:///run/fns.sock/statefun` is socket
 * `/run/fns.sock`, path `/statefun` (StateFun's rule).
 */
export interface UrlTemplate {
  /** As written, e.g. `https://fns.example.com/{function.name}`. */
  readonly template: string;
  readonly scheme: 'http' | 'https' | 'http+unix' | 'https+unix';
}

/** A URL to post one function type's requests to. */
export interface ResolvedUrl {
  /** An `http:` or `https:` URL. Over a Unix socket the host is `localhost` and only the path matters. */
  readonly url: string;
  readonly tls: boolean;
  /** The Unix socket to connect to; undefined for TCP. */
  readonly socketPath: string | undefined;
  /** Path and query of the request line, e.g. `/statefun/greeter?x=1`. */
  readonly path: string;
}

/**
 * Typename of the states of `version: "2.0"` and `"1.0"` modules. StateFun 2.x states had no type (the runtime
 * stored opaque bytes and the SDK gave them meaning), so the eager declaration cannot name one. StateFun 3.x's
 * own tests register such values as `io.statefun.types/raw`; we use the same name, and it means "untyped":
 * the engine should accept whatever typename the function writes to such a state and send it back with the
 * stored value, instead of insisting on the registered typename. A function that announces the state with a
 * real type (`IncompleteInvocationContext`) replaces the untyped registration.
 */
export { UNTYPED_STATE_TYPENAME } from '../core/state-spec.js';

/** `shop/cart` or `shop/*`. */
export function formatPattern(pattern: FunctionPattern): string {
  return pattern.kind === 'exact' ? pattern.typename : `${pattern.namespace}/*`;
}

/** Whether `typename` is one of the function types of `pattern`. */
export function matchesPattern(pattern: FunctionPattern, typename: string): boolean {
  if (pattern.kind === 'exact') return pattern.typename === typename;
  const slash = typename.lastIndexOf('/');
  return slash > 0 && typename.slice(0, slash) === pattern.namespace;
}

/**
 * Reads `ns/name` or `ns/*` (StateFun's `TargetFunctions`); a `*` anywhere else is refused.
 *
 * @param what names the value in errors.
 */
export function parseFunctionPattern(text: unknown, what: string): FunctionPattern {
  if (typeof text !== 'string') {
    throw new ValidationError(`${what} must be a function type <namespace>/<name> or a namespace <namespace>/*, got ${show(text)}`);
  }
  const slash = text.lastIndexOf('/');
  const namespace = text.slice(0, Math.max(slash, 0));
  const name = text.slice(slash + 1);
  if (namespace.includes('*') || (name.includes('*') && name !== '*')) {
    throw new ValidationError(`${what} ${show(text)} is invalid: only <namespace>/<name> or <namespace>/* are supported`);
  }
  if (name === '*') {
    parseFunctionTypeName(`${namespace}/x`, `${what} (namespace of ${show(text)})`);
    return { kind: 'namespace', namespace };
  }
  parseFunctionTypeName(text, what);
  return { kind: 'exact', typename: text };
}

const SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'http+unix', 'https+unix']);

/**
 * Reads a URL template and checks it would make a valid URL for any function name.
 *
 * @param what names the value in errors.
 */
export function parseUrlTemplate(template: unknown, what: string): UrlTemplate {
  if (typeof template !== 'string' || template.trim() === '') {
    throw new ValidationError(`${what} must be a URL such as http://functions:8000/{function.name}, got ${show(template)}`);
  }
  const colon = template.indexOf(':');
  const scheme = colon > 0 ? template.slice(0, colon).toLowerCase() : '';
  if (!SCHEMES.has(scheme)) {
    throw new ValidationError(
      `${what} ${show(template)} needs one of the schemes http, https, http+unix, https+unix` +
        (colon > 0 ? `, not ${show(template.slice(0, colon))}` : ''),
    );
  }
  const parsed: UrlTemplate = { template, scheme: scheme as UrlTemplate['scheme'] };
  resolveTemplate(parsed, 'example', what);
  return parsed;
}

/**
 * The URL of one function type: `{function.name}` replaced by the name part of `typename`.
 *
 * @example functionUrl(spec.url, 'shop/cart') // { url: 'http://fns:8000/cart', tls: false, socketPath: undefined, path: '/cart' }
 */
export function functionUrl(url: UrlTemplate, typename: string): ResolvedUrl {
  const { name } = parseFunctionTypeName(typename);
  return resolveTemplate(url, name, `URL of function ${typename}`);
}

function resolveTemplate(template: UrlTemplate, name: string, what: string): ResolvedUrl {
  const text = template.template.replaceAll(FUNCTION_NAME_PLACEHOLDER, name);
  const unix = template.scheme.endsWith('+unix');
  const tls = template.scheme.startsWith('https');
  const rest = text.slice(template.scheme.length + 1);
  if (!unix) {
    let url: URL;
    try {
      url = new URL(text);
    } catch (error) {
      throw new ValidationError(`${what} ${show(text)} is not a valid URL`, { cause: error });
    }
    if (url.hostname === '') throw new ValidationError(`${what} ${show(text)} has no host`);
    return { url: url.href, tls, socketPath: undefined, path: `${url.pathname}${url.search}` };
  }
  // http+unix://<socket path ending in .sock>/<url path>; StateFun takes the URI path (after an empty authority).
  if (!rest.startsWith('//')) {
    throw new ValidationError(`${what} ${show(text)} must look like ${template.scheme}:///path/to/file.sock/url/path`);
  }
  const afterAuthority = rest.slice(2);
  const firstSlash = afterAuthority.indexOf('/');
  const fullPath = firstSlash < 0 ? '' : afterAuthority.slice(firstSlash);
  const [pathPart, query = ''] = splitOnce(fullPath, '?');
  const segments = pathPart.split('/').filter((s) => s !== '');
  const sockIndex = segments.findIndex((s) => s.endsWith('.sock'));
  if (sockIndex < 0) {
    throw new ValidationError(`${what} ${show(text)} names no socket file: one path segment must end in ".sock"`);
  }
  const socketPath = `/${segments.slice(0, sockIndex + 1).join('/')}`;
  const path = `/${segments.slice(sockIndex + 1).join('/')}${query === '' ? '' : `?${query}`}`;
  return { url: `${tls ? 'https' : 'http'}://localhost${path}`, tls, socketPath, path };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const LAMBDA_QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const LAMBDA_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const LAMBDA_PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;

/** The parts of a Lambda function reference. */
export interface LambdaFunctionRef {
  /** What to pass as `FunctionName`: the name, or the ARN without qualifier. */
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly region: string | undefined;
}

/**
 * Splits a Lambda function reference (name, `name:qualifier`, partial or full ARN) and validates it.
 *
 * @param what names the value in errors.
 */
export function parseLambdaFunction(reference: string, what: string): LambdaFunctionRef {
  let name: string;
  let qualifier: string | undefined;
  let region: string | undefined;
  let functionName: string;
  const arn = LAMBDA_ARN.exec(reference);
  const partial = arn ? null : LAMBDA_PARTIAL_ARN.exec(reference);
  if (arn) {
    [, , region, , name = '', qualifier] = arn;
    functionName = `arn:${arn[1]}:lambda:${region}:${arn[3]}:function:${name}`;
  } else if (partial) {
    [, , name = '', qualifier] = partial;
    functionName = `${partial[1]}:function:${name}`;
  } else {
    [name, qualifier] = splitOnce(reference, ':');
    functionName = name;
  }
  if (!LAMBDA_NAME.test(name)) {
    throw new ValidationError(
      `${what} ${show(reference)} is not a Lambda function: names are 1 to 64 letters, digits, "-" or "_" (or give an ARN)`,
    );
  }
  if (qualifier !== undefined && !LAMBDA_QUALIFIER.test(qualifier)) {
    throw new ValidationError(`${what} ${show(reference)} has an invalid qualifier ${show(qualifier)}`);
  }
  return { functionName, qualifier, region };
}

/**
 * The Lambda function serving one function type: `{function.name}` replaced by the name part of `typename`.
 *
 * @example lambdaFunctionName(spec, 'shop/cart') // { functionName: 'shop-cart', qualifier: 'live', region: undefined }
 */
export function lambdaFunctionName(spec: LambdaTransportSpec, typename: string): LambdaFunctionRef {
  const { name } = parseFunctionTypeName(typename);
  const reference = spec.functionName.replaceAll(FUNCTION_NAME_PLACEHOLDER, name);
  const parsed = parseLambdaFunction(reference, `Lambda function of ${typename}`);
  return { functionName: parsed.functionName, qualifier: spec.qualifier ?? parsed.qualifier, region: spec.region ?? parsed.region };
}

import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { type Expiration, NEVER_EXPIRES, type StateSpecDecl, validateStateName } from '../core/state-spec.js';
import { show } from '../core/typename.js';
import { readRegion } from './aws-names.js';
import {
  DEFAULT_MAX_NUM_BATCH_REQUESTS,
  type EndpointSpec,
  FUNCTION_NAME_PLACEHOLDER,
  type HttpTransportSpec,
  type LambdaTransportSpec,
  parseFunctionPattern,
  parseLambdaFunction,
  parseUrlTemplate,
  type TlsSpec,
  type TransportSpec,
  UNTYPED_STATE_TYPENAME,
  type UrlTemplate,
} from './endpoint.js';
import { ENDPOINT_KINDS, TRANSPORT_TYPES } from './kinds.js';
import type { SpecObject, SpecValue } from './spec-reader.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const MIB = 1024 * 1024;

/** StateFun's defaults, by client. */
export const ASYNC_DEFAULTS = {
  callTimeoutMs: 2 * MINUTE,
  connectTimeoutMs: 20 * SECOND,
  poolTtlMs: 15 * SECOND,
  poolSize: 1024,
  payloadMaxBytes: 32 * MIB,
} as const;

export const OKHTTP_DEFAULTS = {
  callTimeoutMs: 1 * MINUTE,
  connectTimeoutMs: 10 * SECOND,
  readTimeoutMs: 10 * SECOND,
  writeTimeoutMs: 10 * SECOND,
} as const;

export const LAMBDA_DEFAULTS = {
  callTimeoutMs: 2 * MINUTE,
  /** Lambda's limit on a synchronous invocation's request and response payloads. */
  payloadMaxBytes: 6 * MIB,
} as const;

const NO_TLS: TlsSpec = Object.freeze({ trustCaCerts: undefined, clientCert: undefined, clientKey: undefined, clientKeyPassword: undefined });

function readPattern(spec: SpecObject): EndpointSpec['functions'] {
  const value = spec.require('functions');
  return parseFunctionPattern(value.raw, spec.ctx.where(value.path));
}

function readMaxBatch(spec: SpecObject, key = 'maxNumBatchRequests'): number {
  return spec.get(key)?.integer({ min: 1 }) ?? DEFAULT_MAX_NUM_BATCH_REQUESTS;
}

function readUrl(value: SpecValue): UrlTemplate {
  return parseUrlTemplate(value.raw, value.ctx.where(value.path));
}

function positiveDuration(value: SpecValue | undefined, fallback: number): number {
  return value === undefined ? fallback : value.durationMs({ allowZero: false });
}

/**
 * `io.statefun.endpoints.v2/http`:
 *
 * ```yaml
 * kind: io.statefun.endpoints.v2/http
 * spec:
 *   functions: com.example/*
 *   urlPathTemplate: https://bar.foo.com:8080/{function.name}
 *   maxNumBatchRequests: 1000
 *   transport: { type: io.statefun.transports.v1/async, call: 2m, connect: 20s }
 * ```
 */
export function readEndpointV2(spec: SpecObject): EndpointSpec {
  const functions = readPattern(spec);
  const maxNumBatchRequests = readMaxBatch(spec);
  const transportValue = spec.get('transport');
  const transport = transportValue?.object();
  const typeValue = transport?.get('type');
  const type = typeValue === undefined ? TRANSPORT_TYPES.async : typeValue.typename();
  let result: TransportSpec;
  if (type === TRANSPORT_TYPES.lambda) {
    const url = spec.get('urlPathTemplate');
    if (url !== undefined) url.warn(`is not used by the ${TRANSPORT_TYPES.lambda} transport; it is ignored`);
    result = readLambdaTransport(transport!);
  } else if (type === TRANSPORT_TYPES.async || type === TRANSPORT_TYPES.okhttp) {
    const url = readUrl(spec.require('urlPathTemplate'));
    if (type === TRANSPORT_TYPES.async) {
      result = readAsyncTransport(transport, url);
    } else {
      result = readOkHttpTransport(transport!.get('timeouts'), type, url);
      transport!.finish(type);
    }
  } else {
    return typeValue!.fail(`is not a known transport; use one of ${Object.values(TRANSPORT_TYPES).join(', ')}`);
  }
  spec.finish(ENDPOINT_KINDS.httpV2);
  return { source: spec.ctx.source, declaredAs: ENDPOINT_KINDS.httpV2, functions, maxNumBatchRequests, transport: result, states: [] };
}

/**
 * `io.statefun.endpoints.v1/http` (and `meta.kind: http` endpoints of `version: "3.0"` modules): the OkHttp
 * client, configured by `spec.timeouts`.
 */
export function readEndpointV1(spec: SpecObject): EndpointSpec {
  const functions = readPattern(spec);
  const url = readUrl(spec.require('urlPathTemplate'));
  const maxNumBatchRequests = readMaxBatch(spec);
  const transport = readOkHttpTransport(spec.get('timeouts'), TRANSPORT_TYPES.okhttp, url);
  spec.finish(ENDPOINT_KINDS.httpV1);
  return { source: spec.ctx.source, declaredAs: ENDPOINT_KINDS.httpV1, functions, maxNumBatchRequests, transport, states: [] };
}

/**
 * StateFun's async transport. Quirk kept from StateFun: when a `timeouts` mapping is present, its `call` and
 * `connect` (defaults 1 min and 10 s) win over the top-level `call` and `connect`.
 */
function readAsyncTransport(transport: SpecObject | undefined, url: UrlTemplate): HttpTransportSpec {
  let callTimeoutMs: number = ASYNC_DEFAULTS.callTimeoutMs;
  let connectTimeoutMs: number = ASYNC_DEFAULTS.connectTimeoutMs;
  let poolTtlMs: number = ASYNC_DEFAULTS.poolTtlMs;
  let poolSize: number = ASYNC_DEFAULTS.poolSize;
  let payloadMaxBytes: number = ASYNC_DEFAULTS.payloadMaxBytes;
  let tls = NO_TLS;
  if (transport !== undefined) {
    const call = transport.get('call');
    const connect = transport.get('connect');
    callTimeoutMs = positiveDuration(call, callTimeoutMs);
    connectTimeoutMs = positiveDuration(connect, connectTimeoutMs);
    const timeouts = transport.get('timeouts')?.object();
    if (timeouts !== undefined) {
      callTimeoutMs = positiveDuration(timeouts.get('call'), OKHTTP_DEFAULTS.callTimeoutMs);
      connectTimeoutMs = positiveDuration(timeouts.get('connect'), OKHTTP_DEFAULTS.connectTimeoutMs);
      for (const overridden of [call, connect]) {
        overridden?.warn(`is overridden by ${timeouts.path}, which ${TRANSPORT_TYPES.async} reads first`);
      }
      for (const key of ['read', 'write']) {
        timeouts.get(key)?.warn(`has no effect on ${TRANSPORT_TYPES.async}: the call timeout bounds reads and writes`);
      }
      timeouts.finish(`the timeouts of ${TRANSPORT_TYPES.async}`);
    }
    poolTtlMs = transport.get('pool_ttl')?.durationMs() ?? poolTtlMs;
    poolSize = transport.get('pool_size')?.integer({ min: 1 }) ?? poolSize;
    payloadMaxBytes = transport.get('payload_max_bytes')?.integer({ min: 1 }) ?? payloadMaxBytes;
    const file = (key: string): string | undefined => {
      const value = transport.get(key);
      return value === undefined ? undefined : resolveSpecPath(value);
    };
    tls = {
      trustCaCerts: file('trust_cacerts'),
      clientCert: file('client_cert'),
      clientKey: file('client_key'),
      clientKeyPassword: file('client_key_password'),
    };
    if ((tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
      transport.fail('needs both client_cert and client_key for mutual TLS, or neither');
    }
    if (tls.clientKeyPassword !== undefined && tls.clientKey === undefined) {
      transport.get('client_key_password')!.fail('is set, but there is no client_key');
    }
    transport.finish(TRANSPORT_TYPES.async);
  }
  return {
    kind: 'http',
    type: TRANSPORT_TYPES.async,
    url,
    callTimeoutMs,
    connectTimeoutMs,
    readTimeoutMs: callTimeoutMs,
    writeTimeoutMs: callTimeoutMs,
    poolTtlMs,
    poolSize,
    payloadMaxBytes,
    tls,
  };
}

/** The OkHttp client: `timeouts.call/connect/read/write`, each above zero, none above `call`. */
function readOkHttpTransport(timeoutsValue: SpecValue | undefined, type: typeof TRANSPORT_TYPES.okhttp, url: UrlTemplate): HttpTransportSpec {
  const timeouts = timeoutsValue?.object();
  const read = (name: 'call' | 'connect' | 'read' | 'write', fallback: number): number => positiveDuration(timeouts?.get(name), fallback);
  const callTimeoutMs = read('call', OKHTTP_DEFAULTS.callTimeoutMs);
  const connectTimeoutMs = read('connect', OKHTTP_DEFAULTS.connectTimeoutMs);
  const readTimeoutMs = read('read', OKHTTP_DEFAULTS.readTimeoutMs);
  const writeTimeoutMs = read('write', OKHTTP_DEFAULTS.writeTimeoutMs);
  if (timeouts !== undefined) {
    for (const [name, ms] of [['connect', connectTimeoutMs], ['read', readTimeoutMs], ['write', writeTimeoutMs]] as const) {
      if (ms <= callTimeoutMs) continue;
      const written = timeouts.get(name);
      if (written !== undefined) written.fail(`(${ms} ms) cannot be longer than the call timeout (${callTimeoutMs} ms)`);
      timeouts.require('call').fail(`(${callTimeoutMs} ms) is shorter than the default ${name} timeout (${ms} ms); set ${name} as well`);
    }
    timeouts.finish(`the timeouts of ${type}`);
  }
  return {
    kind: 'http',
    type,
    url,
    callTimeoutMs,
    connectTimeoutMs,
    readTimeoutMs,
    writeTimeoutMs,
    poolTtlMs: ASYNC_DEFAULTS.poolTtlMs,
    poolSize: ASYNC_DEFAULTS.poolSize,
    payloadMaxBytes: ASYNC_DEFAULTS.payloadMaxBytes,
    tls: NO_TLS,
  };
}

/**
 * `io.statefun-aws.transports.v1/lambda`: functions served by another Lambda function.
 *
 * ```yaml
 * transport:
 *   type: io.statefun-aws.transports.v1/lambda
 *   function_name: shop-{function.name}   # name, name:qualifier, partial or full ARN
 *   qualifier: live                       # optional version or alias
 *   region: eu-west-1                     # optional; default: the ARN's, else the app's
 *   call: 2 min                           # optional
 *   payload_max_bytes: 6291456            # optional, at most 6 MiB
 * ```
 */
function readLambdaTransport(transport: SpecObject): LambdaTransportSpec {
  const nameValue = transport.require('function_name');
  const functionName = nameValue.string();
  const sample = parseLambdaFunction(functionName.replaceAll(FUNCTION_NAME_PLACEHOLDER, 'example'), nameValue.ctx.where(nameValue.path));
  const qualifierValue = transport.get('qualifier');
  const qualifier = qualifierValue?.string();
  if (qualifier !== undefined) {
    if (!/^(\$LATEST|[A-Za-z0-9_-]{1,128})$/.test(qualifier)) qualifierValue!.fail(`is not a Lambda version or alias: ${show(qualifier)}`);
    if (sample.qualifier !== undefined && sample.qualifier !== qualifier) {
      qualifierValue!.fail(`is ${show(qualifier)}, but function_name already names qualifier ${show(sample.qualifier)}`);
    }
  }
  const regionValue = transport.get('region');
  const region = regionValue === undefined ? undefined : readRegion(regionValue);
  if (region !== undefined && sample.region !== undefined && region !== sample.region) {
    regionValue!.fail(`is ${show(region)}, but the function ARN is in ${show(sample.region)}`);
  }
  const callTimeoutMs = positiveDuration(transport.get('call'), LAMBDA_DEFAULTS.callTimeoutMs);
  const payloadMaxBytes = transport.get('payload_max_bytes')?.integer({ min: 1, max: LAMBDA_DEFAULTS.payloadMaxBytes }) ?? LAMBDA_DEFAULTS.payloadMaxBytes;
  transport.ignore('type');
  transport.finish(TRANSPORT_TYPES.lambda);
  return { kind: 'lambda', type: TRANSPORT_TYPES.lambda, functionName, qualifier, region: region ?? sample.region, callTimeoutMs, payloadMaxBytes };
}

/**
 * A file path in a spec, made absolute: relative to the module file's directory, `~/` to the home directory.
 * StateFun's `classpath:` prefix has no meaning here; it is read as a path relative to the module file.
 */
export function resolveSpecPath(value: SpecValue): string {
  let text = value.string();
  if (text.startsWith('classpath:')) {
    value.warn('uses "classpath:", which has no meaning outside the JVM; it is read as a path relative to the module file');
    text = text.slice('classpath:'.length).replace(/^\/+/, '');
  }
  if (text === '~' || text.startsWith('~/')) return join(homedir(), text.slice(1));
  if (isAbsolute(text)) return text;
  return resolve(value.ctx.baseDir ?? '.', text);
}

/**
 * One function of a `version: "2.0"` (or `"1.0"`) module, as an endpoint for exactly that function type.
 *
 * ```yaml
 * - function:
 *     meta: { kind: http, type: example/greeter }
 *     spec:
 *       endpoint: http://functions:8000/statefun
 *       states: [{ name: seen_count, expireAfter: 5min, expireMode: after-invoke }]
 *       maxNumBatchRequests: 500
 *       timeout: 2min            # connectTimeout, readTimeout, writeTimeout: 10 s each by default
 * ```
 *
 * StateFun 2.x used OkHttp: `timeout` 1 min, `connectTimeout`, `readTimeout`, `writeTimeout` 10 s each. States
 * are declared here (typename {@link UNTYPED_STATE_TYPENAME}); `expireAfter` defaults to 0 (never), and
 * `expireMode` to `after-invoke`. In `"1.0"` modules `states` is a list of names.
 *
 * @param entry one element of `module.spec.functions`.
 */
export function readVersion2Function(entry: SpecValue, version: '2.0' | '1.0'): EndpointSpec {
  const item = entry.object();
  let fn = item.get('function');
  const siblings = fn === undefined && (item.has('meta') || item.has('spec'));
  if (siblings) {
    // StateFun's own 2.x docs indent `meta:` level with `function:`, which makes them siblings; accept it.
    entry.warn('has "meta" and "spec" next to "function:" instead of inside it (check the indentation); read as if inside');
    fn = entry;
  } else {
    fn = item.require('function');
    item.finish('a function entry');
  }
  const node = fn.object();
  if (siblings) node.ignore('function');
  const meta = node.require('meta').object();
  const kindValue = meta.require('kind');
  const kind = kindValue.string().toLowerCase();
  if (kind === 'grpc') kindValue.fail('is "grpc": StateFun 2.x gRPC functions are not supported; serve the function over HTTP');
  if (kind !== 'http') kindValue.fail(`must be "http", got ${show(kindValue.raw)}`);
  const typename = meta.require('type').functionTypename();
  meta.finish('function.meta');
  const spec = node.require('spec').object();
  const url = readUrl(spec.require('endpoint'));
  const states = readStates(spec.get('states'), typename, version);
  const maxNumBatchRequests = readMaxBatch(spec);
  const callTimeoutMs = positiveDuration(spec.get('timeout'), OKHTTP_DEFAULTS.callTimeoutMs);
  const transport: HttpTransportSpec = {
    kind: 'http',
    type: TRANSPORT_TYPES.okhttp,
    url,
    callTimeoutMs,
    connectTimeoutMs: positiveDuration(spec.get('connectTimeout'), OKHTTP_DEFAULTS.connectTimeoutMs),
    readTimeoutMs: positiveDuration(spec.get('readTimeout'), OKHTTP_DEFAULTS.readTimeoutMs),
    writeTimeoutMs: positiveDuration(spec.get('writeTimeout'), OKHTTP_DEFAULTS.writeTimeoutMs),
    poolTtlMs: ASYNC_DEFAULTS.poolTtlMs,
    poolSize: ASYNC_DEFAULTS.poolSize,
    payloadMaxBytes: ASYNC_DEFAULTS.payloadMaxBytes,
    tls: NO_TLS,
  };
  spec.finish(`a version ${version} http function`);
  node.finish(`a version ${version} function`);
  return {
    source: entry.ctx.source,
    declaredAs: `version ${version} function`,
    functions: { kind: 'exact', typename },
    maxNumBatchRequests,
    transport,
    states,
  };
}

function readStates(value: SpecValue | undefined, typename: string, version: '2.0' | '1.0'): StateSpecDecl[] {
  if (value === undefined) return [];
  const states: StateSpecDecl[] = [];
  const seen = new Set<string>();
  for (const item of value.list()) {
    let name: string;
    let expiration: Expiration = NEVER_EXPIRES;
    if (typeof item.raw === 'string') {
      name = item.raw;
    } else {
      if (version === '1.0') item.warn('is a mapping; version 1.0 modules list state names only (read as version 2.0)');
      const state = item.object();
      const nameValue = state.require('name');
      name = nameValue.string();
      const after = state.get('expireAfter');
      const mode = state.get('expireMode');
      const ttlMs = after?.durationMs() ?? 0;
      const expireMode = mode?.oneOf(['after-invoke', 'after-write'] as const) ?? 'after-invoke';
      if (after === undefined && mode !== undefined) mode.warn('has no effect without expireAfter');
      if (ttlMs > 0) expiration = { mode: expireMode, ttlMs };
      state.finish('a state of a version 2.0 function');
    }
    try {
      validateStateName(name, typename);
    } catch (error) {
      item.fail(`is not a valid state: ${(error as ValidationError).message}`);
    }
    if (seen.has(name)) item.fail(`declares state ${show(name)} of ${typename} a second time`);
    seen.add(name);
    states.push(Object.freeze({ name, typename: UNTYPED_STATE_TYPENAME, expiration }));
  }
  return states;
}

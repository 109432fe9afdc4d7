import { randomUUID } from 'node:crypto';
import { addressKey } from '../../core/address.js';
import { type Envelope, ingressMessageId } from '../../core/envelope.js';
import { describeError, isStatefunError } from '../../core/errors.js';
import { show } from '../../core/typename.js';
import type { AppModel } from '../../module/app.js';
import { type HttpRoute, httpRouteSource, type IngressSpec } from '../../module/ingress.js';
import { INGRESS_KINDS } from '../../module/kinds.js';
import { PLAYGROUND_INGRESS_ID, playgroundRouter } from '../../module/playground.js';
import type { IngressRecord, Routed, RouterBinding } from '../../module/routing.js';
import { HttpError } from '../../local/dev/http-util.js';
import { mapPlaygroundRequest } from '../../local/dev/playground-request.js';
import type { AppRuntime } from '../app-runtime.js';
import { ENV } from '../runtime-env.js';
import type { HttpApiEvent, HttpApiResult } from './events.js';

/**
 * The HTTP ingress behind an API Gateway HTTP API (payload format 2.0).
 *
 * - Address in the path (the playground ingress, or an `io.statefun-aws.http.v1/ingress` without routes):
 *   `POST|PUT <basePath>/<namespace>/<type>/<id>`; the typename comes from `Content-Type:
 *   application/vnd.<typename>` (default `io.statefun.types/string`, whose body is UTF-8 text), exactly as
 *   under `statefun dev`.
 * - Declared routes (`io.statefun-aws.http.v1/ingress` with `routes`): each route's routing, and any routers
 *   bound to the ingress in code.
 * - `Idempotency-Key: <key>`: a retried request is accepted once per key and address, also after the key was
 *   stored but the message not sent (a crash in between): the retry sends it again with the same id.
 *
 * Answers `202 {"messageId": …, "duplicate": false}` (with `messages: [...]` when a router fanned out), and
 * errors as `{"message": …}` naming the bad value: 400 bad path, body, header or routing; 404 unknown route or
 * function type; 405 method; 413 body too large; 415 a `vnd.` content type that is not a typename; 500 a
 * misconfigured deployment; 503 the message could not be accepted now (retry).
 */

/** Largest body accepted: an SQS message holds 1 MiB, and envelopes travel base64-encoded. */
export const MAX_HTTP_BODY_BYTES = 768 * 1024;
/** Header a client sets to make retries safe. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 1024;

/** The ingress an HTTP ingress function serves. */
export interface ServedHttpIngress {
  readonly id: string;
  readonly basePath: string;
  /** Empty: the address is in the path. */
  readonly routes: readonly CompiledRoute[];
  readonly routers: readonly RouterBinding[];
}

interface CompiledRoute {
  readonly route: HttpRoute;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/**
 * Which ingress this function serves: `STATEFUN_INGRESS_ID`, else the app's only HTTP or playground ingress,
 * else (an app without one) address-in-path routing at `/`.
 */
export function resolveHttpIngress(model: AppModel, ingressId: string | undefined): ServedHttpIngress {
  const servable = (spec: IngressSpec): boolean => spec.kind === INGRESS_KINDS.http || spec.kind === INGRESS_KINDS.playground;
  let spec: IngressSpec | undefined;
  if (ingressId !== undefined) {
    spec = model.ingresses.get(ingressId);
    if (spec === undefined || !servable(spec)) {
      const known = [...model.ingresses.values()].filter(servable).map((s) => s.id);
      throw new HttpError(500, `${ENV.ingressId} names ${show(ingressId)}, which is not an HTTP or playground ingress of the app (those are ${show(known)})`);
    }
  } else {
    const candidates = [...model.ingresses.values()].filter(servable);
    if (candidates.length > 1) {
      throw new HttpError(500, `the app has several HTTP ingresses (${candidates.map((c) => c.id).join(', ')}): set ${ENV.ingressId} to the one this function serves`);
    }
    spec = candidates[0];
  }
  if (spec === undefined) return { id: PLAYGROUND_INGRESS_ID, basePath: '/', routes: [], routers: [] };
  const basePath = spec.kind === INGRESS_KINDS.http ? spec.basePath : '/';
  const routes = spec.kind === INGRESS_KINDS.http ? spec.routes.map(compileRoute) : [];
  return { id: spec.id, basePath, routes, routers: model.routersOf(spec.id) };
}

function compileRoute(route: HttpRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{([^{}]+)\}$/.exec(segment);
      if (param === null) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), names };
}

/** Handles one request. Never throws: every failure is an answer. */
export async function handleHttpRequest(rt: AppRuntime, ingress: ServedHttpIngress, event: HttpApiEvent): Promise<HttpApiResult> {
  try {
    return await accept(rt, ingress, event);
  } catch (error) {
    if (error instanceof HttpError) return answer(error.status, { message: error.message }, error.headers);
    if (isStatefunError(error, 'validation')) return answer(400, { message: error.message });
    rt.logger.error('HTTP ingress failed', { error: describeError(error), path: event.rawPath });
    return answer(500, { message: `internal error: ${describeError(error)}` });
  }
}

async function accept(rt: AppRuntime, ingress: ServedHttpIngress, event: HttpApiEvent): Promise<HttpApiResult> {
  const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
  const path = relativePath(event, ingress.basePath);
  const body = readBody(event);
  const headers = lowerCased(event.headers ?? {});
  const routed = route(ingress, method, path, headers, body);
  for (const m of routed) {
    if (rt.functions.resolve(m.target.typename) === undefined) {
      throw new HttpError(404, `no function is bound for type ${show(m.target.typename)} (path ${show(event.rawPath)})`);
    }
  }
  if (routed.length === 0) return answer(202, { messageId: null, duplicate: false, messages: [] });
  const key = idempotencyKey(headers[IDEMPOTENCY_KEY_HEADER]);
  const now = rt.clock.now();
  const accepted: Array<{ envelope: Envelope; duplicate: boolean }> = [];
  try {
    for (const m of routed) accepted.push(await envelopeFor(rt, m, key, now));
    await rt.backend.bus.send(accepted.map((a) => a.envelope));
  } catch (error) {
    rt.logger.warn('HTTP ingress could not accept a message', { error: describeError(error) });
    throw new HttpError(503, `the message was not accepted, retry (with the same Idempotency-Key): ${describeError(error)}`, { 'retry-after': '1' });
  }
  const messages = accepted.map(({ envelope, duplicate }) => ({ target: addressKey(envelope.target), messageId: envelope.id, duplicate }));
  const first = messages[0]!;
  const duplicate = messages.every((m) => m.duplicate);
  return answer(202, messages.length === 1 ? { messageId: first.messageId, duplicate } : { messageId: first.messageId, duplicate, messages });
}

/**
 * The envelope of one routed message. With an idempotency key, the key is claimed per address: the first
 * request stores it with the message id; a retry finds it and sends the same message again, marked re-sent
 * (the FIFO queue drops it within its dedup window, the address beyond it).
 */
async function envelopeFor(rt: AppRuntime, m: Routed, key: string | undefined, now: number): Promise<{ envelope: Envelope; duplicate: boolean }> {
  const target = addressKey(m.target);
  if (key === undefined) {
    const minted = randomUUID();
    return { envelope: { id: ingressMessageId(minted), target: m.target, caller: undefined, argument: m.value, origin: { kind: 'ingress', key: minted, keyed: false, acceptedAt: now } }, duplicate: false };
  }
  const scoped = `${target}\u0000${key}`;
  const id = ingressMessageId(`${target}#${key}`);
  const claim = await rt.backend.ingressKeys.claim(scoped, id, now, rt.env.idempotencyTtlMs);
  const envelope: Envelope = {
    id: claim.messageId,
    target: m.target,
    caller: undefined,
    argument: m.value,
    origin: { kind: 'ingress', key: scoped, keyed: true, acceptedAt: claim.at, ...(claim.fresh ? {} : { resent: true }) },
  };
  return { envelope, duplicate: !claim.fresh };
}

function route(ingress: ServedHttpIngress, method: string, path: string, headers: Record<string, string>, body: Uint8Array): readonly Routed[] {
  if (ingress.routes.length === 0) {
    if (method !== 'POST' && method !== 'PUT') {
      throw new HttpError(405, `use PUT or POST /<namespace>/<function type>/<function id>, not ${method}`, { allow: 'PUT, POST' });
    }
    const routers = ingress.routers.length === 0 ? [{ router: playgroundRouter } as Pick<RouterBinding, 'router'>] : ingress.routers;
    const out: Routed[] = [];
    for (const binding of routers) {
      if (binding.router === playgroundRouter) {
        const m = mapPlaygroundRequest(path, headers['content-type'], body);
        out.push({ target: m.target, value: m.argument });
      } else {
        out.push(...routeWith(binding, { body, path, headers }));
      }
    }
    return out;
  }
  let methodMismatch: string[] = [];
  for (const compiled of ingress.routes) {
    const match = compiled.pattern.exec(path);
    if (match === null) continue;
    if (compiled.route.method !== method) {
      methodMismatch.push(compiled.route.method);
      continue;
    }
    const pathParameters: Record<string, string> = {};
    compiled.names.forEach((name, i) => {
      try {
        pathParameters[name] = decodeURIComponent(match[i + 1]!);
      } catch {
        throw new HttpError(400, `bad percent-encoding in path parameter ${show(name)} of ${show(path)}`);
      }
    });
    const record: IngressRecord = { body, source: httpRouteSource(compiled.route), path, pathParameters, headers };
    return ingress.routers.flatMap((binding) => routeWith(binding, record));
  }
  methodMismatch = [...new Set(methodMismatch)];
  if (methodMismatch.length > 0) throw new HttpError(405, `${show(path)} takes ${methodMismatch.join(', ')}, not ${method}`, { allow: methodMismatch.join(', ') });
  throw new HttpError(404, `no route of ingress ${ingress.id} matches ${method} ${show(path)}; the routes are ${ingress.routes.map((r) => httpRouteSource(r.route)).join(', ')}`);
}

function routeWith(binding: Pick<RouterBinding, 'router'> & Partial<RouterBinding>, record: IngressRecord): readonly Routed[] {
  try {
    return binding.router.route(record);
  } catch (error) {
    const who = binding.source === undefined ? 'the router' : `router ${binding.source.component} of ${binding.source.module}`;
    throw new HttpError(400, `${who} refused the request: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The request path below the stage and the ingress's base path, still percent-encoded. */
function relativePath(event: HttpApiEvent, basePath: string): string {
  let path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
  const stage = event.requestContext?.stage;
  if (stage !== undefined && stage !== '$default' && (path === `/${stage}` || path.startsWith(`/${stage}/`))) path = path.slice(stage.length + 1) || '/';
  if (basePath === '/' || basePath === '') return path;
  if (path === basePath) return '/';
  if (!path.startsWith(`${basePath}/`)) throw new HttpError(404, `${show(path)} is not below the ingress's base path ${show(basePath)}`);
  return path.slice(basePath.length);
}

function readBody(event: HttpApiEvent): Uint8Array {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_HTTP_BODY_BYTES) {
    throw new HttpError(413, `the body of ${bytes.length} bytes exceeds the limit of ${MAX_HTTP_BODY_BYTES} bytes (an SQS message holds 1 MiB, base64-encoded)`);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function lowerCased(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

function idempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > MAX_KEY_LENGTH) {
    throw new HttpError(400, `the Idempotency-Key header must hold 1 to ${MAX_KEY_LENGTH} characters, got ${value.length}`);
  }
  return value;
}

function answer(statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): HttpApiResult {
  return { statusCode, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body), isBase64Encoded: false };
}

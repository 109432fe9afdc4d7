import { address } from '../core/address.js';
import { ValidationError } from '../core/errors.js';
import type { TypedValue } from '../core/typed-value.js';
import { show } from '../core/typename.js';
import { PLAYGROUND_EGRESS, PlaygroundEgressRecordType } from '../sdk/egress-records.js';
import type { IngressRecord, Routed, Router } from './routing.js';

/**
 * StateFun's playground ingress and egress (`io.statefun.playground.v1/ingress|egress`), as its playground
 * image implements them, so that the playground tutorials run against `statefun dev` with their module.yaml
 * unchanged. What lives here is pure; serving the ports is the local runtime's job.
 *
 * Ingress: any request to `/<namespace>/<type>/<id>` on the ingress port delivers its body to that address;
 * the typename comes from a `Content-Type: application/vnd.<typename>` header, else `io.statefun.types/string`.
 * The reply is 200 once the message is accepted, 500 when the path is not of that form.
 *
 * Egress: functions send `io.statefun.playground/EgressRecord` JSON `{"topic": …, "payload": …}` to egress
 * `io.statefun.playground/egress`; `GET /<topic>` on the egress port pops the oldest payload of that topic
 * (200, body = payload as UTF-8), answers 404 when the topic is empty and 405 for a topic not in `topics`.
 * A record for an unknown topic fails the function. Each topic holds at most {@link PLAYGROUND_QUEUE_CAPACITY}
 * payloads; more are dropped with a log line.
 */

/** The fixed id of the playground ingress (it has no `id` key). */
export const PLAYGROUND_INGRESS_ID = 'io.statefun.playground/ingress';
/** The fixed id of the playground egress; functions send to it by this name. */
export const PLAYGROUND_EGRESS_ID = PLAYGROUND_EGRESS;
/** Typename of the records the playground egress accepts. */
export const PLAYGROUND_EGRESS_RECORD_TYPENAME = PlaygroundEgressRecordType.typename;
/** Typename of an ingress message whose request has no `application/vnd.<typename>` content type. */
export const PLAYGROUND_DEFAULT_TYPENAME = 'io.statefun.types/string';
export const PLAYGROUND_CONTENT_TYPE_PREFIX = 'application/vnd.';
/** Payloads kept per egress topic before new ones are dropped (StateFun: 2^20). */
export const PLAYGROUND_QUEUE_CAPACITY = 1 << 20;

/** The typename a request to the playground ingress carries, read from its Content-Type header. */
export function playgroundTypename(contentType: string | undefined): string {
  if (contentType === undefined || !contentType.startsWith(PLAYGROUND_CONTENT_TYPE_PREFIX)) return PLAYGROUND_DEFAULT_TYPENAME;
  // StateFun keeps any "; charset=…" in the typename; we cut parameters off, which only ever helps.
  const typename = contentType.slice(PLAYGROUND_CONTENT_TYPE_PREFIX.length).split(';', 1)[0]!.trim();
  return typename === '' ? PLAYGROUND_DEFAULT_TYPENAME : typename;
}

/**
 * Routes a playground (or address-in-path HTTP) request: `record.path` is `/<namespace>/<type>/<id>` below the
 * ingress root, the typename comes from the `content-type` header. Each path segment is percent-decoded after
 * splitting, so an id may contain an encoded `/` (`%2F`).
 */
export const playgroundRouter: Router = {
  route(record: IngressRecord): readonly Routed[] {
    return [routePlaygroundRequest(record.path ?? '', record.headers?.['content-type'], record.body)];
  },
};

/** One playground request as a message; a {@link ValidationError} when the path is not `/<namespace>/<type>/<id>`. */
export function routePlaygroundRequest(path: string, contentType: string | undefined, body: Uint8Array): Routed {
  const withoutQuery = path.split('?', 1)[0]!;
  const relative = withoutQuery.startsWith('/') ? withoutQuery.slice(1) : withoutQuery;
  // Java's String.split drops trailing empty strings: "/ns/type/id/" is still three segments.
  const segments = relative.split('/');
  while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  if (segments.length !== 3) {
    throw new ValidationError(`invalid URL ${show(path)}: please specify /<namespace>/<function type>/<function id>`);
  }
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch (error) {
    throw new ValidationError(`invalid URL ${show(path)}: bad percent-encoding`, { cause: error });
  }
  const [namespace, type, id] = decoded as [string, string, string];
  return { target: address(`${namespace}/${type}`, id), value: { typename: playgroundTypename(contentType), value: body } };
}

/** A record for the playground egress: the payload to hand out on `GET /<topic>`. */
export interface PlaygroundEgressPayload {
  readonly topic: string;
  readonly payload: string;
}

/**
 * Reads a record sent to the playground egress. Throws a {@link ValidationError} when it is not an
 * `io.statefun.playground/EgressRecord` or names a topic the egress does not declare.
 */
export function decodePlaygroundEgressRecord(value: TypedValue, topics: readonly string[]): PlaygroundEgressPayload {
  if (value.typename !== PLAYGROUND_EGRESS_RECORD_TYPENAME) {
    throw new ValidationError(
      `the playground egress takes values of type ${PLAYGROUND_EGRESS_RECORD_TYPENAME}, got one of type ${show(value.typename)}`,
    );
  }
  let record: unknown;
  try {
    record = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value.value));
  } catch (error) {
    throw new ValidationError(`a ${PLAYGROUND_EGRESS_RECORD_TYPENAME} must be UTF-8 JSON {"topic", "payload"}`, { cause: error });
  }
  const { topic, payload } = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
  if (typeof topic !== 'string' || topic === '') {
    throw new ValidationError(`a ${PLAYGROUND_EGRESS_RECORD_TYPENAME} needs a topic, got ${show(record)}`);
  }
  if (!topics.includes(topic)) {
    throw new ValidationError(`message was targeted to unknown topic ${show(topic)}; the playground egress has topics ${show(topics)}`);
  }
  if (typeof payload === 'string') return { topic, payload };
  if (typeof payload === 'number' || typeof payload === 'boolean') return { topic, payload: String(payload) };
  throw new ValidationError(`the payload of a ${PLAYGROUND_EGRESS_RECORD_TYPENAME} must be a string, got ${show(payload)}`);
}

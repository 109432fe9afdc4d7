import { type Address, address } from '../core/address.js';
import { ValidationError } from '../core/errors.js';
import type { TypedValue } from '../core/typed-value.js';
import { show } from '../core/typename.js';
import { evaluateJsonPointer } from './json-pointer.js';
import type { SourceRef } from './source.js';

/**
 * Routing: turning what an ingress received into messages for function addresses (StateFun's `Router`).
 *
 * A {@link Router} is a pure function from an {@link IngressRecord} to zero or more {@link Routed} messages.
 * StateFun's declarative routing (a value type, target function types and a rule for the id) is a
 * {@link RoutingRule}; it is written the same way in `module.yaml` and in code, and {@link rulesRouter}
 * turns rules into a router.
 */

/**
 * One record as an ingress received it, in domain terms. Each ingress fills in what it has.
 *
 * @example SQS: { body, messageGroupId: 'alice', attributes: { tenant: 'acme' } }
 * @example Kafka: { body, source: 'orders', key: 'alice' }
 * @example HTTP: { body, source: 'POST /carts/{userId}', path: '/carts/alice', pathParameters: { userId: 'alice' }, headers: { 'content-type': 'application/json' } }
 */
export interface IngressRecord {
  /** The payload: Kafka record value, Kinesis data, SQS message body, HTTP request body. */
  readonly body: Uint8Array;
  /**
   * Which part of the ingress it came from, matched against {@link RoutingRule.source}: the Kafka topic, the
   * Kinesis stream, the HTTP route (`POST /carts/{userId}`). Undefined for single-source ingresses (an SQS queue).
   */
  readonly source?: string | undefined;
  /** Kafka record key or Kinesis partition key, as UTF-8 text. */
  readonly key?: string | undefined;
  /** SQS FIFO message group id. */
  readonly messageGroupId?: string | undefined;
  /** SQS message attributes of type String or Number, by name. */
  readonly attributes?: Readonly<Record<string, string>> | undefined;
  /** HTTP request headers, names in lower case. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** HTTP request path below the ingress's base path, e.g. `/shop/cart/alice`. */
  readonly path?: string | undefined;
  /** Values of the `{name}` parameters of the matched HTTP route. */
  readonly pathParameters?: Readonly<Record<string, string>> | undefined;
}

/** A message for one address, made from an ingress record. */
export interface Routed {
  readonly target: Address;
  readonly value: TypedValue;
}

/**
 * Maps an ingress record to messages. Pure and synchronous; a record that cannot be routed is refused with a
 * {@link ValidationError} naming what is missing (an HTTP ingress answers 400, a queue ingress sets the record
 * aside as a dead letter). Returning several messages fans the record out; returning none drops it.
 *
 * @example
 * const byCustomer: Router = {
 *   route: (record) => [{ target: address('shop/customer', record.attributes?.customer ?? 'anonymous'),
 *                         value: { typename: 'shop/Order', value: record.body } }],
 * };
 */
export interface Router {
  route(record: IngressRecord): readonly Routed[];
}

/** A router as a plain function, as binders accept it. */
export type RouteFunction = (record: IngressRecord) => readonly Routed[];

/**
 * How the address id is read from a record.
 * - `record-key`: the Kafka record key or Kinesis partition key (StateFun's routable ingresses);
 * - `message-group-id`: the SQS FIFO message group id;
 * - `message-attribute`: an SQS message attribute;
 * - `header`: an HTTP header (case-insensitive);
 * - `path-parameter`: a `{name}` parameter of the HTTP route;
 * - `json-pointer`: a string or number inside the JSON body (RFC 6901 pointer, e.g. `/customer/id`);
 * - `body`: the whole body, as UTF-8 text.
 *
 * In YAML the rules without parameters may be written as a plain string (`idFrom: message-group-id`), the
 * others as a mapping (`idFrom: { type: json-pointer, pointer: /customer/id }`).
 */
export type IdRule =
  | { readonly type: 'record-key' }
  | { readonly type: 'message-group-id' }
  | { readonly type: 'message-attribute'; readonly name: string }
  | { readonly type: 'header'; readonly name: string }
  | { readonly type: 'path-parameter'; readonly name: string }
  | { readonly type: 'json-pointer'; readonly pointer: string }
  | { readonly type: 'body' };

export type IdRuleType = IdRule['type'];

/**
 * StateFun's declarative routing: every record (of `source`, if given) goes to each of `targets` as a value of
 * `valueType`, at the id `idFrom` reads. The value's bytes are the record's body as received (StateFun
 * semantics: use a typename whose format the body already has, such as a JSON type).
 *
 * @example YAML (SQS ingress): valueType: shop/Order, targets: [shop/order], idFrom: { type: json-pointer, pointer: /orderId }
 */
export interface RoutingRule {
  /** Only records with this {@link IngressRecord.source}; undefined: every record of the ingress. */
  readonly source: string | undefined;
  /** Typename given to the record body, e.g. `shop/Order`. */
  readonly valueType: string;
  /** Function types to send the record to; each gets a copy. */
  readonly targets: readonly string[];
  readonly idFrom: IdRule;
}

/**
 * A router attached to an ingress. Every router of an ingress sees every record (StateFun semantics).
 * `rules` is set for declarative routing, so that deployment code can read it (e.g. to know a queue is FIFO-keyed).
 */
export interface RouterBinding {
  /** Id of the ingress, e.g. `shop/orders`. */
  readonly ingress: string;
  readonly router: Router;
  readonly rules: readonly RoutingRule[] | undefined;
  readonly source: SourceRef;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

function bodyText(record: IngressRecord, what: string): string {
  try {
    return textDecoder.decode(record.body);
  } catch (error) {
    throw new ValidationError(`${what}: the body is not UTF-8 text`, { cause: error });
  }
}

function requireId(value: string | undefined, what: string, missing: string): string {
  if (value === undefined || value.length === 0) throw new ValidationError(`${what}: ${missing}`);
  return value;
}

/**
 * Reads the address id of `record` by `rule`. Throws a {@link ValidationError} naming what is missing.
 *
 * @param what names the ingress in errors, e.g. `ingress shop/orders`.
 * @param json the body parsed as JSON, when the caller already has it (several rules may read one record).
 */
export function extractId(rule: IdRule, record: IngressRecord, what: string, json?: () => unknown): string {
  switch (rule.type) {
    case 'record-key':
      return requireId(record.key, what, 'the record has no key; this ingress routes by a UTF-8 key set on each record');
    case 'message-group-id':
      return requireId(record.messageGroupId, what, 'the message has no message group id (is the queue FIFO?)');
    case 'message-attribute':
      return requireId(record.attributes?.[rule.name], what, `the message has no attribute ${show(rule.name)} to read the id from`);
    case 'header':
      return requireId(record.headers?.[rule.name.toLowerCase()], what, `the request has no header ${show(rule.name)} to read the id from`);
    case 'path-parameter':
      return requireId(record.pathParameters?.[rule.name], what, `the request path has no parameter ${show(rule.name)}`);
    case 'body':
      return requireId(bodyText(record, what), what, 'the body is empty, but the id is the whole body');
    case 'json-pointer': {
      const value = evaluateJsonPointer(json === undefined ? parseJsonBody(record, what) : json(), rule.pointer);
      if (typeof value === 'string' && value.length > 0) return value;
      if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return String(value);
      throw new ValidationError(
        `${what}: the JSON body has ${value === undefined ? 'nothing' : `${show(value)}`} at ${show(rule.pointer)}; the id must be a non-empty string or a number`,
      );
    }
  }
}

function parseJsonBody(record: IngressRecord, what: string): unknown {
  const text = bodyText(record, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(`${what}: the body is not JSON, but the id is read from it by a JSON pointer`, { cause: error });
  }
}

/**
 * A router for declarative rules: each record goes to the targets of every rule whose `source` matches it.
 * A record no rule matches is refused (StateFun: "no routing config was specified" for that topic).
 *
 * @param ingress names the ingress in errors.
 */
export function rulesRouter(ingress: string, rules: readonly RoutingRule[]): Router {
  if (rules.length === 0) throw new ValidationError(`ingress ${ingress} has an empty list of routing rules`);
  const frozen = rules.map((rule) => Object.freeze({ ...rule, targets: Object.freeze([...rule.targets]) }));
  const what = `ingress ${ingress}`;
  return {
    route(record: IngressRecord): readonly Routed[] {
      const matching = frozen.filter((rule) => rule.source === undefined || rule.source === record.source);
      if (matching.length === 0) {
        throw new ValidationError(`${what}: no routing rule matches records from ${show(record.source)}`);
      }
      let parsed: { value: unknown } | undefined;
      const json = (): unknown => (parsed ??= { value: parseJsonBody(record, what) }).value;
      const routed: Routed[] = [];
      for (const rule of matching) {
        const id = extractId(rule.idFrom, record, what, json);
        for (const target of rule.targets) {
          routed.push({ target: address(target, id), value: { typename: rule.valueType, value: record.body } });
        }
      }
      return routed;
    },
  };
}

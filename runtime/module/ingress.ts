import type { FifoCapableRef } from './aws-names.js';
import type { INGRESS_KINDS } from './kinds.js';
import type { IdRule, RoutingRule } from './routing.js';
import type { SourceRef } from './source.js';

/**
 * Ingresses: where messages enter the app. One type per kind, told apart by `kind`; each carries its `id`
 * (an ingress typename, which routers are bound to) and where it was declared.
 */
export type IngressSpec = PlaygroundIngressSpec | KafkaIngressSpec | KinesisIngressSpec | HttpIngressSpec | SqsIngressSpec;

interface IngressBase {
  /** Ingress typename `namespace/name`, e.g. `shop/orders`. */
  readonly id: string;
  readonly source: SourceRef;
}

/**
 * StateFun's playground ingress: an HTTP port on which `POST|PUT /<namespace>/<type>/<id>` sends the body to
 * that address (see playground.ts). Its id is always `io.statefun.playground/ingress`.
 *
 * @example
 * kind: io.statefun.playground.v1/ingress
 * spec:
 *   port: 8090
 */
export interface PlaygroundIngressSpec extends IngressBase {
  readonly kind: typeof INGRESS_KINDS.playground;
  /** TCP port to listen on. */
  readonly port: number;
}

/** One Kafka topic or Kinesis stream of a routable ingress: its records go to `targets`, id = record key. */
export interface RoutedTopic {
  /** Typename given to the record value, e.g. `com.example/User`. */
  readonly valueType: string;
  /** Function types each record is sent to. */
  readonly targets: readonly string[];
}

/**
 * StateFun's Kafka ingress, read faithfully (statefun-aws does not consume Kafka: the local runtime and the
 * AWS deployment report it as unsupported, but modules declaring it load).
 *
 * @example
 * kind: io.statefun.kafka.v1/ingress
 * spec:
 *   id: com.example/users
 *   address: kafka-broker:9092
 *   consumerGroupId: my-consumer-group
 *   startupPosition: { type: earliest }
 *   topics:
 *     - topic: messages-1
 *       valueType: com.example/User
 *       targets: [com.example.fns/greeter]
 */
export interface KafkaIngressSpec extends IngressBase {
  readonly kind: typeof INGRESS_KINDS.kafka;
  /** Bootstrap servers; may instead be given as `bootstrap.servers` in `properties`. */
  readonly address: string | undefined;
  readonly consumerGroupId: string | undefined;
  readonly topics: readonly (RoutedTopic & { readonly topic: string })[];
  /** Where to start when a stored offset is missing or out of range. @default latest */
  readonly autoOffsetResetPosition: 'latest' | 'earliest';
  /** @default latest (StateFun's code; its docs say group-offsets) */
  readonly startupPosition: KafkaStartupPosition;
  /** Kafka consumer properties. */
  readonly properties: Readonly<Record<string, string>>;
}

export type KafkaStartupPosition =
  | { readonly type: 'group-offsets' | 'earliest' | 'latest' }
  | { readonly type: 'specific-offsets'; readonly offsets: readonly KafkaOffset[] }
  | StartupDate;

export interface KafkaOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Start at records ingested at or after a date (`yyyy-MM-dd HH:mm:ss.SSS Z`). */
export interface StartupDate {
  readonly type: 'date';
  /** As written, e.g. `2020-02-01 04:15:00.000 +0000`. */
  readonly date: string;
  readonly epochMs: number;
}

/**
 * StateFun's Kinesis ingress, read faithfully (reported as unsupported when run; use an SQS or HTTP ingress).
 *
 * @example
 * kind: io.statefun.kinesis.v1/ingress
 * spec:
 *   id: com.example/users
 *   awsRegion: { type: specific, id: eu-west-1 }
 *   startupPosition: { type: latest }
 *   streams:
 *     - stream: user-stream
 *       valueType: com.example/User
 *       targets: [com.example.fn/greeter]
 */
export interface KinesisIngressSpec extends IngressBase {
  readonly kind: typeof INGRESS_KINDS.kinesis;
  /** @default { type: 'default' } */
  readonly awsRegion: AwsRegionSpec;
  /** @default { type: 'default' } */
  readonly awsCredentials: AwsCredentialsSpec;
  /** @default latest */
  readonly startupPosition: { readonly type: 'earliest' | 'latest' } | StartupDate;
  readonly streams: readonly (RoutedTopic & { readonly stream: string })[];
  readonly clientConfigProperties: Readonly<Record<string, string>>;
}

/** StateFun's `awsRegion` of the Kinesis kinds. */
export type AwsRegionSpec =
  | { readonly type: 'default' }
  | { readonly type: 'specific'; readonly id: string }
  | { readonly type: 'custom-endpoint'; readonly id: string; readonly endpoint: string };

/** StateFun's `awsCredentials` of the Kinesis kinds. */
export type AwsCredentialsSpec =
  | { readonly type: 'default' }
  | { readonly type: 'basic'; readonly accessKeyId: string; readonly secretAccessKey: string }
  | { readonly type: 'profile'; readonly profileName: string; readonly profilePath: string | undefined };

/**
 * An HTTP ingress behind an API Gateway HTTP API (served on a local port by `statefun dev`).
 *
 * Without `routes` it works like the playground ingress: `POST|PUT <basePath>/<namespace>/<type>/<id>`
 * delivers the body to that address, typename from `Content-Type: application/vnd.<typename>` (default
 * `io.statefun.types/string`), so playground `curl` commands only change their host. With `routes`, each
 * route declares its own StateFun-style routing and only those routes exist. A client may send an
 * `Idempotency-Key` header to make retries safe (DESIGN I3).
 *
 * @example
 * kind: io.statefun-aws.http.v1/ingress
 * spec:
 *   id: shop/api
 *   basePath: /shop            # default /
 *   auth:
 *     type: jwt                # none | iam (default) | jwt
 *     issuer: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc
 *     audience: [my-client-id]
 *   routes:
 *     - method: POST           # default POST
 *       path: /carts/{userId}/items
 *       valueType: shop/AddToCart
 *       targets: [shop/cart]
 *       idFrom: { type: path-parameter, name: userId }
 */
export interface HttpIngressSpec extends IngressBase {
  readonly kind: typeof INGRESS_KINDS.http;
  /** Path prefix of every route, `/` or `/segment…` without a trailing `/`. @default / */
  readonly basePath: string;
  /** Who may call. @default { type: 'iam' } (callers sign with SigV4) */
  readonly auth: HttpAuth;
  /** Declared routes; empty: address-in-path routing, as the playground. */
  readonly routes: readonly HttpRoute[];
}

/**
 * - `none`: anyone who can reach the URL (local development, or a private API);
 * - `iam`: requests signed with AWS SigV4 by a principal allowed to invoke the API;
 * - `jwt`: a bearer token from `issuer` (OIDC discovery) whose `aud` is one of `audience`.
 */
export type HttpAuth =
  | { readonly type: 'none' }
  | { readonly type: 'iam' }
  | { readonly type: 'jwt'; readonly issuer: string; readonly audience: readonly string[] };

export type HttpMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET';

/** One route of an HTTP ingress: `method path` plus its routing. */
export interface HttpRoute {
  readonly method: HttpMethod;
  /** Path below `basePath`, with `{name}` parameters, e.g. `/carts/{userId}/items`. */
  readonly path: string;
  readonly valueType: string;
  readonly targets: readonly string[];
  /** @default the only path parameter, when the path has exactly one; required otherwise */
  readonly idFrom: IdRule;
}

/** The source name a route's records carry ({@link IngressRecord.source}): `POST /carts/{userId}/items`. */
export function httpRouteSource(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/**
 * An existing SQS queue of the user's, consumed by the app. Each message is routed by the queue's rule
 * (or by routers bound in code); its SQS message id is the message's idempotency key (DESIGN I3).
 *
 * @example
 * kind: io.statefun-aws.sqs.v1/ingress
 * spec:
 *   id: shop/orders
 *   queue: orders.fifo          # name, URL or ARN
 *   valueType: shop/Order
 *   targets: [shop/order]
 *   idFrom: message-group-id    # FIFO queues only; or { type: message-attribute, name: customer },
 *                               # { type: json-pointer, pointer: /customer/id }, body
 *   batchSize: 10
 */
export interface SqsIngressSpec extends IngressBase {
  readonly kind: typeof INGRESS_KINDS.sqs;
  readonly queue: FifoCapableRef;
  /** The routing written in the spec; undefined when routers are bound in code instead. */
  readonly routing: RoutingRule | undefined;
  /** Most messages per Lambda invocation. @default 10 (at most 10 for FIFO queues, 10000 for standard queues) */
  readonly batchSize: number;
  /** Region of the queue; undefined: the one in its URL or ARN, else the app's. */
  readonly region: string | undefined;
}

/**
 * The component kinds a module can declare: StateFun's own (so StateFun `module.yaml` files load unchanged)
 * and statefun-aws's, named in the same style.
 */

/** Remote function endpoints. */
export const ENDPOINT_KINDS = {
  /** StateFun 3.0+: `spec.timeouts` sit directly under `spec`; always the OkHttp-style client. */
  httpV1: 'io.statefun.endpoints.v1/http',
  /** StateFun 3.1+: `spec.transport` picks and configures the client (default: async). */
  httpV2: 'io.statefun.endpoints.v2/http',
} as const;

export type EndpointKind = (typeof ENDPOINT_KINDS)[keyof typeof ENDPOINT_KINDS];

/** Transports of an `io.statefun.endpoints.v2/http` endpoint (`spec.transport.type`). */
export const TRANSPORT_TYPES = {
  /** StateFun's non-blocking client, the default: `call`, `connect`, `pool_ttl`, `pool_size`, `payload_max_bytes`, TLS. */
  async: 'io.statefun.transports.v1/async',
  /** StateFun's OkHttp client: `timeouts.call/connect/read/write`. */
  okhttp: 'io.statefun.transports.v1/okhttp',
  /** Functions served by another AWS Lambda function, invoked directly (no HTTP endpoint). */
  lambda: 'io.statefun-aws.transports.v1/lambda',
} as const;

export type TransportType = (typeof TRANSPORT_TYPES)[keyof typeof TRANSPORT_TYPES];

export const INGRESS_KINDS = {
  playground: 'io.statefun.playground.v1/ingress',
  kafka: 'io.statefun.kafka.v1/ingress',
  kinesis: 'io.statefun.kinesis.v1/ingress',
  http: 'io.statefun-aws.http.v1/ingress',
  sqs: 'io.statefun-aws.sqs.v1/ingress',
} as const;

export type IngressKind = (typeof INGRESS_KINDS)[keyof typeof INGRESS_KINDS];

export const EGRESS_KINDS = {
  playground: 'io.statefun.playground.v1/egress',
  kafka: 'io.statefun.kafka.v1/egress',
  kinesis: 'io.statefun.kinesis.v1/egress',
  sqs: 'io.statefun-aws.sqs.v1/egress',
  sns: 'io.statefun-aws.sns.v1/egress',
  eventbridge: 'io.statefun-aws.eventbridge.v1/egress',
  awsKinesis: 'io.statefun-aws.kinesis.v1/egress',
  log: 'io.statefun-aws.log.v1/egress',
  file: 'io.statefun-aws.file.v1/egress',
} as const;

export type EgressKind = (typeof EGRESS_KINDS)[keyof typeof EGRESS_KINDS];

export type ComponentKind = EndpointKind | IngressKind | EgressKind;

const ENDPOINTS: ReadonlySet<string> = new Set(Object.values(ENDPOINT_KINDS));
const INGRESSES: ReadonlySet<string> = new Set(Object.values(INGRESS_KINDS));
const EGRESSES: ReadonlySet<string> = new Set(Object.values(EGRESS_KINDS));

export function isEndpointKind(kind: string): kind is EndpointKind {
  return ENDPOINTS.has(kind);
}
export function isIngressKind(kind: string): kind is IngressKind {
  return INGRESSES.has(kind);
}
export function isEgressKind(kind: string): kind is EgressKind {
  return EGRESSES.has(kind);
}

/** Every kind, for "known kinds are …" in errors. */
export const ALL_KINDS: readonly ComponentKind[] = [...ENDPOINTS, ...INGRESSES, ...EGRESSES] as ComponentKind[];

/**
 * Kind names of the single-document `version: "3.0"` format and of StateFun 2.x, read as today's kinds
 * (StateFun 3.x's `LegacyRemoteModuleV30` does the same for the first five).
 */
export const LEGACY_KINDS: Readonly<Record<string, ComponentKind>> = {
  http: ENDPOINT_KINDS.httpV1,
  'io.statefun.kafka/ingress': INGRESS_KINDS.kafka,
  'io.statefun.kafka/egress': EGRESS_KINDS.kafka,
  'io.statefun.kinesis/ingress': INGRESS_KINDS.kinesis,
  'io.statefun.kinesis/egress': EGRESS_KINDS.kinesis,
  'statefun.kafka.io/routable-protobuf-ingress': INGRESS_KINDS.kafka,
  'statefun.kafka.io/generic-egress': EGRESS_KINDS.kafka,
  'statefun.kinesis.io/routable-protobuf-ingress': INGRESS_KINDS.kinesis,
  'statefun.kinesis.io/generic-egress': EGRESS_KINDS.kinesis,
};

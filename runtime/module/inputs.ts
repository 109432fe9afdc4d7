import type { Duration } from '../core/duration.js';
import type { EGRESS_KINDS, ENDPOINT_KINDS, INGRESS_KINDS, TRANSPORT_TYPES } from './kinds.js';

/**
 * Components as an embedded module binds them in code: exactly the `kind` + `spec` of a module.yaml document,
 * typed. They are read by the same code as YAML, so both produce the same model, defaults and errors.
 *
 * @example
 * binder.bindEgress({ kind: 'io.statefun-aws.sqs.v1/egress', spec: { id: 'shop/receipts', queue: 'receipts.fifo' } });
 */

/** A StateFun duration: `"1 min"`, `"10s"`, `{ seconds: 10 }`, or a number of milliseconds. */
export type DurationInput = Duration | number;

/** `message-group-id`, `{ type: 'json-pointer', pointer: '/customer/id' }`, … (see `IdRule`). */
export type IdRuleInput =
  | 'record-key'
  | 'message-group-id'
  | 'body'
  | { readonly type: 'record-key' | 'message-group-id' | 'body' }
  | { readonly type: 'message-attribute' | 'header' | 'path-parameter'; readonly name: string }
  | { readonly type: 'json-pointer'; readonly pointer: string };

/** `source-address`, `{ type: 'fixed', value: 'all' }`, … (see `KeyRule`). */
export type KeyRuleInput =
  | 'source-address'
  | 'source-id'
  | 'source-type'
  | { readonly type: 'source-address' | 'source-id' | 'source-type' }
  | { readonly type: 'fixed'; readonly value: string }
  | { readonly type: 'json-pointer'; readonly pointer: string };

/** A declarative routing rule (see `RoutingRule`). */
export interface RoutingRuleInput {
  readonly source?: string;
  readonly valueType: string;
  readonly targets: readonly string[];
  readonly idFrom: IdRuleInput;
}

// ---------------------------------------------------------------------------------------------- endpoints

export interface AsyncTransportInput {
  readonly type?: typeof TRANSPORT_TYPES.async;
  readonly call?: DurationInput;
  readonly connect?: DurationInput;
  readonly pool_ttl?: DurationInput;
  readonly pool_size?: number;
  readonly payload_max_bytes?: number;
  readonly trust_cacerts?: string;
  readonly client_cert?: string;
  readonly client_key?: string;
  readonly client_key_password?: string;
  readonly timeouts?: { readonly call?: DurationInput; readonly connect?: DurationInput };
}

export interface OkHttpTimeoutsInput {
  readonly call?: DurationInput;
  readonly connect?: DurationInput;
  readonly read?: DurationInput;
  readonly write?: DurationInput;
}

export interface OkHttpTransportInput {
  readonly type: typeof TRANSPORT_TYPES.okhttp;
  readonly timeouts?: OkHttpTimeoutsInput;
}

export interface LambdaTransportInput {
  readonly type: typeof TRANSPORT_TYPES.lambda;
  readonly function_name: string;
  readonly qualifier?: string;
  readonly region?: string;
  readonly call?: DurationInput;
  readonly payload_max_bytes?: number;
}

export type EndpointInput =
  | {
      readonly kind: typeof ENDPOINT_KINDS.httpV2;
      readonly spec: {
        readonly functions: string;
        /** Required unless the transport is Lambda. */
        readonly urlPathTemplate?: string;
        readonly maxNumBatchRequests?: number;
        readonly transport?: AsyncTransportInput | OkHttpTransportInput | LambdaTransportInput;
      };
    }
  | {
      readonly kind: typeof ENDPOINT_KINDS.httpV1;
      readonly spec: {
        readonly functions: string;
        readonly urlPathTemplate: string;
        readonly maxNumBatchRequests?: number;
        readonly timeouts?: OkHttpTimeoutsInput;
      };
    };

// ---------------------------------------------------------------------------------------------- ingresses

export type AwsRegionInput =
  | { readonly type: 'default' }
  | { readonly type: 'specific'; readonly id: string }
  | { readonly type: 'custom-endpoint'; readonly id: string; readonly endpoint: string };

export type AwsCredentialsInput =
  | { readonly type: 'default' }
  | { readonly type: 'basic'; readonly accessKeyId: string; readonly secretAccessKey: string }
  | { readonly type: 'profile'; readonly profileName: string; readonly profilePath?: string };

/** StateFun property lists: `[{ 'foo.config': 'bar' }]`, or a plain mapping. */
export type PropertiesInput = readonly Readonly<Record<string, string | number | boolean>>[] | Readonly<Record<string, string | number | boolean>>;

export interface RoutedTopicInput {
  readonly valueType: string;
  readonly targets: readonly string[];
}

export type StartupDateInput = { readonly type: 'date'; readonly date: string };

export interface HttpRouteInput {
  readonly method?: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET';
  readonly path: string;
  readonly valueType: string;
  readonly targets: readonly string[];
  readonly idFrom?: IdRuleInput;
}

export type IngressInput =
  | { readonly kind: typeof INGRESS_KINDS.playground; readonly spec: { readonly port: number } }
  | {
      readonly kind: typeof INGRESS_KINDS.kafka;
      readonly spec: {
        readonly id: string;
        readonly address?: string;
        readonly consumerGroupId?: string;
        readonly topics: readonly (RoutedTopicInput & { readonly topic: string })[];
        readonly autoOffsetResetPosition?: 'latest' | 'earliest';
        readonly startupPosition?:
          | { readonly type: 'group-offsets' | 'earliest' | 'latest' }
          | { readonly type: 'specific-offsets'; readonly offsets: readonly Readonly<Record<string, number>>[] }
          | StartupDateInput;
        readonly properties?: PropertiesInput;
      };
    }
  | {
      readonly kind: typeof INGRESS_KINDS.kinesis;
      readonly spec: {
        readonly id: string;
        readonly awsRegion?: AwsRegionInput;
        readonly awsCredentials?: AwsCredentialsInput;
        readonly startupPosition?: { readonly type: 'earliest' | 'latest' } | StartupDateInput;
        readonly streams: readonly (RoutedTopicInput & { readonly stream: string })[];
        readonly clientConfigProperties?: PropertiesInput;
      };
    }
  | {
      readonly kind: typeof INGRESS_KINDS.http;
      readonly spec: {
        readonly id: string;
        readonly basePath?: string;
        readonly auth?: 'none' | 'iam' | { readonly type: 'none' | 'iam' } | { readonly type: 'jwt'; readonly issuer: string; readonly audience: string | readonly string[] };
        readonly routes?: readonly HttpRouteInput[];
      };
    }
  | {
      readonly kind: typeof INGRESS_KINDS.sqs;
      readonly spec: {
        readonly id: string;
        readonly queue: string;
        readonly valueType?: string;
        readonly targets?: readonly string[];
        readonly idFrom?: IdRuleInput;
        readonly batchSize?: number;
        readonly region?: string;
      };
    };

// ---------------------------------------------------------------------------------------------- egresses

export type EgressInput =
  | { readonly kind: typeof EGRESS_KINDS.playground; readonly spec: { readonly port: number; readonly topics: readonly string[] } }
  | {
      readonly kind: typeof EGRESS_KINDS.kafka;
      readonly spec: {
        readonly id: string;
        readonly address?: string;
        readonly deliverySemantic?:
          | { readonly type: 'at-least-once' | 'none' }
          | { readonly type: 'exactly-once'; readonly transactionTimeout?: DurationInput; readonly transactionTimeoutMillis?: number };
        readonly properties?: PropertiesInput;
      };
    }
  | {
      readonly kind: typeof EGRESS_KINDS.kinesis;
      readonly spec: {
        readonly id: string;
        readonly awsRegion?: AwsRegionInput;
        readonly awsCredentials?: AwsCredentialsInput;
        readonly maxOutstandingRecords?: number;
        readonly clientConfigProperties?: PropertiesInput;
      };
    }
  | {
      readonly kind: typeof EGRESS_KINDS.sqs;
      readonly spec: { readonly id: string; readonly queue: string; readonly messageGroupId?: KeyRuleInput; readonly region?: string };
    }
  | {
      readonly kind: typeof EGRESS_KINDS.sns;
      readonly spec: {
        readonly id: string;
        readonly topic: string;
        readonly messageGroupId?: KeyRuleInput;
        readonly subject?: string;
        readonly region?: string;
      };
    }
  | {
      readonly kind: typeof EGRESS_KINDS.eventbridge;
      readonly spec: { readonly id: string; readonly bus?: string; readonly source: string; readonly detailType?: string; readonly region?: string };
    }
  | {
      readonly kind: typeof EGRESS_KINDS.awsKinesis;
      readonly spec: { readonly id: string; readonly stream?: string; readonly partitionKey?: KeyRuleInput; readonly region?: string };
    }
  | { readonly kind: typeof EGRESS_KINDS.log; readonly spec: { readonly id: string; readonly format?: 'text' | 'json' } }
  | { readonly kind: typeof EGRESS_KINDS.file; readonly spec: { readonly id: string; readonly path: string; readonly format?: 'jsonl' | 'text' } };

import { durationToMs } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { show } from '../core/typename.js';

/**
 * The environment of the Lambda handlers (functions/README.md, "Environment"), read and checked once per
 * container. Every error names the variable and the bad value.
 */
export interface RuntimeEnv {
  /** `STATEFUN_TABLE_NAME`: the DynamoDB table of records, dead letters, specs and ingress keys. */
  readonly tableName: string;
  /** `STATEFUN_QUEUE_URL`: the FIFO queue of addresses. */
  readonly queueUrl: string;
  /** `STATEFUN_DELAY_QUEUE_URL`: the standard queue of short delays and Scheduler fires. */
  readonly delayQueueUrl: string | undefined;
  /** `STATEFUN_DELAY_QUEUE_ARN`: the Scheduler's target for long delays. */
  readonly delayQueueArn: string | undefined;
  /** `STATEFUN_SCHEDULE_GROUP`. */
  readonly scheduleGroup: string | undefined;
  /** `STATEFUN_SCHEDULER_ROLE_ARN`. */
  readonly schedulerRoleArn: string | undefined;
  /** `STATEFUN_EGRESS_BINDINGS`: egress id → the resource the construct created or imported. */
  readonly egressBindings: ReadonlyMap<string, EgressBinding>;
  /** `STATEFUN_INGRESS_ID`: the ingress an ingress function serves. */
  readonly ingressId: string | undefined;
  /** `STATEFUN_IDEMPOTENCY_TTL`: how long an `Idempotency-Key` is remembered. @default 24 h */
  readonly idempotencyTtlMs: number;
  /** `STATEFUN_MAX_REMOTE_IN_FLIGHT`: remote calls in flight per container. @default 64 */
  readonly maxRemoteInFlight: number;
  /** `STATEFUN_RETRY_MAX_ATTEMPTS`: attempts before an address is parked. @default 10 */
  readonly retryMaxAttempts: number;
  /** `POWERTOOLS_SERVICE_NAME`. @default statefun */
  readonly serviceName: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`. @default StatefunAws */
  readonly metricsNamespace: string;
}

/** Where the records of one egress go, as `STATEFUN_EGRESS_BINDINGS` says. */
export type EgressBinding =
  | { readonly queueUrl: string }
  | { readonly topicArn: string }
  | { readonly busName: string }
  | { readonly streamName: string };

export type Env = Readonly<Record<string, string | undefined>>;

export const ENV = {
  tableName: 'STATEFUN_TABLE_NAME',
  queueUrl: 'STATEFUN_QUEUE_URL',
  delayQueueUrl: 'STATEFUN_DELAY_QUEUE_URL',
  delayQueueArn: 'STATEFUN_DELAY_QUEUE_ARN',
  scheduleGroup: 'STATEFUN_SCHEDULE_GROUP',
  schedulerRoleArn: 'STATEFUN_SCHEDULER_ROLE_ARN',
  egressBindings: 'STATEFUN_EGRESS_BINDINGS',
  ingressId: 'STATEFUN_INGRESS_ID',
  idempotencyTtl: 'STATEFUN_IDEMPOTENCY_TTL',
  maxRemoteInFlight: 'STATEFUN_MAX_REMOTE_IN_FLIGHT',
  retryMaxAttempts: 'STATEFUN_RETRY_MAX_ATTEMPTS',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/** Reads the environment; throws a {@link ValidationError} naming the first missing or bad variable. */
export function readRuntimeEnv(env: Env): RuntimeEnv {
  return {
    tableName: required(env, ENV.tableName),
    queueUrl: required(env, ENV.queueUrl),
    delayQueueUrl: optional(env, ENV.delayQueueUrl),
    delayQueueArn: optional(env, ENV.delayQueueArn),
    scheduleGroup: optional(env, ENV.scheduleGroup),
    schedulerRoleArn: optional(env, ENV.schedulerRoleArn),
    egressBindings: readEgressBindings(optional(env, ENV.egressBindings)),
    ingressId: optional(env, ENV.ingressId),
    idempotencyTtlMs: readDuration(env, ENV.idempotencyTtl, 24 * 3_600_000),
    maxRemoteInFlight: readCount(env, ENV.maxRemoteInFlight, 64),
    retryMaxAttempts: readCount(env, ENV.retryMaxAttempts, 10),
    serviceName: optional(env, ENV.serviceName) ?? 'statefun',
    metricsNamespace: optional(env, ENV.metricsNamespace) ?? 'StatefunAws',
  };
}

/** A variable a handler cannot run without; `what` says who needs it. */
export function requireSetting<T>(value: T | undefined, variable: string, what: string): T {
  if (value === undefined) throw new ValidationError(`${variable} must be set: ${what} needs it`);
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new ValidationError(`environment variable ${name} must be set (see functions/README.md)`);
  return value;
}

function readCount(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(`environment variable ${name} must be a whole number of at least 1, got ${show(raw)}`);
  }
  return value;
}

function readDuration(env: Env, name: string, fallbackMs: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallbackMs;
  return durationToMs(raw, `environment variable ${name}`, { allowZero: false });
}

const BINDING_KEYS = ['queueUrl', 'topicArn', 'busName', 'streamName'] as const;

function readEgressBindings(raw: string | undefined): ReadonlyMap<string, EgressBinding> {
  const out = new Map<string, EgressBinding>();
  if (raw === undefined) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ValidationError(`environment variable ${ENV.egressBindings} must be JSON, got ${show(raw)}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError(`environment variable ${ENV.egressBindings} must be a JSON object of egress id → binding, got ${show(parsed)}`);
  }
  for (const [id, binding] of Object.entries(parsed as Record<string, unknown>)) {
    const entries = typeof binding === 'object' && binding !== null ? Object.entries(binding as Record<string, unknown>) : [];
    const [key, value] = entries[0] ?? [];
    if (entries.length !== 1 || !(BINDING_KEYS as readonly (string | undefined)[]).includes(key) || typeof value !== 'string' || value === '') {
      throw new ValidationError(
        `${ENV.egressBindings}: egress ${show(id)} must be bound to exactly one of ${BINDING_KEYS.join(', ')} (a non-empty string), got ${show(binding)}`,
      );
    }
    out.set(id, { [key as (typeof BINDING_KEYS)[number]]: value } as EgressBinding);
  }
  return out;
}

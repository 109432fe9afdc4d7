import { Logger } from '@aws-lambda-powertools/logger';
import { type Address, addressKey } from '../core/address.js';
import type { Metrics } from '../ports.js';

/**
 * Logs and metrics of the Lambda handlers: structured JSON logs (Powertools Logger) and CloudWatch metrics in
 * the embedded metric format (EMF), one document per function type per invocation.
 *
 * Nothing is logged per message: an invocation logs one summary at debug level, and a line at warn or error
 * for what an operator must see (a retried group, a parked address, a message set aside).
 */

/** Structured logging; attributes become JSON keys. */
export interface RuntimeLogger {
  debug(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  info(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  warn(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  error(message: string, attributes?: Readonly<Record<string, unknown>>): void;
}

/** Metric names, all with the dimension `functionType` (the function type, or `-` for the handler as a whole). */
export const METRIC = {
  /** ms one invocation request of a function took (embedded call or remote round trip). */
  invocationLatency: 'InvocationLatency',
  /** Messages handed to functions. */
  messages: 'Messages',
  /** ms from a message entering the system to its handler starting. */
  deliveryLatency: 'DeliveryLatency',
  /** SQS records of the function type in one batch. */
  batchSize: 'BatchSize',
  /** Failed attempts that will be retried. */
  retries: 'Retries',
  /** Addresses parked (alarm on this: any value above 0 needs an operator). */
  parked: 'ParkedAddresses',
  /** Duplicates dropped (I3). */
  duplicates: 'DuplicatesDropped',
  /** Commits fenced off by another writer (I1). */
  conflicts: 'VersionConflicts',
  /** Most remote calls in flight in this container during the invocation. */
  remoteInFlight: 'RemoteCallsInFlight',
  /** ms the handler ran. */
  handlerLatency: 'HandlerLatency',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** One metric's values for one function type over one invocation. */
export interface MetricValues {
  readonly unit: 'Count' | 'Milliseconds';
  readonly values: readonly number[];
}

/** Where aggregated metrics go at the end of an invocation (default: EMF on standard output). */
export interface MetricsPublisher {
  publish(functionType: string, metrics: ReadonlyMap<MetricName, MetricValues>): void;
}

const COUNTERS: ReadonlySet<MetricName> = new Set([METRIC.messages, METRIC.retries, METRIC.parked, METRIC.duplicates, METRIC.conflicts, METRIC.batchSize]);
/** EMF allows 100 values per metric per document; latency values beyond are folded into their mean. */
const MAX_VALUES = 100;

/**
 * The engine's {@link Metrics} port, aggregated per function type over one invocation: counters are summed,
 * latencies kept as value lists, and {@link flush} publishes them (call it at the end of each invocation).
 */
export class HandlerMetrics implements Metrics {
  private readonly byType = new Map<string, Map<MetricName, number[]>>();

  constructor(
    private readonly publisher: MetricsPublisher,
    /** Sampled at each delivery: remote calls in flight in this container. */
    private readonly inFlight: () => number = () => 0,
  ) {}

  invoked(functionType: string, messages: number, durationMs: number): void {
    this.add(functionType, METRIC.invocationLatency, durationMs);
    this.add(functionType, METRIC.messages, messages);
  }

  delivered(functionType: string, latencyMs: number): void {
    this.add(functionType, METRIC.deliveryLatency, Math.max(0, latencyMs));
    this.max(functionType, METRIC.remoteInFlight, this.inFlight());
  }

  retried(functionType: string): void {
    this.add(functionType, METRIC.retries, 1);
  }

  parked(address: Address): void {
    this.add(address.typename, METRIC.parked, 1);
  }

  duplicateDropped(functionType: string): void {
    this.add(functionType, METRIC.duplicates, 1);
  }

  conflict(functionType: string): void {
    this.add(functionType, METRIC.conflicts, 1);
  }

  /** Records of `functionType` in the batch being handled. */
  batch(functionType: string, records: number): void {
    this.add(functionType, METRIC.batchSize, records);
  }

  /** Adds one value (summed for counters, listed for latencies). */
  add(functionType: string, name: MetricName, value: number): void {
    let metrics = this.byType.get(functionType);
    if (metrics === undefined) this.byType.set(functionType, (metrics = new Map<MetricName, number[]>()));
    const values = metrics.get(name);
    if (values === undefined) metrics.set(name, [value]);
    else if (COUNTERS.has(name)) values[0] = values[0]! + value;
    else if (values.length < MAX_VALUES) values.push(value);
  }

  private max(functionType: string, name: MetricName, value: number): void {
    const current = this.byType.get(functionType)?.get(name)?.[0];
    if (current === undefined) this.add(functionType, name, value);
    else if (value > current) this.byType.get(functionType)!.set(name, [value]);
  }

  /** Publishes and forgets what was gathered. Never throws. */
  flush(): void {
    const gathered = [...this.byType];
    this.byType.clear();
    for (const [functionType, metrics] of gathered) {
      const out = new Map<MetricName, MetricValues>();
      for (const [name, values] of metrics) out.set(name, { unit: name.endsWith('Latency') ? 'Milliseconds' : 'Count', values });
      try {
        this.publisher.publish(functionType, out);
      } catch {
        // Metrics must never fail a batch.
      }
    }
  }
}

/**
 * Publishes one document in the CloudWatch embedded metric format per function type, as a line on standard
 * output, dimensioned by `service` and `functionType` (as Powertools Metrics would write it; a dozen lines
 * instead of its 15 KB in every bundle).
 */
export function emfMetricsPublisher(options: {
  readonly namespace: string;
  readonly serviceName: string;
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}): MetricsPublisher {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  return {
    publish(functionType, metrics) {
      if (metrics.size === 0) return;
      const document: Record<string, unknown> = {
        _aws: {
          Timestamp: now(),
          CloudWatchMetrics: [
            {
              Namespace: options.namespace,
              Dimensions: [['service', 'functionType']],
              Metrics: [...metrics].map(([name, { unit }]) => ({ Name: name, Unit: unit })),
            },
          ],
        },
        service: options.serviceName,
        functionType,
      };
      for (const [name, { values }] of metrics) document[name] = values.length === 1 ? values[0] : values;
      write(JSON.stringify(document));
    },
  };
}

/** A publisher that drops everything (tests, tools). */
export const discardMetrics: MetricsPublisher = { publish: () => {} };

/** The Powertools logger (JSON on standard output; level from `POWERTOOLS_LOG_LEVEL`). */
export function powertoolsLogger(serviceName: string): RuntimeLogger {
  const logger = new Logger({ serviceName });
  return {
    debug: (message, attributes) => logger.debug(message, { ...attributes }),
    info: (message, attributes) => logger.info(message, { ...attributes }),
    warn: (message, attributes) => logger.warn(message, { ...attributes }),
    error: (message, attributes) => logger.error(message, { ...attributes }),
  };
}

/** A logger that writes nothing. */
export const silentLogger: RuntimeLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** One line per call, `level message {attributes}`, for tools such as `statefun dev --aws-local`. */
export function lineLogger(write: (line: string) => void, minimum: 'debug' | 'info' | 'warn' | 'error' = 'info'): RuntimeLogger {
  const levels = ['debug', 'info', 'warn', 'error'] as const;
  const at = levels.indexOf(minimum);
  const log =
    (level: (typeof levels)[number]) =>
    (message: string, attributes?: Readonly<Record<string, unknown>>): void => {
      if (levels.indexOf(level) < at) return;
      const extra = attributes === undefined || Object.keys(attributes).length === 0 ? '' : ` ${JSON.stringify(attributes)}`;
      write(`${level === 'info' ? '' : `${level}: `}${message}${extra}`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** The address as logs show it. */
export function logAddress(address: Address): string {
  return addressKey(address);
}

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ValidationError } from '../runtime/core/errors.js';
import type { AddressQueue } from './address-queue.js';
import type { DelayInfrastructure } from './delay-infrastructure.js';
import type { Dispatcher } from './dispatcher.js';
import type { HttpIngress } from './http-ingress.js';
import type { SqsIngress } from './sqs-ingress.js';
import type { FunctionObservability, StatefunFunction } from './statefun-function.js';
import type { StatefunTable } from './statefun-table.js';

/**
 * The metrics the handlers emit in CloudWatch's embedded metric format (Powertools Metrics), each with the
 * dimensions `service` (`POWERTOOLS_SERVICE_NAME`) and `functionType`; see `runtime/aws/observability.ts`.
 */
export const STATEFUN_METRICS = {
  parkedAddresses: 'ParkedAddresses',
  messages: 'Messages',
  retries: 'Retries',
  invocationLatency: 'InvocationLatency',
  deliveryLatency: 'DeliveryLatency',
  duplicatesDropped: 'DuplicatesDropped',
  versionConflicts: 'VersionConflicts',
} as const;

/** Alarms of an app. */
export interface StatefunAlarmOptions {
  /**
   * Create the alarms.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * What to do when an alarm fires (and when it returns to OK), e.g. `new SnsAction(topic)`.
   *
   * @default - no actions: the alarms show in the console and on the dashboard
   */
  readonly actions?: readonly cloudwatch.IAlarmAction[];
  /**
   * Alarm when the oldest message of the FIFO queue is this old: addresses are not keeping up, or a group is
   * stuck retrying.
   *
   * @default Duration.minutes(5)
   */
  readonly ageOfOldestMessage?: Duration;
}

export interface ObservabilityProps {
  readonly settings: FunctionObservability;
  readonly table: StatefunTable;
  readonly addressQueue: AddressQueue;
  readonly delay: DelayInfrastructure;
  readonly dispatcher: Dispatcher;
  readonly httpIngress?: HttpIngress;
  readonly sqsIngress?: SqsIngress;
  /** @default - alarms on, without actions */
  readonly alarms?: StatefunAlarmOptions;
  /**
   * Create a CloudWatch dashboard of the app.
   *
   * @default true
   */
  readonly dashboard?: boolean;
}

/**
 * Alarms and a dashboard for an app:
 * - dead letters: any message in the FIFO dead-letter queue, the delay dead-letter queue or the Scheduler's;
 * - parked addresses: the handlers' `ParkedAddresses` metric, summed over every function type (a Metrics
 *   Insights query, so function types of remote namespaces count too);
 * - the age of the oldest message of the FIFO queue;
 * - errors and throttles of every function.
 * The dashboard shows the queues, the functions, the handlers' metrics per function type, the HTTP API,
 * the Scheduler group and the table.
 */
export class Observability extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard | undefined;
  /** The sum of `ParkedAddresses` over every function type of the app, per 5 minutes. */
  readonly parkedAddresses: cloudwatch.IMetric;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { settings } = props;
    const alarmOptions = props.alarms ?? {};
    const age = alarmOptions.ageOfOldestMessage ?? Duration.minutes(5);
    const ageSeconds = age.toSeconds({ integral: false });
    if (!(ageSeconds >= 60)) throw new ValidationError(`${this.node.path}: alarms.ageOfOldestMessage must be at least 1 minute, got ${age.toHumanString()}`);

    this.parkedAddresses = insightsSum(settings, STATEFUN_METRICS.parkedAddresses, 'Parked addresses');
    const functions = this.functions(props);
    const alarms: cloudwatch.Alarm[] = [];
    if (alarmOptions.enabled ?? true) {
      const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string, threshold = 1): void => {
        const created = new cloudwatch.Alarm(this, alarmId, {
          metric,
          threshold,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: description,
        });
        for (const action of alarmOptions.actions ?? []) {
          created.addAlarmAction(action);
          created.addOkAction(action);
        }
        alarms.push(created);
      };
      const depth = (queue: sqs.IQueue): cloudwatch.IMetric => queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) });
      alarm('DeadLettersAlarm', depth(props.addressQueue.deadLetterQueue), 'Messages in the FIFO dead-letter queue: the dispatcher could not handle them at all (not even park their address)');
      alarm('DelayDeadLettersAlarm', depth(props.delay.delayDeadLetterQueue), 'Delayed messages the forwarder failed on repeatedly');
      alarm('SchedulerDeadLettersAlarm', depth(props.delay.schedulerDeadLetterQueue), 'Long delays EventBridge Scheduler could not deliver to the delay queue');
      alarm('ParkedAddressesAlarm', this.parkedAddresses, 'Addresses were parked: list them with `statefun parked`, then replay or skip');
      alarm(
        'QueueAgeAlarm',
        props.addressQueue.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(1) }),
        `The oldest message of the FIFO queue is ${age.toHumanString()} old: addresses are falling behind`,
        ageSeconds,
      );
      for (const [name, fn] of functions) {
        const lambdaFn = fn.function;
        alarm(`${name}ErrorsAlarm`, lambdaFn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }), `${name}: invocations failed (an error, a timeout or a crash)`);
        alarm(`${name}ThrottlesAlarm`, lambdaFn.metricThrottles({ statistic: 'Sum', period: Duration.minutes(5) }), `${name}: invocations were throttled`);
      }
    }
    this.alarms = alarms;
    this.dashboard = (props.dashboard ?? true) ? this.makeDashboard(props, functions, alarms) : undefined;
  }

  private functions(props: ObservabilityProps): [string, StatefunFunction][] {
    return [
      ['Dispatcher', props.dispatcher.function],
      ['Forwarder', props.delay.forwarder],
      ...[...(props.httpIngress?.functions ?? new Map<string, StatefunFunction>())].map(([, fn], i): [string, StatefunFunction] => [`HttpIngress${i + 1}`, fn]),
      ...[...(props.sqsIngress?.functions ?? new Map<string, StatefunFunction>())].map(([, fn], i): [string, StatefunFunction] => [`SqsIngress${i + 1}`, fn]),
    ];
  }

  private makeDashboard(props: ObservabilityProps, functions: [string, StatefunFunction][], alarms: cloudwatch.Alarm[]): cloudwatch.Dashboard {
    const { settings } = props;
    const queue = props.addressQueue.queue;
    const minute = { period: Duration.minutes(1) };
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: `# statefun-aws: ${settings.serviceName}`, width: 24, height: 1 }),
    );
    if (alarms.length > 0) dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 3 }));
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'FIFO queue',
        left: [
          queue.metricApproximateNumberOfMessagesVisible({ ...minute, label: 'Visible' }),
          queue.metricApproximateNumberOfMessagesNotVisible({ ...minute, label: 'In flight' }),
        ],
        right: [queue.metricApproximateAgeOfOldestMessage({ ...minute, statistic: 'Maximum', label: 'Age of oldest (s)' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead letters and parked addresses',
        left: [
          props.addressQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...minute, statistic: 'Maximum', label: 'FIFO DLQ' }),
          props.delay.delayDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...minute, statistic: 'Maximum', label: 'Delay DLQ' }),
          props.delay.schedulerDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...minute, statistic: 'Maximum', label: 'Scheduler DLQ' }),
        ],
        right: [this.parkedAddresses],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Delays',
        left: [
          props.delay.delayQueue.metricApproximateNumberOfMessagesDelayed({ ...minute, label: 'Short delays pending' }),
          props.delay.scheduleGroup.metricAttempts({ ...minute, label: 'Scheduler fires' }),
        ],
        right: [props.delay.scheduleGroup.metricTargetErrors({ ...minute, label: 'Scheduler target errors' })],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Messages per function type',
        left: [insightsSum(settings, STATEFUN_METRICS.messages, 'Messages', 'functionType')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Invocation latency per function type (max)',
        left: [insightsQuery(settings, `SELECT MAX(${STATEFUN_METRICS.invocationLatency})`, 'Latency', 'functionType')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Retries, duplicates, conflicts',
        left: [
          insightsSum(settings, STATEFUN_METRICS.retries, 'Retries'),
          insightsSum(settings, STATEFUN_METRICS.duplicatesDropped, 'Duplicates dropped'),
          insightsSum(settings, STATEFUN_METRICS.versionConflicts, 'Version conflicts'),
        ],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function invocations and errors',
        left: functions.map(([name, fn]) => fn.function.metricInvocations({ period: Duration.minutes(1), label: `${name} invocations` })),
        right: functions.map(([name, fn]) => fn.function.metricErrors({ period: Duration.minutes(1), label: `${name} errors` })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration (p99) and throttles',
        left: functions.map(([name, fn]) => fn.function.metricDuration({ period: Duration.minutes(1), statistic: 'p99', label: `${name} p99` })),
        right: functions.map(([name, fn]) => fn.function.metricThrottles({ period: Duration.minutes(1), label: `${name} throttles` })),
        width: 12,
      }),
    );
    const bottom: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'State table',
        left: [
          props.table.table.metricConsumedReadCapacityUnits({ period: Duration.minutes(1), label: 'Read units' }),
          props.table.table.metricConsumedWriteCapacityUnits({ period: Duration.minutes(1), label: 'Write units' }),
        ],
        right: [props.table.table.metricThrottledRequestsForOperations({ period: Duration.minutes(1), label: 'Throttled requests' })],
        width: 12,
      }),
    ];
    if (props.httpIngress !== undefined) {
      const stage = props.httpIngress.stage;
      bottom.push(
        new cloudwatch.GraphWidget({
          title: 'HTTP API',
          left: [stage.metricCount({ period: Duration.minutes(1), label: 'Requests' })],
          right: [
            stage.metricClientError({ period: Duration.minutes(1), label: '4xx' }),
            stage.metricServerError({ period: Duration.minutes(1), label: '5xx' }),
          ],
          width: 12,
        }),
      );
    }
    dashboard.addWidgets(...bottom);
    return dashboard;
  }
}

/** A Metrics Insights query over the handlers' metrics of this service, per 5 minutes. */
function insightsQuery(settings: FunctionObservability, select: string, label: string, groupBy?: string): cloudwatch.MathExpression {
  const where = `WHERE service = '${settings.serviceName.replaceAll("'", "''")}'`;
  return new cloudwatch.MathExpression({
    expression: `${select} FROM SCHEMA("${settings.metricsNamespace}", functionType, service) ${where}${groupBy === undefined ? '' : ` GROUP BY ${groupBy}`}`,
    usingMetrics: {},
    label,
    period: Duration.minutes(5),
  });
}

function insightsSum(settings: FunctionObservability, metric: string, label: string, groupBy?: string): cloudwatch.MathExpression {
  return insightsQuery(settings, `SELECT SUM(${metric})`, label, groupBy);
}

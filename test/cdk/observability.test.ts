import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { errorOf, getAtt, logicalId, roleStatements, synth, type SynthResult } from './helpers.js';

interface AlarmProps {
  MetricName?: string;
  Namespace?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Threshold: number;
  ComparisonOperator: string;
  Statistic?: string;
  Metrics?: { Expression?: string }[];
  AlarmActions?: unknown[];
  OKActions?: unknown[];
}

function alarms(result: SynthResult): Record<string, AlarmProps> {
  return Object.fromEntries(
    Object.entries(result.template.findResources('AWS::CloudWatch::Alarm')).map(([id, r]) => [id, (r as { Properties: AlarmProps }).Properties]),
  );
}

function alarm(result: SynthResult, idPrefix: string): AlarmProps {
  const found = Object.entries(alarms(result)).find(([id]) => id.startsWith(`AppObservability${idPrefix}`));
  if (found === undefined) throw new Error(`no alarm ${idPrefix}`);
  return found[1];
}

describe('Observability', () => {
  it('alarmsOnAnyMessageInEachDeadLetterQueue', () => {
    // GIVEN / WHEN
    const result = synth();
    const { stack, statefun } = result;

    // THEN
    for (const [id, queue] of [
      ['DeadLettersAlarm', statefun.addressQueue.deadLetterQueue],
      ['DelayDeadLettersAlarm', statefun.delay.delayDeadLetterQueue],
      ['SchedulerDeadLettersAlarm', statefun.delay.schedulerDeadLetterQueue],
    ] as const) {
      expect(alarm(result, id)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(logicalId(stack, queue), 'QueueName') }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarmsOnParkedAddressesOfEveryFunctionTypeWithAMetricsInsightsQuery', () => {
    const result = synth();
    expect(alarm(result, 'ParkedAddressesAlarm')).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: [
        expect.objectContaining({
          Expression: `SELECT SUM(ParkedAddresses) FROM SCHEMA("StatefunAws", functionType, service) WHERE service = 'Test-App'`,
          Period: 300,
        }),
      ],
    });
  });

  it('alarmsOnTheAgeOfTheOldestMessageOfTheFifoQueue', () => {
    const result = synth({ observability: { alarms: { ageOfOldestMessage: Duration.minutes(10) } } });
    expect(alarm(result, 'QueueAgeAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(logicalId(result.stack, result.statefun.addressQueue.queue), 'QueueName') }],
      Threshold: 600,
    });
  });

  it('alarmsOnErrorsAndThrottlesOfEveryFunction', () => {
    const result = synth();
    for (const name of ['Dispatcher', 'Forwarder', 'HttpIngress1', 'SqsIngress1']) {
      expect(alarm(result, `${name}ErrorsAlarm`)).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Threshold: 1 });
      expect(alarm(result, `${name}ThrottlesAlarm`)).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Statistic: 'Sum', Threshold: 1 });
    }
    expect(Object.keys(alarms(result))).toHaveLength(5 + 2 * 4);
  });

  it('notifiesTheGivenActionsOnAlarmAndOnRecovery', () => {
    let topic: sns.Topic | undefined;
    const result = synth((scope) => {
      topic = new sns.Topic(scope, 'Pager');
      return { observability: { alarms: { actions: [new actions.SnsAction(topic)] } } };
    });
    for (const props of Object.values(alarms(result))) {
      expect(props.AlarmActions).toEqual([{ Ref: logicalId(result.stack, topic!) }]);
      expect(props.OKActions).toEqual([{ Ref: logicalId(result.stack, topic!) }]);
    }
  });

  it('createsNoAlarmsWhenTurnedOff', () => {
    const result = synth({ observability: { alarms: { enabled: false } } });
    result.template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  it('drawsADashboardUnlessTurnedOff', () => {
    const result = synth();
    result.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(result.template.findResources('AWS::CloudWatch::Dashboard'));
    for (const title of ['FIFO queue', 'Dead letters and parked addresses', 'Delays', 'Messages per function type', 'HTTP API', 'State table']) {
      expect(body).toContain(title);
    }
    synth({ observability: { dashboard: false } }).template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  it('keepsEveryLogGroupAMonthAndRetainsIt', () => {
    const result = synth();
    const groups = Object.values(result.template.findResources('AWS::Logs::LogGroup')) as { Properties: { RetentionInDays: number; LogGroupName?: string }; DeletionPolicy: string }[];
    // four functions and the API's access logs
    expect(groups).toHaveLength(5);
    for (const group of groups) {
      expect(group.Properties.RetentionInDays).toBe(30);
      expect(group.Properties.LogGroupName).toBeUndefined();
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  it('setsLogRetentionLevelServiceNamespaceAndTracingAsAsked', () => {
    // GIVEN / WHEN
    const result = synth({
      observability: { logRetention: logs.RetentionDays.ONE_WEEK, logLevel: 'DEBUG', serviceName: 'shop', metricsNamespace: 'Shop', tracing: false },
    });

    // THEN
    const { stack, statefun, template } = result;
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.allResourcesProperties('AWS::Lambda::Function', {
      TracingConfig: Match.absent(),
      LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'DEBUG', LogFormat: 'JSON' }),
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'shop', POWERTOOLS_METRICS_NAMESPACE: 'Shop', POWERTOOLS_LOG_LEVEL: 'DEBUG' }) },
    });
    expect(roleStatements(template, logicalId(stack, statefun.dispatcher.function.role)).flatMap((s) => s.Action)).not.toContain('xray:PutTraceSegments');
    expect(alarm(result, 'ParkedAddressesAlarm').Metrics?.[0]?.Expression).toBe(`SELECT SUM(ParkedAddresses) FROM SCHEMA("Shop", functionType, service) WHERE service = 'shop'`);
  });

  it('tracesEveryFunctionWithXRayByDefault', () => {
    const { stack, statefun, template } = synth();
    template.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    for (const fn of statefun.functions) {
      expect(roleStatements(template, logicalId(stack, fn.role))).toContainEqual({ Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' });
    }
  });

  it.each([
    [{ metricsNamespace: 'AWS/Lambda' }, /observability\.metricsNamespace must be 1 to 255 letters, digits or _ \. - \/ # : and not start with "AWS\/", got "AWS\/Lambda"/],
    [{ serviceName: 'my service' }, /observability\.serviceName must be 1 to 128 letters, digits or _ \. - \/ :, got "my service"/],
    [{ logLevel: 'TRACE' as never }, /observability\.logLevel must be DEBUG, INFO, WARN or ERROR, got "TRACE"/],
    [{ alarms: { ageOfOldestMessage: Duration.seconds(30) } }, /alarms\.ageOfOldestMessage must be at least 1 minute, got 30 seconds/],
  ])('refuses %j naming the bad value', (observability, message) => {
    expect(errorOf(() => synth({ observability })).message).toMatch(message);
  });
});

import { Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { AddressQueue } from '../../lib/index.js';
import { errorOf, getAtt, logicalId, roleStatements, synth, testStack } from './helpers.js';

/** The queue resources of a template by logical id prefix. */
function queue(template: Template, prefix: string): Record<string, unknown> {
  const found = Object.entries(template.findResources('AWS::SQS::Queue')).find(([id]) => id.startsWith(prefix));
  if (found === undefined) throw new Error(`no queue ${prefix}`);
  return (found[1] as { Properties: Record<string, unknown> }).Properties;
}

describe('AddressQueue (the FIFO queue of addresses)', () => {
  it('isFifoWithContentBasedDeduplicationAVisibilityOf6DispatcherTimeoutsAndAFifoDeadLetterQueue', () => {
    // GIVEN / WHEN
    const { template } = synth();

    // THEN
    expect(queue(template, 'AppQueueE')).toEqual({
      FifoQueue: true,
      ContentBasedDeduplication: true,
      VisibilityTimeout: 360,
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: getAtt(Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('AppQueueDeadLetterQueue'))!, 'Arn'), maxReceiveCount: 20 },
    });
    expect(queue(template, 'AppQueueDeadLetterQueue')).toEqual({ FifoQueue: true, MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
  });

  it('refusesRequestsWithoutTlsOnEveryQueue', () => {
    const { template } = synth();
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as { Properties: { PolicyDocument: { Statement: unknown[] } } }[];
    // the FIFO queue and its DLQ, the delay queue and its DLQ, the Scheduler's DLQ
    expect(policies).toHaveLength(5);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('usesHighThroughputModeWhenAsked', () => {
    const { template } = synth({ queue: { highThroughput: true } });
    expect(queue(template, 'AppQueueE')).toMatchObject({ DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
  });

  it('staysInStandardThroughputModeByDefault', () => {
    const { template } = synth();
    expect(queue(template, 'AppQueueE')).not.toHaveProperty('DeduplicationScope');
    expect(queue(template, 'AppQueueE')).not.toHaveProperty('FifoThroughputLimit');
  });

  it('turnsContentBasedDeduplicationOffWhenAsked', () => {
    const { template } = synth({ queue: { contentBasedDeduplication: false } });
    expect(queue(template, 'AppQueueE')).toMatchObject({ ContentBasedDeduplication: false });
  });

  it('followsTheDispatcherTimeoutWithItsVisibilityTimeout', () => {
    const { template } = synth({ dispatcher: { timeout: Duration.minutes(2) } });
    expect(queue(template, 'AppQueueE')).toMatchObject({ VisibilityTimeout: 720 });
  });

  it('takesMaxReceiveCountAndRetention', () => {
    const { template } = synth({ queue: { maxReceiveCount: 30, retentionPeriod: Duration.days(4) } });
    expect(queue(template, 'AppQueueE')).toMatchObject({ MessageRetentionPeriod: 345_600, RedrivePolicy: { maxReceiveCount: 30 } });
  });

  it('refusesAVisibilityTimeoutBelow6DispatcherTimeoutsNamingBoth', () => {
    const error = errorOf(() => synth({ queue: { visibilityTimeout: Duration.minutes(5) }, dispatcher: { timeout: Duration.minutes(1) } }));
    expect(error.message).toMatch(/visibility timeout \(5 minutes\) must be at least 6 × the dispatcher's timeout \(1 minute\), i\.e\. 6 minutes/);
  });

  it('refusesAMaxReceiveCountNotAboveTheDispatcherRetriesNamingBoth', () => {
    const error = errorOf(() => synth({ queue: { maxReceiveCount: 10 }, dispatcher: { retryMaxAttempts: 10 } }));
    expect(error.message).toMatch(/retryMaxAttempts \(10\) must be below the FIFO queue's maxReceiveCount \(10\)/);
  });

  it('refusesAMaxReceiveCountOutOfRangeNamingIt', () => {
    const error = errorOf(() => new AddressQueue(testStack(), 'Queue', { maxReceiveCount: 0 }));
    expect(error.message).toMatch(/maxReceiveCount must be a whole number from 1 to 1000, got 0/);
  });

  it('refusesAVisibilityTimeoutAbove12HoursNamingIt', () => {
    const error = errorOf(() => new AddressQueue(testStack(), 'Queue', { visibilityTimeout: Duration.hours(13) }));
    expect(error.message).toMatch(/visibilityTimeout must be whole seconds up to 12 hours \(SQS's limit\), got 13 hours/);
  });

  it('grantsProducersSendingToAddresses', () => {
    // GIVEN a producer's role
    let producer: iam.Role | undefined;

    // WHEN it is granted sending
    const { stack, statefun, template } = synth({}, (scope, app) => {
      producer = new iam.Role(scope, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
      app.grantSendMessages(producer);
    });

    // THEN it may send to the FIFO queue, and nothing else
    const statements = roleStatements(template, logicalId(stack, producer!));
    expect(statements).toEqual([
      expect.objectContaining({ Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], Resource: getAtt(logicalId(stack, statefun.addressQueue.queue), 'Arn') }),
    ]);
  });
});

describe('DelayInfrastructure', () => {
  it('hasAStandardDelayQueueWithItsOwnDeadLetterQueueAndAVisibilityOf6ForwarderTimeouts', () => {
    const { template } = synth();
    const delay = queue(template, 'AppDelaysDelayQueue');
    expect(delay).not.toHaveProperty('FifoQueue');
    expect(delay).toMatchObject({ VisibilityTimeout: 180, SqsManagedSseEnabled: true, RedrivePolicy: { maxReceiveCount: 20 } });
    expect(queue(template, 'AppDelaysDelayDeadLetterQueue')).not.toHaveProperty('FifoQueue');
  });

  it('hasAScheduleGroupRetainedLikeTheTable', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.hasResource('AWS::Scheduler::ScheduleGroup', { DeletionPolicy: 'Retain' });
  });

  it('deletesTheScheduleGroupWithTheTableWhenTheTableIsDestroyed', async () => {
    const { RemovalPolicy } = await import('aws-cdk-lib');
    const { template } = synth({ table: { removalPolicy: RemovalPolicy.DESTROY } });
    template.hasResource('AWS::Scheduler::ScheduleGroup', { DeletionPolicy: 'Delete' });
  });

  it('letsTheSchedulerAssumeARoleThatSendsToTheDelayQueueAndItsDeadLetterQueueOnly', () => {
    // GIVEN / WHEN
    const { stack, statefun, template } = synth();

    // THEN the role trusts only EventBridge Scheduler, for schedules of this account's group
    const delay = statefun.delay;
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: { 'aws:SourceArn': getAtt(logicalId(stack, delay.scheduleGroup), 'Arn') },
            },
          },
        ],
      },
    });
    // AND it may only send to the delay queue and the Scheduler's dead-letter queue
    expect(roleStatements(template, logicalId(stack, delay.schedulerRole))).toEqual([
      {
        Action: ['sqs:SendMessage'],
        Effect: 'Allow',
        Resource: [getAtt(logicalId(stack, delay.delayQueue), 'Arn'), getAtt(logicalId(stack, delay.schedulerDeadLetterQueue), 'Arn')],
      },
    ]);
    // AND the Scheduler's dead-letter queue is a standard queue (Scheduler refuses FIFO DLQs)
    expect(queue(template, 'AppDelaysSchedulerDeadLetterQueue')).not.toHaveProperty('FifoQueue');
  });

  it('runsTheForwarderOnTheDelayQueueInBatchesWithPartialFailures', () => {
    const { stack, statefun, template } = synth();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(logicalId(stack, statefun.delay.delayQueue), 'Arn'),
      FunctionName: { Ref: logicalId(stack, statefun.delay.forwarder.function) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Forwards due delayed messages'),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 30,
      MemorySize: 512,
      Environment: {
        Variables: Match.objectLike({
          STATEFUN_TABLE_NAME: { Ref: logicalId(stack, statefun.table.table) },
          STATEFUN_QUEUE_URL: { Ref: logicalId(stack, statefun.addressQueue.queue) },
          STATEFUN_DELAY_QUEUE_URL: { Ref: logicalId(stack, statefun.delay.delayQueue) },
        }),
      },
    });
  });

  it('takesTheForwarderSettings', () => {
    const { template } = synth({ delays: { forwarderTimeout: Duration.seconds(20), forwarderMemorySize: 256, forwarderMaxConcurrency: 3, maxReceiveCount: 7 } });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('Forwards due'), Timeout: 20, MemorySize: 256 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 3 }, BatchSize: 10, EventSourceArn: Match.anyValue() });
    expect(queue(template, 'AppDelaysDelayQueue')).toMatchObject({ VisibilityTimeout: 120, RedrivePolicy: { maxReceiveCount: 7 } });
  });

  it('refusesAForwarderConcurrencyLambdaDoesNotAllowNamingIt', () => {
    const error = errorOf(() => synth({ delays: { forwarderMaxConcurrency: 1 } }));
    expect(error.message).toMatch(/forwarderMaxConcurrency must be a whole number from 2 to 1000 \(Lambda's limits for SQS event sources\), got 1/);
  });

  it('refusesADelayMaxReceiveCountOutOfRangeNamingIt', () => {
    const error = errorOf(() => synth({ delays: { maxReceiveCount: 1001 } }));
    expect(error.message).toMatch(/maxReceiveCount must be a whole number from 1 to 1000, got 1001/);
  });
});

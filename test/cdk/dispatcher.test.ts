import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { errorOf, fixture, getAtt, logicalId, roleStatements, synth } from './helpers.js';

describe('Dispatcher', () => {
  it('isANodeJs22Arm64FunctionWithTracingJsonLogsAndItsOwnLogGroup', () => {
    // GIVEN / WHEN
    const { stack, statefun, template } = synth();

    // THEN
    const fn = statefun.dispatcher.function;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Runs the turns of the addresses on the FIFO queue',
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 60,
      TracingConfig: { Mode: 'Active' },
      Role: getAtt(logicalId(stack, fn.role), 'Arn'),
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN', LogGroup: { Ref: logicalId(stack, fn.logGroup) } },
      FunctionName: Match.absent(),
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('tellsTheHandlerEveryResourceThroughItsEnvironment', () => {
    const { stack, statefun, template } = synth();
    const { delay } = statefun;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Runs the turns of the addresses on the FIFO queue',
      Environment: {
        Variables: {
          STATEFUN_TABLE_NAME: { Ref: logicalId(stack, statefun.table.table) },
          STATEFUN_QUEUE_URL: { Ref: logicalId(stack, statefun.addressQueue.queue) },
          STATEFUN_DELAY_QUEUE_URL: { Ref: logicalId(stack, delay.delayQueue) },
          STATEFUN_DELAY_QUEUE_ARN: getAtt(logicalId(stack, delay.delayQueue), 'Arn'),
          STATEFUN_SCHEDULE_GROUP: stack.resolve(delay.scheduleGroup.scheduleGroupName),
          STATEFUN_SCHEDULER_ROLE_ARN: getAtt(logicalId(stack, delay.schedulerRole), 'Arn'),
          STATEFUN_SCHEDULER_DLQ_ARN: getAtt(logicalId(stack, delay.schedulerDeadLetterQueue), 'Arn'),
          STATEFUN_RETRY_MAX_ATTEMPTS: '10',
          STATEFUN_MAX_REMOTE_IN_FLIGHT: '64',
          STATEFUN_EGRESS_BINDINGS: Match.anyValue(),
          POWERTOOLS_SERVICE_NAME: 'Test-App',
          POWERTOOLS_METRICS_NAMESPACE: 'StatefunAws',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('consumesTheFifoQueueInBatchesOf10WithPartialBatchResponsesAndBoundedConcurrency', () => {
    const { stack, statefun, template } = synth();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(logicalId(stack, statefun.addressQueue.queue), 'Arn'),
      FunctionName: { Ref: logicalId(stack, statefun.dispatcher.function.function) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
      // FIFO event sources take no batching window
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
  });

  it('takesItsSettings', () => {
    const { template } = synth({
      dispatcher: {
        timeout: Duration.minutes(3),
        memorySize: 2048,
        batchSize: 5,
        maxConcurrency: 50,
        reservedConcurrentExecutions: 60,
        retryMaxAttempts: 5,
        maxRemoteInFlight: 16,
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Runs the turns of the addresses on the FIFO queue',
      Timeout: 180,
      MemorySize: 2048,
      ReservedConcurrentExecutions: 60,
      Environment: { Variables: Match.objectLike({ STATEFUN_RETRY_MAX_ATTEMPTS: '5', STATEFUN_MAX_REMOTE_IN_FLIGHT: '16' }) },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 5, ScalingConfig: { MaximumConcurrency: 50 }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, VisibilityTimeout: 1080 });
  });

  it.each([
    [{ batchSize: 11 }, /batchSize must be a whole number from 1 to 10 \(Lambda's limit for FIFO queues\), got 11/],
    [{ maxConcurrency: 1 }, /maxConcurrency must be a whole number from 2 to 1000 \(Lambda's limits for SQS event sources\), got 1/],
    [{ timeout: Duration.minutes(16) }, /timeout must be whole seconds from 1 s to 15 minutes \(Lambda's limits\), got 16 minutes/],
    [{ memorySize: 64 }, /memorySize must be a whole number of MiB from 128 to 10240 \(Lambda's limits\), got 64/],
    [{ retryMaxAttempts: 0 }, /retryMaxAttempts must be a whole number of at least 1, got 0/],
    [{ maxRemoteInFlight: 0.5 }, /maxRemoteInFlight must be a whole number of at least 1, got 0\.5/],
  ])('refuses %j naming the bad value', (dispatcher, message) => {
    const error = errorOf(() => synth({ dispatcher, queue: { visibilityTimeout: Duration.hours(2) } }));
    expect(error.message).toMatch(message);
  });

  it('mayInvokeOnlyTheLambdaFunctionsOfLambdaTransportEndpoints', () => {
    // GIVEN the fixture app: shop/cart over HTTP, pricing/* and tax/rates over Lambda
    const { stack, statefun, template } = synth();

    // THEN the dispatcher may invoke exactly pricing-<any name> in the stack's account and region, and the
    // tax/rates function's "live" alias in the account and region of its ARN
    const invokes = roleStatements(template, logicalId(stack, statefun.dispatcher.function.role)).filter((s) => s.Action.includes('lambda:InvokeFunction'));
    expect(invokes).toEqual([
      {
        Action: ['lambda:InvokeFunction'],
        Effect: 'Allow',
        Resource: ['arn:aws:lambda:eu-west-1:111111111111:function:pricing-*', 'arn:aws:lambda:eu-west-1:123456789012:function:tax-rates:live'],
      },
    ]);
    // AND no other role may invoke functions
    const all = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(all.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'))).toHaveLength(1);
  });

  it('mayInvokeNoFunctionWhenNoEndpointUsesTheLambdaTransport', () => {
    const { stack, statefun, template } = synth({ modules: [fixture('remote-only.module.yaml')] });
    const actions = roleStatements(template, logicalId(stack, statefun.dispatcher.function.role)).flatMap((s) => s.Action);
    expect(actions).not.toContain('lambda:InvokeFunction');
  });
});

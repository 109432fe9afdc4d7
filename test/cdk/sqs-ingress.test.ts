import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { errorOf, fixture, getAtt, logicalId, roleStatements, synth } from './helpers.js';

describe('SqsIngress', () => {
  it('consumesTheQueueTheModuleNamesWithARouterFunctionInBatchesWithPartialFailures', () => {
    // GIVEN the fixture app's shop/orders ingress on queue orders.fifo (by name)
    const { stack, statefun, template } = synth();

    // THEN a router function consumes that queue of the stack's account and region
    const fn = statefun.sqsIngress!.functions.get('shop/orders')!;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: 'arn:aws:sqs:eu-west-1:111111111111:orders.fifo',
      FunctionName: { Ref: logicalId(stack, fn.function) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'SQS ingress shop/orders',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 30,
      MemorySize: 512,
      Environment: {
        Variables: Match.objectLike({
          STATEFUN_INGRESS_ID: 'shop/orders',
          STATEFUN_TABLE_NAME: { Ref: logicalId(stack, statefun.table.table) },
          STATEFUN_QUEUE_URL: { Ref: logicalId(stack, statefun.addressQueue.queue) },
        }),
      },
    });
    // AND it may consume its queue, send to the FIFO queue, and set unroutable records aside in the table
    const statements = roleStatements(template, logicalId(stack, fn.role)).filter((s) => !s.Action.some((a) => a.startsWith('logs:') || a.startsWith('xray:')));
    expect(statements).toEqual([
      { Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: getAtt(logicalId(stack, statefun.table.table), 'Arn') },
      { Action: ['sqs:SendMessage'], Effect: 'Allow', Resource: getAtt(logicalId(stack, statefun.addressQueue.queue), 'Arn') },
      {
        Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
        Effect: 'Allow',
        Resource: 'arn:aws:sqs:eu-west-1:111111111111:orders.fifo',
      },
    ]);
  });

  it('consumesAQueueTheStackCreates', () => {
    let orders: sqs.Queue | undefined;
    const { stack, template } = synth((scope) => {
      orders = new sqs.Queue(scope, 'Orders', { fifo: true, visibilityTimeout: Duration.minutes(2) });
      return { sqsIngress: { queues: { 'shop/orders': orders } } };
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: getAtt(logicalId(stack, orders!), 'Arn'), BatchSize: 10 });
  });

  it('readsAStandardQueueNamedByUrlInLargeBatchesWithABatchingWindow', () => {
    // GIVEN a standard queue of another account and region, named by URL, with batchSize 100
    const { template } = synth({ modules: [fixture('standard-queue.module.yaml')] });

    // THEN
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: 'arn:aws:sqs:eu-west-2:222222222222:events',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('takesConcurrencyTimeoutAndMemory', () => {
    const { template } = synth({ sqsIngress: { maxConcurrency: 9, timeout: Duration.seconds(45), memorySize: 1024 } });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: 'SQS ingress shop/orders', Timeout: 45, MemorySize: 1024 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: 'arn:aws:sqs:eu-west-1:111111111111:orders.fifo', ScalingConfig: { MaximumConcurrency: 9 } });
  });

  it('refusesAQueueForAnIngressNoModuleDeclaresNamingIt', () => {
    const error = errorOf(() => synth((scope) => ({ sqsIngress: { queues: { 'shop/order': new sqs.Queue(scope, 'Q', { fifo: true }) } } })));
    expect(error.message).toMatch(/queues names ingress "shop\/order", which no module of the app declares as an SQS ingress \(it declares shop\/orders\)/);
  });

  it('refusesAStandardQueueWhereTheModuleDeclaresAFifoQueue', () => {
    const error = errorOf(() => synth((scope) => ({ sqsIngress: { queues: { 'shop/orders': new sqs.Queue(scope, 'Q') } } })));
    expect(error.message).toMatch(/ingress "shop\/orders" declares a FIFO queue "orders\.fifo" .* but queues\["shop\/orders"\] is a standard queue/);
  });

  it('refusesQueuesWhenNoModuleDeclaresAnSqsIngress', () => {
    const error = errorOf(() =>
      synth((scope) => ({ modules: [fixture('remote-only.module.yaml')], sqsIngress: { queues: { 'shop/orders': new sqs.Queue(scope, 'Q', { fifo: true }) } } })),
    );
    expect(error.message).toMatch(/sqsIngress\.queues names shop\/orders, but no module declares an SQS ingress/);
  });

  it.each([
    [{ maxConcurrency: 1001 }, /maxConcurrency must be a whole number from 2 to 1000 \(Lambda's limits for SQS event sources\), got 1001/],
    [{ timeout: Duration.minutes(20) }, /timeout must be whole seconds from 1 s to 15 minutes \(Lambda's limits\), got 20 minutes/],
    [{ memorySize: 100 }, /memorySize must be a whole number of MiB from 128 to 10240 \(Lambda's limits\), got 100/],
  ])('refuses %j naming the bad value', (sqsIngress, message) => {
    expect(errorOf(() => synth({ sqsIngress })).message).toMatch(message);
  });
});

import type { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { EgressTarget } from '../../lib/index.js';
import { envOf, errorOf, fixture, getAtt, logicalId, roleStatements, synth, type SynthResult } from './helpers.js';

/** The dispatcher's egress bindings and its statements, of a synthesized app. */
function dispatcherOf(result: SynthResult): { bindings: unknown; statements: ReturnType<typeof roleStatements> } {
  const { stack, statefun, template } = result;
  const raw = envOf(template, logicalId(stack, statefun.dispatcher.function.function), 'STATEFUN_EGRESS_BINDINGS');
  return {
    bindings: raw === undefined ? undefined : JSON.parse(raw),
    statements: roleStatements(template, logicalId(stack, statefun.dispatcher.function.role)),
  };
}

const actionsOn = (statements: ReturnType<typeof roleStatements>, resource: unknown): string[] =>
  statements.filter((s) => [s.Resource].flat().some((r) => JSON.stringify(r) === JSON.stringify(resource))).flatMap((s) => s.Action);

describe('egresses', () => {
  it('bindsEveryAwsEgressToTheResourceItsModuleNamesAndGrantsOnlyWhatTheDispatcherCalls', () => {
    // GIVEN the fixture app's egresses: an SQS FIFO queue, an SNS topic by ARN, a bus, a stream and the log
    const { bindings, statements } = dispatcherOf(synth());

    // THEN the dispatcher is told where each goes (the log egress needs no resource)
    expect(bindings).toEqual({
      'shop/receipts': { queueUrl: 'https://sqs.eu-west-1.<AWS::URLSuffix>/111111111111/receipts.fifo' },
      'shop/notifications': { topicArn: 'arn:aws:sns:eu-west-1:123456789012:order-events' },
      'shop/events': { busName: 'shop-events' },
      'shop/clicks': { streamName: 'clicks' },
    });
    // AND may call exactly the one producing action of each
    expect(actionsOn(statements, 'arn:aws:sqs:eu-west-1:111111111111:receipts.fifo')).toEqual(['sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(actionsOn(statements, 'arn:aws:sns:eu-west-1:123456789012:order-events')).toEqual(['sns:Publish']);
    expect(actionsOn(statements, 'arn:aws:events:eu-west-1:111111111111:event-bus/shop-events')).toEqual(['events:PutEvents']);
    expect(actionsOn(statements, 'arn:aws:kinesis:eu-west-1:111111111111:stream/clicks')).toEqual(['kinesis:PutRecords']);
  });

  it('bindsResourcesTheStackCreatesAndGrantsTheirKeys', () => {
    // GIVEN resources created in the stack, the queue, topic and stream encrypted with a customer managed key
    let c: { key: kms.Key; queue: sqs.Queue; topic: sns.Topic; bus: events.EventBus; stream: kinesis.Stream } | undefined;

    // WHEN they are bound as the app's egresses
    const result = synth((scope) => {
      const key = new kms.Key(scope, 'Key', { enableKeyRotation: true });
      c = {
        key,
        queue: new sqs.Queue(scope, 'Receipts', { fifo: true, encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }),
        topic: new sns.Topic(scope, 'Notifications', { masterKey: key }),
        bus: new events.EventBus(scope, 'Events'),
        stream: new kinesis.Stream(scope, 'Clicks', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key }),
      };
      return {
        egresses: {
          'shop/receipts': EgressTarget.queue(c.queue),
          'shop/notifications': EgressTarget.topic(c.topic),
          'shop/events': EgressTarget.eventBus(c.bus),
          'shop/clicks': EgressTarget.stream(c.stream),
        },
      };
    });
    const { stack } = result;
    const { bindings, statements } = dispatcherOf(result);

    // THEN the bindings name the created resources
    expect(bindings).toEqual({
      'shop/receipts': { queueUrl: `<${logicalId(stack, c!.queue)}>` },
      'shop/notifications': { topicArn: `<${logicalId(stack, c!.topic)}>` },
      'shop/events': { busName: `<${logicalId(stack, c!.bus)}>` },
      'shop/clicks': { streamName: `<${logicalId(stack, c!.stream)}>` },
    });
    // AND the grants are on them, with the key's use for producing
    expect(actionsOn(statements, getAtt(logicalId(stack, c!.queue), 'Arn'))).toEqual(['sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(actionsOn(statements, { Ref: logicalId(stack, c!.topic) })).toEqual(['sns:Publish']);
    expect(actionsOn(statements, getAtt(logicalId(stack, c!.bus), 'Arn'))).toEqual(['events:PutEvents']);
    expect(actionsOn(statements, getAtt(logicalId(stack, c!.stream), 'Arn'))).toEqual(['kinesis:PutRecords']);
    expect(new Set(actionsOn(statements, getAtt(logicalId(stack, c!.key), 'Arn')))).toEqual(new Set(['kms:Decrypt', 'kms:GenerateDataKey']));
  });

  it('grantsEveryStreamOfTheAccountWhenRecordsNameTheirOwnStreams', () => {
    const { bindings, statements } = dispatcherOf(synth({ modules: [fixture('standard-queue.module.yaml')] }));
    expect(actionsOn(statements, 'arn:aws:kinesis:eu-west-1:111111111111:stream/*')).toEqual(['kinesis:PutRecords']);
    expect(bindings).not.toHaveProperty('test/records');
  });

  it('passesABusArnAsWrittenSoThatABusOfAnotherAccountIsReached', () => {
    const { bindings, statements } = dispatcherOf(synth({ modules: [fixture('standard-queue.module.yaml')] }));
    expect(bindings).toMatchObject({ 'test/bus': { busName: 'arn:aws:events:eu-west-1:333333333333:event-bus/central' } });
    expect(actionsOn(statements, 'arn:aws:events:eu-west-1:333333333333:event-bus/central')).toEqual(['events:PutEvents']);
  });

  it('bindsThePlaygroundEgressToAQueueTheStackCreates', () => {
    // GIVEN StateFun's playground egress (as the examples declare it for statefun dev) and a queue
    let out: sqs.Queue | undefined;

    // WHEN the queue is bound to it
    const result = synth((scope) => {
      out = new sqs.Queue(scope, 'Out');
      return { modules: [fixture('playground.module.yaml')], egresses: { 'io.statefun.playground/egress': EgressTarget.queue(out) } };
    });

    // THEN the dispatcher sends the playground's records there
    const { bindings, statements } = dispatcherOf(result);
    expect(bindings).toEqual({ 'io.statefun.playground/egress': { queueUrl: `<${logicalId(result.stack, out!)}>` } });
    expect(actionsOn(statements, getAtt(logicalId(result.stack, out!), 'Arn'))).toEqual(['sqs:GetQueueUrl', 'sqs:SendMessage']);
  });

  it('refusesBindingThePlaygroundEgressToAnythingButAQueue', () => {
    const error = errorOf(() => synth((scope) => ({ modules: [fixture('playground.module.yaml')], egresses: { 'io.statefun.playground/egress': EgressTarget.topic(new sns.Topic(scope, 'T')) } })));
    expect(error.message).toMatch(/egress "io\.statefun\.playground\/egress" is declared as io\.statefun\.playground\.v1\/egress .* but egresses\["io\.statefun\.playground\/egress"\] is io\.statefun-aws\.sns\.v1\/egress/);
  });

  it('setsNoBindingsWhenTheAppHasNoAwsEgress', () => {
    const { bindings } = dispatcherOf(synth({ modules: [fixture('remote-only.module.yaml')] }));
    expect(bindings).toBeUndefined();
  });

  it('refusesABindingOfAnEgressNoModuleDeclaresNamingItAndTheDeclaredOnes', () => {
    const error = errorOf(() => synthWith((scope) => ({ 'shop/receipt': EgressTarget.queue(new sqs.Queue(scope, 'Q', { fifo: true })) })));
    expect(error.message).toMatch(/egresses binds "shop\/receipt", which no module of the app declares as an AWS egress \(it declares shop\/receipts, shop\/notifications, shop\/events, shop\/clicks\)/);
  });

  it('refusesABindingOfTheWrongKindNamingBoth', () => {
    const error = errorOf(() => synthWith((scope) => ({ 'shop/receipts': EgressTarget.topic(new sns.Topic(scope, 'T')) })));
    expect(error.message).toMatch(
      /egress "shop\/receipts" is declared as io\.statefun-aws\.sqs\.v1\/egress \(test\/cdk\/fixtures\/app\.module\.yaml, document 3 \(io\.statefun-aws\.sqs\.v1\/egress\)\), but egresses\["shop\/receipts"\] is io\.statefun-aws\.sns\.v1\/egress/,
    );
  });

  it('refusesAStandardQueueWhereTheModuleDeclaresAFifoQueue', () => {
    const error = errorOf(() => synthWith((scope) => ({ 'shop/receipts': EgressTarget.queue(new sqs.Queue(scope, 'Q')) })));
    expect(error.message).toMatch(/egress "shop\/receipts" declares a FIFO queue "receipts\.fifo" .* but egresses\["shop\/receipts"\] is a standard queue/);
  });

  it('refusesAFifoTopicWhereTheModuleDeclaresAStandardTopic', () => {
    const error = errorOf(() => synthWith((scope) => ({ 'shop/notifications': EgressTarget.topic(new sns.Topic(scope, 'T', { fifo: true })) })));
    expect(error.message).toMatch(/egress "shop\/notifications" declares a standard topic .* but egresses\["shop\/notifications"\] is a FIFO topic/);
  });
});

/** GIVEN resources `make` creates in the stack, WHEN the fixture app binds them as its egresses. */
function synthWith(make: (scope: Stack) => Record<string, EgressTarget>): SynthResult {
  return synth((scope) => ({ egresses: make(scope) }));
}

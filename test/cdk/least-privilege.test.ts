import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DYNAMODB_ACTIONS } from '../../runtime/aws/dynamodb/index.js';
import { EGRESS_ACTIONS } from '../../runtime/aws/egress/index.js';
import { DELAY_FORWARDER_ACTIONS, DELAY_SCHEDULER_ACTIONS } from '../../runtime/aws/scheduler/index.js';
import { SQS_BUS_ACTIONS, SQS_QUEUE_CONTROL_ACTIONS } from '../../runtime/aws/sqs/index.js';
import type { StatefulFunctions, StatefunFunction } from '../../lib/index.js';
import { getAtt, logicalId, roleStatements, synth } from './helpers.js';

/**
 * Least privilege, checked against the adapters' own lists: every action granted to every role of an app is
 * either one its handler's adapters export (`…_ACTIONS` in runtime/aws), or one CDK grants with a resource the
 * function needs (its log group, X-Ray, the queue its event source consumes), on that resource only.
 */

/**
 * Fixture: the Lambda transport of remote functions (runtime/aws/lambda-transport.ts) exports no list yet;
 * it calls Invoke.
 */
const LAMBDA_TRANSPORT_ACTIONS = ['lambda:InvokeFunction'];
/** What EventBridge Scheduler does with the role it assumes: send the fire to the delay queue, or to its DLQ. */
const SCHEDULER_TARGET_ACTIONS = ['sqs:SendMessage'];
/** CDK's grants for a function: writing to its log group; X-Ray (active tracing). */
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const XRAY_ACTIONS = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
/** CDK's grant for an SQS event source (`queue.grantConsumeMessages`), on the consumed queue. */
const EVENT_SOURCE_ACTIONS = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];

/** Which adapters each handler uses (runtime/aws/lambda/*.ts and app-runtime.ts). */
function adapterActions(handler: 'dispatcher' | 'httpIngress' | 'sqsIngress' | 'delayForwarder', egressKinds: readonly (keyof typeof EGRESS_ACTIONS)[], lambdaEndpoints: boolean): string[] {
  switch (handler) {
    case 'dispatcher':
      // state, specs and dead letters; the bus and the retry backoff; delays; egress sinks; remote functions
      return [
        ...DYNAMODB_ACTIONS,
        ...SQS_BUS_ACTIONS,
        ...SQS_QUEUE_CONTROL_ACTIONS,
        ...DELAY_SCHEDULER_ACTIONS,
        ...egressKinds.flatMap((k) => EGRESS_ACTIONS[k]),
        ...(lambdaEndpoints ? LAMBDA_TRANSPORT_ACTIONS : []),
      ];
    case 'httpIngress':
      // idempotency keys; the bus
      return [...DYNAMODB_ACTIONS, ...SQS_BUS_ACTIONS];
    case 'sqsIngress':
      // unroutable records set aside as dead letters; the bus
      return [...DYNAMODB_ACTIONS, ...SQS_BUS_ACTIONS];
    case 'delayForwarder':
      // records that are no fire set aside; fires forwarded (and re-queued when early)
      return [...DYNAMODB_ACTIONS, ...DELAY_FORWARDER_ACTIONS];
  }
}

interface Grant {
  readonly action: string;
  readonly resource: string;
}

/** Every (action, resource) pair granted to a role. */
function grants(template: Template, roleId: string): Grant[] {
  return roleStatements(template, roleId).flatMap((s) => {
    expect(s.Effect).toBe('Allow');
    expect(s.Condition).toBeUndefined();
    return s.Action.flatMap((action) => [s.Resource].flat().map((r) => ({ action, resource: JSON.stringify(r) })));
  });
}

const arn = (stack: Stack, construct: Parameters<typeof logicalId>[1]): string => JSON.stringify(getAtt(logicalId(stack, construct), 'Arn'));

/** Checks one function's role: its actions, and where CDK's own grants apply. */
function checkFunction(result: { stack: Stack; template: Template }, fn: StatefunFunction, expectedAdapterActions: readonly string[], consumed: string | undefined): void {
  const { stack, template } = result;
  const all = grants(template, logicalId(stack, fn.role));
  const granted = new Set(all.map((g) => g.action));
  const expected = new Set([...expectedAdapterActions, ...LOG_ACTIONS, ...XRAY_ACTIONS, ...(consumed !== undefined ? EVENT_SOURCE_ACTIONS : [])]);
  expect([...granted].sort(), fn.node.path).toEqual([...expected].sort());

  // CDK's own grants only where they belong
  for (const g of all) {
    if (LOG_ACTIONS.includes(g.action)) expect(g.resource, `${fn.node.path} ${g.action}`).toBe(arn(stack, fn.logGroup));
    if (XRAY_ACTIONS.includes(g.action)) expect(g.resource, `${fn.node.path} ${g.action}`).toBe('"*"');
    if (['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].includes(g.action)) expect(g.resource, `${fn.node.path} ${g.action}`).toBe(consumed);
  }
}

function egressKinds(statefun: StatefulFunctions): (keyof typeof EGRESS_ACTIONS)[] {
  return [...new Set(statefun.app.manifest.egresses.flatMap((e) => (e.type === 'playground' || e.type === 'log' ? [] : [e.type])))];
}

describe('least privilege', () => {
  it('grantsEveryRoleExactlyWhatItsHandlersAdaptersCallPlusWhatCdkGrantsForLogsTracingAndEventSources', () => {
    // GIVEN an app using every feature: both ingresses, egresses of every kind, HTTP and Lambda remote functions
    const result = synth();
    const { stack, statefun, template } = result;
    const fifo = arn(stack, statefun.addressQueue.queue);

    // THEN the dispatcher, forwarder and ingress functions
    const kinds = egressKinds(statefun);
    expect(kinds.sort()).toEqual(['eventbridge', 'kinesis', 'sns', 'sqs']);
    checkFunction(result, statefun.dispatcher.function, adapterActions('dispatcher', kinds, true), fifo);
    checkFunction(result, statefun.delay.forwarder, adapterActions('delayForwarder', [], false), arn(stack, statefun.delay.delayQueue));
    checkFunction(result, statefun.httpIngress!.functions.get('shop/api')!, adapterActions('httpIngress', [], false), undefined);
    checkFunction(result, statefun.sqsIngress!.functions.get('shop/orders')!, adapterActions('sqsIngress', [], false), '"arn:aws:sqs:eu-west-1:111111111111:orders.fifo"');

    // AND the role EventBridge Scheduler assumes sends to the delay queue and its own DLQ, nothing else
    const schedulerGrants = grants(template, logicalId(stack, statefun.delay.schedulerRole));
    expect(schedulerGrants).toEqual(
      [statefun.delay.delayQueue, statefun.delay.schedulerDeadLetterQueue].map((q) => ({ action: SCHEDULER_TARGET_ACTIONS[0], resource: arn(stack, q) })),
    );

    // AND there is no other role
    expect(Object.keys(template.findResources('AWS::IAM::Role')).sort()).toEqual(
      [...statefun.functions.map((f) => logicalId(stack, f.role)), logicalId(stack, statefun.delay.schedulerRole)].sort(),
    );
  });

  it('grantsEachAdapterActionOnlyOnTheResourceItIsFor', () => {
    const { stack, statefun, template } = synth();
    const dispatcher = grants(template, logicalId(stack, statefun.dispatcher.function.role));
    const on = (action: string): string[] => dispatcher.filter((g) => g.action === action).map((g) => g.resource).sort();
    const table = arn(stack, statefun.table.table);
    const fifo = arn(stack, statefun.addressQueue.queue);
    const delay = arn(stack, statefun.delay.delayQueue);

    // DynamoDB on the table; only Query on its index
    for (const action of DYNAMODB_ACTIONS.filter((a) => a !== 'dynamodb:Query')) expect(on(action), action).toEqual([table]);
    expect(on('dynamodb:Query')).toEqual([table, JSON.stringify({ 'Fn::Join': ['', [getAtt(logicalId(stack, statefun.table.table), 'Arn'), '/index/*']] })].sort());
    // the bus on the FIFO queue, short delays on the delay queue, egress on the egress queue
    expect(on('sqs:SendMessage')).toEqual([fifo, delay, '"arn:aws:sqs:eu-west-1:111111111111:receipts.fifo"'].sort());
    // schedules of the app's group only, and passing the Scheduler's role only
    expect(on('scheduler:CreateSchedule')).toEqual([JSON.stringify(stack.resolve(statefun.delay.scheduleArnPattern))]);
    expect(on('scheduler:DeleteSchedule')).toEqual([JSON.stringify(stack.resolve(statefun.delay.scheduleArnPattern))]);
    expect(on('iam:PassRole')).toEqual([arn(stack, statefun.delay.schedulerRole)]);
    // Lambda functions of the Lambda-transport endpoints only
    expect(on('lambda:InvokeFunction')).toEqual(['"arn:aws:lambda:eu-west-1:111111111111:function:pricing-*"', '"arn:aws:lambda:eu-west-1:123456789012:function:tax-rates:live"']);

    // the ingress functions and the forwarder touch no schedule, no egress, no function
    for (const fn of [statefun.delay.forwarder, ...statefun.httpIngress!.functions.values(), ...statefun.sqsIngress!.functions.values()]) {
      const actions = grants(template, logicalId(stack, fn.role)).map((g) => g.action);
      for (const forbidden of ['scheduler:CreateSchedule', 'iam:PassRole', 'lambda:InvokeFunction', 'sns:Publish', 'events:PutEvents', 'kinesis:PutRecords']) {
        expect(actions, fn.node.path).not.toContain(forbidden);
      }
    }
  });

  it('grantsTheDispatcherNoEgressOrInvokeActionTheAppDoesNotNeed', () => {
    const { stack, statefun, template } = synth({ modules: ['test/cdk/fixtures/remote-only.module.yaml'] });
    checkFunction({ stack, template }, statefun.dispatcher.function, adapterActions('dispatcher', [], false), arn(stack, statefun.addressQueue.queue));
  });
});

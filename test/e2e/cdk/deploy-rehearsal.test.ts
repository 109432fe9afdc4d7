import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnboardingStack } from '../../../examples/onboarding-stack/stack.js';
import { clientConfig, useAwsEmulators } from '../../support/emulators.js';
import { type Rehearsal, rehearse, type Template } from './rehearsal.js';

/**
 * Deploy rehearsal of the onboarding example stack: the stack is synthesized with its bundles, its resources are
 * made on the emulators as the template describes them, and the bundles CDK produced run with the template's
 * environment, fed by SQS event sources and the HTTP API as Lambda and API Gateway would. The bundle deployed
 * is the bundle tested.
 *
 * The first reminder is short (the delay queue and the forwarder); the last one is long (an EventBridge
 * Scheduler schedule, which the test sees created in the app's group and deleted when onboarding completes).
 */

const emulators = useAwsEmulators();
const STACK = 'StatefunOnboarding';
const CONTENT_TYPE = 'application/vnd.onboarding/OnboardingMessage';
const cdkJson = JSON.parse(readFileSync(fileURLToPath(new URL('../../../cdk.json', import.meta.url)), 'utf8')) as { context: Record<string, unknown> };

let outdir: string;
let stack: OnboardingStack;
let template: Template;
let rehearsal: Rehearsal;
let sqs: SQSClient;
let scheduler: SchedulerClient;
let dynamodb: DynamoDBClient;
const pollerErrors: unknown[] = [];

/** Polls `probe` until it answers something, or fails naming `what`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; event source errors: ${pollerErrors.map(String).join('; ') || 'none'}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The logical id of a construct's resource in the synthesized template. */
function idOf(construct: IConstruct): string {
  const child = construct.node.defaultChild as CfnElement;
  return stack.resolve(stack.getLogicalId(child)) as string;
}

async function send(id: string, message: object, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const result = await rehearsal.request('POST', `/onboarding/customer/${id}`, { 'content-type': CONTENT_TYPE, ...headers }, JSON.stringify(message));
  return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}

/** The next email on the emails queue (deleted once read). */
async function nextEmail(): Promise<{ topic: string; payload: { to: string; subject: string; body: string } }> {
  const url = rehearsal.refs.get(idOf(stack.emails))!;
  return eventually('a reminder email on the emails queue', async () => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }));
    const message = Messages[0];
    if (message === undefined) return undefined;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    const record = JSON.parse(message.Body ?? '') as { topic: string; payload: string };
    return { topic: record.topic, payload: JSON.parse(record.payload) as { to: string; subject: string; body: string } };
  });
}

async function schedulesOfTheGroup(): Promise<string[]> {
  const group = rehearsal.refs.get(idOf(stack.statefun.delay.scheduleGroup))!;
  const { Schedules = [] } = await scheduler.send(new ListSchedulesCommand({ GroupName: group }));
  return Schedules.map((s) => s.Name!);
}

beforeAll(async () => {
  const { region, dynamodb: ddbEndpoint, sqs: sqsEndpoint, scheduler: schedulerEndpoint } = emulators();
  sqs = new SQSClient(clientConfig(sqsEndpoint));
  scheduler = new SchedulerClient(clientConfig(schedulerEndpoint));
  dynamodb = new DynamoDBClient(clientConfig(ddbEndpoint));

  // GIVEN the onboarding stack, synthesized with its bundles as `cdk synth` makes them
  outdir = await mkdtemp(join(tmpdir(), 'statefun-rehearsal-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { ...cdkJson.context, 'aws:cdk:enable-asset-metadata': true } });
  stack = new OnboardingStack(app, STACK, { firstReminder: '2 s', lastReminder: '20 min', env: { account: '000000000000', region } });
  const assembly = app.synth();
  template = assembly.getStackByName(STACK).template as Template;

  // WHEN it is deployed onto the emulators
  rehearsal = await rehearse({
    template,
    assemblyDir: assembly.directory,
    clients: { sqs, scheduler, dynamodb },
    region,
    prefix: `rh-${randomUUID().slice(0, 8)}`,
    onError: (error) => pollerErrors.push(error),
  });
}, 240_000);

afterAll(async () => {
  await rehearsal?.stop();
  sqs?.destroy();
  scheduler?.destroy();
  dynamodb?.destroy();
  if (outdir !== undefined) await rm(outdir, { recursive: true, force: true });
});

describe('deploy rehearsal of the onboarding stack', () => {
  it('loadsEachFunctionFromTheBundleCdkProducedWithTheTemplatesEnvironment', () => {
    const { statefun } = stack;
    expect([...rehearsal.functions.keys()].sort()).toEqual(statefun.functions.map((f) => idOf(f.function)).sort());
    for (const fn of rehearsal.functions.values()) {
      expect(fn.file.startsWith(outdir)).toBe(true);
      expect(fn.file).toMatch(/asset\.[0-9a-f]{64}\/index\.mjs$/);
      expect(statSync(fn.file).size).toBeGreaterThan(100_000);
      expect(statSync(`${fn.file}.map`).isFile()).toBe(true);
    }
    const dispatcher = rehearsal.functions.get(idOf(statefun.dispatcher.function.function))!;
    expect(dispatcher.env).toMatchObject({
      STATEFUN_TABLE_NAME: rehearsal.refs.get(idOf(statefun.table.table)),
      STATEFUN_QUEUE_URL: rehearsal.refs.get(idOf(statefun.addressQueue.queue)),
      STATEFUN_DELAY_QUEUE_URL: rehearsal.refs.get(idOf(statefun.delay.delayQueue)),
      STATEFUN_SCHEDULE_GROUP: rehearsal.refs.get(idOf(statefun.delay.scheduleGroup)),
      STATEFUN_SCHEDULER_ROLE_ARN: rehearsal.attributes.get(`${idOf(statefun.delay.schedulerRole)}.Arn`),
    });
    expect(JSON.parse(dispatcher.env.STATEFUN_EGRESS_BINDINGS!)).toEqual({ 'io.statefun.playground/egress': { queueUrl: rehearsal.refs.get(idOf(stack.emails)) } });
  });

  it('acceptsARegistrationThroughTheHttpApiAndSendsTheFirstReminderAfterAShortDelay', async () => {
    // WHEN alice registers through the HTTP API
    const started = Date.now();
    const accepted = await send('alice', { type: 'UserRegistered', email: 'alice@example.com', name: 'Alice' });

    // THEN the ingress accepts it
    expect(accepted).toEqual({ status: 202, body: { messageId: expect.any(String), duplicate: false } });
    // AND 2 s later (delay queue → forwarder → FIFO queue → dispatcher → SQS egress) the first reminder is out
    const email = await nextEmail();
    expect(email).toEqual({ topic: 'emails', payload: { to: 'alice@example.com', subject: 'Finish setting up your account', body: expect.stringContaining('Hi Alice') } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    // AND alice's state is in the table
    const table = rehearsal.refs.get(idOf(stack.statefun.table.table))!;
    const { Items = [] } = await dynamodb.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'onboarding/customer/alice' } } }));
    expect(Items.length).toBeGreaterThan(0);
  });

  it('schedulesTheLongDelayInTheAppsGroupThroughTheSchedulersRoleAndDeletesItOnCompletion', async () => {
    // GIVEN alice's last reminder, 20 minutes away: a schedule in the app's group
    const names = await eventually('the schedule of the last reminder', async () => {
      const found = await schedulesOfTheGroup();
      return found.length > 0 ? found : undefined;
    });
    expect(names).toHaveLength(1);
    const { delay } = stack.statefun;
    const group = rehearsal.refs.get(idOf(delay.scheduleGroup))!;
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: names[0], GroupName: group }));
    // targeting the delay queue, with the role the Scheduler assumes
    expect(schedule.Target?.Arn).toBe(rehearsal.attributes.get(`${idOf(delay.delayQueue)}.Arn`));
    expect(schedule.Target?.RoleArn).toBe(rehearsal.attributes.get(`${idOf(delay.schedulerRole)}.Arn`));
    expect(schedule.ActionAfterCompletion).toBe('DELETE');

    // WHEN alice completes onboarding
    const completed = await send('alice', { type: 'OnboardingCompleted' });
    expect(completed.status).toBe(202);

    // THEN the schedule is deleted
    await eventually('the schedule to be deleted', async () => ((await schedulesOfTheGroup()).length === 0 ? true : undefined));
  });

  it('answersARetriedRequestWithTheSameMessageIdAndRefusesABadPath', async () => {
    const first = await send('bob', { type: 'UserRegistered', email: 'bob@example.com', name: 'Bob' }, { 'idempotency-key': 'bob-1' });
    const retry = await send('bob', { type: 'UserRegistered', email: 'bob@example.com', name: 'Bob' }, { 'idempotency-key': 'bob-1' });
    expect(first.status).toBe(202);
    expect(retry).toEqual({ status: 202, body: { messageId: first.body.messageId, duplicate: true } });

    const unknown = await rehearsal.request('POST', '/onboarding/nobody/x', { 'content-type': CONTENT_TYPE }, '{}');
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body ?? '{}')).toEqual({ message: expect.stringContaining('onboarding/nobody') });
  });

  it('ranEveryEventSourceWithoutAnError', () => {
    expect(pollerErrors).toEqual([]);
    expect(rehearsal.pollers.map((p) => p.stats.invocations).every((n) => n > 0)).toBe(true);
  });
});

import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { delaySecondsUntil, SqsDelayScheduler } from '../../../runtime/aws/scheduler/delay-scheduler.js';
import { forwardDueFires, SqsDelayForwarder } from '../../../runtime/aws/scheduler/forwarder.js';
import { scheduleNameFor } from '../../../runtime/aws/scheduler/schedule-name.js';
import { decodeMessageBody, encodeMessageBody } from '../../../runtime/aws/sqs/envelope-body.js';
import { type Envelope, timerFireEnvelope } from '../../../runtime/core/envelope.js';
import { isStatefunError, ValidationError } from '../../../runtime/core/errors.js';
import type { TimerRef } from '../../../runtime/core/record.js';
import { functionMessage, plain } from '../../contract/fixtures.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const owner = { typename: 'shop/cart', id: 'alice' };
const timer = (tag: string, delayMs: number): TimerRef => ({ timerId: `shop/cart/alice#k0.1.t${tag}`, owner, dueAt: NOW + delayMs });
const fire = (t: TimerRef): Envelope => timerFireEnvelope(t.owner, t.timerId, t.dueAt);
const creds = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

describe('delay seconds', () => {
  it('round up to whole seconds, within 0..900', () => {
    expect(delaySecondsUntil(NOW + 1, NOW)).toBe(1);
    expect(delaySecondsUntil(NOW + 1000, NOW)).toBe(1);
    expect(delaySecondsUntil(NOW + 1001, NOW)).toBe(2);
    expect(delaySecondsUntil(NOW - 5000, NOW)).toBe(0);
    expect(delaySecondsUntil(NOW + 3_600_000, NOW)).toBe(900);
  });
});

describe('SqsDelayScheduler', () => {
  const sqsClient = new SQSClient(creds);
  const schedulerClient = new SchedulerClient(creds);
  const sqs = mockClient(sqsClient);
  const scheduler = mockClient(schedulerClient);
  const clock = { now: () => NOW };
  const delays = new SqsDelayScheduler({
    sqs: sqsClient,
    delayQueueUrl: 'https://sqs/delays',
    longDelays: { client: schedulerClient, delayQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:delays', roleArn: 'arn:aws:iam::123456789012:role/s', groupName: 'app' },
    clock,
  });
  beforeEach(() => {
    sqs.reset();
    scheduler.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    scheduler.on(DeleteScheduleCommand).resolves({});
  });

  it('sends delays up to 15 minutes to the delay queue with DelaySeconds, and longer ones to the Scheduler', async () => {
    const short = timer('s', 1_500);
    const edge = timer('e', 900_000);
    const long = timer('l', 86_400_000 + 123);
    await delays.schedule([short, edge, long]);
    const entries = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries!;
    expect(entries.map((e) => e.DelaySeconds)).toEqual([2, 900]);
    expect(entries.map((e) => plain(decodeMessageBody(e.MessageBody!)))).toStrictEqual([plain(fire(short)), plain(fire(edge))]);
    const create = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(create).toMatchObject({
      Name: scheduleNameFor(long.timerId),
      GroupName: 'app',
      ScheduleExpression: 'at(2026-01-02T11:55:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:delays', RoleArn: 'arn:aws:iam::123456789012:role/s' },
    });
    expect(plain(decodeMessageBody(create.Target!.Input!))).toStrictEqual(plain(fire(long)));
  });

  it('takes an existing schedule (a conflict) as already scheduled', async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: { httpStatusCode: 409 } }));
    await expect(delays.schedule([timer('l', 3_600_000)])).resolves.toBeUndefined();
  });

  it('maps Scheduler throttling to a RetryableError naming the timer', async () => {
    scheduler.on(CreateScheduleCommand).rejects({ name: 'ThrottlingException', message: 'rate', $metadata: { httpStatusCode: 429 } });
    const error = await delays.schedule([timer('l', 3_600_000)]).catch((e: unknown) => e);
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect((error as Error).message).toContain('shop/cart/alice#k0.1.tl');
  });

  it('cancels by deleting the schedules of timers more than the lead time away; a missing schedule is fine', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: { httpStatusCode: 404 } }));
    await delays.cancel([timer('far', 3_600_000), timer('near', 200_000)]);
    const deletes = scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input);
    expect(deletes).toEqual([{ Name: scheduleNameFor(timer('far', 0).timerId), GroupName: 'app' }]);
  });

  it('without a Scheduler, hops long delays through the delay queue and cancels nothing', async () => {
    const hops = new SqsDelayScheduler({ sqs: sqsClient, delayQueueUrl: 'https://sqs/delays', clock });
    await hops.schedule([timer('l', 86_400_000)]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]!.DelaySeconds).toBe(900);
    await hops.cancel([timer('l', 86_400_000)]);
    expect(scheduler.commandCalls(DeleteScheduleCommand)).toHaveLength(0);
  });

  it('checks its options', () => {
    expect(() => new SqsDelayScheduler({ sqs: sqsClient, delayQueueUrl: 'q', shortDelayMaxMs: 901_000 })).toThrow(ValidationError);
    expect(() => new SqsDelayScheduler({ sqs: sqsClient, delayQueueUrl: 'q', shortDelayMaxMs: 60_000, leadTimeMs: 60_000 })).toThrow(ValidationError);
  });
});

describe('forwardDueFires', () => {
  const record = (messageId: string, envelope: Envelope) => ({ messageId, body: encodeMessageBody(envelope) });

  it('forwards due fires and sends early ones back with the remaining whole seconds', () => {
    const due = timer('due', 0);
    const early = timer('early', 2_001);
    const hop = timer('hop', 7_200_000);
    const plan = forwardDueFires([record('1', fire(due)), record('2', fire(early)), record('3', fire(hop))], NOW);
    expect(plan.forward.map((f) => f.messageId)).toEqual(['1']);
    expect(plan.requeue.map((r) => [r.messageId, r.delaySeconds])).toEqual([['2', 3], ['3', 900]]);
    expect(plan.rejected).toEqual([]);
  });

  it('sends a fire a few milliseconds early back for a second: never early', () => {
    const plan = forwardDueFires([record('1', fire(timer('x', 5)))], NOW);
    expect(plan.requeue.map((r) => r.delaySeconds)).toEqual([1]);
  });

  it('rejects records that are no timer fire', () => {
    const plan = forwardDueFires([{ messageId: 'a', body: 'garbage!' }, record('b', functionMessage(owner, owner, 1, 0, NOW))], NOW);
    expect(plan.rejected.map((r) => r.messageId)).toEqual(['a', 'b']);
    expect(plan.rejected[1]!.reason).toContain('not a timer fire');
  });
});

describe('SqsDelayForwarder', () => {
  const sqsClient = new SQSClient(creds);
  const sqs = mockClient(sqsClient);
  beforeEach(() => sqs.reset());

  it('answers retry for the records whose forwarding failed, done for the others', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const sent: Envelope[] = [];
    const failingBus = { send: (messages: readonly Envelope[]) => (sent.push(...messages), Promise.reject(new Error('FIFO queue down'))) };
    const rejected: string[] = [];
    const forwarder = new SqsDelayForwarder({ bus: failingBus, sqs: sqsClient, delayQueueUrl: 'https://sqs/delays', onRejected: (id) => rejected.push(id) });
    const outcomes = await forwarder.forward(
      [
        { messageId: 'due', body: encodeMessageBody(fire(timer('d', 0))) },
        { messageId: 'early', body: encodeMessageBody(fire(timer('e', 10_000))) },
        { messageId: 'junk', body: '!' },
      ],
      NOW,
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['retry', 'done', 'done']);
    expect(sent.map((e) => e.id)).toEqual([fire(timer('d', 0)).id]);
    expect(rejected).toEqual(['junk']);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]!.DelaySeconds).toBe(10);
  });
});

import { randomUUID } from 'node:crypto';
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, useAwsEmulators } from '../../support/emulators.js';
import { oneTimeSchedule, ROLE_ARN } from '../../support/scheduler-helpers.js';

const emulators = useAwsEmulators();

/** Far enough ahead that nothing created here fires during the run. */
const LATER = Date.UTC(2099, 0, 1);
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:not-fired.fifo';

describe('Scheduler emulator API', () => {
  let scheduler: SchedulerClient;
  const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

  beforeAll(() => {
    scheduler = new SchedulerClient({ ...clientConfig(emulators().scheduler), maxAttempts: 1 });
  });
  afterAll(() => scheduler.destroy());

  it('creates, gets, updates and deletes a schedule', async () => {
    const name = unique('crud');
    const input = oneTimeSchedule(name, LATER, QUEUE_ARN, {
      Description: 'first',
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: QUEUE_ARN, RoleArn: ROLE_ARN, Input: '{"n":1}', SqsParameters: { MessageGroupId: 'g-1' } },
    });

    const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand(input));
    const created = await scheduler.send(new GetScheduleCommand({ Name: name }));
    await scheduler.send(
      new UpdateScheduleCommand({ ...input, Description: 'second', ScheduleExpression: 'at(2099-06-01T12:00:00)', State: 'DISABLED' }),
    );
    const updated = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: 'default' }));
    await scheduler.send(new DeleteScheduleCommand({ Name: name }));

    expect(ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule/default/${name}`);
    expect(created).toMatchObject({
      Arn: ScheduleArn,
      Name: name,
      GroupName: 'default',
      ScheduleExpression: 'at(2099-01-01T00:00:00)',
      State: 'ENABLED',
      Description: 'first',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: QUEUE_ARN,
        RoleArn: ROLE_ARN,
        Input: '{"n":1}',
        SqsParameters: { MessageGroupId: 'g-1' },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      },
    });
    expect(created.CreationDate).toBeInstanceOf(Date);
    expect(updated).toMatchObject({ Description: 'second', ScheduleExpression: 'at(2099-06-01T12:00:00)', State: 'DISABLED' });
    expect(updated.CreationDate).toEqual(created.CreationDate);
    await expect(scheduler.send(new GetScheduleCommand({ Name: name }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses to create a schedule that exists with a ConflictException', async () => {
    const name = unique('twice');
    await scheduler.send(new CreateScheduleCommand(oneTimeSchedule(name, LATER, QUEUE_ARN)));

    const again = scheduler.send(new CreateScheduleCommand(oneTimeSchedule(name, LATER, QUEUE_ARN)));

    await expect(again).rejects.toBeInstanceOf(ConflictException);
    await expect(again).rejects.toMatchObject({ $metadata: { httpStatusCode: 409 } });
  });

  it('answers a retried create with the same ClientToken with the first result', async () => {
    const name = unique('token');
    const input = oneTimeSchedule(name, LATER, QUEUE_ARN, { ClientToken: `tok-${name}` });

    const first = await scheduler.send(new CreateScheduleCommand(input));
    const retried = await scheduler.send(new CreateScheduleCommand(input));
    const reused = scheduler.send(new CreateScheduleCommand({ ...input, Description: 'a different request' }));

    expect(retried.ScheduleArn).toBe(first.ScheduleArn);
    await expect(reused).rejects.toBeInstanceOf(ConflictException);
  });

  it('answers ResourceNotFoundException for a schedule or group that does not exist', async () => {
    const missing = unique('missing');

    await expect(scheduler.send(new GetScheduleCommand({ Name: missing }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(scheduler.send(new DeleteScheduleCommand({ Name: missing }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(scheduler.send(new UpdateScheduleCommand(oneTimeSchedule(missing, LATER, QUEUE_ARN)))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      scheduler.send(new CreateScheduleCommand(oneTimeSchedule(unique('orphan'), LATER, QUEUE_ARN, { GroupName: missing }))),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    const notFound = await scheduler.send(new GetScheduleCommand({ Name: missing })).catch((e: unknown) => e);
    expect(notFound).toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it.each([
    ['a name longer than 64 characters', { Name: 'x'.repeat(65) }, /Name/],
    ['a name with a character outside [0-9a-zA-Z-_.]', { Name: 'bad/name' }, /Name/],
    ['a malformed expression', { ScheduleExpression: 'at(2099-13-01T00:00:00)' }, /Schedule Expression/],
    ['a recurring expression', { ScheduleExpression: 'rate(5 minutes)' }, /not supported by this emulator/],
    ['an unknown time zone', { ScheduleExpressionTimezone: 'Mars/Olympus' }, /ScheduleExpressionTimezone/],
    ['no target', { Target: undefined }, /Target is required/],
    ['an input over 256 KiB', { Target: { Arn: QUEUE_ARN, RoleArn: ROLE_ARN, Input: 'x'.repeat(262_145) } }, /Target\.Input/],
    ['a FIFO dead-letter queue', { Target: { Arn: QUEUE_ARN, RoleArn: ROLE_ARN, DeadLetterConfig: { Arn: QUEUE_ARN } } }, /DeadLetterConfig/],
    ['a flexible window without its size', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' as const } }, /MaximumWindowInMinutes/],
  ])('answers ValidationException for %s', async (_case, override, message) => {
    const input = { ...oneTimeSchedule(unique('invalid'), LATER, QUEUE_ARN), ...override };

    const error = await scheduler.send(new CreateScheduleCommand(input)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).message).toMatch(message);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('lists schedules by group, name prefix and state, a page at a time', async () => {
    const group = unique('group');
    await scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
    const names = ['p-a', 'p-b', 'p-c', 'p-d', 'q-a'];
    for (const name of names) {
      await scheduler.send(
        new CreateScheduleCommand(oneTimeSchedule(name, LATER, QUEUE_ARN, { GroupName: group, State: name === 'p-d' ? 'DISABLED' : 'ENABLED' })),
      );
    }

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await scheduler.send(
        new ListSchedulesCommand({ GroupName: group, NamePrefix: 'p-', MaxResults: 2, ...(nextToken === undefined ? {} : { NextToken: nextToken }) }),
      );
      pages.push((page.Schedules ?? []).map((s) => s.Name ?? ''));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    const disabled = await scheduler.send(new ListSchedulesCommand({ GroupName: group, State: 'DISABLED' }));
    const all = await scheduler.send(new ListSchedulesCommand({ GroupName: group }));

    expect(pages).toEqual([['p-a', 'p-b'], ['p-c', 'p-d']]);
    expect(disabled.Schedules?.map((s) => s.Name)).toEqual(['p-d']);
    expect(all.Schedules?.map((s) => s.Name)).toEqual(names);
    expect(all.Schedules?.[0]).toMatchObject({ GroupName: group, State: 'ENABLED', Target: { Arn: QUEUE_ARN } });
  });

  it('manages schedule groups: a default group, create with tags, get, list, delete with their schedules', async () => {
    const group = unique('managed');
    const { ScheduleGroupArn } = await scheduler.send(new CreateScheduleGroupCommand({ Name: group, Tags: [{ Key: 'team', Value: 'core' }] }));
    await scheduler.send(new CreateScheduleCommand(oneTimeSchedule('in-group', LATER, QUEUE_ARN, { GroupName: group })));

    const fetched = await scheduler.send(new GetScheduleGroupCommand({ Name: group }));
    const listed = await scheduler.send(new ListScheduleGroupsCommand({ NamePrefix: group }));
    const defaults = await scheduler.send(new GetScheduleGroupCommand({ Name: 'default' }));
    const tags = await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }));
    await expect(scheduler.send(new CreateScheduleGroupCommand({ Name: group }))).rejects.toBeInstanceOf(ConflictException);
    await expect(scheduler.send(new DeleteScheduleGroupCommand({ Name: 'default' }))).rejects.toBeInstanceOf(ValidationException);
    await scheduler.send(new DeleteScheduleGroupCommand({ Name: group }));

    expect(fetched).toMatchObject({ Name: group, Arn: ScheduleGroupArn, State: 'ACTIVE' });
    expect(listed.ScheduleGroups?.map((g) => g.Name)).toEqual([group]);
    expect(defaults.Arn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule-group/default');
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'core' }]);
    await expect(scheduler.send(new GetScheduleGroupCommand({ Name: group }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(scheduler.send(new GetScheduleCommand({ Name: 'in-group', GroupName: group }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

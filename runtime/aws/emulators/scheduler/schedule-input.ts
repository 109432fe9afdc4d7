import { invalid } from './api-error.js';
import { DEFAULT_GROUP, DEFAULT_RETRY_POLICY, type FlexibleTimeWindowData, type ScheduleData, type TargetData } from './model.js';
import {
  checkClientToken,
  checkName,
  enumField,
  type Fields,
  integerField,
  objectField,
  requiredString,
  stringField,
  timestampField,
} from './request-fields.js';
import { dueTimeOf } from './schedule-expression.js';
import { parseDeadLetterArn, parseTargetArn } from './target-arn.js';

/** The largest `Target.Input`, in UTF-8 bytes (the service's 256 KB payload limit). */
export const MAX_INPUT_BYTES = 262_144;

const ROLE_ARN = /^arn:aws(?:-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** What CreateSchedule and UpdateSchedule set: every field of a schedule except identity, dates and run state. */
export type ScheduleConfig = Omit<ScheduleData, 'Arn' | 'CreationDate' | 'LastModificationDate' | 'run' | 'completion'>;

/**
 * Reads and validates the body of CreateSchedule/UpdateSchedule for schedule `name`, filling in the service's
 * defaults (group `default`, state ENABLED, action NONE, retry policy 185 attempts / 24 h). Throws a
 * ValidationException naming the first bad field and its value.
 */
export function readScheduleInput(name: string, body: Fields): { readonly config: ScheduleConfig; readonly clientToken: string | undefined } {
  checkName(name, 'Name');
  const groupName = checkName(stringField(body, 'GroupName', { max: 64 }) ?? DEFAULT_GROUP, 'GroupName');
  const expression = requiredString(body, 'ScheduleExpression', 256);
  const timezone = stringField(body, 'ScheduleExpressionTimezone', { max: 50 });
  const dueAtMs = dueTimeOf(expression, timezone);
  const startDate = timestampField(body, 'StartDate');
  const endDate = timestampField(body, 'EndDate');
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
    throw invalid(`EndDate ${endDate} must be after StartDate ${startDate}`);
  }
  const description = stringField(body, 'Description', { min: 0, max: 512 });
  const kmsKeyArn = stringField(body, 'KmsKeyArn', { max: 2048 });
  const config: ScheduleConfig = {
    Name: name,
    GroupName: groupName,
    ScheduleExpression: expression,
    ...(timezone === undefined ? {} : { ScheduleExpressionTimezone: timezone }),
    ...(startDate === undefined ? {} : { StartDate: startDate }),
    ...(endDate === undefined ? {} : { EndDate: endDate }),
    ...(description === undefined ? {} : { Description: description }),
    State: enumField(body, 'State', ['ENABLED', 'DISABLED']) ?? 'ENABLED',
    ...(kmsKeyArn === undefined ? {} : { KmsKeyArn: kmsKeyArn }),
    Target: readTarget(body),
    FlexibleTimeWindow: readFlexibleTimeWindow(body),
    ActionAfterCompletion: enumField(body, 'ActionAfterCompletion', ['NONE', 'DELETE']) ?? 'NONE',
    dueAtMs,
  };
  return { config, clientToken: checkClientToken(stringField(body, 'ClientToken', { max: 64 })) };
}

function readTarget(body: Fields): TargetData {
  const target = objectField(body, 'Target');
  if (target === undefined) throw invalid('Target is required');
  const arn = requiredString(target, 'Arn', 1600, 'Target.Arn');
  const ref = parseTargetArn(arn);
  const roleArn = requiredString(target, 'RoleArn', 1600, 'Target.RoleArn');
  if (!ROLE_ARN.test(roleArn)) throw invalid(`Target.RoleArn ${roleArn} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);

  const input = stringField(target, 'Input', { max: Number.MAX_SAFE_INTEGER, path: 'Target.Input' });
  if (input !== undefined) {
    const bytes = Buffer.byteLength(input, 'utf8');
    if (bytes > MAX_INPUT_BYTES) throw invalid(`Target.Input is ${bytes} bytes; at most ${MAX_INPUT_BYTES} are allowed`);
    if (ref.kind === 'lambda' && !isJson(input)) throw invalid(`Target.Input must be well-formed JSON for a Lambda target, got ${input.slice(0, 80)}`);
  }

  const sqsParameters = objectField(target, 'SqsParameters', 'Target.SqsParameters');
  const messageGroupId =
    sqsParameters === undefined ? undefined : stringField(sqsParameters, 'MessageGroupId', { max: 128, path: 'Target.SqsParameters.MessageGroupId' });
  if (sqsParameters !== undefined && ref.kind !== 'sqs') throw invalid(`Target.SqsParameters is only valid for an SQS target, not ${arn}`);

  const retry = objectField(target, 'RetryPolicy', 'Target.RetryPolicy') ?? {};
  const retryPolicy = {
    MaximumEventAgeInSeconds:
      integerField(retry, 'MaximumEventAgeInSeconds', 60, 86_400, 'Target.RetryPolicy.MaximumEventAgeInSeconds') ??
      DEFAULT_RETRY_POLICY.MaximumEventAgeInSeconds,
    MaximumRetryAttempts:
      integerField(retry, 'MaximumRetryAttempts', 0, 185, 'Target.RetryPolicy.MaximumRetryAttempts') ?? DEFAULT_RETRY_POLICY.MaximumRetryAttempts,
  };

  const deadLetter = objectField(target, 'DeadLetterConfig', 'Target.DeadLetterConfig');
  const deadLetterArn = deadLetter === undefined ? undefined : stringField(deadLetter, 'Arn', { max: 1600, path: 'Target.DeadLetterConfig.Arn' });
  if (deadLetterArn !== undefined) parseDeadLetterArn(deadLetterArn);

  return {
    ...target,
    Arn: arn,
    RoleArn: roleArn,
    ...(input === undefined ? {} : { Input: input }),
    ...(sqsParameters === undefined ? {} : { SqsParameters: messageGroupId === undefined ? {} : { MessageGroupId: messageGroupId } }),
    RetryPolicy: retryPolicy,
    ...(deadLetter === undefined ? {} : { DeadLetterConfig: deadLetterArn === undefined ? {} : { Arn: deadLetterArn } }),
  };
}

function readFlexibleTimeWindow(body: Fields): FlexibleTimeWindowData {
  const window = objectField(body, 'FlexibleTimeWindow');
  if (window === undefined) throw invalid('FlexibleTimeWindow is required');
  const mode = enumField(window, 'Mode', ['OFF', 'FLEXIBLE'], 'FlexibleTimeWindow.Mode');
  if (mode === undefined) throw invalid('FlexibleTimeWindow.Mode is required');
  const minutes = integerField(window, 'MaximumWindowInMinutes', 1, 1440, 'FlexibleTimeWindow.MaximumWindowInMinutes');
  if (mode === 'FLEXIBLE' && minutes === undefined) throw invalid('FlexibleTimeWindow.MaximumWindowInMinutes is required when Mode is FLEXIBLE');
  if (mode === 'OFF' && minutes !== undefined) throw invalid('FlexibleTimeWindow.MaximumWindowInMinutes must not be set when Mode is OFF');
  return mode === 'OFF' ? { Mode: 'OFF' } : { Mode: 'FLEXIBLE', MaximumWindowInMinutes: minutes as number };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

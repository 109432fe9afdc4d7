import { DeliveryError } from './delivery-error.js';
import type { ScheduleData } from './model.js';
import type { SqsSender } from './sqs-sender.js';
import { parseDeadLetterArn, parseTargetArn } from './target-arn.js';

/** What an in-process Lambda target receives when its schedule fires. */
export interface LambdaTargetInvocation {
  /** `Target.Input` (context attributes filled in) parsed as JSON; `{}` when the schedule has no input. */
  readonly payload: unknown;
  readonly functionArn: string;
  readonly scheduleArn: string;
  /** Unique per attempt. */
  readonly executionId: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attemptNumber: number;
  /** The schedule's `at()` time, ISO 8601 in UTC without milliseconds. */
  readonly scheduledTime: string;
}

/**
 * Stands in for a Lambda function a schedule targets. Throwing (or rejecting) makes the attempt fail: the
 * emulator retries under the schedule's retry policy, then dead-letters.
 */
export type LambdaTargetHandler = (invocation: LambdaTargetInvocation) => unknown;

/** One attempt at delivering a schedule's firing. */
export interface Attempt {
  readonly schedule: ScheduleData;
  readonly executionId: string;
  /** 1-based. */
  readonly attemptNumber: number;
}

/**
 * Delivers firings: `Target.Input` (with the `<aws.scheduler.*>` context attributes replaced) as the body of an
 * SQS message with `SqsParameters.MessageGroupId`, or as the payload of an in-process Lambda handler.
 */
export class TargetInvoker {
  private readonly lambdas = new Map<string, LambdaTargetHandler>();

  constructor(private readonly sqs: SqsSender) {}

  /** Routes firings for `functionArn` to `handler` (replacing an earlier one). Returns an unregister function. */
  registerLambda(functionArn: string, handler: LambdaTargetHandler): () => void {
    const ref = parseTargetArn(functionArn);
    if (ref.kind !== 'lambda') throw new Error(`registerLambdaTarget: ${functionArn} is not a Lambda function ARN`);
    this.lambdas.set(functionArn, handler);
    return () => {
      if (this.lambdas.get(functionArn) === handler) this.lambdas.delete(functionArn);
    };
  }

  /** Makes one attempt; rejects with a {@link DeliveryError} when it failed. */
  async deliver(attempt: Attempt): Promise<void> {
    const target = parseTargetArn(attempt.schedule.Target.Arn);
    const body = inputOf(attempt);
    if (target.kind === 'sqs') {
      const groupId = attempt.schedule.Target.SqsParameters?.MessageGroupId;
      await this.sqs.send({ ...target, body, ...(groupId === undefined ? {} : { messageGroupId: groupId }) });
      return;
    }
    const handler = this.lambdas.get(target.arn);
    if (handler === undefined) throw new DeliveryError('Lambda.ResourceNotFound', `no in-process handler is registered for ${target.arn}`);
    try {
      await handler({
        payload: JSON.parse(body) as unknown,
        functionArn: target.arn,
        scheduleArn: attempt.schedule.Arn,
        executionId: attempt.executionId,
        attemptNumber: attempt.attemptNumber,
        scheduledTime: scheduledTime(attempt.schedule),
      });
    } catch (error) {
      throw new DeliveryError('Lambda.HandlerFailed', `handler for ${target.arn} failed: ${describe(error)}`, { cause: error });
    }
  }

  /**
   * Sends the firing that could not be delivered to the schedule's dead-letter queue: the input as the body and
   * the failure in message attributes (`ERROR_CODE`, `ERROR_MESSAGE`, `EXECUTION_ID`, `RETRY_ATTEMPTS`,
   * `SCHEDULE_ARN`, `TARGET_ARN`), modelled on the real service's dead-letter events.
   */
  async deadLetter(attempt: Attempt, error: DeliveryError): Promise<void> {
    const arn = attempt.schedule.Target.DeadLetterConfig?.Arn;
    if (arn === undefined) throw new Error('deadLetter: the schedule has no DeadLetterConfig.Arn');
    const queue = parseDeadLetterArn(arn);
    const text = (value: string): { DataType: string; StringValue: string } => ({ DataType: 'String', StringValue: value === '' ? '-' : value.slice(0, 1024) });
    await this.sqs.send({
      ...queue,
      body: inputOf(attempt),
      attributes: {
        ERROR_CODE: text(error.code),
        ERROR_MESSAGE: text(error.message),
        EXECUTION_ID: text(attempt.executionId),
        RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(attempt.attemptNumber - 1) },
        SCHEDULE_ARN: text(attempt.schedule.Arn),
        TARGET_ARN: text(attempt.schedule.Target.Arn),
      },
    });
  }
}

/** The input with the context attributes of this attempt filled in; `{}` when the schedule has none. */
function inputOf(attempt: Attempt): string {
  const input = attempt.schedule.Target.Input ?? '{}';
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', attempt.schedule.Arn)
    .replaceAll('<aws.scheduler.scheduled-time>', scheduledTime(attempt.schedule))
    .replaceAll('<aws.scheduler.execution-id>', attempt.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(attempt.attemptNumber));
}

function scheduledTime(schedule: ScheduleData): string {
  return new Date(schedule.dueAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

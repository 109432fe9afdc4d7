import { invalid } from './api-error.js';

/** A target this emulator can deliver to, parsed from its ARN. */
export type TargetRef =
  | { readonly kind: 'sqs'; readonly arn: string; readonly region: string; readonly accountId: string; readonly queueName: string }
  | { readonly kind: 'lambda'; readonly arn: string; readonly region: string; readonly functionName: string };

const SQS_QUEUE = /^arn:aws(?:-[a-z]+)?:sqs:([a-z0-9-]+):(\d{12}):([a-zA-Z0-9_-]{1,75}(?:\.fifo)?)$/;
const LAMBDA_FUNCTION = /^arn:aws(?:-[a-z]+)?:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]{1,64})(?::[a-zA-Z0-9$_-]{1,128})?$/;
/** The real service's pattern for `DeadLetterConfig.Arn`: a standard queue (FIFO queues cannot be DLQs). */
const DEAD_LETTER_QUEUE = /^arn:aws(?:-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/;

/**
 * Parses `Target.Arn`. SQS queues and Lambda functions are supported; any other service is a
 * ValidationException saying so (the real service would accept it and fail at delivery).
 */
export function parseTargetArn(arn: string): TargetRef {
  const sqs = SQS_QUEUE.exec(arn);
  if (sqs !== null) {
    const [, region, accountId, queueName] = sqs as unknown as [string, string, string, string];
    return { kind: 'sqs', arn, region, accountId, queueName };
  }
  const lambda = LAMBDA_FUNCTION.exec(arn);
  if (lambda !== null) {
    const [, region, , functionName] = lambda as unknown as [string, string, string, string];
    return { kind: 'lambda', arn, region, functionName };
  }
  throw invalid(
    `Target.Arn ${arn} is not supported by this emulator: it delivers to SQS queues ` +
      `(arn:aws:sqs:<region>:<account>:<queue>) and to Lambda functions registered in-process ` +
      `(arn:aws:lambda:<region>:<account>:function:<name>)`,
  );
}

/** Parses `DeadLetterConfig.Arn`: a standard SQS queue. */
export function parseDeadLetterArn(arn: string): TargetRef & { readonly kind: 'sqs' } {
  if (!DEAD_LETTER_QUEUE.test(arn)) {
    throw invalid(`Target.DeadLetterConfig.Arn ${arn} is invalid: it must be a standard SQS queue ARN (FIFO queues cannot be dead-letter queues)`);
  }
  return parseTargetArn(arn) as TargetRef & { readonly kind: 'sqs' };
}

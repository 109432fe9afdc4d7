import { ConditionalCheckFailedException, InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { QueueDoesNotExist } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { classifyAwsError, toDomainError } from '../../../runtime/aws/aws-errors.js';
import { type EntryFailure, sendWithEntryRetries } from '../../../runtime/aws/entry-retries.js';
import { isStatefunError, RetryableError, TerminalError } from '../../../runtime/core/errors.js';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('AWS error mapping', () => {
  it('maps throttling to a RetryableError with a wait', () => {
    const error = toDomainError(new ProvisionedThroughputExceededException({ message: 'slow down', ...meta(400) }), 'DynamoDB PutItem of a/b/c');
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBeGreaterThan(0);
    expect(error.message).toMatch(/^DynamoDB PutItem of a\/b\/c: throttled/);
    expect(error.cause).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(classifyAwsError({ name: 'ThrottlingException', $metadata: {} })).toBe('throttled');
    expect(classifyAwsError({ name: 'Whatever', $metadata: { httpStatusCode: 429 } })).toBe('throttled');
  });

  it('maps 5xx, transaction conflicts and network failures to RetryableError', () => {
    expect(toDomainError(new InternalServerError({ message: 'boom', ...meta(500) }), 'x')).toBeInstanceOf(RetryableError);
    expect(classifyAwsError({ name: 'SomethingNew', $fault: 'server', $metadata: { httpStatusCode: 503 } })).toBe('transient');
    expect(classifyAwsError({ name: 'TransactionConflictException', $fault: 'client', $metadata: { httpStatusCode: 400 } })).toBe('transient');
    expect(classifyAwsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('transient');
    expect(classifyAwsError(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe('transient');
  });

  it('maps requests AWS can never accept to TerminalError', () => {
    const error = toDomainError({ name: 'ValidationException', message: 'Item size has exceeded the maximum allowed size', $fault: 'client', $metadata: { httpStatusCode: 400 } }, 'DynamoDB PutItem');
    expect(error).toBeInstanceOf(TerminalError);
    expect(classifyAwsError({ name: 'AWS.SimpleQueueService.BatchRequestTooLong', $fault: 'client', $metadata: {} })).toBe('permanent');
  });

  it('keeps deployment problems retryable: nothing is parked for a missing queue or a denied permission', () => {
    expect(toDomainError(new QueueDoesNotExist({ message: 'no such queue', ...meta(400) }), 'SQS')).toBeInstanceOf(RetryableError);
    expect(classifyAwsError({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } })).toBe('client');
    expect(classifyAwsError(new ConditionalCheckFailedException({ message: 'x', ...meta(400) }))).toBe('client');
  });

  it('passes our own errors through unchanged', () => {
    const own = new TerminalError('mine');
    expect(toDomainError(own, 'x')).toBe(own);
  });
});

describe('per-entry retries of batch requests', () => {
  const noSleep = { sleep: () => Promise.resolve() };

  it('sends again only the entries that failed, until all are accepted', async () => {
    const sent: string[][] = [];
    const failures: EntryFailure[][] = [[{ index: 1, code: 'InternalError', message: undefined, permanent: false }], []];
    await sendWithEntryRetries('test', ['a', 'b', 'c'], (entries) => {
      sent.push([...entries]);
      return Promise.resolve(failures.shift() ?? []);
    }, (e) => e, noSleep);
    expect(sent).toEqual([['a', 'b', 'c'], ['b']]);
  });

  it('gives up with a RetryableError naming an entry after the last attempt', async () => {
    const attempt = () => Promise.resolve([{ index: 0, code: 'ThrottlingException', message: 'slow', permanent: false }]);
    const error = await sendWithEntryRetries('SQS SendMessageBatch', ['m1'], attempt, (e) => `message ${e}`, { ...noSleep, maxAttempts: 3 }).catch((e: unknown) => e);
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect((error as Error).message).toBe('SQS SendMessageBatch: 1 of 1 entries still failing after 3 attempts, e.g. message m1: ThrottlingException (slow)');
  });

  it('stops at once with a TerminalError naming the entry that can never be accepted', async () => {
    const attempt = () => Promise.resolve([{ index: 1, code: 'InvalidMessageContents', message: 'bad char', permanent: true }]);
    const error = await sendWithEntryRetries('SQS', ['m1', 'm2'], attempt, (e) => `message ${e}`, noSleep).catch((e: unknown) => e);
    expect(isStatefunError(error, 'terminal')).toBe(true);
    expect((error as Error).message).toBe('SQS: message m2 was rejected: InvalidMessageContents (bad char)');
  });

  it('waits longer before each new attempt', async () => {
    const waits: number[] = [];
    const attempt = () => Promise.resolve([{ index: 0, code: 'X', message: undefined, permanent: false }]);
    await sendWithEntryRetries('t', ['a'], attempt, (e) => e, { maxAttempts: 4, baseDelayMs: 10, sleep: (ms) => (waits.push(ms), Promise.resolve()) }).catch(() => {});
    expect(waits).toEqual([10, 20, 40]);
  });
});

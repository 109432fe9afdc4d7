import { describeError, isStatefunError, RetryableError, type StatefunError, TerminalError } from '../core/errors.js';

/**
 * AWS SDK errors as the few errors of statefun-aws (runtime/core/errors.ts), named by what happens next.
 *
 * - Throttling, service-side faults (5xx), transaction conflicts and network failures pass: {@link RetryableError}.
 * - Requests AWS can never accept as written (validation, a too-large item or message, an invalid body):
 *   {@link TerminalError}.
 * - Every other client error — a missing table or queue, denied access, an expired token — is a deployment
 *   problem, not the message's fault: also {@link RetryableError}, so nothing is parked for it; the cause is kept.
 *
 * Conditional-check failures are not mapped here: each adapter turns them into its own domain outcome
 * (a {@link VersionConflictError}, an idempotent "already there").
 */

/** Error names (SDK exception names or `__type` codes) that mean "slow down and try again". */
export const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'KMSThrottlingException',
  'AWS.SimpleQueueService.RequestThrottled',
]);

/** Errors of a passing condition on the service side. */
export const TRANSIENT_ERRORS: ReadonlySet<string> = new Set([
  'InternalServerError',
  'InternalServerErrorException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'ReplicatedWriteConflictException',
  'KMSInternalException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
]);

/** Errors that no retry of the same request can fix. */
export const PERMANENT_ERRORS: ReadonlySet<string> = new Set([
  'ValidationException',
  'SerializationException',
  'ItemCollectionSizeLimitExceededException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterException',
  'InvalidParameterCombination',
  'InvalidMessageContents',
  'InvalidAttributeName',
  'InvalidAttributeValue',
  'MessageTooLong',
  'BatchRequestTooLong',
  'AWS.SimpleQueueService.BatchRequestTooLong',
  'AWS.SimpleQueueService.InvalidBatchEntryId',
  'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  'BatchEntryIdsNotDistinct',
  'InvalidBatchEntryId',
  'EmptyBatchRequest',
  'TooManyEntriesInBatchRequest',
  'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
]);

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** What an SDK error looks like, read defensively (errors cross package copies and may be plain objects). */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** The error's AWS name: the SDK exception name, the query-protocol code without its prefix kept as is. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name } = error as SdkErrorShape;
  return typeof name === 'string' ? name : undefined;
}

export type AwsErrorClass = 'throttled' | 'transient' | 'permanent' | 'client';

/** How an error of an AWS call should be handled. */
export function classifyAwsError(error: unknown): AwsErrorClass {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = awsErrorName(error) ?? '';
  const bare = name.replace(/^AWS\.SimpleQueueService\./, '');
  if (THROTTLING_ERRORS.has(name) || THROTTLING_ERRORS.has(bare)) return 'throttled';
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  if (status === 429) return 'throttled';
  if (TRANSIENT_ERRORS.has(name) || TRANSIENT_ERRORS.has(bare)) return 'transient';
  if (PERMANENT_ERRORS.has(name) || PERMANENT_ERRORS.has(bare)) return 'permanent';
  if (shape.$fault === 'server' || (status !== undefined && status >= 500)) return 'transient';
  if (shape.$retryable !== undefined && shape.$retryable !== null && shape.$retryable !== false) return 'transient';
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return 'transient';
  // No HTTP answer at all: the request never completed (connection refused or reset, DNS, socket timeout).
  if (shape.$metadata === undefined && shape.$fault === undefined) return 'transient';
  return 'client';
}

/** Suggested wait after throttling before the engine retries. */
const THROTTLED_RETRY_AFTER_MS = 200;

/**
 * An error of an AWS call as one of ours, with `what` (e.g. `"DynamoDB PutItem of shop/cart/alice"`) leading
 * its message and the SDK error as its `cause`. Our own errors pass through unchanged.
 */
export function toDomainError(error: unknown, what: string): StatefunError {
  if (isStatefunError(error)) return error;
  const kind = classifyAwsError(error);
  const described = describeError(error);
  switch (kind) {
    case 'throttled':
      return new RetryableError(`${what}: throttled by AWS (${described})`, { cause: error, retryAfterMs: THROTTLED_RETRY_AFTER_MS });
    case 'transient':
      return new RetryableError(`${what}: ${described}`, { cause: error });
    case 'permanent':
      return new TerminalError(`${what}: rejected by AWS (${described})`, { cause: error });
    case 'client':
      return new RetryableError(`${what}: ${described} (a deployment or permission problem; retried until fixed)`, { cause: error });
  }
}

/** Runs an AWS call, mapping its failure with {@link toDomainError}. */
export async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDomainError(error, what);
  }
}

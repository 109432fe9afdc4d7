/** The error types of the EventBridge Scheduler API that the emulator answers with, and their HTTP status. */
export const API_ERROR_STATUS = {
  ValidationException: 400,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  InternalServerException: 500,
} as const;

export type ApiErrorType = keyof typeof API_ERROR_STATUS;

/**
 * A failed API call, sent as the status of its type with an `x-amzn-errortype` header naming the type and a
 * `{"Message": …}` body — what `@aws-sdk/client-scheduler` turns into its typed exceptions.
 */
export class SchedulerApiError extends Error {
  readonly status: number;

  constructor(
    readonly type: ApiErrorType,
    message: string,
  ) {
    super(message);
    this.name = type;
    this.status = API_ERROR_STATUS[type];
  }
}

/** A ValidationException (400) whose message names the bad field and value. */
export function invalid(message: string): SchedulerApiError {
  return new SchedulerApiError('ValidationException', message);
}

/** A ResourceNotFoundException (404). */
export function notFound(message: string): SchedulerApiError {
  return new SchedulerApiError('ResourceNotFoundException', message);
}

/** A ConflictException (409). */
export function conflict(message: string): SchedulerApiError {
  return new SchedulerApiError('ConflictException', message);
}

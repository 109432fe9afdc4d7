/**
 * What the Scheduler emulator stores: schedule groups and schedules, in the API's own field names where they
 * are API data, plus the state of each schedule's one firing ("run"). Kept as plain JSON so the journal can
 * write it as is.
 */

export const DEFAULT_GROUP = 'default';

/** `Target.RetryPolicy` defaults of the real service. */
export const DEFAULT_RETRY_POLICY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 } as const;

/** The API's `Target` as stored (only the parts this emulator acts on are typed; the rest is kept as sent). */
export interface TargetData {
  readonly Arn: string;
  readonly RoleArn: string;
  readonly Input?: string;
  readonly SqsParameters?: { readonly MessageGroupId?: string };
  readonly RetryPolicy: { readonly MaximumEventAgeInSeconds: number; readonly MaximumRetryAttempts: number };
  readonly DeadLetterConfig?: { readonly Arn?: string };
  readonly [other: string]: unknown;
}

export interface FlexibleTimeWindowData {
  readonly Mode: 'OFF' | 'FLEXIBLE';
  readonly MaximumWindowInMinutes?: number;
}

/**
 * How the one firing of a one-time schedule is going. Absent on a schedule that has completed (fired, or gave up
 * after its retries) or is disabled.
 */
export interface RunState {
  /** When the schedule is due: its `at()` time plus the offset drawn inside the flexible time window. */
  readonly fireAtMs: number;
  /** Delivery attempts made so far (0 before the first). */
  readonly attempts: number;
  /** When the next attempt is due (= `fireAtMs` before the first). */
  readonly nextAttemptAtMs: number;
}

/** How a completed schedule ended. */
export type Completion =
  | { readonly outcome: 'delivered'; readonly atMs: number; readonly attempts: number }
  | { readonly outcome: 'dead-lettered' | 'dropped'; readonly atMs: number; readonly attempts: number; readonly error: string };

/** A schedule. `StartDate`, `EndDate`, `CreationDate` and `LastModificationDate` are epoch seconds, as on the wire. */
export interface ScheduleData {
  readonly Name: string;
  readonly GroupName: string;
  readonly Arn: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly StartDate?: number;
  readonly EndDate?: number;
  readonly Description?: string;
  readonly State: 'ENABLED' | 'DISABLED';
  readonly KmsKeyArn?: string;
  readonly Target: TargetData;
  readonly FlexibleTimeWindow: FlexibleTimeWindowData;
  readonly ActionAfterCompletion: 'NONE' | 'DELETE';
  readonly CreationDate: number;
  readonly LastModificationDate: number;
  /** The `at()` time as an instant. */
  readonly dueAtMs: number;
  readonly run?: RunState;
  readonly completion?: Completion;
}

/** A schedule group. Dates are epoch seconds, as on the wire. */
export interface ScheduleGroupData {
  readonly Name: string;
  readonly Arn: string;
  readonly State: 'ACTIVE';
  readonly CreationDate: number;
  readonly LastModificationDate: number;
  readonly Tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
}

/** The result of an idempotent call, kept under its client token so a retry gets the same answer. */
export interface TokenEntry {
  readonly key: string;
  /** A digest of the request, to tell a retry from a different request reusing the token. */
  readonly requestDigest: string;
  readonly response: Readonly<Record<string, unknown>>;
  readonly expiresAtMs: number;
}

/** Identifies a schedule within the emulator. */
export function scheduleKey(groupName: string, name: string): string {
  return `${groupName}/${name}`;
}

export function scheduleArn(region: string, accountId: string, groupName: string, name: string): string {
  return `arn:aws:scheduler:${region}:${accountId}:schedule/${groupName}/${name}`;
}

export function scheduleGroupArn(region: string, accountId: string, name: string): string {
  return `arn:aws:scheduler:${region}:${accountId}:schedule-group/${name}`;
}

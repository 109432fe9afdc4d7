/** Helpers for tests of the Scheduler emulator. */
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';

/** A role ARN that passes validation (the emulator does not assume it). */
export const ROLE_ARN = 'arn:aws:iam::000000000000:role/scheduler-test';

/** The `at(yyyy-mm-ddThh:mm:ss)` expression of an instant, in UTC, truncated to the second. */
export function atExpression(epochMs: number): string {
  return `at(${new Date(epochMs).toISOString().slice(0, 19)})`;
}

/** A CreateSchedule input for a one-time schedule at `epochMs` into `targetArn`, overridable field by field. */
export function oneTimeSchedule(
  name: string,
  epochMs: number,
  targetArn: string,
  overrides: Partial<CreateScheduleCommandInput> = {},
): CreateScheduleCommandInput {
  return {
    Name: name,
    ScheduleExpression: atExpression(epochMs),
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: targetArn, RoleArn: ROLE_ARN, Input: JSON.stringify({ schedule: name }) },
    ...overrides,
  };
}

import { sha256Base32 } from '../hashing.js';

/** Prefix of the schedules of statefun-aws. */
export const SCHEDULE_NAME_PREFIX = 'sf-';

/**
 * The EventBridge Scheduler schedule name of a timer: `sf-` + the base32 SHA-256 of its timer id (55
 * characters of `[a-z2-7-]`, within the service's `[0-9a-zA-Z-_.]{1,64}`). Timer ids are unique per owner and
 * embed it (`<owner>#<incarnation>.<turn>.t<n>`), so one name is one timer: creating it twice is a conflict
 * (already scheduled), and a token reused after a fire or cancel is a new timer with a new name.
 */
export function scheduleNameFor(timerId: string): string {
  return SCHEDULE_NAME_PREFIX + sha256Base32(timerId);
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC for an instant, truncated to the second (the Scheduler's precision). */
export function atExpression(epochMs: number): string {
  return `at(${new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19)})`;
}

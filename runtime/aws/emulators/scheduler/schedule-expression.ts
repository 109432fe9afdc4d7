import { invalid } from './api-error.js';
import { wallTimeToInstant, zoneOffset } from './time-zone.js';

const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const RECURRING = /^(rate|cron)\(.*\)$/s;

/**
 * The instant (epoch ms) a one-time schedule expression `at(yyyy-mm-ddThh:mm:ss)` names in `timeZone`
 * (default UTC). Throws a ValidationException naming the expression when it is malformed or names no real time,
 * and says plainly that recurring `rate(…)`/`cron(…)` expressions are not supported by this emulator.
 */
export function dueTimeOf(expression: string, timeZone = 'UTC'): number {
  const match = AT.exec(expression);
  if (match === null) {
    if (RECURRING.test(expression)) {
      throw invalid(
        `Invalid Schedule Expression ${expression}: recurring rate() and cron() schedules are not supported by this ` +
          `emulator; use a one-time at(yyyy-mm-ddThh:mm:ss) expression`,
      );
    }
    throw invalid(`Invalid Schedule Expression ${expression}: expected at(yyyy-mm-ddThh:mm:ss)`);
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const localMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(localMs);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    throw invalid(`Invalid Schedule Expression ${expression}: not a valid date and time`);
  }
  return wallTimeToInstant(localMs, zoneOffset(timeZone));
}

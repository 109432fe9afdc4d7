import { invalid } from './api-error.js';

/** Offset of a time zone from UTC at an instant, in milliseconds (UTC+2 → 7_200_000). */
export type ZoneOffset = (epochMs: number) => number;

const FIXED_OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;
const MAX_OFFSET_MS = 14 * 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The offset function of a `ScheduleExpressionTimezone`: an IANA name the runtime's Intl knows (`UTC`,
 * `Europe/Berlin`, `Etc/GMT-2`) or, as an extension of this emulator, a fixed offset (`+02:00`, `-0530`,
 * `UTC+2`). Throws a ValidationException naming the value otherwise.
 */
export function zoneOffset(zone: string): ZoneOffset {
  const fixed = FIXED_OFFSET.exec(zone);
  if (fixed !== null) {
    const [, sign, hours, minutes] = fixed;
    const ms = (Number(hours) * 60 + Number(minutes ?? 0)) * 60_000;
    if (ms > MAX_OFFSET_MS || Number(minutes ?? 0) >= 60) throw invalid(`Invalid ScheduleExpressionTimezone ${zone}: offset out of range`);
    const offset = sign === '-' ? -ms : ms;
    return () => offset;
  }
  const format = formatterFor(zone);
  return (epochMs) => {
    const parts = Object.fromEntries(format.formatToParts(epochMs).map((p) => [p.type, p.value]));
    const asUtc = Date.UTC(
      Number(parts['year']),
      Number(parts['month']) - 1,
      Number(parts['day']),
      Number(parts['hour']),
      Number(parts['minute']),
      Number(parts['second']),
    );
    return asUtc - Math.floor(epochMs / 1000) * 1000;
  };
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw invalid(`Invalid ScheduleExpressionTimezone ${zone}: not a time zone name (IANA, e.g. Europe/Berlin) or offset (+02:00)`);
    }
    formatters.set(zone, format);
  }
  return format;
}

/**
 * The instant at which the wall-clock time `localMs` (its fields read as if UTC) occurs in the zone.
 * When the clocks go back and the time occurs twice, the earlier instant; when they go forward and it does not
 * occur, the instant the gap's length later (02:30 in a 02:00→03:00 gap is 03:30).
 */
export function wallTimeToInstant(localMs: number, offset: ZoneOffset): number {
  const before = offset(localMs - 86_400_000);
  const after = offset(localMs + 86_400_000);
  const candidates = [localMs - before, localMs - after].filter((t) => t + offset(t) === localMs).sort((a, b) => a - b);
  return candidates[0] ?? localMs - before;
}

import { ValidationError } from './errors.js';
import { show } from './typename.js';

/**
 * A length of time with its unit spelled out: never a bare number.
 *
 * Either an object of parts (`{ days: 3 }`, `{ minutes: 1, seconds: 30 }`) or a string in the form
 * StateFun's `module.yaml` uses (`"1 min"`, `"2m"`, `"10s"`, `"60000 ms"`, `"3 days"`).
 */
export type Duration =
  | string
  | {
      readonly days?: number;
      readonly hours?: number;
      readonly minutes?: number;
      readonly seconds?: number;
      readonly milliseconds?: number;
    };

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6, nano: 1e-6, nanos: 1e-6, nanosecond: 1e-6, nanoseconds: 1e-6,
  us: 1e-3, 'µs': 1e-3, micro: 1e-3, micros: 1e-3, microsecond: 1e-3, microseconds: 1e-3,
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

const PARTS: ReadonlyArray<readonly [string, number]> = [
  ['days', 86_400_000],
  ['hours', 3_600_000],
  ['minutes', 60_000],
  ['seconds', 1000],
  ['milliseconds', 1],
];

export interface DurationOptions {
  /** Accept a bare number as milliseconds (StateFun/Flink config semantics). Default false: a unit is required. */
  readonly bareNumberIsMillis?: boolean;
  /** Accept zero. Default true. */
  readonly allowZero?: boolean;
}

/**
 * Converts a {@link Duration} to whole milliseconds (rounded up), or throws a {@link ValidationError} naming
 * `what` and the bad value. A plain number is refused unless `bareNumberIsMillis` is set.
 *
 * @param what names the value in errors, e.g. `"delay of ctx.sendAfter in shop/cart"`.
 */
export function durationToMs(duration: unknown, what: string, options: DurationOptions = {}): number {
  let ms: number;
  if (typeof duration === 'number' || (typeof duration === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(duration))) {
    if (options.bareNumberIsMillis !== true) {
      throw new ValidationError(
        `${what}: ${show(duration)} has no unit; write e.g. { seconds: 10 } or "10 s"`,
      );
    }
    ms = Number(duration);
  } else if (typeof duration === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Zµ]+)\s*$/.exec(duration);
    const factor = match ? UNIT_MS[match[2]!.toLowerCase()] : undefined;
    if (!match || factor === undefined) {
      throw new ValidationError(
        `${what}: cannot read duration ${show(duration)}; write a number and a unit, e.g. "10 s", "5 min", "3 days", "250 ms"`,
      );
    }
    ms = Number(match[1]) * factor;
  } else if (typeof duration === 'object' && duration !== null && !Array.isArray(duration)) {
    const known = new Set(PARTS.map(([k]) => k));
    const unknown = Object.keys(duration).filter((k) => !known.has(k));
    if (unknown.length > 0 || Object.keys(duration).length === 0) {
      throw new ValidationError(
        `${what}: ${show(duration)} is not a duration; use the keys days, hours, minutes, seconds, milliseconds`,
      );
    }
    ms = 0;
    for (const [key, factor] of PARTS) {
      const part = (duration as Record<string, unknown>)[key];
      if (part === undefined) continue;
      if (typeof part !== 'number' || !Number.isFinite(part) || part < 0) {
        throw new ValidationError(`${what}: ${key} must be a non-negative number, got ${show(part)}`);
      }
      ms += part * factor;
    }
  } else {
    throw new ValidationError(`${what}: ${show(duration)} is not a duration; write e.g. { minutes: 5 } or "5 min"`);
  }
  if (!Number.isFinite(ms) || ms < 0) {
    throw new ValidationError(`${what}: ${show(duration)} must be a finite, non-negative duration`);
  }
  if (ms === 0 && options.allowZero === false) {
    throw new ValidationError(`${what}: must be longer than zero, got ${show(duration)}`);
  }
  return Math.ceil(ms);
}

/** Formats milliseconds for humans: `1.5 s`, `3 min`, `2 d 4 h`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(3)} s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(2)} min`;
  if (ms < 86_400_000) return `${+(ms / 3_600_000).toFixed(2)} h`;
  return `${+(ms / 86_400_000).toFixed(2)} d`;
}

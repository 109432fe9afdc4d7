import { invalid } from './api-error.js';

/** A JSON object from a request body or query. */
export type Fields = Readonly<Record<string, unknown>>;

const NAME = /^[0-9a-zA-Z\-_.]+$/;
const CLIENT_TOKEN = /^[a-zA-Z0-9\-_]+$/;

/** Reads `field` of `fields` as a string of `min`..`max` characters; undefined when absent and not required. */
export function stringField(
  fields: Fields,
  field: string,
  limits: { readonly min?: number; readonly max: number; readonly required?: boolean; readonly path?: string },
): string | undefined {
  const value = fields[field];
  const path = limits.path ?? field;
  if (value === undefined || value === null) {
    if (limits.required === true) throw invalid(`${path} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw invalid(`${path} must be a string, got ${JSON.stringify(value)}`);
  const min = limits.min ?? 1;
  if (value.length < min || value.length > limits.max) {
    throw invalid(`${path} must be ${min}..${limits.max} characters long, got ${value.length}: ${clip(value)}`);
  }
  return value;
}

/** Like {@link stringField} with `required: true`. */
export function requiredString(fields: Fields, field: string, max: number, path?: string): string {
  return stringField(fields, field, { max, required: true, ...(path === undefined ? {} : { path }) }) as string;
}

/** Reads a whole number in `min`..`max`; undefined when absent. */
export function integerField(fields: Fields, field: string, min: number, max: number, path = field): number | undefined {
  const value = fields[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${path} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads an epoch-seconds timestamp (restJson1's default format); undefined when absent. */
export function timestampField(fields: Fields, field: string): number | undefined {
  const value = fields[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${field} must be a timestamp in epoch seconds, got ${JSON.stringify(value)}`);
  return value;
}

/** Reads one of `allowed`; undefined when absent. */
export function enumField<const T extends string>(fields: Fields, field: string, allowed: readonly T[], path = field): T | undefined {
  const value = fields[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`${path} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Reads a nested object; undefined when absent. */
export function objectField(fields: Fields, field: string, path = field): Fields | undefined {
  const value = fields[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${path} must be an object, got ${JSON.stringify(value)}`);
  return value as Fields;
}

/** Checks a schedule or schedule group name: 1..64 characters of `[0-9a-zA-Z-_.]`. */
export function checkName(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw invalid(`${field} is required`);
  if (value.length > 64 || !NAME.test(value)) {
    throw invalid(`${field} ${clip(value)} is invalid: use 1..64 characters of 0-9, a-z, A-Z, '-', '_' and '.'`);
  }
  return value;
}

/** Checks a client token: 1..64 characters of `[a-zA-Z0-9-_]`. */
export function checkClientToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length < 1 || value.length > 64 || !CLIENT_TOKEN.test(value)) {
    throw invalid(`ClientToken ${clip(value)} is invalid: use 1..64 characters of a-z, A-Z, 0-9, '-' and '_'`);
  }
  return value;
}

function clip(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

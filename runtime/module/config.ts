import { type Duration, durationToMs } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { show } from '../core/typename.js';

/**
 * The global configuration every embedded module receives (StateFun's `globalConfiguration`): the app's
 * configuration, overridden by `--key value` command-line arguments. A read-only string map with typed getters
 * that throw a {@link ValidationError} naming the key when it is missing or unreadable.
 *
 * @example
 * const queueUrl = config.string('orders.queue-url');
 * const maxItems = config.integer('cart.max-items', { default: 100 });
 * const ttlMs = config.durationMs('cart.ttl', { default: { days: 7 } });
 */
export interface GlobalConfig {
  readonly size: number;
  has(key: string): boolean;
  /** The value, or undefined. */
  get(key: string): string | undefined;
  /** The value; throws when missing, unless a default is given. */
  string(key: string, options?: { readonly default?: string }): string;
  /** A whole number; throws when missing (without default) or not a whole number. */
  integer(key: string, options?: { readonly default?: number }): number;
  /** A finite number. */
  number(key: string, options?: { readonly default?: number }): number;
  /** `true`/`false` (also `yes`/`no`, `1`/`0`, `on`/`off`, any case). */
  boolean(key: string, options?: { readonly default?: boolean }): boolean;
  /** A duration such as `30 s` or `5 min` (a bare number is milliseconds, as in StateFun), in milliseconds. */
  durationMs(key: string, options?: { readonly default?: Duration }): number;
  keys(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  /** A plain copy, e.g. for logging. */
  toJSON(): Record<string, string>;
}

export interface GlobalConfigOptions {
  /** The app's configuration. */
  readonly values?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** Command-line arguments `--key value` (also `--key=value`; a bare `--flag` is `"true"`); they win over `values`. */
  readonly args?: readonly string[];
}

/**
 * Builds the global configuration from app values and `--key value` arguments.
 *
 * @example globalConfig({ values: { 'shop.region': 'eu-west-1' }, args: ['--shop.region', 'us-east-1'] }).get('shop.region') // 'us-east-1'
 */
export function globalConfig(options: GlobalConfigOptions = {}): GlobalConfig {
  const map = new Map<string, string>();
  const values = options.values ?? {};
  const entries = values instanceof Map ? [...(values as ReadonlyMap<string, string>)] : Object.entries(values as Record<string, string>);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw new ValidationError(`configuration value of ${show(key)} must be a string, got ${show(value)}`);
    map.set(key, value);
  }
  for (const [key, value] of Object.entries(parseConfigArgs(options.args ?? []))) map.set(key, value);
  return new MapConfig(map);
}

/**
 * Reads `--key value`, `--key=value` and bare `--flag` (as `"true"`) arguments, as StateFun reads its
 * command line into the global configuration. Anything else is refused, naming the argument.
 */
export function parseConfigArgs(args: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--?([^-=][^=]*)(?:=(.*))?$/s.exec(arg);
    if (match === null) throw new ValidationError(`configuration argument ${show(arg)} is not of the form --key value`);
    const key = match[1]!;
    if (match[2] !== undefined) {
      result[key] = match[2];
      continue;
    }
    const next = args[i + 1];
    if (next === undefined || /^--?[^-\d]/.test(next)) {
      result[key] = 'true';
    } else {
      result[key] = next;
      i++;
    }
  }
  return result;
}

const TRUE = new Set(['true', 'yes', '1', 'on']);
const FALSE = new Set(['false', 'no', '0', 'off']);

class MapConfig implements GlobalConfig {
  constructor(private readonly map: ReadonlyMap<string, string>) {}

  get size(): number {
    return this.map.size;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get(key: string): string | undefined {
    return this.map.get(key);
  }

  private read<T>(key: string, fallback: T | undefined, parse: (text: string) => T | undefined, expected: string): T {
    const text = this.map.get(key);
    if (text === undefined) {
      if (fallback !== undefined) return fallback;
      throw new ValidationError(`configuration key ${show(key)} is missing; pass it as --${key} <value> or in the app configuration`);
    }
    const value = parse(text.trim());
    if (value === undefined) throw new ValidationError(`configuration key ${show(key)} must be ${expected}, got ${show(text)}`);
    return value;
  }

  string(key: string, options: { readonly default?: string } = {}): string {
    return this.read(key, options.default, (text) => text, 'a string');
  }

  integer(key: string, options: { readonly default?: number } = {}): number {
    return this.read(key, options.default, (text) => (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined), 'a whole number');
  }

  number(key: string, options: { readonly default?: number } = {}): number {
    return this.read(key, options.default, (text) => (text !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined), 'a number');
  }

  boolean(key: string, options: { readonly default?: boolean } = {}): boolean {
    const parse = (text: string): boolean | undefined => (TRUE.has(text.toLowerCase()) ? true : FALSE.has(text.toLowerCase()) ? false : undefined);
    return this.read(key, options.default, parse, 'true or false');
  }

  durationMs(key: string, options: { readonly default?: Duration } = {}): number {
    const text = this.map.get(key);
    const what = `configuration key ${show(key)}`;
    if (text === undefined && options.default !== undefined) return durationToMs(options.default, `default of ${what}`);
    return durationToMs(this.read(key, undefined, (t) => t, 'a duration'), what, { bareNumberIsMillis: true });
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries(this.map);
  }
}

/** Whether a value already is a {@link GlobalConfig}. */
export function isGlobalConfig(value: unknown): value is GlobalConfig {
  return value instanceof MapConfig;
}

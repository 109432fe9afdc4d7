import { durationToMs } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { parseFunctionTypeName, parseTypeName, show } from '../core/typename.js';
import { describeSource, type ModuleWarning, type SourceRef } from './source.js';

/**
 * Reading untyped component specs (parsed YAML, or objects passed to a binder) into the typed model.
 *
 * Every value knows its path (`spec.topics[0].targets[1]`), so errors name the module, the component, the
 * path and the bad value. Objects remember which keys were read; {@link SpecObject.finish} turns the rest into
 * warnings, since StateFun ignores unknown keys.
 */

/** The component being read: where it came from, and where its warnings go. */
export class ReadContext {
  constructor(
    readonly source: SourceRef,
    readonly warnings: ModuleWarning[],
    /** Directory that relative file paths in the spec are resolved against; undefined: the working directory. */
    readonly baseDir: string | undefined,
  ) {}

  /** `examples/shop/module.yaml, document 2 (io.statefun.endpoints.v2/http): spec.urlPathTemplate` */
  where(path: string): string {
    return path === '' ? describeSource(this.source) : `${describeSource(this.source)}: ${path}`;
  }

  fail(path: string, problem: string, cause?: unknown): never {
    throw new ValidationError(`${this.where(path)} ${problem}`, cause === undefined ? undefined : { cause });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ source: this.source, path, message });
  }
}

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** One value of a spec, at a path. */
export class SpecValue {
  constructor(
    readonly ctx: ReadContext,
    readonly path: string,
    readonly raw: unknown,
  ) {}

  fail(problem: string, cause?: unknown): never {
    return this.ctx.fail(this.path, problem, cause);
  }

  warn(message: string): void {
    this.ctx.warn(this.path, message);
  }

  isObject(): boolean {
    return typeof this.raw === 'object' && this.raw !== null && !Array.isArray(this.raw);
  }

  object(): SpecObject {
    if (!this.isObject()) this.fail(`must be a mapping of keys to values, got ${show(this.raw)}`);
    return new SpecObject(this.ctx, this.path, this.raw as Readonly<Record<string, unknown>>);
  }

  /** A non-empty string. */
  string(): string {
    if (typeof this.raw !== 'string' || this.raw.trim().length === 0) {
      this.fail(`must be a non-empty string, got ${show(this.raw)}`);
    }
    return this.raw;
  }

  /** A string, or a number or boolean read as text (as StateFun's `asText()` does for property values). */
  text(): string {
    if (typeof this.raw === 'string') return this.raw;
    if (typeof this.raw === 'number' || typeof this.raw === 'boolean') return String(this.raw);
    return this.fail(`must be a string, number or boolean, got ${show(this.raw)}`);
  }

  /** A typename `namespace/name` (ingress, egress and value typenames). */
  typename(): string {
    parseTypeName(this.raw, this.ctx.where(this.path));
    return this.raw as string;
  }

  /** A function typename `namespace/name` with exactly one `/`. */
  functionTypename(): string {
    parseFunctionTypeName(this.raw, this.ctx.where(this.path));
    return this.raw as string;
  }

  integer(options: { readonly min?: number; readonly max?: number } = {}): number {
    const { min, max } = options;
    const value = typeof this.raw === 'string' && /^\s*-?\d+\s*$/.test(this.raw) ? Number(this.raw) : this.raw;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
      const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : '';
      this.fail(`must be a whole number${range}, got ${show(this.raw)}`);
    }
    return value;
  }

  boolean(): boolean {
    if (typeof this.raw === 'boolean') return this.raw;
    if (this.raw === 'true' || this.raw === 'false') return this.raw === 'true';
    return this.fail(`must be true or false, got ${show(this.raw)}`);
  }

  /** A StateFun duration (`1 min`, `2m`, `10s`, `60000 ms`; a bare number is milliseconds), in milliseconds. */
  durationMs(options: { readonly allowZero?: boolean } = {}): number {
    return durationToMs(this.raw, this.ctx.where(this.path), { bareNumberIsMillis: true, allowZero: options.allowZero ?? true });
  }

  list(): SpecValue[] {
    if (!Array.isArray(this.raw)) this.fail(`must be a list, got ${show(this.raw)}`);
    return (this.raw as readonly unknown[]).map((item, i) => new SpecValue(this.ctx, childPath(this.path, i), item));
  }

  /** A non-empty list. */
  nonEmptyList(): SpecValue[] {
    const items = this.list();
    if (items.length === 0) this.fail('must list at least one entry');
    return items;
  }

  /** One of the given strings. */
  oneOf<T extends string>(values: readonly T[]): T {
    if (typeof this.raw !== 'string' || !(values as readonly string[]).includes(this.raw)) {
      this.fail(`must be one of ${values.join(', ')}, got ${show(this.raw)}`);
    }
    return this.raw as T;
  }
}

/** A mapping in a spec; remembers which keys were read. */
export class SpecObject {
  private readonly used = new Set<string>();

  constructor(
    readonly ctx: ReadContext,
    readonly path: string,
    readonly raw: Readonly<Record<string, unknown>>,
  ) {}

  fail(problem: string): never {
    return this.ctx.fail(this.path, problem);
  }

  /** The value at `key`; undefined when absent or null (`key:` with nothing after it). */
  get(key: string): SpecValue | undefined {
    this.used.add(key);
    const raw = Object.hasOwn(this.raw, key) ? this.raw[key] : undefined;
    return raw === undefined || raw === null ? undefined : new SpecValue(this.ctx, childPath(this.path, key), raw);
  }

  require(key: string): SpecValue {
    const value = this.get(key);
    if (value === undefined) this.ctx.fail(childPath(this.path, key), 'is missing');
    return value;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.raw, key) && this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** Marks keys as known without reading them. */
  ignore(...keys: string[]): void {
    for (const key of keys) this.used.add(key);
  }

  /** Warns about every key that was never read: StateFun ignores unknown keys, we say so. */
  finish(describe: string): void {
    for (const key of Object.keys(this.raw)) {
      if (!this.used.has(key)) this.ctx.warn(childPath(this.path, key), `is not a key of ${describe}; it is ignored`);
    }
  }
}

/**
 * StateFun's property lists (`properties: [{ foo.config: bar }]`): a list of single-key mappings. A plain
 * mapping is accepted too. Values are read as text.
 */
export function readProperties(value: SpecValue | undefined): Readonly<Record<string, string>> {
  const properties: Record<string, string> = {};
  if (value === undefined) return properties;
  if (value.isObject()) {
    const object = value.object();
    for (const key of Object.keys(object.raw)) properties[key] = object.require(key).text();
    return properties;
  }
  for (const item of value.list()) {
    const entry = item.object();
    const keys = Object.keys(entry.raw);
    if (keys.length !== 1) item.fail(`must be a single "key: value" pair, got ${show(item.raw)}`);
    const key = keys[0]!;
    properties[key] = entry.require(key).text();
  }
  return properties;
}

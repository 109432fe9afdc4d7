import { ValidationError } from './errors.js';

/** The two parts of a typename `namespace/name`; the name is what follows the last `/`. */
export interface TypeNameParts {
  readonly namespace: string;
  readonly name: string;
}

 
const FORBIDDEN = /[\s\u0000-\u001f\u007f]/;

/**
 * Splits a typename such as `example/greeter` or `type.googleapis.com/com.acme.Order` at its last `/`,
 * as StateFun does. Both parts must be non-empty and free of whitespace and control characters.
 *
 * @param what names the value in the error, e.g. `"state type of shop/cart.items"`.
 */
export function parseTypeName(typename: unknown, what = 'typename'): TypeNameParts {
  if (typeof typename !== 'string' || typename.length === 0) {
    throw new ValidationError(`${what} must be a non-empty string of the form <namespace>/<name>, got ${show(typename)}`);
  }
  const slash = typename.lastIndexOf('/');
  const namespace = typename.slice(0, Math.max(slash, 0));
  const name = typename.slice(slash + 1);
  if (slash <= 0 || name.length === 0) {
    throw new ValidationError(`${what} ${show(typename)} is not of the form <namespace>/<name>`);
  }
  if (FORBIDDEN.test(typename)) {
    throw new ValidationError(`${what} ${show(typename)} contains whitespace or control characters`);
  }
  return { namespace, name };
}

/**
 * Validates a function typename. Stricter than {@link parseTypeName}: the namespace may not contain `/`,
 * so that an address key `namespace/name/id` is unambiguous.
 */
export function parseFunctionTypeName(typename: unknown, what = 'function typename'): TypeNameParts {
  const parts = parseTypeName(typename, what);
  if (parts.namespace.includes('/')) {
    throw new ValidationError(
      `${what} ${show(typename)} has a "/" in its namespace "${parts.namespace}"; function typenames are <namespace>/<name> with exactly one "/"`,
    );
  }
  return parts;
}

/** Quotes a value for an error message, keeping long values readable. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  // JSON would print NaN and ±Infinity as null, hiding the very value the error is about.
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

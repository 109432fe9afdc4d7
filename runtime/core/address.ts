import { ValidationError } from './errors.js';
import { parseFunctionTypeName, show } from './typename.js';

/**
 * The address of one function instance: its function type and an id.
 *
 * @example { typename: 'shop/cart', id: 'alice' }
 */
export interface Address {
  /** Function type `namespace/name`, e.g. `shop/cart`. */
  readonly typename: string;
  /** Instance id, any non-empty string, e.g. a user id. */
  readonly id: string;
}

/** Builds an address, validating the typename and the id. */
export function address(typename: string, id: string): Address {
  parseFunctionTypeName(typename);
  checkAddressId(id, typename);
  return { typename, id };
}

// With the `u` flag a surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Throws unless `id` is a non-empty, well-formed string (no lone surrogates: ids are stored as UTF-8). */
export function checkAddressId(id: unknown, typename: string, what = 'address id'): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new ValidationError(`${what} for ${typename} must be a non-empty string, got ${show(id)}`);
  }
  if (LONE_SURROGATE.test(id)) {
    throw new ValidationError(`${what} for ${typename} contains a lone UTF-16 surrogate, which cannot be stored: ${show(id)}`);
  }
  return id;
}

/**
 * The canonical string form `namespace/name/id`, used as a map and storage key and for display.
 * Unambiguous because function namespaces and names contain no `/` (ids may).
 */
export function addressKey(a: Address): string {
  return `${a.typename}/${a.id}`;
}

/** Inverse of {@link addressKey}. */
export function parseAddressKey(key: string): Address {
  const first = key.indexOf('/');
  const second = first < 0 ? -1 : key.indexOf('/', first + 1);
  if (first <= 0 || second <= first + 1 || second === key.length - 1) {
    throw new ValidationError(`${show(key)} is not an address of the form <namespace>/<name>/<id>`);
  }
  return address(key.slice(0, second), key.slice(second + 1));
}

export function sameAddress(a: Address | undefined, b: Address | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.typename === b.typename && a.id === b.id);
}

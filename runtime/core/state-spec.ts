import { ValidationError } from './errors.js';
import { parseTypeName, show } from './typename.js';

/**
 * When a state value expires (StateFun's `ExpirationSpec`):
 * - `none`: never;
 * - `after-write`: `ttlMs` after the value was last written;
 * - `after-invoke`: `ttlMs` after the address was last invoked (any message, read or write).
 */
export type ExpireMode = 'none' | 'after-write' | 'after-invoke';

export interface Expiration {
  readonly mode: ExpireMode;
  /** Time to live in milliseconds; 0 when `mode` is `none`. */
  readonly ttlMs: number;
}

/**
 * The typename of states declared without a type (StateFun 2.x `module.yaml` states): such a state takes
 * values of whatever type the function writes, and sends each back with the typename it was written with.
 */
export const UNTYPED_STATE_TYPENAME = 'io.statefun.types/raw';

export const NEVER_EXPIRES: Expiration = Object.freeze({ mode: 'none', ttlMs: 0 });

/**
 * The registration of one named state of a function type: its name, the typename of its values and its
 * expiry. This is what StateFun's `PersistedValueSpec` carries; embedded functions declare it with
 * `valueSpec(...)`, remote functions announce it through `IncompleteInvocationContext`.
 */
export interface StateSpecDecl {
  /** State name, an identifier: `[A-Za-z_][A-Za-z0-9_]*`. */
  readonly name: string;
  /** Typename of the stored values, e.g. `io.statefun.types/int`. */
  readonly typename: string;
  readonly expiration: Expiration;
}

const STATE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates a state name as the official SDKs do (an identifier). */
export function validateStateName(name: unknown, functionType: string): string {
  if (typeof name !== 'string' || !STATE_NAME.test(name)) {
    throw new ValidationError(
      `state name ${show(name)} of ${functionType} is invalid: use letters, digits and "_", not starting with a digit`,
    );
  }
  return name;
}

/** Validates a whole spec declaration, e.g. one received from a remote SDK or read from storage. */
export function validateStateSpec(spec: StateSpecDecl, functionType: string): StateSpecDecl {
  validateStateName(spec.name, functionType);
  parseTypeName(spec.typename, `type of state "${spec.name}" of ${functionType}`);
  const { mode, ttlMs } = spec.expiration;
  if (mode !== 'none' && mode !== 'after-write' && mode !== 'after-invoke') {
    throw new ValidationError(`expiration mode ${show(mode)} of state "${spec.name}" of ${functionType} is unknown`);
  }
  if (mode !== 'none' && (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)) {
    throw new ValidationError(
      `expiration of state "${spec.name}" of ${functionType} needs a positive whole number of milliseconds, got ${show(ttlMs)}`,
    );
  }
  return spec;
}

export function sameSpec(a: StateSpecDecl, b: StateSpecDecl): boolean {
  return (
    a.name === b.name &&
    a.typename === b.typename &&
    a.expiration.mode === b.expiration.mode &&
    a.expiration.ttlMs === b.expiration.ttlMs
  );
}

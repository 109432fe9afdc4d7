import { type Duration, durationToMs } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { type Expiration, NEVER_EXPIRES } from '../core/state-spec.js';
import { checkType, type Type } from './types.js';

export interface ValueSpecOptions {
  /** The value expires this long after it was last written. */
  readonly expireAfterWrite?: Duration;
  /** The value expires this long after the address was last invoked (any message, read or write). */
  readonly expireAfterInvoke?: Duration;
}

/** A declared state: the type of its values and when they expire. Its name is the key it is declared under. */
export interface ValueSpec<T> {
  readonly type: Type<T>;
  readonly expiration: Expiration;
}

/**
 * Declares a state value.
 *
 * @example
 * specs: { items: valueSpec(jsonType<Cart>('shop/Cart'), { expireAfterWrite: { minutes: 30 } }) }
 */
export function valueSpec<T>(type: Type<T>, options: ValueSpecOptions = {}): ValueSpec<T> {
  checkType(type, 'the type of valueSpec(...)');
  const { expireAfterWrite, expireAfterInvoke } = options;
  if (expireAfterWrite !== undefined && expireAfterInvoke !== undefined) {
    throw new ValidationError(`valueSpec(${type.typename}) can expire after write or after invoke, not both`);
  }
  let expiration = NEVER_EXPIRES;
  if (expireAfterWrite !== undefined) {
    expiration = { mode: 'after-write', ttlMs: durationToMs(expireAfterWrite, `expireAfterWrite of valueSpec(${type.typename})`, { allowZero: false }) };
  } else if (expireAfterInvoke !== undefined) {
    expiration = { mode: 'after-invoke', ttlMs: durationToMs(expireAfterInvoke, `expireAfterInvoke of valueSpec(${type.typename})`, { allowZero: false }) };
  }
  return Object.freeze({ type, expiration });
}

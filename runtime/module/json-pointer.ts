import { ValidationError } from '../core/errors.js';
import { show } from '../core/typename.js';

/** Checks a JSON pointer (RFC 6901): empty (the whole document) or `/`-separated tokens with `~0`/`~1` escapes. */
export function validateJsonPointer(pointer: unknown, what: string): string {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) {
    throw new ValidationError(`${what} must be a JSON pointer such as "/user/id", got ${show(pointer)}`);
  }
  if (/~[^01]|~$/.test(pointer)) {
    throw new ValidationError(`${what} ${show(pointer)} has a "~" not followed by 0 or 1`);
  }
  return pointer;
}

/** The value `pointer` points at in `document`, or undefined when there is none. */
export function evaluateJsonPointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let current = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      current = current[Number(token)] as unknown;
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}

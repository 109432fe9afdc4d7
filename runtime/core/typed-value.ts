/**
 * A value tagged with its type, as it travels between functions and is stored (StateFun's `TypedValue`).
 *
 * @example { typename: 'io.statefun.types/string', value: new TextEncoder().encode('\n\u0003Bob') }
 */
export interface TypedValue {
  /** Typename of the value, e.g. `io.statefun.types/int` or `example/GreetRequest`. */
  readonly typename: string;
  /** Serialized bytes; an empty array for zero values of the built-in types. */
  readonly value: Uint8Array;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

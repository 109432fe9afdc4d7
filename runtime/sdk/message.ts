import { TerminalError } from '../core/errors.js';
import type { TypedValue } from '../core/typed-value.js';
import { boolType, doubleType, floatType, intType, longType, stringType, type Type } from './types.js';

/**
 * A message a function received.
 *
 * @example
 * if (message.is(GreetRequest)) { const { name } = message.as(GreetRequest); }
 */
export class Message {
  constructor(private readonly typed: TypedValue) {}

  /** Typename of the value, e.g. `example/GreetRequest`. */
  get typename(): string {
    return this.typed.typename;
  }

  /** The serialized value. */
  get rawValue(): Uint8Array {
    return this.typed.value;
  }

  /** Whether the value is of `type` (compares typenames). */
  is(type: Type<unknown>): boolean {
    return this.typed.typename === type.typename;
  }

  /** The value as `type`; a {@link TerminalError} if the message is of another type. */
  as<T>(type: Type<T>): T {
    if (!this.is(type)) {
      throw new TerminalError(`expected a message of type ${type.typename}, got ${this.typed.typename}`);
    }
    try {
      return type.deserialize(this.typed.value);
    } catch (error) {
      throw new TerminalError(`cannot read a message of type ${type.typename}: ${String(error)}`, { cause: error });
    }
  }

  isString(): boolean { return this.is(stringType); }
  asString(): string { return this.as(stringType); }
  isInt(): boolean { return this.is(intType); }
  asInt(): number { return this.as(intType); }
  isLong(): boolean { return this.is(longType); }
  asLong(): bigint { return this.as(longType); }
  isBool(): boolean { return this.is(boolType); }
  asBool(): boolean { return this.as(boolType); }
  isFloat(): boolean { return this.is(floatType); }
  asFloat(): number { return this.as(floatType); }
  isDouble(): boolean { return this.is(doubleType); }
  asDouble(): number { return this.as(doubleType); }
}

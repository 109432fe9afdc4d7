import { type Address, parseAddressKey } from '../core/address.js';
import { parseFunctionTypeName } from '../core/typename.js';
import { UsageError } from './args.js';

/**
 * An address from the command line: `<ns/type> <id>` (two arguments) or `<ns/type>/<id>` (one).
 *
 * @throws {UsageError} naming the bad argument.
 */
export function addressFromArgs(args: readonly string[], command: string): Address {
  try {
    if (args.length === 2) {
      parseFunctionTypeName(args[0], 'function type');
      if (args[1] === '') throw new Error('the id is empty');
      return { typename: args[0]!, id: args[1]! };
    }
    if (args.length === 1) return parseAddressKey(args[0]!);
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
  throw new UsageError(args.length === 0 ? 'missing <address>' : `expected <ns/type>/<id> or <ns/type> <id>, got ${args.length} arguments`, command);
}

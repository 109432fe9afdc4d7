import { addressKey } from '../../core/address.js';
import { stringType } from '../../sdk/types.js';
import { parseTypeName } from '../../core/typename.js';
import { expectPositionals, parseArgs, single, UsageError } from '../args.js';
import { addressFromArgs } from '../address-args.js';
import { base64 } from '../../local/dev/value-format.js';
import type { CliIo } from '../io.js';
import { encodeValue } from '../value-input.js';
import { TARGET_FLAGS, withTarget } from './target-options.js';

/** `statefun send <ns/type> <id> <value>`: see SEND_HELP. */
export async function sendCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(
    argv,
    [...TARGET_FLAGS, { name: 'type', value: true }, { name: 'idempotency-key', value: true }, { name: 'base64', value: false }],
    'send',
  );
  const [type, id, text] = expectPositionals(args, ['ns/type', 'id', 'value'], 'send');
  const target = addressFromArgs([type!, id!], 'send');
  const given = single(args, 'type');
  if (given !== undefined) {
    try {
      parseTypeName(given, '--type');
    } catch (error) {
      throw new UsageError((error as Error).message, 'send');
    }
  }
  const key = single(args, 'idempotency-key');
  if (key === '') throw new UsageError('--idempotency-key must not be empty', 'send');
  return withTarget(args, 'send', async (dev) => {
    const typename = given ?? (await dev.status())?.accepts[target.typename] ?? stringType.typename;
    const bytes = encodeValue(text!, typename, args.switches.has('base64'));
    const result = await dev.send({
      address: addressKey(target),
      typename,
      base64: base64(bytes),
      ...(key !== undefined ? { idempotencyKey: key } : {}),
    });
    if (args.switches.has('json')) {
      io.out(JSON.stringify({ ...result, address: addressKey(target), typename }));
    } else if (result.duplicate) {
      io.out(`already sent with this idempotency key: ${result.messageId}; nothing new was sent`);
    } else {
      io.out(`sent ${typename} to ${addressKey(target)}: ${result.messageId}${result.queued ? `\n(no statefun dev runs: it waits in ${dev.dataDir} for the next start)` : ''}`);
    }
    return 0;
  });
}

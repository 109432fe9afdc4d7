import { addressKey } from '../../core/address.js';
import { addressFromArgs } from '../address-args.js';
import { expectPositionals, parseArgs } from '../args.js';
import { stateJson, stateText } from '../format.js';
import type { CliIo } from '../io.js';
import { TARGET_FLAGS, withTarget } from './target-options.js';

/** `statefun state <ns/type> <id>`: see STATE_HELP. */
export async function stateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, TARGET_FLAGS, 'state');
  const address = addressFromArgs(expectPositionals(args, ['ns/type', 'id'], 'state', 1), 'state');
  return withTarget(args, 'state', async (dev) => {
    const view = await dev.state(addressKey(address));
    io.out(args.switches.has('json') ? JSON.stringify(stateJson(view), undefined, 2) : stateText(view));
    return 0;
  });
}

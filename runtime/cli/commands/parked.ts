import { addressKey } from '../../core/address.js';
import { addressFromArgs } from '../address-args.js';
import { parseArgs, single, UsageError } from '../args.js';
import { parkedDetailJson, parkedDetailText, parkedListText } from '../format.js';
import type { CliIo } from '../io.js';
import { flagsOf } from './dev.js';
import { TARGET_FLAGS, withTarget } from './target-options.js';

const SUBCOMMANDS = ['list', 'show', 'replay', 'skip'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** `statefun parked [list|show|replay|skip]`: see PARKED_HELP. */
export async function parkedCommand(argv: readonly string[], io: CliIo): Promise<number> {
  if (flagsOf(argv).includes('--aws')) return (await import('./parked-aws.js')).parkedAwsCommand(argv, io);
  const args = parseArgs(argv, [...TARGET_FLAGS, { name: 'message', value: true }], 'parked');
  const [first, ...rest] = args.positionals;
  const sub = (first ?? 'list') as Subcommand;
  if (!SUBCOMMANDS.includes(sub)) throw new UsageError(`unknown subcommand ${JSON.stringify(first)}; use ${SUBCOMMANDS.join(', ')}`, 'parked');
  if (sub === 'list' && rest.length > 0) throw new UsageError(`parked list takes no arguments, got ${JSON.stringify(rest[0])}`, 'parked');
  const message = single(args, 'message');
  if (message !== undefined && sub !== 'skip') throw new UsageError('--message goes with parked skip', 'parked');
  const address = sub === 'list' ? undefined : addressKey(addressFromArgs(rest, 'parked'));
  const json = args.switches.has('json');
  return withTarget(args, 'parked', async (dev) => {
    if (address === undefined) {
      const list = await dev.parked();
      io.out(json ? JSON.stringify(list, undefined, 2) : parkedListText(list));
      return 0;
    }
    if (sub === 'show') {
      const detail = await dev.parkedDetail(address);
      if (detail === undefined) {
        io.err(`statefun: ${address} is not parked`);
        return 1;
      }
      io.out(json ? JSON.stringify(parkedDetailJson(detail), undefined, 2) : parkedDetailText(detail));
      return 0;
    }
    const result = await dev.control(address, sub as 'replay' | 'skip', message);
    if (json) io.out(JSON.stringify(result));
    else if (result.queued) io.out(`${sub} of ${address} queued: it runs when statefun dev next starts on ${dev.dataDir}`);
    else if (result.stillParked !== undefined) io.out(`${address} is still parked: ${result.stillParked}`);
    else io.out(`${sub === 'skip' ? 'skipped one message and replayed' : 'replayed'} ${address}: it is flowing again`);
    return result.stillParked === undefined ? 0 : 1;
  });
}

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Address, addressKey } from '../../core/address.js';
import type { Envelope } from '../../core/envelope.js';
import { show } from '../../core/typename.js';
import type { ParkedDetail, ParkedSummary } from '../../local/dev/admin-protocol.js';
import { base64 } from '../../local/dev/value-format.js';
import { addressFromArgs } from '../address-args.js';
import { parseArgs, single, UsageError } from '../args.js';
import { DATA_DIR_NAME } from '../app-spec.js';
import { parkedDetailJson, parkedDetailText, parkedListText } from '../format.js';
import type { CliIo } from '../io.js';

const SUBCOMMANDS = ['list', 'show', 'replay', 'skip'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** File `statefun dev --aws-local` writes into its data directory (see runtime/aws/local/aws-local.ts). */
const AWS_LOCAL_FILE = 'aws-local.json';

/**
 * `statefun parked [list|show|replay|skip] --aws`: parked addresses of an app on AWS (or on `statefun dev
 * --aws-local`), read from the state table; replay and skip are control messages sent into the address's FIFO
 * group, which the dispatcher runs as the address's next turn.
 *
 * Where: `--table` and `--queue-url`, else `STATEFUN_TABLE_NAME` and `STATEFUN_QUEUE_URL`; region, credentials
 * and endpoints as the AWS SDK reads them (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL_*`). With
 * `--data-dir` or `--app`, the settings of the `statefun dev --aws-local` running there.
 */
export async function parkedAwsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(
    argv,
    [
      { name: 'aws', value: false },
      { name: 'table', value: true },
      { name: 'queue-url', value: true },
      { name: 'region', value: true },
      { name: 'data-dir', value: true },
      { name: 'app', value: true },
      { name: 'json', value: false },
      { name: 'message', value: true },
    ],
    'parked',
  );
  const [first, ...rest] = args.positionals;
  const sub = (first ?? 'list') as Subcommand;
  if (!SUBCOMMANDS.includes(sub)) throw new UsageError(`unknown subcommand ${JSON.stringify(first)}; use ${SUBCOMMANDS.join(', ')}`, 'parked');
  if (sub === 'list' && rest.length > 0) throw new UsageError(`parked list takes no arguments, got ${JSON.stringify(rest[0])}`, 'parked');
  const message = single(args, 'message');
  if (message !== undefined && sub !== 'skip') throw new UsageError('--message goes with parked skip', 'parked');
  const address = sub === 'list' ? undefined : addressFromArgs(rest, 'parked');
  const json = args.switches.has('json');

  const env: Record<string, string | undefined> = { ...process.env, ...awsLocalEnv(single(args, 'data-dir'), single(args, 'app')) };
  if (single(args, 'table') !== undefined) env.STATEFUN_TABLE_NAME = single(args, 'table');
  if (single(args, 'queue-url') !== undefined) env.STATEFUN_QUEUE_URL = single(args, 'queue-url');
  if (single(args, 'region') !== undefined) env.AWS_REGION = single(args, 'region');
  // Loaded here: the other commands need no AWS SDK.
  const { awsOperator } = await import('../../aws/operator.js');
  const operator = awsOperator({ env });
  try {
    if (address === undefined) {
      const list: ParkedSummary[] = (await operator.parked()).map((p) => ({ address: addressKey(p.address), ...p.info, letters: p.letters }));
      io.out(json ? JSON.stringify(list, undefined, 2) : parkedListText(list));
      return 0;
    }
    const key = addressKey(address);
    if (sub === 'show') {
      const found = await operator.detail(address);
      if (found === undefined) {
        io.err(`statefun: ${key} is not parked`);
        return 1;
      }
      const detail = parkedDetail(address, found.info, found.letters);
      io.out(json ? JSON.stringify(parkedDetailJson(detail), undefined, 2) : parkedDetailText(detail).replace(/(statefun parked (replay|skip) \S+)/g, '$1 --aws'));
      return 0;
    }
    const id = await operator.control(address, sub as 'replay' | 'skip', message);
    if (json) io.out(JSON.stringify({ address: key, command: sub, controlMessageId: id, queued: true }));
    else io.out(`${sub} of ${key} sent into its message group: the dispatcher runs it next (statefun parked show ${key} --aws to follow)`);
    return 0;
  } finally {
    operator.close();
  }
}

/** The environment a `statefun dev --aws-local` wrote into its data directory, when one is named and has it. */
function awsLocalEnv(dataDir: string | undefined, app: string | undefined): Record<string, string> {
  const dir = dataDir !== undefined ? resolve(dataDir) : app !== undefined ? join(resolve(app), DATA_DIR_NAME) : undefined;
  if (dir === undefined) return {};
  const file = join(dir, AWS_LOCAL_FILE);
  if (!existsSync(file)) throw new UsageError(`${dir} has no ${AWS_LOCAL_FILE}: is statefun dev --aws-local running there?`, 'parked');
  return (JSON.parse(readFileSync(file, 'utf8')) as { env: Record<string, string> }).env;
}

function parkedDetail(address: Address, info: { since: number; reason: string; messageId: string }, letters: ReadonlyArray<{ envelope: Envelope; cause: string; at: number; attempts: number }>): ParkedDetail {
  return {
    address: addressKey(address),
    ...info,
    letters: letters.length,
    letterList: letters.map((l) => ({
      messageId: l.envelope.id,
      cause: l.cause,
      at: l.at,
      attempts: l.attempts,
      from: origin(l.envelope),
      typename: l.envelope.argument.typename,
      base64: base64(l.envelope.argument.value),
    })),
  };
}

function origin(envelope: Envelope): string {
  const o = envelope.origin;
  switch (o.kind) {
    case 'function':
      return `function ${addressKey(o.sender)}`;
    case 'ingress':
      return o.keyed ? `ingress (key ${show(o.key.slice(o.key.indexOf('\u0000') + 1))})` : 'ingress';
    case 'timer':
      return 'timer';
    case 'control':
      return `control ${o.command}`;
  }
}

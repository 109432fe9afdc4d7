import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, isStatefunError } from '../core/errors.js';
import { ownPackageRoot } from '../local/dev/own-package.js';
import { UsageError } from './args.js';
import { devCommand } from './commands/dev.js';
import { parkedCommand } from './commands/parked.js';
import { sendCommand } from './commands/send.js';
import { stateCommand } from './commands/state.js';
import { HELP_BY_COMMAND, TOP_HELP } from './help.js';
import type { CliIo } from './io.js';

/** Exit codes of `statefun`. */
export const EXIT = { ok: 0, runtimeError: 1, usageError: 2 } as const;

const COMMANDS: Readonly<Record<string, (argv: readonly string[], io: CliIo) => Promise<number>>> = {
  dev: devCommand,
  send: sendCommand,
  state: stateCommand,
  parked: parkedCommand,
};

/**
 * Runs `statefun <argv>` and resolves the exit code: 0 ok, 1 runtime error (printed), 2 usage error (printed
 * with a pointer to the help).
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined;
      io.out(topic !== undefined && HELP_BY_COMMAND[topic] !== undefined ? HELP_BY_COMMAND[topic] : TOP_HELP);
      return command === undefined ? EXIT.usageError : EXIT.ok;
    }
    if (command === '--version') {
      io.out((JSON.parse(readFileSync(join(ownPackageRoot(), 'package.json'), 'utf8')) as { version: string }).version);
      return EXIT.ok;
    }
    const handler = COMMANDS[command];
    if (handler === undefined) {
      throw new UsageError(command.startsWith('-') ? `unknown flag ${command}` : `unknown command ${JSON.stringify(command)}; the commands are ${Object.keys(COMMANDS).join(', ')}`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      const end = rest.indexOf('--');
      if (end < 0 || rest.indexOf('--help') < end || (rest.indexOf('-h') >= 0 && rest.indexOf('-h') < end)) {
        io.out(HELP_BY_COMMAND[command]!);
        return EXIT.ok;
      }
    }
    return await handler(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`statefun: ${error.message}`);
      io.err(`(see statefun ${error.command === undefined ? '' : `${error.command} `}--help)`);
      return EXIT.usageError;
    }
    io.err(`statefun: ${isStatefunError(error) || !(error instanceof Error) ? describeError(error).replace(/^ValidationError: /, '') : error.message}`);
    return EXIT.runtimeError;
  }
}

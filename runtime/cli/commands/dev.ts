import { resolve } from 'node:path';
import { parseArgs, single } from '../args.js';
import { resolveApp } from '../app-spec.js';
import type { CliIo } from '../io.js';
import { registerRunning, unregisterRunning } from '../running-servers.js';
import { expectPositionals } from '../args.js';

/** `statefun dev [app]`: see DEV_HELP. Runs until SIGINT or SIGTERM (or `io.stopRequested`). */
export async function devCommand(argv: readonly string[], io: CliIo): Promise<number> {
  if (flagsOf(argv).includes('--aws-local')) return (await import('./dev-aws-local.js')).devAwsLocalCommand(argv, io);
  const args = parseArgs(
    argv,
    [
      { name: 'module', value: true, repeatable: true },
      { name: 'data-dir', value: true },
      { name: 'host', value: true },
      { name: 'no-watch', value: false },
      { name: 'no-fsync', value: false },
    ],
    'dev',
  );
  const [app] = expectPositionals(args, ['app'], 'dev', 1);
  const resolved = resolveApp(app, args.values.get('module') ?? []);
  const dataDir = resolve(single(args, 'data-dir') ?? resolved.defaultDataDir);
  // Stack traces of user code point at its TypeScript lines (bundles carry inline source maps).
  process.setSourceMapsEnabled(true);
  // Loaded here, not at the top: the other commands should not pay for esbuild and the dev server.
  const { startDevServer } = await import('../../local/dev/dev-server.js');
  const server = await startDevServer({
    app: { modules: resolved.modules, args: args.rest },
    dataDir,
    ...(single(args, 'host') !== undefined ? { host: single(args, 'host')! } : {}),
    watch: !args.switches.has('no-watch'),
    fsync: !args.switches.has('no-fsync'),
    log: (line) => io.out(line),
  });
  registerRunning(server.dataDir);
  io.out(server.banner.join('\n'));
  try {
    await (io.stopRequested ?? signalled());
    io.out('stopping: finishing running turns, draining sinks, closing the data directory');
    await server.stop();
    io.out('stopped');
  } finally {
    unregisterRunning();
  }
  return 0;
}

/** The first SIGINT or SIGTERM; a second one exits at once. */
function signalled(): Promise<void> {
  return new Promise((resolve) => {
    let count = 0;
    const on = (): void => {
      count++;
      if (count === 1) resolve();
      else process.exit(1);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** The arguments before a lone `--` (after it come the app's own). */
export function flagsOf(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

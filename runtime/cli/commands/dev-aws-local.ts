import { join, resolve } from 'node:path';
import { resolveApp } from '../app-spec.js';
import { expectPositionals, parseArgs, single, UsageError } from '../args.js';
import type { CliIo } from '../io.js';

/**
 * `statefun dev --aws-local [app]`: the app on the AWS path on this machine — DynamoDB Local, the SQS emulator
 * and the Scheduler emulator, the resources the CDK construct would make, and the `functions/` Lambda handlers
 * run in-process by local stand-ins for Lambda's SQS event sources and API Gateway. The playground ingress and
 * egress are served on their ports, so the same apps run as under plain `statefun dev`.
 *
 * State lives in the data directory's `aws-local/` (DynamoDB Local's files and the Scheduler's schedules); the
 * SQS emulator keeps its queues in memory, so stop it when the app is idle. No reloading on change.
 */
export async function devAwsLocalCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(
    argv,
    [
      { name: 'aws-local', value: false },
      { name: 'module', value: true, repeatable: true },
      { name: 'data-dir', value: true },
      { name: 'host', value: true },
      { name: 'http-port', value: true },
      { name: 'no-watch', value: false },
      { name: 'no-fsync', value: false },
    ],
    'dev',
  );
  const [app] = expectPositionals(args, ['app'], 'dev', 1);
  const resolved = resolveApp(app, args.values.get('module') ?? []);
  const dataDir = resolve(single(args, 'data-dir') ?? resolved.defaultDataDir);
  const httpPort = single(args, 'http-port');
  if (httpPort !== undefined && !/^\d+$/.test(httpPort)) throw new UsageError(`--http-port must be a port number, got ${JSON.stringify(httpPort)}`, 'dev');
  process.setSourceMapsEnabled(true);
  // Loaded here: only this mode needs the emulators, esbuild and the AWS SDK.
  const [{ AppLoader }, { startAwsLocal }, functions] = await Promise.all([
    import('../../local/dev/app-loader.js'),
    import('../../aws/local/aws-local.js'),
    import('../../../functions/index.js'),
  ]);
  const loader = new AppLoader({ modules: resolved.modules, args: args.rest }, join(dataDir, 'build-aws-local'));
  try {
    const { model } = await loader.load();
    io.out(`statefun dev --aws-local: ${resolved.modules.join(', ')} (starting the emulators…)`);
    const local = await startAwsLocal({
      model,
      factories: functions,
      dataDir,
      ...(single(args, 'host') !== undefined ? { host: single(args, 'host')! } : {}),
      ...(httpPort !== undefined ? { httpPort: Number(httpPort) } : {}),
      log: (line) => io.out(line),
    });
    io.out([...local.banner.map((l) => `  ${l}`), 'ready'].join('\n'));
    try {
      await (io.stopRequested ?? signalled());
      io.out('stopping: finishing running invocations, stopping the emulators');
    } finally {
      await local.stop();
    }
    io.out('stopped');
    return 0;
  } finally {
    await loader.close();
  }
}

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

import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DATA_DIR_NAME } from './app-spec.js';
import { UsageError } from './args.js';
import { runningDataDirs } from './running-servers.js';

/**
 * The data directory `statefun send|state|parked` act on: `--data-dir`; else the `.statefun` of `--app`; else
 * `./.statefun` if it exists; else that of the one `statefun dev` this user runs.
 *
 * @throws {UsageError} when none of these gives exactly one directory.
 */
export function locateDataDir(options: { readonly dataDir?: string | undefined; readonly app?: string | undefined }, command: string, cwd = process.cwd()): string {
  if (options.dataDir !== undefined) return resolve(cwd, options.dataDir);
  if (options.app !== undefined) {
    const app = resolve(cwd, options.app);
    const dir = existsSync(app) && !statSync(app).isDirectory() ? dirname(app) : app;
    return join(dir, DATA_DIR_NAME);
  }
  const here = join(cwd, DATA_DIR_NAME);
  if (existsSync(here)) return here;
  const running = runningDataDirs();
  if (running.length === 1) return running[0]!;
  if (running.length > 1) {
    throw new UsageError(`several statefun dev processes run (data directories ${running.join(', ')}): pass --data-dir`, command);
  }
  throw new UsageError(`no data directory: no ${DATA_DIR_NAME} here and no statefun dev running; pass --data-dir <dir> or --app <path>`, command);
}

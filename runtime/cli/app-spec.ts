import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './args.js';

/** Module files a folder app may hold, in the order they are loaded. */
export const YAML_MODULES = ['module.yaml', 'module.yml'] as const;
export const CODE_MODULES = ['module.ts', 'module.mts', 'module.js', 'module.mjs'] as const;

/** Where data lives unless `--data-dir` says otherwise: this folder inside the app's folder. */
export const DATA_DIR_NAME = '.statefun';

export interface ResolvedApp {
  /** Module paths to load, in order. */
  readonly modules: readonly string[];
  /** The app's folder: the folder given, the folder of the file given, or the current folder. */
  readonly appDir: string;
  /** `<appDir>/.statefun`. */
  readonly defaultDataDir: string;
}

/**
 * Finds the modules of an app (see `statefun dev --help`): a folder contributes its `module.yaml` (or `.yml`)
 * and its `module.ts` (or `.mts`, `.js`, `.mjs`, the first that exists); a file is one module; `--module` paths
 * follow. Without an app and without `--module`, the current folder is the app.
 *
 * @throws {UsageError} for a path that does not exist, or a folder without modules.
 */
export function resolveApp(app: string | undefined, extraModules: readonly string[], cwd = process.cwd()): ResolvedApp {
  for (const path of extraModules) {
    if (!existsSync(resolve(cwd, path))) throw new UsageError(`--module ${JSON.stringify(path)} does not exist`, 'dev');
  }
  const extra = extraModules.map((p) => resolve(cwd, p));
  if (app === undefined && extra.length > 0) return { modules: extra, appDir: cwd, defaultDataDir: join(cwd, DATA_DIR_NAME) };
  const path = resolve(cwd, app ?? '.');
  if (!existsSync(path)) throw new UsageError(`app ${JSON.stringify(app)} does not exist`, 'dev');
  if (!statSync(path).isDirectory()) {
    return { modules: [path, ...extra.filter((p) => p !== path)], appDir: dirname(path), defaultDataDir: join(dirname(path), DATA_DIR_NAME) };
  }
  const found = [YAML_MODULES.find((n) => existsSync(join(path, n))), CODE_MODULES.find((n) => existsSync(join(path, n)))]
    .filter((n): n is NonNullable<typeof n> => n !== undefined)
    .map((n) => join(path, n));
  const modules = [...found, ...extra.filter((p) => !found.includes(p))];
  if (modules.length === 0) {
    throw new UsageError(
      `${app === undefined ? 'the current folder' : `app folder ${JSON.stringify(app)}`} holds no module: ` +
        `add ${YAML_MODULES[0]} and/or ${CODE_MODULES[0]}, or name module files with --module`,
      'dev',
    );
  }
  return { modules, appDir: path, defaultDataDir: join(path, DATA_DIR_NAME) };
}

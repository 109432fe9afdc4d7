import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The installed directory of npm package `name`, found the way Node looks up `node_modules` from this module
 * (also for files a package's `exports` map does not expose). When `version` is given, the installed version
 * must equal it: the emulators rely on files inside these packages, so each is pinned.
 */
export function findPackageDir(name: string, version?: string): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(name) ?? []) {
    const manifest = join(dir, name, 'package.json');
    if (!existsSync(manifest)) continue;
    if (version !== undefined) {
      const installed = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
      if (installed !== version) {
        throw new Error(`npm package ${name} must be version ${version} (pinned), but ${String(installed)} is installed at ${join(dir, name)}`);
      }
    }
    return join(dir, name);
  }
  throw new Error(`npm package ${name}${version === undefined ? '' : `@${version}`} is not installed (looked from ${import.meta.url})`);
}

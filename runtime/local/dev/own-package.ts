import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name user code imports the SDK by. */
export const PACKAGE_NAME = 'statefun-aws';

interface PackageJson {
  readonly name?: string;
  readonly exports?: Readonly<Record<string, { readonly default?: string } | string>>;
}

let cached: { root: string; json: PackageJson } | undefined;

/** The root folder of this installation of statefun-aws (where its package.json is). */
export function ownPackageRoot(): string {
  return ownPackage().root;
}

function ownPackage(): { root: string; json: PackageJson } {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
      if (json.name === PACKAGE_NAME) return (cached = { root: dir, json });
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package.json of ${PACKAGE_NAME} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/**
 * The file of this installation that `statefun-aws` or `statefun-aws/<subpath>` names (through the package's
 * `exports`), or undefined when the package does not export that subpath.
 *
 * User modules are bundled with their imports of the SDK pointed here, so that user code and the runtime share
 * one copy of the SDK, wherever the app lives. When the runtime itself runs from TypeScript sources (tests),
 * the sources are used instead of `dist/`.
 */
export function ownExport(specifier: string): string | undefined {
  if (specifier !== PACKAGE_NAME && !specifier.startsWith(`${PACKAGE_NAME}/`)) return undefined;
  const { root, json } = ownPackage();
  const subpath = specifier === PACKAGE_NAME ? '.' : `.${specifier.slice(PACKAGE_NAME.length)}`;
  const entry = json.exports?.[subpath];
  const target = typeof entry === 'string' ? entry : entry?.default;
  if (target === undefined) return undefined;
  const file = join(root, target);
  if (import.meta.url.endsWith('.ts')) {
    const source = join(root, target.replace(/^\.\/dist\//, './').replace(/\.js$/, '.ts'));
    if (existsSync(source)) return source;
  }
  return file;
}

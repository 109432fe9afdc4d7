import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The files of this installation of statefun-aws that go into a Lambda bundle, from the same tree the construct
 * runs from: the TypeScript sources when the construct itself runs from source (tests), the compiled `dist/`
 * otherwise. The user's modules import `statefun-aws`; the bundler is told to resolve it here too, so that a
 * bundle holds exactly one copy of the SDK, shared by the user's functions and the handlers.
 */
export interface PackageTree {
  /** The folder of the tree: the package root (sources) or its `dist/`. */
  readonly root: string;
  /** `functions/index`: the handler factories. */
  readonly handlers: string;
  /** `lib/entry-support`: helpers the generated entries call. */
  readonly entrySupport: string;
  /** `lib/app-manifest`. */
  readonly appManifest: string;
  /** `runtime/module/index`. */
  readonly module: string;
  /** `lib/json-documents`: the bundles' stand-in for the `yaml` package. */
  readonly jsonDocuments: string;
  /** What `statefun-aws`, `statefun-aws/testing` and `statefun-aws/lambda` resolve to in bundles. */
  readonly aliases: Readonly<Record<string, string>>;
}

let cached: PackageTree | undefined;

/**
 * The tree of the running construct code: the folder above this file's. When the construct code has been
 * bundled into a CDK app (this file is then not where the package is), the installed package's `dist/`.
 */
export function packageTree(): PackageTree {
  if (cached !== undefined) return cached;
  const { root, ext } = locate();
  const file = (path: string): string => join(root, `${path}${ext}`);
  const handlers = file('functions/index');
  cached = {
    root,
    handlers,
    entrySupport: file('lib/entry-support'),
    appManifest: file('lib/app-manifest'),
    module: file('runtime/module/index'),
    jsonDocuments: file('lib/json-documents'),
    aliases: {
      'statefun-aws': file('runtime/index'),
      'statefun-aws/testing': file('runtime/local/testing/index'),
      'statefun-aws/lambda': handlers,
    },
  };
  return cached;
}

function locate(): { root: string; ext: '.ts' | '.js' } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const ext of ['.ts', '.js'] as const) {
    if (existsSync(join(here, `package-tree${ext}`)) && existsSync(join(dirname(here), 'functions', `index${ext}`))) return { root: dirname(here), ext };
  }
  const packageJson = enclosingPackage(here) ?? installedPackage(here);
  const root = join(dirname(packageJson), 'dist');
  if (!existsSync(join(root, 'functions', 'index.js'))) {
    throw new Error(`statefun-aws at ${dirname(packageJson)} has no dist/functions/index.js: build it (npm run build)`);
  }
  return { root, ext: '.js' };
}

/** The package.json of statefun-aws in a folder above `dir` (its own repository), if any. */
function enclosingPackage(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const file = join(at, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'statefun-aws') return file;
    if (dirname(at) === at) return undefined;
  }
}

/** The package.json of statefun-aws as installed where `dir` resolves packages. */
function installedPackage(dir: string): string {
  try {
    return createRequire(join(dir, 'noop.js')).resolve('statefun-aws/package.json');
  } catch (error) {
    throw new Error(`cannot find the statefun-aws package (to bundle its handlers) from ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

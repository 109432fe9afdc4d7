import { existsSync } from 'node:fs';
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

/** The tree of the running construct code. */
export function packageTree(): PackageTree {
  if (cached !== undefined) return cached;
  const libDir = dirname(fileURLToPath(import.meta.url));
  const ext = existsSync(join(libDir, 'package-tree.ts')) ? '.ts' : '.js';
  const root = dirname(libDir);
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
      'statefun-aws': file('runtime/sdk/index'),
      'statefun-aws/testing': file('runtime/local/testing/index'),
      'statefun-aws/lambda': handlers,
    },
  };
  return cached;
}

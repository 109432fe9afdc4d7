import { mkdir, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { type BuildContext, type BuildResult, context, type Message, type Plugin } from 'esbuild';
import { ownExport } from './own-package.js';

/** One successful build of a user module. */
export interface ModuleBuild {
  /** The bundled ES module, to `import()`. */
  readonly file: string;
  /** Absolute paths of the user's source files that went into it (not those under node_modules). */
  readonly inputs: readonly string[];
  readonly durationMs: number;
}

/** A build that failed: esbuild's messages, formatted for a terminal. */
export class ModuleBuildError extends Error {
  constructor(
    readonly entry: string,
    readonly details: string,
  ) {
    super(`cannot build ${entry}:\n${details}`);
    this.name = 'ModuleBuildError';
  }
}

const BUILTINS: ReadonlySet<string> = new Set(builtinModules);
const BARE = /^[^./]|^\.[^./]|^\.\.[^/]/;
const SKIP = Symbol('own resolution');

/**
 * Resolves the imports a bundle leaves to Node:
 * - `statefun-aws` and its subpaths go to this installation's own files, so that user code and runtime share
 *   one copy of the SDK (and the app needs no install of its own);
 * - other packages are resolved now, from the importing source file, and left external by absolute path, so
 *   the bundle can live anywhere (in the data directory) and still find the app's node_modules;
 * - Node built-ins stay as they are.
 */
const externals: Plugin = {
  name: 'statefun-externals',
  setup(build) {
    build.onResolve({ filter: BARE }, async (args) => {
      if (args.pluginData === SKIP) return undefined;
      const path = args.path;
      if (path.startsWith('node:') || BUILTINS.has(path) || BUILTINS.has(path.split('/', 1)[0]!)) return { path, external: true };
      const own = ownExport(path);
      if (own !== undefined) return { path: own, external: true };
      const found = await build.resolve(path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: SKIP });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: found.path, external: true };
    });
  },
};

/**
 * Bundles a user's TypeScript (or JavaScript) module into one ES module file under `outDir`, with every
 * package left external, so `statefun dev` can import TypeScript without a loader. Rebuilds are incremental.
 * Each build is written to a new file name, because Node caches modules by URL.
 */
export class ModuleBundler {
  private ctx: BuildContext | undefined;
  private builds = 0;
  private readonly entry: string;

  constructor(
    entry: string,
    private readonly outDir: string,
  ) {
    this.entry = resolve(entry);
  }

  /** Builds the module; rejects with a {@link ModuleBuildError} carrying esbuild's messages. */
  async build(): Promise<ModuleBuild> {
    const started = Date.now();
    await mkdir(this.outDir, { recursive: true });
    const name = basename(this.entry).replace(/\.[^.]+$/, '');
    this.ctx ??= await context({
      entryPoints: [this.entry],
      outfile: join(this.outDir, `${name}.mjs`),
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Node's own conditions: no "module" condition (esbuild's default), which Node does not know.
      conditions: [],
      sourcemap: 'inline',
      sourcesContent: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [externals],
    });
    let result: BuildResult<{ metafile: true; write: false }>;
    try {
      result = await this.ctx.rebuild();
    } catch (error) {
      const errors = (error as { errors?: Message[] }).errors ?? [];
      throw new ModuleBuildError(this.entry, errors.length > 0 ? errors.map(formatMessage).join('\n') : String(error));
    }
    const output = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
    if (output === undefined) throw new ModuleBuildError(this.entry, '  esbuild produced no output');
    const file = join(this.outDir, `${name}.${process.pid}.${++this.builds}.mjs`);
    await writeFile(file, output.contents);
    const inputs = Object.keys(result.metafile.inputs)
      .map((p) => (isAbsolute(p) ? p : resolve(p)))
      .filter((p) => !p.includes(`${sep}node_modules${sep}`) && !p.includes(':'));
    return { file, inputs, durationMs: Date.now() - started };
  }

  async close(): Promise<void> {
    await this.ctx?.dispose();
    this.ctx = undefined;
  }
}

function formatMessage(message: Message): string {
  const where = message.location === null ? '' : `${message.location.file}:${message.location.line}:${message.location.column + 1}: `;
  const line = message.location?.lineText === undefined ? '' : `\n    ${message.location.lineText}`;
  return `  ${where}${message.text}${line}`;
}

/** Removes a bundle file that is no longer needed (its code stays loaded). */
export async function discardBuild(build: ModuleBuild): Promise<void> {
  await rm(build.file, { force: true });
}

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '../../core/errors.js';
import { show } from '../../core/typename.js';
import { type AppModel, composeApp, type ModuleSource } from '../../module/app.js';
import { defineModule, type EmbeddedModule, isEmbeddedModule } from '../../module/embedded-module.js';
import { findEmbeddedModule } from '../../module/load-module.js';
import { loadModuleFile } from '../../module/module-file.js';
import { type FunctionDefinition, isFunctionDefinition } from '../../sdk/function.js';
import { discardBuild, type ModuleBuild, ModuleBundler } from './module-bundler.js';

/** What `statefun dev` runs: module files and the `--key value` configuration arguments. */
export interface AppSpec {
  /** Module paths: `.yaml`/`.yml` module files, or TypeScript/JavaScript modules. */
  readonly modules: readonly string[];
  /** Configuration arguments (`--key value`) for embedded modules. */
  readonly args: readonly string[];
}

/** A loaded app and the source files it was made from. */
export interface LoadedApp {
  readonly model: AppModel;
  /** Absolute paths of every file whose change should reload the app. */
  readonly sources: readonly string[];
  readonly durationMs: number;
}

const YAML = /\.ya?ml$/i;

/**
 * Loads an app for `statefun dev`: module files are parsed, code modules are bundled (TypeScript included)
 * into the build folder and imported. A code module exports either one module made with `defineModule(...)`,
 * or function definitions (`defineFunction(...)`), which are then all bound (and need module.yaml for ingresses
 * and egresses).
 *
 * Each {@link load} builds and imports afresh; the previous bundles' files are removed once the new ones load.
 */
export class AppLoader {
  private readonly bundlers = new Map<string, ModuleBundler>();
  private loaded: ModuleBuild[] = [];

  constructor(
    private readonly spec: AppSpec,
    private readonly buildDir: string,
  ) {
    if (spec.modules.length === 0) throw new ValidationError('an app needs at least one module (module.yaml or a TypeScript module)');
  }

  async load(): Promise<LoadedApp> {
    const started = Date.now();
    const sources: string[] = [];
    const modules: ModuleSource[] = [];
    const builds: ModuleBuild[] = [];
    try {
      for (const path of this.spec.modules) {
        if (YAML.test(path)) {
          sources.push(resolve(path));
          modules.push(await loadModuleFile(path));
          continue;
        }
        const build = await this.bundler(path).build();
        builds.push(build);
        sources.push(...build.inputs);
        modules.push(await importModule(build.file, path));
      }
      const model = await composeApp({ modules, args: this.spec.args });
      const previous = this.loaded;
      this.loaded = builds;
      await Promise.all(previous.map((b) => discardBuild(b)));
      return { model, sources: [...new Set(sources)], durationMs: Date.now() - started };
    } catch (error) {
      await Promise.all(builds.map((b) => discardBuild(b)));
      throw error;
    }
  }

  /** Source files of the modules as given, for watching even before a first successful build. */
  entryFiles(): string[] {
    return this.spec.modules.map((p) => resolve(p));
  }

  async close(): Promise<void> {
    await Promise.all([...this.bundlers.values()].map((b) => b.close()));
    await Promise.all(this.loaded.map((b) => discardBuild(b)));
    this.loaded = [];
  }

  private bundler(path: string): ModuleBundler {
    const key = resolve(path);
    let bundler = this.bundlers.get(key);
    if (bundler === undefined) this.bundlers.set(key, (bundler = new ModuleBundler(key, this.buildDir)));
    return bundler;
  }
}

/** Imports a bundle and finds what it exports: an embedded module, or function definitions to bind. */
async function importModule(file: string, path: string): Promise<EmbeddedModule> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ValidationError(`module ${show(path)} failed while loading: ${(error as Error)?.stack ?? String(error)}`, { cause: error });
  }
  if (Object.values(exports).some(isEmbeddedModule)) return findEmbeddedModule(exports, path);
  const functions = [...new Set(Object.values(exports).filter(isFunctionDefinition))] as FunctionDefinition[];
  if (functions.length === 0) {
    throw new ValidationError(
      `module ${show(path)} exports neither a module (export default defineModule(...)) nor functions (export const f = defineFunction(...))`,
    );
  }
  return defineModule({
    name: path,
    configure(_config, binder) {
      for (const fn of functions) binder.bindFunction(fn);
    },
  });
}

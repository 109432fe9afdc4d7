import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '../core/errors.js';
import { show } from '../core/typename.js';
import { type EmbeddedModule, isEmbeddedModule, withDefaultName } from './embedded-module.js';
import { loadModuleFile } from './module-file.js';
import type { ModuleDeclaration } from './declaration.js';

/**
 * The one embedded module a TS/JS module exports (as `default` or under any name). Throws naming the file when
 * it exports none or several. Unnamed modules are named after the file.
 *
 * @param exports the module namespace object, as `await import(file)` returns it.
 */
export function findEmbeddedModule(exports: Readonly<Record<string, unknown>>, file: string): EmbeddedModule {
  const found = [...new Set(Object.values(exports).filter(isEmbeddedModule))];
  if (found.length !== 1) {
    throw new ValidationError(
      `${file} must export exactly one module made with defineModule(...) (e.g. "export default defineModule(…)"), ` +
        `but exports ${found.length === 0 ? 'none' : found.length}`,
    );
  }
  return withDefaultName(found[0]!, file);
}

/**
 * Loads a module from a path: a `.yaml`/`.yml` module file, or a JS/TS module exporting an embedded module
 * (TypeScript files need a runtime that can import them, such as the bundled CLI or vitest).
 */
export async function loadModule(path: string): Promise<ModuleDeclaration | EmbeddedModule> {
  if (/\.ya?ml$/i.test(path)) return loadModuleFile(path);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ValidationError(`cannot import module ${show(path)}: ${(error as Error).message}`, { cause: error });
  }
  return findEmbeddedModule(exports, path);
}

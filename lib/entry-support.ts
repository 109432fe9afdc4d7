import { ValidationError } from '../runtime/core/errors.js';
import { show } from '../runtime/core/typename.js';
import { defineModule, type EmbeddedModule, findEmbeddedModule, isEmbeddedModule } from '../runtime/module/index.js';
import { type FunctionDefinition, isFunctionDefinition } from '../runtime/sdk/function.js';

/**
 * Runs inside the bundles the constructs generate (not at synth time in the CDK app): turns the exports of a
 * user's code module into the embedded module the handlers load, exactly as `statefun dev` does. A module
 * exports either one module made with `defineModule(...)`, or function definitions, which are then all bound.
 *
 * @param file the module's path as the construct was given it, for messages.
 */
export function embeddedModuleOf(exports: Readonly<Record<string, unknown>>, file: string): EmbeddedModule {
  if (Object.values(exports).some(isEmbeddedModule)) return findEmbeddedModule(exports, file);
  const functions = [...new Set(Object.values(exports).filter(isFunctionDefinition))] as FunctionDefinition[];
  if (functions.length === 0) {
    throw new ValidationError(
      `module ${show(file)} exports neither a module (export default defineModule(...)) nor functions (export const f = defineFunction(...))`,
    );
  }
  return defineModule({
    name: file,
    configure(_config, binder) {
      for (const fn of functions) binder.bindFunction(fn);
    },
  });
}

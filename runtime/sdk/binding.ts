import type { FunctionBinding } from '../core/function-binding.js';
import { embeddedInvoker } from './embedded-invoker.js';
import type { FunctionDefinition } from './function.js';

/** How the engine runs a TypeScript function definition in-process. */
export function embeddedBinding(definition: FunctionDefinition): FunctionBinding {
  return {
    typename: definition.typename,
    invoker: embeddedInvoker(definition),
    specs: definition.stateSpecs,
    maxBatch: definition.maxBatch,
    callTimeoutMs: definition.timeoutMs,
  };
}

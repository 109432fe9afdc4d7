import type { FunctionBinding } from '../core/function-binding.js';
import type { Clock } from '../ports.js';
import { embeddedInvoker } from './embedded-invoker.js';
import type { FunctionDefinition } from './function.js';

/**
 * How the engine runs a TypeScript function definition in-process.
 *
 * @param clock the engine's clock, on which call deadlines are set (default: the system clock).
 */
export function embeddedBinding(definition: FunctionDefinition, clock?: Clock): FunctionBinding {
  return {
    typename: definition.typename,
    invoker: embeddedInvoker(definition, clock),
    specs: definition.stateSpecs,
    maxBatch: definition.maxBatch,
    callTimeoutMs: definition.timeoutMs,
  };
}

import type { FunctionBinding, FunctionRegistry } from '../../core/function-binding.js';

/**
 * A function registry whose contents can be replaced while the runtime runs: how `statefun dev` reloads code.
 *
 * The engine resolves a function type once at the start of each turn and keeps that binding for the whole
 * turn, so a turn already running finishes on the code it started with, and every turn starting after
 * {@link swap} runs the new code. Nothing is restarted and no message is lost or repeated.
 */
export class SwappableFunctionRegistry implements FunctionRegistry {
  private current: FunctionRegistry;
  private generationCount = 1;

  constructor(initial: FunctionRegistry) {
    this.current = initial;
  }

  resolve(typename: string): FunctionBinding | undefined {
    return this.current.resolve(typename);
  }

  /** Replaces the registry for turns that start from now on; returns the one it replaced. */
  swap(next: FunctionRegistry): FunctionRegistry {
    const previous = this.current;
    this.current = next;
    this.generationCount++;
    return previous;
  }

  /** 1 for the registry given at construction, incremented by each swap. */
  get generation(): number {
    return this.generationCount;
  }
}

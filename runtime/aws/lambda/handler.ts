import { type AppRuntime, type HandlerOptions, lazyRuntime } from '../app-runtime.js';
import type { LambdaContext } from './events.js';

/** A Lambda handler with its container runtime reachable (for tools and tests; Lambda only calls it). */
export interface LambdaHandler<E, R> {
  (event: E, context: LambdaContext): Promise<R>;
  /** The container's runtime, built on first use. */
  runtime(): Promise<AppRuntime>;
  /** Closes the runtime (remote invokers, clients it made); the next call builds a new one. */
  close(): Promise<void>;
}

/**
 * Wraps handler logic: the runtime is built once per container — started at once, during Lambda's init
 * phase, and awaited by the first invocation; a failed build is retried by the next invocation.
 */
export function lambdaHandler<E, R>(options: HandlerOptions, run: (runtime: AppRuntime, event: E, context: LambdaContext) => Promise<R>): LambdaHandler<E, R> {
  let runtime = lazyRuntime(options);
  runtime().catch(() => {});
  const handler = async (event: E, context: LambdaContext): Promise<R> => run(await runtime(), event, context);
  return Object.assign(handler, {
    runtime: () => runtime(),
    close: async () => {
      const current = runtime;
      runtime = lazyRuntime(options);
      const built = await current().catch(() => undefined);
      await built?.close();
    },
  });
}

/**
 * The official StateFun JavaScript SDK (npm `apache-flink-statefun` 3.3.0) as a wire oracle: its request
 * handler, bytes in and bytes out, without HTTP.
 */
import { StateFun, type Context, type Message } from 'apache-flink-statefun';
import { handle } from 'apache-flink-statefun/dist/handler.js';
import { FunctionSpec, type FunctionOpts } from 'apache-flink-statefun/dist/core.js';

export { StateFun, type Context, type Message };

/** Runs bound functions on a serialized ToFunction, as the SDK's HTTP handler does, minus HTTP. */
export function officialHandler(functions: readonly FunctionOpts[]): (body: Uint8Array) => Promise<Uint8Array> {
  const byType: Record<string, FunctionSpec> = {};
  for (const opts of functions) byType[opts.typename] = FunctionSpec.fromOpts(opts);
  return async (body) => {
    const answer = await handle(body, byType);
    return new Uint8Array(answer.buffer, answer.byteOffset, answer.byteLength);
  };
}

import type { FunctionInvoker, InvocationOutcome, InvocationRequest } from '../core/invocation.js';
import { decodeFromFunction, encodeToFunction } from './codec.js';
import type { HttpEndpointOptions } from './endpoint-options.js';
import { HttpTransport } from './http-transport.js';
import type { RequestReplyTransport } from './transport.js';

/** A remote function reached through a transport of your own (e.g. a Lambda, a test double). */
export interface TransportOptions {
  readonly transport: RequestReplyTransport;
}

/**
 * Invokes functions behind one remote endpoint with StateFun's request-reply protocol, so that functions
 * written with any official StateFun SDK run unchanged. One invoker serves every function type of its
 * endpoint (the URL is picked per type from `urlPathTemplate`).
 *
 * `invoke` resolves the function's answer: `result` (the whole batch ran; remote batches never complete
 * partly) or `incomplete` (states to register). It rejects with a {@link RetryableError} when the call
 * budget was spent on passing failures, and with a {@link TerminalError} for answers retrying cannot fix
 * (a 4xx, an unparsable or invalid body), which parks the address (DESIGN I7).
 *
 * @example
 * const invoker = new RemoteFunctionInvoker({ urlPathTemplate: 'http://127.0.0.1:8000/{function.name}' });
 * const outcome = await invoker.invoke(request, 10_000);
 */
export class RemoteFunctionInvoker implements FunctionInvoker {
  readonly transport: RequestReplyTransport;

  constructor(options: HttpEndpointOptions | TransportOptions) {
    this.transport = 'transport' in options ? options.transport : new HttpTransport(options);
  }

  async invoke(request: InvocationRequest, timeoutMs: number): Promise<InvocationOutcome> {
    const body = encodeToFunction(request);
    const answer = await this.transport.exchange({ functionType: request.target.typename, body }, Date.now() + timeoutMs);
    return decodeFromFunction(answer, request);
  }

  /** Releases the transport's pooled connections. */
  close(): Promise<void> {
    return this.transport.close();
  }
}

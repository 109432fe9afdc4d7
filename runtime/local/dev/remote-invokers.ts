import { TerminalError } from '../../core/errors.js';
import type { FunctionInvoker } from '../../core/invocation.js';
import { type EndpointSpec, formatPattern } from '../../module/endpoint.js';
import { httpOptionsFromSpec } from '../../remote/http-options-from-spec.js';
import type { RemoteFunctionInvoker } from '../../remote/remote-invoker.js';

/**
 * The invokers of an app's remote endpoints, kept across reloads: an endpoint whose transport did not change
 * keeps its invoker (and its pooled connections); invokers no longer used are closed after a grace period, so
 * that calls still running on them can finish.
 */
export class RemoteInvokers {
  private readonly invokers = new Map<string, RemoteFunctionInvoker>();
  private readonly closing = new Set<Promise<void>>();

  /**
   * The invoker of `endpoint`. A Lambda transport cannot be reached from a developer machine: its functions get
   * an invoker that fails every call with a {@link TerminalError} saying so, which parks their addresses.
   */
  async invokerFor(endpoint: EndpointSpec): Promise<FunctionInvoker> {
    const { transport } = endpoint;
    if (transport.kind === 'lambda') return lambdaUnsupported(endpoint);
    const key = JSON.stringify(transport);
    let invoker = this.invokers.get(key);
    if (invoker === undefined) {
      // Loaded on first use: apps without remote functions start without the protocol's codecs.
      const { RemoteFunctionInvoker } = await import('../../remote/remote-invoker.js');
      invoker = new RemoteFunctionInvoker(await httpOptionsFromSpec(transport));
      this.invokers.set(key, invoker);
    }
    return invoker;
  }

  /** Closes the invokers of transports not among `endpoints`, after `graceMs`. */
  retainOnly(endpoints: readonly EndpointSpec[], graceMs: number): void {
    const keep = new Set(endpoints.map((e) => JSON.stringify(e.transport)));
    for (const [key, invoker] of this.invokers) {
      if (keep.has(key)) continue;
      this.invokers.delete(key);
      const done = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())
        .then(() => invoker.close())
        .catch(() => {});
      this.closing.add(done);
      void done.finally(() => this.closing.delete(done));
    }
  }

  async close(): Promise<void> {
    const all = [...this.invokers.values()];
    this.invokers.clear();
    await Promise.all(all.map((i) => i.close().catch(() => {})));
  }
}

/** Why a Lambda endpoint is not served by `statefun dev`, for the banner and for parked messages. */
export function lambdaUnsupportedReason(endpoint: EndpointSpec): string {
  return (
    `functions ${formatPattern(endpoint.functions)} use the Lambda transport (${endpoint.source.module}), which statefun dev cannot ` +
    'invoke: serve them over HTTP for local development (an io.statefun.endpoints.v2/http endpoint with a urlPathTemplate)'
  );
}

function lambdaUnsupported(endpoint: EndpointSpec): FunctionInvoker {
  const reason = lambdaUnsupportedReason(endpoint);
  return { invoke: () => Promise.reject(new TerminalError(reason)) };
}

import type { FunctionBinding } from '../core/function-binding.js';
import type { FunctionInvoker } from '../core/invocation.js';
import type { StaticFunctionRegistry } from '../engine/function-registry.js';
import type { EndpointSpec } from '../module/endpoint.js';

/**
 * Binds the function types an endpoint serves (`ns/name`, or every type of `ns/*`) to its invoker, with the
 * endpoint's eagerly declared states, batch bound and call budget.
 */
export function bindEndpoint(registry: StaticFunctionRegistry, endpoint: EndpointSpec, invoker: FunctionInvoker): void {
  const binding = (typename: string): FunctionBinding => ({
    typename,
    invoker,
    specs: endpoint.states,
    maxBatch: endpoint.maxNumBatchRequests,
    callTimeoutMs: endpoint.transport.callTimeoutMs,
  });
  const pattern = endpoint.functions;
  if (pattern.kind === 'exact') registry.bind(binding(pattern.typename));
  else registry.bindNamespace(pattern.namespace, binding);
}

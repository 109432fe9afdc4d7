import { StaticFunctionRegistry } from '../../engine/function-registry.js';
import type { AppModel } from '../../module/app.js';
import { type EndpointSpec, formatPattern } from '../../module/endpoint.js';
import { bindEndpoint } from '../../remote/bind-endpoint.js';
import { embeddedBinding } from '../../sdk/binding.js';
import { lambdaUnsupportedReason, type RemoteInvokers } from './remote-invokers.js';

/** The functions of an app, bound for the engine, and how to describe them. */
export interface BoundFunctions {
  readonly registry: StaticFunctionRegistry;
  /** One line per binding: `example/greeter  embedded`, `shop/*  http://127.0.0.1:8000/{function.name}`. */
  readonly lines: readonly string[];
  /** Embedded function types and what they accept, for clients that send to them. */
  readonly embedded: ReadonlyMap<string, { readonly accepts: string | undefined }>;
  /** Problems worth a warning (Lambda endpoints). */
  readonly warnings: readonly string[];
}

/**
 * Binds every function of an app: embedded TypeScript functions run in-process; remote endpoints go through
 * StateFun's request-reply protocol (http, https, http+unix, https+unix).
 */
export async function bindFunctions(app: AppModel, remotes: RemoteInvokers): Promise<BoundFunctions> {
  const registry = new StaticFunctionRegistry();
  const lines: string[] = [];
  const warnings: string[] = [];
  const embedded = new Map<string, { accepts: string | undefined }>();
  for (const [typename, fn] of app.functions) {
    registry.bind(embeddedBinding(fn.definition));
    embedded.set(typename, { accepts: fn.definition.accepts?.typename });
    lines.push(`${typename}  embedded`);
  }
  for (const endpoint of app.endpoints) {
    bindEndpoint(registry, endpoint, await remotes.invokerFor(endpoint));
    lines.push(`${formatPattern(endpoint.functions)}  ${describeEndpoint(endpoint)}`);
    if (endpoint.transport.kind === 'lambda') warnings.push(lambdaUnsupportedReason(endpoint));
  }
  return { registry, lines, embedded, warnings };
}

function describeEndpoint(endpoint: EndpointSpec): string {
  const { transport } = endpoint;
  return transport.kind === 'lambda' ? `lambda ${transport.functionName} (not served by statefun dev)` : transport.url.template;
}

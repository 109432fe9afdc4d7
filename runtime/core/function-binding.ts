import type { FunctionInvoker } from './invocation.js';
import type { StateSpecDecl } from './state-spec.js';

/** How the engine reaches one function type. */
export interface FunctionBinding {
  /** The concrete function type, e.g. `shop/cart`. */
  readonly typename: string;
  readonly invoker: FunctionInvoker;
  /** States declared up front (embedded specs, `version: "2.0"` module states); more may be registered later. */
  readonly specs: readonly StateSpecDecl[];
  /** Most invocations per request (StateFun `maxNumBatchRequests`). */
  readonly maxBatch: number;
  /** Budget for one request, retries of the transport included. */
  readonly callTimeoutMs: number;
}

/** Resolves function types to bindings; `namespace/*` entries match every name of a namespace. */
export interface FunctionRegistry {
  resolve(typename: string): FunctionBinding | undefined;
}

/** Which egress typenames exist. */
export interface EgressCatalog {
  has(egress: string): boolean;
}


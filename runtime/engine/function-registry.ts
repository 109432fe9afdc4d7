import type { FunctionBinding, FunctionRegistry } from '../core/function-binding.js';
import { ValidationError } from '../core/errors.js';
import { parseFunctionTypeName, parseTypeName, show } from '../core/typename.js';

export type { EgressCatalog, FunctionBinding, FunctionRegistry } from '../core/function-binding.js';

/** A binding factory for a typename matched by a wildcard. */
export type BindingFactory = (typename: string) => FunctionBinding;

/** A registry of exact bindings and namespace wildcards (exact entries win). */
export class StaticFunctionRegistry implements FunctionRegistry {
  private readonly exact = new Map<string, FunctionBinding>();
  private readonly wildcards = new Map<string, BindingFactory>();
  private readonly resolved = new Map<string, FunctionBinding>();

  /** Adds a binding for one function type. Throws if the type is bound already. */
  bind(binding: FunctionBinding): this {
    parseFunctionTypeName(binding.typename);
    if (this.exact.has(binding.typename)) {
      throw new ValidationError(`function type ${show(binding.typename)} is bound twice`);
    }
    this.exact.set(binding.typename, binding);
    return this;
  }

  /** Binds every function type of `namespace` (from `namespace/*`) not bound exactly. */
  bindNamespace(namespace: string, factory: BindingFactory): this {
    parseTypeName(`${namespace}/x`, `function namespace ${show(namespace)}`);
    if (this.wildcards.has(namespace)) {
      throw new ValidationError(`function namespace ${show(`${namespace}/*`)} is bound twice`);
    }
    this.wildcards.set(namespace, factory);
    return this;
  }

  resolve(typename: string): FunctionBinding | undefined {
    const exact = this.exact.get(typename) ?? this.resolved.get(typename);
    if (exact !== undefined) return exact;
    const slash = typename.lastIndexOf('/');
    const factory = slash > 0 ? this.wildcards.get(typename.slice(0, slash)) : undefined;
    if (factory === undefined) return undefined;
    const binding = factory(typename);
    this.resolved.set(typename, binding);
    return binding;
  }

  /** Function types bound exactly, and namespaces bound by wildcard (as `ns/*`). */
  list(): string[] {
    return [...this.exact.keys(), ...[...this.wildcards.keys()].map((ns) => `${ns}/*`)];
  }
}

import { ValidationError } from '../core/errors.js';
import { parseFunctionTypeName, show } from '../core/typename.js';
import { type GlobalConfig, globalConfig, isGlobalConfig } from './config.js';
import type { EmbeddedFunction, ModuleDeclaration } from './declaration.js';
import type { EgressSpec } from './egress.js';
import { configureModule, type EmbeddedModule, isEmbeddedModule, withDefaultName } from './embedded-module.js';
import { type EndpointSpec, formatPattern } from './endpoint.js';
import type { IngressSpec } from './ingress.js';
import { EGRESS_KINDS, INGRESS_KINDS } from './kinds.js';
import { loadModule } from './load-module.js';
import type { RouterBinding } from './routing.js';
import { describeSource, type ModuleWarning, type SourceRef } from './source.js';

/**
 * An app: several modules (embedded TypeScript modules and module.yaml files) and the global configuration,
 * composed into one model that the local runtime, the AWS dispatcher and the CDK constructs all read.
 *
 * ## How a function type resolves
 * {@link AppModel.resolveFunction} looks, in this order, for
 * 1. an embedded function bound to exactly that type,
 * 2. a remote endpoint declared for exactly that type (`functions: shop/cart`, or a `version: "2.0"` function),
 * 3. a remote endpoint for its namespace (`functions: shop/*`).
 * Composition refuses every case where this order would hide something: a type bound twice (by any two of
 * embedded functions and exact endpoints), a namespace pattern declared twice, and an embedded function in a
 * namespace a remote pattern serves (the pattern would silently stop reaching that type). An exact remote
 * endpoint inside a remote namespace pattern is allowed and wins, as in StateFun.
 */

/** Where one function type is served. */
export type FunctionSource =
  | { readonly kind: 'embedded'; readonly typename: string; readonly function: EmbeddedFunction }
  | {
      readonly kind: 'remote';
      readonly typename: string;
      readonly endpoint: EndpointSpec;
      /** `exact`: declared for this type; `namespace`: reached through `namespace/*`. */
      readonly match: 'exact' | 'namespace';
    };

export interface AppModel {
  readonly config: GlobalConfig;
  /** The modules, configured, in the order given. */
  readonly modules: readonly ModuleDeclaration[];
  /** Embedded functions by function type. */
  readonly functions: ReadonlyMap<string, EmbeddedFunction>;
  /** Remote endpoints, in declaration order. */
  readonly endpoints: readonly EndpointSpec[];
  /** Ingresses by id. */
  readonly ingresses: ReadonlyMap<string, IngressSpec>;
  /** Routers of all ingresses, in declaration order (several per ingress: each sees every record). */
  readonly routers: readonly RouterBinding[];
  /** Egresses by id. */
  readonly egresses: ReadonlyMap<string, EgressSpec>;
  /** Every module's warnings, for the CLI to print (see `formatWarning`). */
  readonly warnings: readonly ModuleWarning[];
  /** Where `typename` is served, or undefined when no module serves it. See the resolution order above. */
  resolveFunction(typename: string): FunctionSource | undefined;
  /** The routers of one ingress. */
  routersOf(ingress: string): readonly RouterBinding[];
}

/** A module: an embedded module, an already loaded declaration, or a path (`.yaml`/`.yml`, or a JS/TS module). */
export type ModuleSource = EmbeddedModule | ModuleDeclaration | string;

export interface ComposeOptions {
  readonly modules: readonly ModuleSource[];
  /** The app's configuration. */
  readonly config?: GlobalConfig | Readonly<Record<string, string>>;
  /** `--key value` arguments, overriding `config`. */
  readonly args?: readonly string[];
}

/**
 * Loads and configures the modules, then checks them against each other. Throws a {@link ValidationError}
 * naming both sources of any conflict:
 * - a function type bound twice, a namespace pattern declared twice, an embedded function inside a remote
 *   namespace pattern (see "How a function type resolves");
 * - an ingress or egress id declared twice;
 * - one port used by two playground components, one SQS queue consumed by two ingresses, one HTTP route (or a
 *   base path routed by address-in-path) claimed by two HTTP ingresses;
 * - a router bound to an ingress no module declares, an ingress without any router, and declarative routing
 *   to a function type no module serves.
 *
 * @example
 * const app = await composeApp({ modules: [shopModule, 'examples/shop/module.yaml'], config: { 'shop.region': 'eu-west-1' }, args: process.argv.slice(2) });
 * app.resolveFunction('shop/cart') // { kind: 'embedded', … }
 */
export async function composeApp(options: ComposeOptions): Promise<AppModel> {
  const given = options.config ?? {};
  const values = isGlobalConfig(given) ? given.toJSON() : given;
  const config = globalConfig({ values, args: options.args ?? [] });
  const modules: ModuleDeclaration[] = [];
  for (const [index, source] of options.modules.entries()) {
    const loaded = typeof source === 'string' ? await loadModule(source) : source;
    modules.push(isEmbeddedModule(loaded) ? await configureModule(withDefaultName(loaded, `#${index + 1}`), config) : checkDeclaration(loaded, index));
  }
  return buildApp(config, modules);
}

function checkDeclaration(value: unknown, index: number): ModuleDeclaration {
  const declaration = value as Partial<ModuleDeclaration> | null;
  if (typeof declaration !== 'object' || declaration === null || !Array.isArray(declaration.endpoints) || !Array.isArray(declaration.routers)) {
    throw new ValidationError(
      `module #${index + 1} must be a module path, a module made with defineModule(...) or a loaded module file, got ${show(value)}`,
    );
  }
  return declaration as ModuleDeclaration;
}

function conflict(what: string, first: SourceRef, second: SourceRef): never {
  throw new ValidationError(`${what}: by ${describeSource(first)} and by ${describeSource(second)}`);
}

function namespaceOf(typename: string): string {
  return typename.slice(0, typename.lastIndexOf('/'));
}

/** Composes configured module declarations; the synchronous core of {@link composeApp}. */
export function buildApp(config: GlobalConfig, modules: readonly ModuleDeclaration[]): AppModel {
  const functions = new Map<string, EmbeddedFunction>();
  const exact = new Map<string, EndpointSpec>();
  const namespaces = new Map<string, EndpointSpec>();
  const ingresses = new Map<string, IngressSpec>();
  const egresses = new Map<string, EgressSpec>();
  const ports = new Map<number, { what: string; source: SourceRef }>();
  const routers: RouterBinding[] = [];
  const endpoints: EndpointSpec[] = [];
  const warnings: ModuleWarning[] = [];

  const usePort = (port: number, what: string, source: SourceRef): void => {
    const taken = ports.get(port);
    if (taken !== undefined) conflict(`port ${port} is used by both ${taken.what} and ${what}`, taken.source, source);
    ports.set(port, { what, source });
  };
  // Claims on shared resources: an HTTP route (or a whole base path, for address-in-path routing), an SQS queue.
  const claims = new Map<string, { ingress: string; source: SourceRef }>();
  const bases = new Map<string, { ingress: IngressSpec; addressInPath: boolean }>();
  const claim = (key: string, what: string, ingress: IngressSpec): void => {
    const taken = claims.get(key);
    if (taken !== undefined) conflict(`${what} is claimed by both ingress ${show(taken.ingress)} and ingress ${show(ingress.id)}`, taken.source, ingress.source);
    claims.set(key, { ingress: ingress.id, source: ingress.source });
  };
  const claimIngress = (ingress: IngressSpec): void => {
    if (ingress.kind === INGRESS_KINDS.sqs) claim(`queue ${ingress.queue.name}`, `SQS queue ${show(ingress.queue.name)}`, ingress);
    if (ingress.kind !== INGRESS_KINDS.http) return;
    // Address-in-path routing takes every path below its base path; declared routes take one method and path each.
    const addressInPath = ingress.routes.length === 0;
    const earlier = bases.get(ingress.basePath);
    if (earlier !== undefined && (earlier.addressInPath || addressInPath)) {
      conflict(`HTTP base path ${show(ingress.basePath)} is claimed by both ingress ${show(earlier.ingress.id)} and ingress ${show(ingress.id)}`, earlier.ingress.source, ingress.source);
    }
    bases.set(ingress.basePath, { ingress, addressInPath });
    const base = ingress.basePath === '/' ? '' : ingress.basePath;
    for (const route of ingress.routes) claim(`http ${route.method} ${base}${route.path}`, `HTTP route ${show(`${route.method} ${base}${route.path}`)}`, ingress);
  };

  for (const module of modules) {
    warnings.push(...module.warnings);
    for (const fn of module.functions) {
      const typename = fn.definition.typename;
      const earlier = functions.get(typename) ?? exact.get(typename);
      if (earlier !== undefined) conflict(`function type ${show(typename)} is bound twice`, earlier.source, fn.source);
      functions.set(typename, fn);
    }
    for (const endpoint of module.endpoints) {
      endpoints.push(endpoint);
      const pattern = endpoint.functions;
      if (pattern.kind === 'exact') {
        const earlier = functions.get(pattern.typename) ?? exact.get(pattern.typename);
        if (earlier !== undefined) conflict(`function type ${show(pattern.typename)} is bound twice`, earlier.source, endpoint.source);
        exact.set(pattern.typename, endpoint);
      } else {
        const earlier = namespaces.get(pattern.namespace);
        if (earlier !== undefined) conflict(`function namespace ${show(formatPattern(pattern))} is bound twice`, earlier.source, endpoint.source);
        namespaces.set(pattern.namespace, endpoint);
      }
    }
    for (const ingress of module.ingresses) {
      const earlier = ingresses.get(ingress.id);
      if (earlier !== undefined) conflict(`ingress ${show(ingress.id)} is declared twice`, earlier.source, ingress.source);
      ingresses.set(ingress.id, ingress);
      if (ingress.kind === INGRESS_KINDS.playground) usePort(ingress.port, `ingress ${ingress.id}`, ingress.source);
      claimIngress(ingress);
    }
    for (const egress of module.egresses) {
      const earlier = egresses.get(egress.id);
      if (earlier !== undefined) conflict(`egress ${show(egress.id)} is declared twice`, earlier.source, egress.source);
      egresses.set(egress.id, egress);
      if (egress.kind === EGRESS_KINDS.playground) usePort(egress.port, `egress ${egress.id}`, egress.source);
    }
    routers.push(...module.routers);
  }

  // An embedded function inside a remote namespace pattern: which one was meant is anybody's guess.
  for (const fn of functions.values()) {
    const pattern = namespaces.get(namespaceOf(fn.definition.typename));
    if (pattern !== undefined) {
      conflict(
        `embedded function ${show(fn.definition.typename)} is shadowed by remote endpoint ${show(formatPattern(pattern.functions))} ` +
          '(declare the remote functions one by one, or move the embedded function to another namespace)',
        fn.source,
        pattern.source,
      );
    }
  }

  const resolveFunction = (typename: string): FunctionSource | undefined => {
    parseFunctionTypeName(typename);
    const embedded = functions.get(typename);
    if (embedded !== undefined) return { kind: 'embedded', typename, function: embedded };
    const remote = exact.get(typename);
    if (remote !== undefined) return { kind: 'remote', typename, endpoint: remote, match: 'exact' };
    const namespace = namespaces.get(namespaceOf(typename));
    return namespace === undefined ? undefined : { kind: 'remote', typename, endpoint: namespace, match: 'namespace' };
  };

  const byIngress = new Map<string, RouterBinding[]>();
  for (const binding of routers) {
    if (!ingresses.has(binding.ingress)) {
      throw new ValidationError(
        `${describeSource(binding.source)}: routes ingress ${show(binding.ingress)}, which no module declares` +
          (ingresses.size === 0 ? '' : ` (the ingresses are ${[...ingresses.keys()].join(', ')})`),
      );
    }
    for (const rule of binding.rules ?? []) {
      for (const target of rule.targets) {
        if (resolveFunction(target) === undefined) {
          throw new ValidationError(`${describeSource(binding.source)}: routes to function type ${show(target)}, which no module serves`);
        }
      }
    }
    let list = byIngress.get(binding.ingress);
    if (list === undefined) byIngress.set(binding.ingress, (list = []));
    list.push(binding);
  }
  for (const ingress of ingresses.values()) {
    if (!byIngress.has(ingress.id)) {
      throw new ValidationError(
        `${describeSource(ingress.source)}: ingress ${show(ingress.id)} has no router, so its records would go nowhere; ` +
          'give it routing (valueType, targets, idFrom) or bind a router to it',
      );
    }
  }

  return Object.freeze({
    config,
    modules: Object.freeze([...modules]),
    functions,
    endpoints: Object.freeze(endpoints),
    ingresses,
    routers: Object.freeze(routers),
    egresses,
    warnings: Object.freeze(warnings),
    resolveFunction,
    routersOf: (ingress: string): readonly RouterBinding[] => byIngress.get(ingress) ?? [],
  });
}

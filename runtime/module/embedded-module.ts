import { ValidationError } from '../core/errors.js';
import { parseTypeName, show } from '../core/typename.js';
import { type FunctionDefinition, isFunctionDefinition } from '../sdk/function.js';
import type { GlobalConfig } from './config.js';
import { DeclarationBuilder, type ModuleDeclaration, readComponent } from './declaration.js';
import type { EgressInput, EndpointInput, IngressInput, RoutingRuleInput } from './inputs.js';
import { isEgressKind, isEndpointKind, isIngressKind } from './kinds.js';
import { readRoutingRule } from './parse-routing.js';
import { type RouteFunction, type Router, rulesRouter } from './routing.js';
import { SpecValue } from './spec-reader.js';

/**
 * Embedded modules, the TypeScript way: StateFun's `StatefulFunctionModule` (`configure(globalConfiguration,
 * binder)`) as a typed value. A TS module exports one, made with {@link defineModule}; the runtime calls its
 * `configure` once with the global configuration and a {@link ModuleBinder}.
 *
 * @example
 * export default defineModule({
 *   name: 'shop',
 *   configure(config, binder) {
 *     binder.bindFunction(cart);
 *     binder.bindIngress({ kind: 'io.statefun-aws.sqs.v1/ingress',
 *       spec: { id: 'shop/orders', queue: config.string('shop.orders-queue'), valueType: 'shop/Order', targets: ['shop/cart'],
 *               idFrom: { type: 'json-pointer', pointer: '/userId' } } });
 *     binder.bindEgress({ kind: 'io.statefun-aws.log.v1/egress', spec: { id: 'shop/audit' } });
 *     binder.bindRouter({ ingress: 'shop/orders', router: (record) => [...] });
 *   },
 * });
 */

/** Registers what a module contributes. Every call validates at once and throws naming the module and the call. */
export interface ModuleBinder {
  /** Binds a TypeScript function (`defineFunction(...)`) to its function type. */
  bindFunction(fn: FunctionDefinition): void;
  /** Declares a remote function endpoint, exactly as an `io.statefun.endpoints.v1|v2/http` document. */
  bindEndpoint(endpoint: EndpointInput): void;
  /** Declares an ingress, exactly as a module.yaml document; its own routing (if any) is bound with it. */
  bindIngress(ingress: IngressInput): void;
  /** Declares an egress, exactly as a module.yaml document. */
  bindEgress(egress: EgressInput): void;
  /** Attaches a router to an ingress (of this or any other module of the app). */
  bindRouter(options: RouterOptions): void;
}

/** A router in code, or declarative rules as in YAML. */
export type RouterOptions =
  | { readonly ingress: string; readonly router: Router | RouteFunction }
  | { readonly ingress: string; readonly rules: readonly RoutingRuleInput[] };

export type Configure = (config: GlobalConfig, binder: ModuleBinder) => void | Promise<void>;

export interface ModuleOptions {
  /** Names the module in errors and conflict reports. @default the file it is loaded from, or its position in the app */
  readonly name?: string;
  readonly configure: Configure;
}

const MODULE = Symbol.for('statefun-aws.embedded-module');

export interface EmbeddedModule {
  readonly [MODULE]: true;
  readonly name: string | undefined;
  readonly configure: Configure;
}

/**
 * Defines an embedded module: a configure function, or options with a name.
 *
 * @example export default defineModule((config, binder) => { binder.bindFunction(greeter); });
 */
export function defineModule(options: Configure | ModuleOptions): EmbeddedModule {
  const { name, configure } = typeof options === 'function' ? { name: undefined, configure: options } : (options ?? {});
  if (typeof configure !== 'function') {
    throw new ValidationError(`defineModule needs a configure function (config, binder) => …, got ${show(options)}`);
  }
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    throw new ValidationError(`the name of a module must be a non-empty string, got ${show(name)}`);
  }
  return Object.freeze({ [MODULE]: true as const, name, configure });
}

export function isEmbeddedModule(value: unknown): value is EmbeddedModule {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MODULE] === true;
}

/** A copy of `module` with a name, unless it has one. */
export function withDefaultName(module: EmbeddedModule, name: string): EmbeddedModule {
  return module.name === undefined ? Object.freeze({ ...module, name }) : module;
}

/**
 * Runs an embedded module's `configure` and returns what it bound. The binder refuses calls after
 * `configure` has returned (or its promise settled).
 */
export async function configureModule(module: EmbeddedModule, config: GlobalConfig): Promise<ModuleDeclaration> {
  if (!isEmbeddedModule(module)) throw new ValidationError(`expected a module made with defineModule(...), got ${show(module)}`);
  const name = `embedded module ${show(module.name ?? '(unnamed)')}`;
  const builder = new DeclarationBuilder(name, 'embedded', undefined);
  let open = true;
  let calls = 0;
  const functions = new Set<string>();

  const call = (method: string, label: string | undefined): string => {
    calls++;
    if (!open) throw new ValidationError(`${name}: ${method} was called after configure returned; bind everything inside configure`);
    return `${method} #${calls}${label === undefined ? '' : ` (${label})`}`;
  };
  const component = (method: string, sort: 'endpoint' | 'ingress' | 'egress', input: unknown): void => {
    const kind = (input as { kind?: unknown } | null)?.kind;
    const ctx = builder.context(call(method, typeof kind === 'string' ? kind : undefined));
    const root = new SpecValue(ctx, '', input).object();
    const kindValue = root.require('kind');
    const kindText = kindValue.string();
    const is = sort === 'endpoint' ? isEndpointKind : sort === 'ingress' ? isIngressKind : isEgressKind;
    if (!is(kindText) && (isEndpointKind(kindText) || isIngressKind(kindText) || isEgressKind(kindText))) {
      kindValue.fail(`is not an ${sort} kind; bind it with the binder method for its kind`);
    }
    builder.add(readComponent(kindText, kindValue, root.require('spec').object(), undefined));
    root.finish(`the argument of ${method}`);
  };

  const binder: ModuleBinder = {
    bindFunction(fn) {
      const where = call('bindFunction', isFunctionDefinition(fn) ? fn.typename : undefined);
      if (!isFunctionDefinition(fn)) throw new ValidationError(`${name}, ${where}: expects a function made with defineFunction(...), got ${show(fn)}`);
      if (functions.has(fn.typename)) throw new ValidationError(`${name}, ${where}: function type ${fn.typename} is already bound by this module`);
      functions.add(fn.typename);
      builder.addFunction({ definition: fn, source: { module: name, component: where } });
    },
    bindEndpoint: (endpoint) => component('bindEndpoint', 'endpoint', endpoint),
    bindIngress: (ingress) => component('bindIngress', 'ingress', ingress),
    bindEgress: (egress) => component('bindEgress', 'egress', egress),
    bindRouter(options) {
      const ingress = (options as { ingress?: unknown } | null)?.ingress;
      const where = call('bindRouter', typeof ingress === 'string' ? ingress : undefined);
      const fail = (problem: string): never => {
        throw new ValidationError(`${name}, ${where}: ${problem}`);
      };
      if (typeof options !== 'object' || options === null) return fail(`expects { ingress, router } or { ingress, rules }, got ${show(options)}`);
      try {
        parseTypeName(ingress, 'ingress');
      } catch (error) {
        return fail((error as Error).message);
      }
      const source = { module: name, component: where };
      const hasRouter = 'router' in options && options.router !== undefined;
      const hasRules = 'rules' in options && options.rules !== undefined;
      if (hasRouter === hasRules) return fail('expects either router or rules');
      if (hasRouter) {
        const given = options.router;
        const router: Router | undefined =
          typeof given === 'function' ? { route: given } : typeof given?.route === 'function' ? given : undefined;
        if (router === undefined) return fail(`router must be a function or an object with route(record), got ${show(given)}`);
        builder.addRouter({ ingress: ingress as string, router, rules: undefined, source });
        return;
      }
      const rulesValue = new SpecValue(builder.context(where), 'rules', (options as { rules: unknown }).rules);
      const rules = rulesValue.nonEmptyList().map((rule) => readRoutingRule(rule));
      builder.addRouter({ ingress: ingress as string, router: rulesRouter(ingress as string, rules), rules, source });
    },
  };

  try {
    await module.configure(config, Object.freeze(binder));
  } finally {
    open = false;
  }
  return builder.build();
}

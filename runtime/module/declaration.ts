import type { FunctionDefinition } from '../sdk/function.js';
import type { EgressSpec } from './egress.js';
import type { EndpointSpec } from './endpoint.js';
import { httpRouteSource, type IngressSpec } from './ingress.js';
import { ALL_KINDS, ENDPOINT_KINDS, INGRESS_KINDS, isEgressKind, isEndpointKind, isIngressKind } from './kinds.js';
import { readEgress } from './parse-egress.js';
import { readEndpointV1, readEndpointV2 } from './parse-endpoint.js';
import { readIngress } from './parse-ingress.js';
import { playgroundRouter } from './playground.js';
import { type RouterBinding, type RoutingRule, rulesRouter } from './routing.js';
import type { ModuleWarning, SourceRef } from './source.js';
import { ReadContext, type SpecObject, type SpecValue } from './spec-reader.js';

/**
 * What one module declares, read and validated: the unit {@link composeApp} combines.
 */
export interface ModuleDeclaration {
  /** The module file's path as given, or `embedded module "<name>"`. */
  readonly name: string;
  /**
   * - `components`: StateFun 3.1+ multi-document file, one component (`kind` + `spec`) per document;
   * - `3.0`, `2.0`, `1.0`: single-document files with `version` and `module`;
   * - `embedded`: a TypeScript module (`defineModule`).
   */
  readonly format: ModuleFormat;
  /** Embedded TypeScript functions (embedded modules only). */
  readonly functions: readonly EmbeddedFunction[];
  readonly endpoints: readonly EndpointSpec[];
  readonly ingresses: readonly IngressSpec[];
  /** Routers, including those implied by an ingress's own routing (playground, Kafka topics, SQS rules…). */
  readonly routers: readonly RouterBinding[];
  readonly egresses: readonly EgressSpec[];
  readonly warnings: readonly ModuleWarning[];
}

export type ModuleFormat = 'components' | '3.0' | '2.0' | '1.0' | 'embedded';

/** A TypeScript function bound by an embedded module. */
export interface EmbeddedFunction {
  readonly definition: FunctionDefinition;
  readonly source: SourceRef;
}

/** A component read from a spec. */
export type Component =
  | { readonly type: 'endpoint'; readonly endpoint: EndpointSpec }
  | { readonly type: 'ingress'; readonly ingress: IngressSpec }
  | { readonly type: 'egress'; readonly egress: EgressSpec };

/**
 * Reads one component of a known kind.
 *
 * @param kindValue the value holding the kind, for errors.
 * @param id the ingress or egress id when it is kept outside the spec (`meta.id` of `version: "3.0"` modules).
 */
export function readComponent(kind: string, kindValue: SpecValue, spec: SpecObject, id: SpecValue | undefined): Component {
  if (kind === ENDPOINT_KINDS.httpV2) return { type: 'endpoint', endpoint: readEndpointV2(spec) };
  if (kind === ENDPOINT_KINDS.httpV1) return { type: 'endpoint', endpoint: readEndpointV1(spec) };
  if (isIngressKind(kind)) return { type: 'ingress', ingress: readIngress(kind, spec, id) };
  if (isEgressKind(kind)) return { type: 'egress', egress: readEgress(kind, spec, id) };
  return kindValue.fail(`is not a known component kind; the kinds are ${ALL_KINDS.join(', ')}`);
}

/** Whether a kind is of the expected sort (`version: "3.0"` lists endpoints, ingresses and egresses apart). */
export function kindSort(kind: string): Component['type'] | undefined {
  if (isEndpointKind(kind)) return 'endpoint';
  if (isIngressKind(kind)) return 'ingress';
  if (isEgressKind(kind)) return 'egress';
  return undefined;
}

/**
 * The router an ingress implies by its own spec, as StateFun binds an `AutoRoutableProtobufRouter` to its
 * routable ingresses: the playground and an HTTP ingress without routes route by path; Kafka topics, Kinesis
 * streams, HTTP routes and an SQS queue's rule route declaratively. Undefined when the spec has no routing.
 */
export function impliedRouter(ingress: IngressSpec): RouterBinding | undefined {
  const bind = (rules: readonly RoutingRule[] | undefined): RouterBinding => ({
    ingress: ingress.id,
    router: rules === undefined ? playgroundRouter : rulesRouter(ingress.id, rules),
    rules,
    source: ingress.source,
  });
  switch (ingress.kind) {
    case INGRESS_KINDS.playground:
      return bind(undefined);
    case INGRESS_KINDS.kafka:
      return bind(ingress.topics.map((t) => ({ source: t.topic, valueType: t.valueType, targets: t.targets, idFrom: { type: 'record-key' } })));
    case INGRESS_KINDS.kinesis:
      return bind(ingress.streams.map((s) => ({ source: s.stream, valueType: s.valueType, targets: s.targets, idFrom: { type: 'record-key' } })));
    case INGRESS_KINDS.http:
      return bind(
        ingress.routes.length === 0
          ? undefined
          : ingress.routes.map((r) => ({ source: httpRouteSource(r), valueType: r.valueType, targets: r.targets, idFrom: r.idFrom })),
      );
    case INGRESS_KINDS.sqs:
      return ingress.routing === undefined ? undefined : bind([ingress.routing]);
  }
}

/** Collects the declarations of one module as its components are read. */
export class DeclarationBuilder {
  readonly warnings: ModuleWarning[] = [];
  private readonly functions: EmbeddedFunction[] = [];
  private readonly endpoints: EndpointSpec[] = [];
  private readonly ingresses: IngressSpec[] = [];
  private readonly routers: RouterBinding[] = [];
  private readonly egresses: EgressSpec[] = [];

  constructor(
    readonly name: string,
    readonly format: ModuleFormat,
    /** Directory relative paths in specs are resolved against. */
    readonly baseDir: string | undefined,
  ) {}

  /** A context for reading one component of this module. */
  context(component: string): ReadContext {
    return new ReadContext({ module: this.name, component }, this.warnings, this.baseDir);
  }

  add(component: Component): void {
    if (component.type === 'endpoint') this.endpoints.push(component.endpoint);
    else if (component.type === 'egress') this.egresses.push(component.egress);
    else {
      this.ingresses.push(component.ingress);
      const router = impliedRouter(component.ingress);
      if (router !== undefined) this.routers.push(router);
    }
  }

  addFunction(fn: EmbeddedFunction): void {
    this.functions.push(fn);
  }

  addRouter(binding: RouterBinding): void {
    this.routers.push(binding);
  }

  build(): ModuleDeclaration {
    return Object.freeze({
      name: this.name,
      format: this.format,
      functions: Object.freeze([...this.functions]),
      endpoints: Object.freeze([...this.endpoints]),
      ingresses: Object.freeze([...this.ingresses]),
      routers: Object.freeze([...this.routers]),
      egresses: Object.freeze([...this.egresses]),
      warnings: Object.freeze([...this.warnings]),
    });
  }
}

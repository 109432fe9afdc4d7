/**
 * Where a declaration came from, and the warnings a module produced while loading.
 */

/**
 * The origin of one declaration, for error messages, warnings and conflict reports.
 *
 * @example { module: 'examples/shop/module.yaml', component: 'document 2 (io.statefun.endpoints.v2/http)' }
 * @example { module: 'embedded module "shop"', component: 'bindEgress #1 (io.statefun-aws.sqs.v1/egress)' }
 */
export interface SourceRef {
  /** The module: a file path as it was given, or `embedded module "<name>"`. */
  readonly module: string;
  /** The component inside it: a document number, a path in a legacy module, or a binder call. */
  readonly component: string;
}

/** `examples/shop/module.yaml, document 2 (io.statefun.endpoints.v2/http)` */
export function describeSource(source: SourceRef): string {
  return `${source.module}, ${source.component}`;
}

/**
 * Something a module declared that StateFun would silently ignore (an unknown key, a setting the chosen
 * transport does not use …). Loading goes on; the CLI prints these.
 *
 * @example { source: {…}, path: 'spec.transport.pool_sise', message: 'is not a key of io.statefun.transports.v1/async; it is ignored' }
 */
export interface ModuleWarning {
  readonly source: SourceRef;
  /** Path of the value inside the component, e.g. `spec.transport.pool_sise`; empty for the whole component. */
  readonly path: string;
  readonly message: string;
}

/** One line for humans: `module.yaml, document 2 (…): spec.transport.pool_sise is not a key …`. */
export function formatWarning(warning: ModuleWarning): string {
  const path = warning.path === '' ? '' : `${warning.path} `;
  return `${describeSource(warning.source)}: ${path}${warning.message}`;
}

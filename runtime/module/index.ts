/**
 * Modules: loading StateFun `module.yaml` files (3.1+ components, `version: "3.0"`, `version: "2.0"`),
 * embedded TypeScript modules (`defineModule`), and composing them into one app model. Pure configuration:
 * it reads files, but opens no connection and builds no invoker.
 *
 * @example
 * import { composeApp, formatWarning } from './runtime/module/index.js';
 * const app = await composeApp({ modules: ['module.yaml', './shop.module.js'], args: process.argv.slice(2) });
 * for (const warning of app.warnings) console.warn(formatWarning(warning));
 */
export { type AppModel, buildApp, type ComposeOptions, composeApp, type FunctionSource, type ModuleSource } from './app.js';
export type { FifoCapableRef, ResourceRef } from './aws-names.js';
export { type GlobalConfig, globalConfig, type GlobalConfigOptions, isGlobalConfig, parseConfigArgs } from './config.js';
export { type Component, type EmbeddedFunction, impliedRouter, type ModuleDeclaration, type ModuleFormat } from './declaration.js';
export type {
  AwsKinesisEgressSpec,
  EgressSpec,
  EventBridgeEgressSpec,
  FileEgressSpec,
  KafkaEgressSpec,
  KeyRule,
  KinesisEgressSpec,
  LogEgressSpec,
  PlaygroundEgressSpec,
  SnsEgressSpec,
  SqsEgressSpec,
} from './egress.js';
export {
  type Configure,
  configureModule,
  defineModule,
  type EmbeddedModule,
  isEmbeddedModule,
  type ModuleBinder,
  type ModuleOptions,
  type RouterOptions,
} from './embedded-module.js';
export {
  DEFAULT_MAX_NUM_BATCH_REQUESTS,
  type EndpointSpec,
  FUNCTION_NAME_PLACEHOLDER,
  functionUrl,
  type FunctionPattern,
  formatPattern,
  type HttpTransportSpec,
  type LambdaFunctionRef,
  lambdaFunctionName,
  type LambdaTransportSpec,
  matchesPattern,
  parseFunctionPattern,
  parseUrlTemplate,
  type ResolvedUrl,
  type TlsSpec,
  type TransportSpec,
  UNTYPED_STATE_TYPENAME,
  type UrlTemplate,
} from './endpoint.js';
export {
  type AwsCredentialsSpec,
  type AwsRegionSpec,
  type HttpAuth,
  type HttpIngressSpec,
  type HttpMethod,
  type HttpRoute,
  httpRouteSource,
  type IngressSpec,
  type KafkaIngressSpec,
  type KafkaOffset,
  type KafkaStartupPosition,
  type KinesisIngressSpec,
  type PlaygroundIngressSpec,
  type RoutedTopic,
  type SqsIngressSpec,
  type StartupDate,
} from './ingress.js';
export type * from './inputs.js';
export * from './kinds.js';
export { findEmbeddedModule, loadModule } from './load-module.js';
export { loadModuleFile, parseModuleYaml, type ParseModuleOptions } from './module-file.js';
export { ASYNC_DEFAULTS, LAMBDA_DEFAULTS, OKHTTP_DEFAULTS } from './parse-endpoint.js';
export {
  decodePlaygroundEgressRecord,
  PLAYGROUND_CONTENT_TYPE_PREFIX,
  PLAYGROUND_DEFAULT_TYPENAME,
  PLAYGROUND_EGRESS_ID,
  PLAYGROUND_EGRESS_RECORD_TYPENAME,
  PLAYGROUND_INGRESS_ID,
  PLAYGROUND_QUEUE_CAPACITY,
  type PlaygroundEgressPayload,
  playgroundRouter,
  playgroundTypename,
  routePlaygroundRequest,
} from './playground.js';
export {
  extractId,
  type IdRule,
  type IdRuleType,
  type IngressRecord,
  type RouteFunction,
  type Routed,
  type Router,
  type RouterBinding,
  type RoutingRule,
  rulesRouter,
} from './routing.js';
export { describeSource, formatWarning, type ModuleWarning, type SourceRef } from './source.js';

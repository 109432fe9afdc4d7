/**
 * statefun-aws CDK constructs (`statefun-aws/cdk`): deploy an app's modules on SQS FIFO, Lambda, DynamoDB and
 * EventBridge Scheduler with {@link StatefulFunctions}, or assemble the pieces yourself.
 *
 * @example
 * import { EgressTarget, StatefulFunctions } from 'statefun-aws/cdk';
 * new StatefulFunctions(this, 'Shop', { modules: ['shop/module.ts', 'shop/module.yaml'] });
 */
export { AddressQueue, type AddressQueueProps } from './address-queue.js';
export type {
  AppManifest,
  ComponentManifest,
  EgressManifest,
  EndpointManifest,
  HttpIngressManifest,
  LambdaFunctionTarget,
  ResourceManifest,
  SqsIngressManifest,
} from './app-manifest.js';
export { DelayInfrastructure, type DelayInfrastructureProps } from './delay-infrastructure.js';
export { Dispatcher, type DispatcherOptions, type DispatcherProps } from './dispatcher.js';
export { EgressTarget, type EventBusLike, type ResolvedEgress } from './egress.js';
export { HttpIngress, type HttpIngressOptions, type HttpIngressProps, MAX_HTTP_PAYLOAD } from './http-ingress.js';
export {
  EGRESS_PERMISSIONS,
  HANDLER_PERMISSIONS,
  type HandlerPermissions,
  KMS_PRODUCER_PERMISSIONS,
  REMOTE_LAMBDA_PERMISSIONS,
  SCHEDULER_ROLE_PERMISSIONS,
} from './iam-actions.js';
export { acknowledge, acknowledgeWildcard } from './nag.js';
export { Observability, type ObservabilityProps, STATEFUN_METRICS, type StatefunAlarmOptions } from './observability.js';
export { SqsIngress, type SqsIngressOptions, type SqsIngressProps } from './sqs-ingress.js';
export { type HandlerKind, StatefunApp, type StatefunAppProps } from './statefun-app.js';
export {
  StatefulFunctions,
  type StatefulFunctionsProps,
  type StatefunDelayOptions,
  type StatefunObservabilityOptions,
} from './stateful-functions.js';
export {
  type FunctionObservability,
  type StatefunBundlingOptions,
  StatefunFunction,
  type StatefunFunctionProps,
  type StatefunLogLevel,
} from './statefun-function.js';
export { STATE_TABLE_SCHEMA, type StateTableEncryption, StatefunTable, type StatefunTableProps } from './statefun-table.js';

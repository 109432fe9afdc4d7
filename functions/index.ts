/**
 * The Lambda entry points of statefun-aws (`statefun-aws/lambda`): handler factories for the CDK construct's
 * functions, and the engine to embed in a Lambda of your own. See functions/README.md.
 */
export { createDispatcher } from './dispatcher.js';
export { createHttpIngress } from './http-ingress.js';
export { createSqsIngress } from './sqs-ingress.js';
export { createDelayForwarder } from './delay-forwarder.js';
export type { AppSource, AwsClients, HandlerOptions } from '../runtime/aws/app-runtime.js';
export type { LambdaHandler } from '../runtime/aws/lambda/handler.js';
export type { HttpApiEvent, HttpApiResult, LambdaContext, SqsBatchResponse, SqsEvent, SqsRecord } from '../runtime/aws/lambda/events.js';
export {
  createEmbeddedEngine,
  type EmbeddedEngine,
  type EmbeddedEngineOptions,
  type EngineFailure,
  type EngineMessage,
  type ProcessOptions,
  type ProcessResult,
} from '../runtime/aws/embedded-engine.js';
export type { EgressRecord } from '../runtime/core/record.js';

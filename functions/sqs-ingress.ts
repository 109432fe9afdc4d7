import type { HandlerOptions } from '../runtime/aws/app-runtime.js';
import type { SqsBatchResponse, SqsEvent } from '../runtime/aws/lambda/events.js';
import { type LambdaHandler, lambdaHandler } from '../runtime/aws/lambda/handler.js';
import { ingestSqsBatch, resolveSqsIngress } from '../runtime/aws/lambda/sqs-ingress.js';

/**
 * The SQS ingress: a user's queue declared as `io.statefun-aws.sqs.v1/ingress` (`STATEFUN_INGRESS_ID` names
 * it when the app has several). See `runtime/aws/lambda/sqs-ingress.ts`.
 */
export function createSqsIngress(options: HandlerOptions): LambdaHandler<SqsEvent, SqsBatchResponse> {
  return lambdaHandler(options, (runtime, event) => ingestSqsBatch(runtime, resolveSqsIngress(runtime.model, runtime.env.ingressId), event));
}

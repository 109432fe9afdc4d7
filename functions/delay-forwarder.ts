import type { HandlerOptions } from '../runtime/aws/app-runtime.js';
import { forwardDelayBatch } from '../runtime/aws/lambda/delay-forwarder.js';
import type { SqsBatchResponse, SqsEvent } from '../runtime/aws/lambda/events.js';
import { type LambdaHandler, lambdaHandler } from '../runtime/aws/lambda/handler.js';

/**
 * The delay forwarder: consumes the standard delay queue (short delays and Scheduler fires) and forwards due
 * fires into their owners' FIFO groups. See `runtime/aws/lambda/delay-forwarder.ts`.
 */
export function createDelayForwarder(options: HandlerOptions): LambdaHandler<SqsEvent, SqsBatchResponse> {
  return lambdaHandler(options, (runtime, event) => forwardDelayBatch(runtime, event));
}

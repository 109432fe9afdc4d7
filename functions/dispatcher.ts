import type { HandlerOptions } from '../runtime/aws/app-runtime.js';
import { dispatchBatch } from '../runtime/aws/lambda/dispatch.js';
import type { SqsBatchResponse, SqsEvent } from '../runtime/aws/lambda/events.js';
import { type LambdaHandler, lambdaHandler } from '../runtime/aws/lambda/handler.js';

/**
 * The dispatcher: consumes the FIFO queue of addresses (batches of at most 10, `ReportBatchItemFailures`) and
 * runs each address's messages through the engine. See `runtime/aws/lambda/dispatch.ts`.
 *
 * @example export const handler = createDispatcher({ app: { modules: [shop] } });
 */
export function createDispatcher(options: HandlerOptions): LambdaHandler<SqsEvent, SqsBatchResponse> {
  return lambdaHandler(options, dispatchBatch);
}

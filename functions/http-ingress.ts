import type { HandlerOptions } from '../runtime/aws/app-runtime.js';
import type { HttpApiEvent, HttpApiResult } from '../runtime/aws/lambda/events.js';
import { type LambdaHandler, lambdaHandler } from '../runtime/aws/lambda/handler.js';
import { handleHttpRequest, resolveHttpIngress, type ServedHttpIngress } from '../runtime/aws/lambda/http-ingress.js';

/**
 * The HTTP ingress behind an API Gateway HTTP API: `POST /{namespace}/{type}/{id}` and the routes of the
 * app's `io.statefun-aws.http.v1/ingress` (`STATEFUN_INGRESS_ID` names it when the app has several).
 * Answers 202 with the message id, or a 4xx naming the bad value. See `runtime/aws/lambda/http-ingress.ts`.
 */
export function createHttpIngress(options: HandlerOptions): LambdaHandler<HttpApiEvent, HttpApiResult> {
  const served = new WeakMap<object, ServedHttpIngress>();
  return lambdaHandler(options, async (runtime, event) => {
    let ingress = served.get(runtime);
    if (ingress === undefined) {
      try {
        ingress = resolveHttpIngress(runtime.model, runtime.env.ingressId);
      } catch (error) {
        runtime.logger.error('HTTP ingress is misconfigured', { error: (error as Error).message });
        return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: (error as Error).message }) };
      }
      served.set(runtime, ingress);
    }
    return handleHttpRequest(runtime, ingress, event);
  });
}

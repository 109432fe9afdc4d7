import { InvokeCommand, type InvokeCommandInput, LambdaClient, RequestTooLargeException, ResourceNotFoundException, ServiceException, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LambdaTransport, type LambdaTransportOptions } from '../../../runtime/aws/lambda-transport.js';
import { isStatefunError } from '../../../runtime/core/errors.js';
import type { InvocationRequest } from '../../../runtime/core/invocation.js';
import { encodeToFunction } from '../../../runtime/remote/codec.js';
import { RemoteFunctionInvoker } from '../../../runtime/remote/remote-invoker.js';
import { createLambdaRequestReplyHandler, type LambdaRequestReplyEvent } from '../../../runtime/remote/serve-lambda.js';
import { defineFunction } from '../../../runtime/sdk/function.js';
import { stringType } from '../../../runtime/sdk/types.js';

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());
afterEach(() => lambda.reset());

const request: InvocationRequest = {
  target: { typename: 'shop/cart', id: 'alice' },
  state: [],
  invocations: [{ caller: undefined, argument: { typename: stringType.typename, value: stringType.serialize('add apple') } }],
};

/** The target Lambda: a TypeScript function behind createLambdaRequestReplyHandler. */
const cart = defineFunction({
  typename: 'shop/cart',
  handler(ctx, message) {
    ctx.send({ to: 'shop/audit', id: ctx.self.id, value: message.asString() });
  },
});
const served = createLambdaRequestReplyHandler([cart]);

const payloadOf = (value: unknown) => Uint8ArrayBlobAdapter.fromString(JSON.stringify(value));
const ok = (body: Uint8Array) => ({ StatusCode: 200, Payload: payloadOf({ statusCode: 200, headers: {}, body: Buffer.from(body).toString('base64'), isBase64Encoded: true }) });
const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

function invoker(options: Partial<LambdaTransportOptions> = {}): RemoteFunctionInvoker {
  return new RemoteFunctionInvoker({ transport: new LambdaTransport({ functionName: 'fns-{function.name}', client: new LambdaClient({ region: 'eu-west-1' }), callTimeoutMs: 300, ...options }) });
}

async function failure(call: Promise<unknown>): Promise<Error> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as Error,
  );
}

describe('LambdaTransport', () => {
  it('invokes the function synchronously with the base64 ToFunction and reads its answer', async () => {
    lambda.on(InvokeCommand).callsFake(async (input: InvokeCommandInput) => {
      const event = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8')) as LambdaRequestReplyEvent;
      return { StatusCode: 200, Payload: payloadOf(await served(event)) };
    });
    const outcome = await invoker({ qualifier: 'live' }).invoke(request, 5_000);
    expect(outcome).toMatchObject({ kind: 'result', completed: 1, messages: [{ target: { typename: 'shop/audit', id: 'alice' } }] });
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'fns-cart', Qualifier: 'live', InvocationType: 'RequestResponse' });
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'))).toEqual({ body: Buffer.from(encodeToFunction(request)).toString('base64'), isBase64Encoded: true });
  });

  it('retries a function error (unhandled exception, crash, timeout of the target) and uses the next answer', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payloadOf({ errorType: 'Error', errorMessage: 'boom' }) })
      .resolves(ok(new Uint8Array(0)));
    expect((await invoker().invoke(request, 5_000)).kind).toBe('result');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
  });

  it('a function that keeps failing ends in a RetryableError carrying its error message', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payloadOf({ errorType: 'Error', errorMessage: 'boom' }) });
    const error = await failure(invoker().invoke(request, 5_000));
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect(error.message).toMatch(/Lambda fns-cart \(shop\/cart\) failed after \d+ attempts .*the function failed \(Unhandled\): .*boom/);
    expect(lambda.commandCalls(InvokeCommand).length).toBeGreaterThan(1);
  });

  it.each([
    ['throttling', new TooManyRequestsException({ message: 'Rate exceeded', ...meta(429), retryAfterSeconds: '0' })],
    ['a Lambda 5xx', new ServiceException({ message: 'internal', ...meta(500) })],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('retries %s', async (_what, error) => {
    lambda.on(InvokeCommand).rejectsOnce(error).resolves(ok(new Uint8Array(0)));
    expect((await invoker().invoke(request, 5_000)).kind).toBe('result');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
  });

  it('passes on how long throttling asks to wait when the budget cannot wait that long', async () => {
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', ...meta(429), retryAfterSeconds: '20' }));
    const error = await failure(invoker().invoke(request, 5_000));
    expect(isStatefunError(error, 'retryable')).toBe(true);
    expect((error as Error & { retryAfterMs?: number }).retryAfterMs).toBe(20_000);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  });

  it.each([
    ['no such function', new ResourceNotFoundException({ message: 'Function not found: fns-cart', ...meta(404) }), /ResourceNotFoundException: Function not found: fns-cart \(HTTP 404\); not retried/],
    ['a payload too large for Lambda', new RequestTooLargeException({ message: 'Request must be smaller than 6291456 bytes', ...meta(413) }), /RequestTooLargeException/],
  ])('is terminal at once for %s', async (_what, error, message) => {
    lambda.on(InvokeCommand).rejects(error);
    const failed = await failure(invoker().invoke(request, 5_000));
    expect(isStatefunError(failed, 'terminal')).toBe(true);
    expect(failed.message).toMatch(message);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  });

  it.each([
    ['a payload that is not JSON', Uint8ArrayBlobAdapter.fromString('null pointer'), /the answer is not JSON: "null pointer"/],
    ['JSON that is not an answer', payloadOf({ hello: 'world' }), /not a request-reply answer/],
    ['a 404 answer', payloadOf({ statusCode: 404, body: 'no function of type "shop/cart"', isBase64Encoded: false }), /answered status 404: "no function of type \\"shop\/cart\\""; not retried/],
    ['a body that is not a FromFunction', payloadOf({ statusCode: 200, body: Buffer.from('<html>').toString('base64'), isBase64Encoded: true }), /is not a FromFunction message/],
  ])('is terminal for %s', async (_what, Payload, message) => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload });
    const failed = await failure(invoker().invoke(request, 5_000));
    expect(isStatefunError(failed, 'terminal')).toBe(true);
    expect(failed.message).toMatch(message);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  });

  it('retries an answer whose status is 5xx', async () => {
    lambda.on(InvokeCommand).resolvesOnce({ StatusCode: 200, Payload: payloadOf({ statusCode: 503, body: 'busy' }) }).resolves(ok(new Uint8Array(0)));
    expect((await invoker().invoke(request, 5_000)).kind).toBe('result');
  });

  it('refuses a request over payloadMaxBytes without invoking', async () => {
    const failed = await failure(invoker({ payloadMaxBytes: 64 }).invoke(request, 5_000));
    expect(isStatefunError(failed, 'terminal')).toBe(true);
    expect(failed.message).toMatch(/the request payload of \d+ bytes exceeds payloadMaxBytes \(64\)/);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('gives up on an invocation that outlives the call budget, even if the client ignores the abort', async () => {
    lambda.on(InvokeCommand).callsFake(() => new Promise((resolve) => setTimeout(() => resolve(ok(new Uint8Array(0))), 2_000)));
    const started = Date.now();
    const failed = await failure(invoker({ callTimeoutMs: 200 }).invoke(request, 5_000));
    expect(isStatefunError(failed, 'retryable')).toBe(true);
    expect(failed.message).toMatch(/no answer within \d+ ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

/**
 * X-Ray across message hops: inside a Lambda invocation, every SQS request the runtime makes carries the
 * invocation's trace header (`X-Amzn-Trace-Id`), which SQS keeps as the message's `AWSTraceHeader` and Lambda
 * links the receiving invocation to. The SQS emulator does not keep that attribute, so a recording proxy in
 * front of it checks what the runtime puts on the wire.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqsFifoMessageBus } from '../../../runtime/aws/sqs/message-bus.js';
import type { Envelope } from '../../../runtime/core/envelope.js';
import { stringType } from '../../../runtime/sdk/types.js';
import { clientConfig, useAwsEmulators } from '../../support/emulators.js';
import { createQueue, receiveUntil, uniqueQueueName } from '../../support/sqs-helpers.js';
import { sqsClient } from './helpers.js';

const emulators = useAwsEmulators();
const TRACE = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';

/** Forwards every request to `target` and records its headers. */
function recordingProxy(target: URL, seen: IncomingHttpHeaders[]): Server {
  return createServer((req, res) => {
    seen.push(req.headers);
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => res.destroy(error));
    req.pipe(upstream);
  });
}

const envelope = (n: number): Envelope => ({
  id: `app/sender/s#k0.${n}.0`,
  target: { typename: 'app/receiver', id: `r${n}` },
  caller: undefined,
  argument: { typename: stringType.typename, value: stringType.serialize(`m${n}`) },
  origin: { kind: 'function', sender: { typename: 'app/sender', id: 's' }, incarnation: 1, turn: n, index: 0, sentAt: Date.now() },
});

describe('trace propagation on the SQS emulator', () => {
  const seen: IncomingHttpHeaders[] = [];
  let proxy: Server;
  let viaProxy: SQSClient;
  let direct: SQSClient;
  const saved = { name: process.env['AWS_LAMBDA_FUNCTION_NAME'], trace: process.env['_X_AMZN_TRACE_ID'] };

  beforeAll(async () => {
    proxy = recordingProxy(new URL(emulators().sqs), seen);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    viaProxy = new SQSClient(clientConfig(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`));
    direct = sqsClient(emulators());
  });
  afterEach(() => {
    seen.length = 0;
    for (const [key, value] of [['AWS_LAMBDA_FUNCTION_NAME', saved.name], ['_X_AMZN_TRACE_ID', saved.trace]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  afterAll(async () => {
    viaProxy.destroy();
    direct.destroy();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('sends the invocation trace header with the messages a turn releases', async () => {
    const queue = await createQueue(direct, uniqueQueueName('traced', true));
    process.env['AWS_LAMBDA_FUNCTION_NAME'] = 'dispatcher';
    process.env['_X_AMZN_TRACE_ID'] = TRACE;
    await new SqsFifoMessageBus({ client: viaProxy, queueUrl: queue.url }).send([envelope(1), envelope(2)]);

    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map((h) => h['x-amzn-trace-id'])).toEqual(seen.map(() => TRACE));
    expect(await receiveUntil(direct, queue.url, 2, 10_000)).toHaveLength(2);
  });

  it('sends no trace header outside a Lambda invocation', async () => {
    const queue = await createQueue(direct, uniqueQueueName('untraced', true));
    delete process.env['AWS_LAMBDA_FUNCTION_NAME'];
    process.env['_X_AMZN_TRACE_ID'] = TRACE;
    await new SqsFifoMessageBus({ client: viaProxy, queueUrl: queue.url }).send([envelope(3)]);

    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((h) => h['x-amzn-trace-id'] === undefined)).toBe(true);
  });
});

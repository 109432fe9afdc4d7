import { afterEach, describe, expect, it } from 'vitest';
import { createHttpIngress } from '../../../functions/http-ingress.js';
import type { HttpApiEvent, HttpApiResult } from '../../../runtime/aws/lambda/events.js';
import { MAX_HTTP_BODY_BYTES } from '../../../runtime/aws/lambda/http-ingress.js';
import { httpApiEvent } from '../../../runtime/aws/local/event-builders.js';
import { stringType } from '../../../runtime/sdk/index.js';
import { OpType, testModule } from './app.js';
import { CONTEXT, type LocalSetup, localSetup } from './support.js';

const PLAYGROUND = { kind: 'io.statefun.playground.v1/ingress', spec: { port: 8090 } };
const ROUTED = {
  kind: 'io.statefun-aws.http.v1/ingress',
  spec: {
    id: 'test/api',
    basePath: '/api',
    auth: { type: 'none' },
    routes: [{ method: 'POST', path: '/counters/{name}/add', valueType: 'test/Op', targets: ['test/counter'] }],
  },
};

function request(method: string, url: string, body: string | Buffer = '', headers: Record<string, string> = {}): HttpApiEvent {
  return httpApiEvent({ method, url, headers: { host: 'api.example.com', ...headers }, body: typeof body === 'string' ? Buffer.from(body) : body });
}

function json(result: HttpApiResult): Record<string, unknown> {
  return JSON.parse(result.body ?? '{}') as Record<string, unknown>;
}

describe('HTTP ingress', () => {
  let t: LocalSetup;
  let handler: ReturnType<typeof createHttpIngress> | undefined;
  const ingress = (ingresses: object[], env: Record<string, string> = {}): ReturnType<typeof createHttpIngress> => {
    t = localSetup();
    handler = createHttpIngress(t.options({ modules: [testModule(ingresses)] }, env));
    return handler;
  };
  afterEach(async () => handler?.close());

  it('acceptsAPlaygroundStyleRequestWith202AndTheMessageId', async () => {
    const http = ingress([PLAYGROUND]);
    const result = await http(request('POST', '/test/counter/alice', '{"op":"add","n":2}', { 'content-type': 'application/vnd.test/Op' }), CONTEXT);
    expect(result.statusCode).toBe(202);
    const body = json(result);
    expect(body.duplicate).toBe(false);
    const [sent] = t.bus.sent;
    expect(sent?.id).toBe(body.messageId);
    expect(sent?.target).toEqual({ typename: 'test/counter', id: 'alice' });
    expect(OpType.deserialize(sent!.argument.value)).toEqual({ op: 'add', n: 2 });
  });

  it('takesTheStringTypeByDefaultAndABase64Body', async () => {
    const http = ingress([PLAYGROUND]);
    const event = request('PUT', '/test/counter/a%2Fb', Buffer.from('héllo'), { 'content-type': 'application/octet-stream' });
    expect(event.isBase64Encoded).toBe(true);
    expect((await http(event, CONTEXT)).statusCode).toBe(202);
    const [sent] = t.bus.sent;
    expect(sent?.target.id).toBe('a/b');
    expect(sent?.argument.typename).toBe('io.statefun.types/string');
    expect(stringType.deserialize(sent!.argument.value)).toBe('héllo');
  });

  it('answersTheSameMessageIdToARetryWithTheSameIdempotencyKeyAndSendsItAgainMarkedResent', async () => {
    const http = ingress([PLAYGROUND]);
    const send = (): Promise<HttpApiResult> =>
      http(request('POST', '/test/counter/alice', '{"op":"add"}', { 'content-type': 'application/vnd.test/Op', 'Idempotency-Key': 'order-17' }), CONTEXT);
    const first = json(await send());
    t.clock.time += 1000;
    const second = json(await send());
    expect(second).toEqual({ messageId: first.messageId, duplicate: true });
    expect(t.bus.sent.map((e) => e.id)).toEqual([first.messageId, first.messageId]);
    expect(t.bus.sent[1]!.origin).toMatchObject({ kind: 'ingress', keyed: true, resent: true, acceptedAt: t.bus.sent[0]!.origin.kind === 'ingress' ? t.bus.sent[0]!.origin.acceptedAt : 0 });
  });

  it('coversACrashBetweenStoringTheKeyAndSendingByResendingOnRetry', async () => {
    const http = ingress([PLAYGROUND]);
    t.bus.failNext = 1;
    const req = request('POST', '/test/counter/alice', '{"op":"add"}', { 'content-type': 'application/vnd.test/Op', 'idempotency-key': 'k1' });
    const failed = await http(req, CONTEXT);
    expect(failed.statusCode).toBe(503);
    expect(json(failed).message).toContain('retry (with the same Idempotency-Key)');
    const retried = await http(req, CONTEXT);
    expect(retried.statusCode).toBe(202);
    expect(t.bus.sent).toHaveLength(1);
    expect(t.bus.sent[0]!.origin).toMatchObject({ resent: true });
  });

  it('refusesBadRequestsWithAClear4xxNamingTheBadValue', async () => {
    const http = ingress([PLAYGROUND]);
    const cases: Array<[HttpApiEvent, number, string]> = [
      [request('POST', '/test/nobody/alice', 'x'), 404, 'no function is bound for type "test/nobody"'],
      [request('POST', '/test/counter/', 'x'), 400, 'please specify /<namespace>/<function type>/<function id>'],
      [request('POST', '/test/counter', 'x'), 400, 'invalid path'],
      [request('POST', '/test/counter/alice', 'x', { 'content-type': 'application/vnd.not a type' }), 415, 'does not name a typename'],
      [request('GET', '/test/counter/alice'), 405, 'use PUT or POST'],
      [request('POST', '/test/counter/alice', Buffer.alloc(MAX_HTTP_BODY_BYTES + 1)), 413, `exceeds the limit of ${MAX_HTTP_BODY_BYTES} bytes`],
      [request('POST', '/test/counter/alice', 'x', { 'idempotency-key': '' }), 400, 'Idempotency-Key'],
    ];
    for (const [event, status, message] of cases) {
      const result = await http(event, CONTEXT);
      expect({ status: result.statusCode, message: json(result).message }).toEqual({ status, message: expect.stringContaining(message) as unknown });
    }
    expect(t.bus.sent).toEqual([]);
  });

  it('routesDeclaredRoutesBelowTheBasePath', async () => {
    const http = ingress([ROUTED]);
    const result = await http(request('POST', '/api/counters/carol/add', '{"op":"add","n":5}', { 'content-type': 'application/json' }), CONTEXT);
    expect(result.statusCode).toBe(202);
    const [sent] = t.bus.sent;
    expect(sent?.target).toEqual({ typename: 'test/counter', id: 'carol' });
    expect(sent?.argument.typename).toBe('test/Op');
    expect((await http(request('PUT', '/api/counters/carol/add', '{}'), CONTEXT)).statusCode).toBe(405);
    expect((await http(request('POST', '/api/counters/carol'), CONTEXT)).statusCode).toBe(404);
    expect((await http(request('POST', '/elsewhere/counters/carol/add'), CONTEXT)).statusCode).toBe(404);
  });

  it('picksTheIngressNamedByTheEnvironmentAndAnswers500WhenItIsNotThere', async () => {
    const http = ingress([ROUTED, PLAYGROUND], { STATEFUN_INGRESS_ID: 'io.statefun.playground/ingress' });
    expect((await http(request('POST', '/test/counter/x', 'hi'), CONTEXT)).statusCode).toBe(202);
    const wrong = ingress([ROUTED], { STATEFUN_INGRESS_ID: 'test/nope' });
    const result = await wrong(request('POST', '/api/counters/x/add', '{}'), CONTEXT);
    expect(result.statusCode).toBe(500);
    expect(json(result).message).toContain('STATEFUN_INGRESS_ID names "test/nope"');
  });

  it('answers503WhenTheKeyStoreFails', async () => {
    const http = ingress([PLAYGROUND]);
    t.keys.failNext = 1;
    const result = await http(request('POST', '/test/counter/alice', 'x', { 'idempotency-key': 'k' }), CONTEXT);
    expect(result.statusCode).toBe(503);
  });
});

import { describe, expect, it } from 'vitest';
import {
  decodePlaygroundEgressRecord,
  extractId,
  type IngressRecord,
  playgroundRouter,
  playgroundTypename,
  rulesRouter,
} from '../../../runtime/module/index.js';
import { evaluateJsonPointer } from '../../../runtime/module/json-pointer.js';
import { errorOf } from './helpers.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('rulesRouter', () => {
  const router = rulesRouter('shop/in', [
    { source: 'orders', valueType: 'shop/Order', targets: ['shop/order', 'shop/audit'], idFrom: { type: 'record-key' } },
    { source: 'payments', valueType: 'shop/Payment', targets: ['shop/order'], idFrom: { type: 'json-pointer', pointer: '/order/id' } },
    { source: undefined, valueType: 'shop/Any', targets: ['shop/tap'], idFrom: { type: 'body' } },
  ]);

  it('fansARecordOutToEveryTargetOfEveryMatchingRuleWithTheBodyAsValue', () => {
    const body = utf8('{"n":1}');
    expect(router.route({ body, source: 'orders', key: 'alice' })).toEqual([
      { target: { typename: 'shop/order', id: 'alice' }, value: { typename: 'shop/Order', value: body } },
      { target: { typename: 'shop/audit', id: 'alice' }, value: { typename: 'shop/Order', value: body } },
      { target: { typename: 'shop/tap', id: '{"n":1}' }, value: { typename: 'shop/Any', value: body } },
    ]);
  });

  it('readsTheIdFromTheJsonBody', () => {
    const routed = router.route({ body: utf8('{"order":{"id":42}}'), source: 'payments' });
    expect(routed[0]!.target).toEqual({ typename: 'shop/order', id: '42' });
  });

  it('refusesARecordNoRuleMatches', () => {
    const only = rulesRouter('shop/in', [{ source: 'orders', valueType: 'shop/Order', targets: ['shop/order'], idFrom: { type: 'record-key' } }]);
    expect(errorOf(() => only.route({ body: utf8('x'), source: 'refunds', key: 'k' }))).toBe('ingress shop/in: no routing rule matches records from "refunds"');
    expect(errorOf(() => only.route({ body: utf8('x'), source: 'orders' }))).toBe(
      'ingress shop/in: the record has no key; this ingress routes by a UTF-8 key set on each record',
    );
  });

  it('refusesAnEmptyRuleList', () => {
    expect(errorOf(() => rulesRouter('shop/in', []))).toBe('ingress shop/in has an empty list of routing rules');
  });
});

describe('extractId', () => {
  const record: IngressRecord = {
    body: utf8('{"customer":{"id":"c-7","n":3,"tags":["x","y"]},"a/b":"slash","m~n":"tilde","empty":""}'),
    key: 'key-1',
    messageGroupId: 'group-1',
    attributes: { tenant: 'acme' },
    headers: { 'x-customer-id': 'c-9' },
    pathParameters: { userId: 'u-1' },
  };

  it.each([
    [{ type: 'record-key' } as const, 'key-1'],
    [{ type: 'message-group-id' } as const, 'group-1'],
    [{ type: 'message-attribute', name: 'tenant' } as const, 'acme'],
    [{ type: 'header', name: 'X-Customer-Id' } as const, 'c-9'],
    [{ type: 'path-parameter', name: 'userId' } as const, 'u-1'],
    [{ type: 'json-pointer', pointer: '/customer/id' } as const, 'c-7'],
    [{ type: 'json-pointer', pointer: '/customer/n' } as const, '3'],
    [{ type: 'json-pointer', pointer: '/customer/tags/1' } as const, 'y'],
    [{ type: 'json-pointer', pointer: '/a~1b' } as const, 'slash'],
    [{ type: 'json-pointer', pointer: '/m~0n' } as const, 'tilde'],
  ])('reads %j', (rule, id) => {
    expect(extractId(rule, record, 'ingress a/in')).toBe(id);
  });

  it.each([
    [{ type: 'message-group-id' } as const, 'the message has no message group id (is the queue FIFO?)'],
    [{ type: 'message-attribute', name: 'region' } as const, 'the message has no attribute "region" to read the id from'],
    [{ type: 'header', name: 'X-Other' } as const, 'the request has no header "X-Other" to read the id from'],
    [{ type: 'path-parameter', name: 'orderId' } as const, 'the request path has no parameter "orderId"'],
    [{ type: 'json-pointer', pointer: '/customer/missing' } as const, 'the JSON body has nothing at "/customer/missing"'],
    [{ type: 'json-pointer', pointer: '/customer' } as const, 'the id must be a non-empty string or a number'],
    [{ type: 'json-pointer', pointer: '/empty' } as const, 'the JSON body has "" at "/empty"'],
    [{ type: 'json-pointer', pointer: '/customer/tags/01' } as const, 'nothing at'],
  ])('refuses %j', (rule, problem) => {
    expect(errorOf(() => extractId(rule, { body: record.body }, 'ingress a/in'))).toContain(problem);
    if (rule.type === 'json-pointer') expect(errorOf(() => extractId(rule, record, 'ingress a/in'))).toContain(problem);
  });

  it('refusesABodyThatIsNotJsonOrNotText', () => {
    expect(errorOf(() => extractId({ type: 'json-pointer', pointer: '/a' }, { body: utf8('not json') }, 'ingress a/in'))).toBe(
      'ingress a/in: the body is not JSON, but the id is read from it by a JSON pointer',
    );
    expect(errorOf(() => extractId({ type: 'body' }, { body: Uint8Array.of(0xff, 0xfe) }, 'ingress a/in'))).toBe('ingress a/in: the body is not UTF-8 text');
    expect(errorOf(() => extractId({ type: 'body' }, { body: new Uint8Array(0) }, 'ingress a/in'))).toBe(
      'ingress a/in: the body is empty, but the id is the whole body',
    );
  });

  it('evaluatesTheWholeDocumentForAnEmptyPointer', () => {
    expect(evaluateJsonPointer('alice', '')).toBe('alice');
    expect(extractId({ type: 'json-pointer', pointer: '' }, { body: utf8('"alice"') }, 'x')).toBe('alice');
  });
});

describe('the playground ingress router', () => {
  const route = (path: string, contentType?: string): unknown =>
    playgroundRouter.route({ body: utf8('{"user_name":"Bob"}'), path, headers: contentType === undefined ? {} : { 'content-type': contentType } });

  it('sendsTheBodyToTheAddressInThePathTypedByTheContentType', () => {
    expect(route('/greeter.fns/user/Bob', 'application/vnd.greeter.types/UserLogin')).toEqual([
      { target: { typename: 'greeter.fns/user', id: 'Bob' }, value: { typename: 'greeter.types/UserLogin', value: utf8('{"user_name":"Bob"}') } },
    ]);
  });

  it('defaultsToTheStringTypeAndIgnoresContentTypeParameters', () => {
    expect(playgroundTypename(undefined)).toBe('io.statefun.types/string');
    expect(playgroundTypename('application/json')).toBe('io.statefun.types/string');
    expect(playgroundTypename('application/vnd.com.example/Add; charset=utf-8')).toBe('com.example/Add');
    expect(playgroundTypename('application/vnd.')).toBe('io.statefun.types/string');
  });

  it('acceptsATrailingSlashAQueryAndEncodedSegments', () => {
    expect(route('/com.example/cart/alice/')).toMatchObject([{ target: { typename: 'com.example/cart', id: 'alice' } }]);
    expect(route('/com.example/cart/alice?x=1')).toMatchObject([{ target: { id: 'alice' } }]);
    expect(route('/com.example/cart/a%2Fb%20c')).toMatchObject([{ target: { id: 'a/b c' } }]);
  });

  it.each([['/com.example/cart'], ['/a/b/c/d'], ['/'], ['']])('refuses the path %j', (path) => {
    expect(errorOf(() => route(path))).toContain('please specify /<namespace>/<function type>/<function id>');
  });

  it('refusesBadPercentEncoding', () => {
    expect(errorOf(() => route('/a/b/%E0%A4%A'))).toContain('bad percent-encoding');
  });
});

describe('the playground egress', () => {
  const record = (json: unknown, typename = 'io.statefun.playground/EgressRecord'): { typename: string; value: Uint8Array } => ({
    typename,
    value: utf8(JSON.stringify(json)),
  });

  it('readsTopicAndPayload', () => {
    expect(decodePlaygroundEgressRecord(record({ topic: 'greetings', payload: 'Hello Bob' }), ['greetings'])).toEqual({ topic: 'greetings', payload: 'Hello Bob' });
  });

  it('refusesOtherTypesUnknownTopicsAndMissingPayloads', () => {
    expect(errorOf(() => decodePlaygroundEgressRecord(record({ topic: 'x', payload: 'p' }, 'io.statefun.types/string'), ['x']))).toContain(
      'the playground egress takes values of type io.statefun.playground/EgressRecord, got one of type "io.statefun.types/string"',
    );
    expect(errorOf(() => decodePlaygroundEgressRecord(record({ topic: 'spam', payload: 'p' }), ['greetings']))).toBe(
      'message was targeted to unknown topic "spam"; the playground egress has topics ["greetings"]',
    );
    expect(errorOf(() => decodePlaygroundEgressRecord(record({ topic: 'greetings' }), ['greetings']))).toContain('must be a string, got undefined');
    expect(errorOf(() => decodePlaygroundEgressRecord({ typename: 'io.statefun.playground/EgressRecord', value: utf8('{') }, ['x']))).toContain(
      'must be UTF-8 JSON {"topic", "payload"}',
    );
  });
});

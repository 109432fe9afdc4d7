import { describe, expect, it } from 'vitest';
import { type HttpIngressSpec, playgroundRouter, type SqsIngressSpec } from '../../../runtime/module/index.js';
import { component, errorOf, loadFixture, onlyIngress, parse, warningsOf } from './helpers.js';

const PLAYGROUND = 'io.statefun.playground.v1/ingress';
const KAFKA = 'io.statefun.kafka.v1/ingress';
const KINESIS = 'io.statefun.kinesis.v1/ingress';
const HTTP = 'io.statefun-aws.http.v1/ingress';
const SQS = 'io.statefun-aws.sqs.v1/ingress';

describe('io.statefun.playground.v1/ingress', () => {
  it('hasAFixedIdAndAPort', () => {
    expect(onlyIngress(component(PLAYGROUND, 'port: 8090'))).toMatchObject({ kind: PLAYGROUND, id: 'io.statefun.playground/ingress', port: 8090 });
  });

  it('warnsThatAnIdIsIgnored', () => {
    const module = parse(component(PLAYGROUND, 'port: 8090\nid: my/ingress'));
    expect(warningsOf(module)).toEqual([
      'module.yaml, document 1 (io.statefun.playground.v1/ingress): spec.id is ignored: the playground\'s id is always io.statefun.playground/ingress',
    ]);
  });

  it('validatesThePort', () => {
    expect(errorOf(() => parse(component(PLAYGROUND, 'port: 70000')))).toBe(
      'module.yaml, document 1 (io.statefun.playground.v1/ingress): spec.port must be a whole number from 1 to 65535, got 70000',
    );
    expect(errorOf(() => parse(component(PLAYGROUND, 'host: x')))).toContain('spec.port is missing');
  });
});

describe('io.statefun.kafka.v1/ingress', () => {
  it('readsEverySettingFaithfully', async () => {
    const module = await loadFixture('kafka-kinesis.module.yaml');
    expect(module.warnings).toEqual([]);
    expect(module.ingresses[0]).toMatchObject({
      kind: KAFKA,
      id: 'com.example/users',
      address: 'kafka-broker:9092',
      consumerGroupId: 'my-consumer-group',
      autoOffsetResetPosition: 'earliest',
      startupPosition: {
        type: 'specific-offsets',
        offsets: [
          { topic: 'user-topic', partition: 0, offset: 91 },
          { topic: 'user-topic', partition: 1, offset: 11 },
        ],
      },
      topics: [
        { topic: 'user-topic', valueType: 'com.example/User', targets: ['com.example.fns/greeter', 'com.example.fns/counter'] },
        { topic: 'admin-topic', valueType: 'com.example/Admin', targets: ['com.example.fns/greeter'] },
      ],
      properties: { 'max.poll.records': '100', 'isolation.level': 'read_committed' },
    });
  });

  it('defaultsAsStateFunsCodeDoes', () => {
    expect(onlyIngress(component(KAFKA, 'id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [a/f] }]'))).toMatchObject({
      address: undefined,
      consumerGroupId: undefined,
      autoOffsetResetPosition: 'latest',
      startupPosition: { type: 'latest' },
      properties: {},
    });
  });

  it.each([
    ['group-offsets', { type: 'group-offsets' }],
    ['earliest', { type: 'earliest' }],
    ['date\n  date: 2020-02-01 04:15:00.000 +0000', { type: 'date', date: '2020-02-01 04:15:00.000 +0000', epochMs: Date.UTC(2020, 1, 1, 4, 15) }],
    ['date\n  date: 2020-02-01 04:15:00.00 Z', { type: 'date', epochMs: Date.UTC(2020, 1, 1, 4, 15) }],
    ['date\n  date: 2020-02-01 04:15:00 -01:30', { type: 'date', epochMs: Date.UTC(2020, 1, 1, 5, 45) }],
  ])('readsStartupPosition %s', (yaml, expected) => {
    const ingress = onlyIngress(component(KAFKA, `id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [a/f] }]\nstartupPosition:\n  type: ${yaml}`));
    expect(ingress).toMatchObject({ startupPosition: expected });
  });

  it.each([
    ['id: a/in', 'spec.topics is missing'],
    ['id: a/in\ntopics: []', 'spec.topics must list at least one entry'],
    ['topics: [{ topic: t, valueType: a/T, targets: [a/f] }]', 'spec.id is missing'],
    ['id: a/in\ntopics: [{ topic: t, targets: [a/f] }]', 'spec.topics[0].valueType is missing'],
    ['id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [] }]', 'spec.topics[0].targets must list at least one entry'],
    ['id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [a/*] }]', 'spec.topics[0].targets[0] must be a function type; "a/*" is a namespace pattern'],
    ['id: a/in\ntopics: [{ topic: t, valueType: T, targets: [a/f] }]', 'spec.topics[0].valueType "T" is not of the form <namespace>/<name>'],
    ['id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [a/f] }, { topic: t, valueType: a/U, targets: [a/f] }]', 'spec.topics[1].topic routes topic "t" a second time'],
    ['id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [a/f] }]\nautoOffsetResetPosition: never', 'spec.autoOffsetResetPosition must be one of latest, earliest, got "never"'],
    ['id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [a/f] }]\nstartupPosition: { type: now }', 'spec.startupPosition.type must be one of group-offsets, earliest, latest, specific-offsets, date, got "now"'],
    ['id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [a/f] }]\nstartupPosition: { type: date, date: yesterday }', 'spec.startupPosition.date must be a date like "2020-02-01 04:15:00.000 +0000"'],
    ['id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [a/f] }]\nstartupPosition: { type: date, date: "2020-02-30 00:00:00.000 Z" }', 'is not a real date and time'],
    ['id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [a/f] }]\nstartupPosition: { type: specific-offsets, offsets: [{ t: 1 }] }', 'must be keyed <topic>/<partition>'],
    ['id: a/in\ntopics: [{ topic: t, valueType: a/T, targets: [a/f] }]\nproperties: [{ a: 1, b: 2 }]', 'spec.properties[0] must be a single "key: value" pair'],
  ])('refuses %j', (yaml, problem) => {
    expect(errorOf(() => parse(component(KAFKA, yaml)))).toContain(problem);
  });
});

describe('io.statefun.kinesis.v1/ingress', () => {
  it('readsEverySettingFaithfully', async () => {
    const module = await loadFixture('kafka-kinesis.module.yaml');
    expect(module.ingresses[1]).toEqual(
      expect.objectContaining({
        kind: KINESIS,
        id: 'com.example/clicks',
        awsRegion: { type: 'custom-endpoint', endpoint: 'https://localhost:4567', id: 'us-west-1' },
        awsCredentials: { type: 'profile', profileName: 'dev', profilePath: undefined },
        startupPosition: { type: 'date', date: '2020-02-01 04:15:00.000 +0100', epochMs: Date.UTC(2020, 1, 1, 3, 15) },
        streams: [{ stream: 'click-stream', valueType: 'com.example/Click', targets: ['com.example.fns/counter'] }],
        clientConfigProperties: { SocketTimeout: '9999', MaxConnections: '15' },
      }),
    );
  });

  it('defaultsRegionCredentialsAndStartup', () => {
    expect(onlyIngress(component(KINESIS, 'id: a/in\nstreams: [{ stream: s, valueType: a/T, targets: [a/f] }]'))).toMatchObject({
      awsRegion: { type: 'default' },
      awsCredentials: { type: 'default' },
      startupPosition: { type: 'latest' },
    });
  });

  it('validatesRegionAndCredentials', () => {
    const base = 'id: a/in\nstreams: [{ stream: s, valueType: a/T, targets: [a/f] }]\n';
    expect(errorOf(() => parse(component(KINESIS, `${base}awsRegion: { type: specific }`)))).toContain('spec.awsRegion.id is missing');
    expect(errorOf(() => parse(component(KINESIS, `${base}awsRegion: { type: moon }`)))).toContain('spec.awsRegion.type must be one of default, specific, custom-endpoint');
    expect(errorOf(() => parse(component(KINESIS, `${base}awsCredentials: { type: basic, accessKeyId: a }`)))).toContain('spec.awsCredentials.secretAccessKey is missing');
    expect(errorOf(() => parse(component(KINESIS, `${base}startupPosition: { type: group-offsets }`)))).toContain(
      'spec.startupPosition.type must be one of earliest, latest, date',
    );
  });
});

describe('io.statefun-aws.http.v1/ingress', () => {
  it('routesByAddressInPathWithoutRoutesAndDefaultsToIamAuth', async () => {
    const module = await loadFixture('aws.module.yaml');
    const raw = module.ingresses.find((i) => i.id === 'shop/raw') as HttpIngressSpec;
    expect(raw).toMatchObject({ kind: HTTP, basePath: '/', auth: { type: 'iam' }, routes: [] });
    expect(module.routers.find((r) => r.ingress === 'shop/raw')).toMatchObject({ router: playgroundRouter, rules: undefined });
  });

  it('readsRoutesWithTheirIdRules', async () => {
    const module = await loadFixture('aws.module.yaml');
    const api = module.ingresses.find((i) => i.id === 'shop/api') as HttpIngressSpec;
    expect(api).toMatchObject({
      basePath: '/shop',
      auth: { type: 'jwt', issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example', audience: ['web-client', 'mobile-client'] },
      routes: [
        { method: 'POST', path: '/carts/{userId}/items', valueType: 'shop/AddToCart', targets: ['shop/cart'], idFrom: { type: 'path-parameter', name: 'userId' } },
        { method: 'PUT', path: '/orders/{orderId}', valueType: 'shop/Order', targets: ['shop/order', 'shop/audit'], idFrom: { type: 'header', name: 'X-Customer-Id' } },
      ],
    });
    expect(module.routers.find((r) => r.ingress === 'shop/api')!.rules!.map((r) => r.source)).toEqual(['POST /carts/{userId}/items', 'PUT /orders/{orderId}']);
  });

  it('acceptsAuthShorthands', () => {
    expect(onlyIngress(component(HTTP, 'id: a/api\nauth: none'))).toMatchObject({ auth: { type: 'none' } });
    expect(onlyIngress(component(HTTP, 'id: a/api\nauth: { type: jwt, issuer: "https://issuer.example.com", audience: app }'))).toMatchObject({
      auth: { type: 'jwt', audience: ['app'] },
    });
  });

  it.each([
    ['id: a/api\nbasePath: shop', 'spec.basePath must be a path like "/carts/{userId}"'],
    ['id: a/api\nbasePath: /shop/{x}', 'spec.basePath cannot have {parameters}'],
    ['id: a/api\nauth: { type: jwt, issuer: "http://insecure", audience: [a] }', 'spec.auth.issuer must be an https URL'],
    ['id: a/api\nauth: { type: jwt, issuer: "https://i.example.com" }', 'spec.auth.audience is missing'],
    ['id: a/api\nauth: oauth', 'spec.auth must be one of none, iam, got "oauth"'],
    ['id: a/api\nroutes: []', 'spec.routes must list at least one entry'],
    ['id: a/api\nroutes: [{ path: /carts, valueType: a/T, targets: [a/f] }]', 'spec.routes[0].idFrom is missing (it defaults to the path parameter only when the path has exactly one; "/carts" has 0)'],
    ['id: a/api\nroutes: [{ path: "/c/{a}/{b}", valueType: a/T, targets: [a/f] }]', 'spec.routes[0].idFrom is missing'],
    ['id: a/api\nroutes: [{ path: "/c/{a}", valueType: a/T, targets: [a/f], idFrom: { type: path-parameter, name: b } }]', 'reads path parameter "b", but the path "/c/{a}" has {a}'],
    ['id: a/api\nroutes: [{ path: "/c/{a}/{a}", valueType: a/T, targets: [a/f] }]', 'names parameter {a} twice'],
    ['id: a/api\nroutes: [{ path: "/c//d", valueType: a/T, targets: [a/f], idFrom: body }]', 'no empty segments'],
    ['id: a/api\nroutes: [{ path: "/c/{a}", valueType: a/T, targets: [a/f], idFrom: message-group-id }]', 'spec.routes[0].idFrom must name one of path-parameter, header, json-pointer, body to read the id from'],
    ['id: a/api\nroutes: [{ method: TRACE, path: "/c/{a}", valueType: a/T, targets: [a/f] }]', 'spec.routes[0].method must be one of POST, PUT, PATCH, DELETE, GET, got "TRACE"'],
    ['id: a/api\nroutes: [{ path: "/c/{a}", valueType: a/T, targets: [a/f] }, { method: post, path: "/c/{a}", valueType: a/T, targets: [a/f] }]', 'spec.routes[1] declares route "POST /c/{a}" a second time'],
  ])('refuses %j', (yaml, problem) => {
    expect(errorOf(() => parse(component(HTTP, yaml)))).toContain(problem);
  });
});

describe('io.statefun-aws.sqs.v1/ingress', () => {
  it('defaultsAFifoQueueToRoutingByMessageGroupId', async () => {
    const module = await loadFixture('aws.module.yaml');
    const orders = module.ingresses.find((i) => i.id === 'shop/orders') as SqsIngressSpec;
    expect(orders).toMatchObject({
      queue: { ref: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo', name: 'orders.fifo', fifo: true, region: 'eu-west-1' },
      routing: { source: undefined, valueType: 'shop/Order', targets: ['shop/order'], idFrom: { type: 'message-group-id' } },
      batchSize: 5,
      region: 'eu-west-1',
    });
    const payments = module.ingresses.find((i) => i.id === 'shop/payments') as SqsIngressSpec;
    expect(payments).toMatchObject({ queue: { name: 'payments', fifo: false }, batchSize: 10, routing: { idFrom: { type: 'json-pointer', pointer: '/order/id' } } });
    expect(module.routers.find((r) => r.ingress === 'shop/payments')!.rules).toEqual([payments.routing]);
  });

  it('mayLeaveRoutingToRoutersBoundInCode', () => {
    const module = parse(component(SQS, 'id: a/in\nqueue: "http://localhost:9324/000000000000/in"'));
    expect(module.ingresses[0]).toMatchObject({ routing: undefined, queue: { name: 'in', fifo: false, region: undefined } });
    expect(module.routers).toEqual([]);
  });

  it('readsIdRulesOfEveryShape', () => {
    const idFrom = (yaml: string): unknown => (onlyIngress(component(SQS, `id: a/in\nqueue: q.fifo\nvalueType: a/T\ntargets: [a/f]\nidFrom: ${yaml}`)) as SqsIngressSpec).routing!.idFrom;
    expect(idFrom('body')).toEqual({ type: 'body' });
    expect(idFrom('{ type: message-group-id }')).toEqual({ type: 'message-group-id' });
    expect(idFrom('{ type: message-attribute, name: customer }')).toEqual({ type: 'message-attribute', name: 'customer' });
    expect(idFrom('{ type: json-pointer, pointer: "" }')).toEqual({ type: 'json-pointer', pointer: '' });
  });

  it.each([
    ['id: a/in\nqueue: q\nvalueType: a/T\ntargets: [a/f]', 'spec.idFrom is missing (only FIFO queues default to routing by message group id)'],
    ['id: a/in\nqueue: q\nvalueType: a/T\ntargets: [a/f]\nidFrom: message-group-id', 'spec.idFrom is message-group-id, but queue "q" is a standard queue'],
    ['id: a/in\nqueue: q.fifo\ntargets: [a/f]', 'spec.valueType is missing'],
    ['id: a/in\nqueue: q.fifo\nvalueType: a/T\ntargets: [a/f]\nidFrom: header', 'spec.idFrom must name one of message-group-id, message-attribute, json-pointer, body to read the id from, got "header"'],
    ['id: a/in\nqueue: q.fifo\nvalueType: a/T\ntargets: [a/f]\nidFrom: message-attribute', 'spec.idFrom must be a mapping { type: message-attribute, name: … }'],
    ['id: a/in\nqueue: q.fifo\nvalueType: a/T\ntargets: [a/f]\nidFrom: { type: json-pointer, pointer: id }', 'spec.idFrom.pointer must be a JSON pointer such as "/user/id", got "id"'],
    ['id: a/in\nqueue: q.fifo\nvalueType: a/T\ntargets: [a/f]\nidFrom: { type: json-pointer, pointer: /a~2 }', 'has a "~" not followed by 0 or 1'],
    ['id: a/in\nqueue: q.fifo\nbatchSize: 11', 'spec.batchSize must be a whole number from 1 to 10, got 11'],
    ['id: a/in\nqueue: "my queue"', 'spec.queue is not a valid name of an SQS queue'],
    ['id: a/in\nqueue: arn:aws:sqs:eu-west-1:123:q', 'spec.queue is not an ARN of an SQS queue'],
    ['id: a/in\nqueue: https://sqs.eu-west-1.amazonaws.com/q', 'spec.queue is not a queue URL of the form'],
    ['id: a/in\nqueue: arn:aws:sqs:eu-west-1:123456789012:q\nregion: us-east-1', 'spec.region is "us-east-1", but "arn:aws:sqs:eu-west-1:123456789012:q" is in "eu-west-1"'],
    ['queue: q', 'spec.id is missing'],
  ])('refuses %j', (yaml, problem) => {
    expect(errorOf(() => parse(component(SQS, yaml)))).toContain(problem);
  });

  it('allowsLargeBatchesOnStandardQueues', () => {
    expect(onlyIngress(component(SQS, 'id: a/in\nqueue: q\nbatchSize: 500'))).toMatchObject({ batchSize: 500 });
  });
});

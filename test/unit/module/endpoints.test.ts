import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ASYNC_DEFAULTS,
  functionUrl,
  type HttpTransportSpec,
  LAMBDA_DEFAULTS,
  lambdaFunctionName,
  type LambdaTransportSpec,
  matchesPattern,
  OKHTTP_DEFAULTS,
  parseFunctionPattern,
  parseUrlTemplate,
} from '../../../runtime/module/index.js';
import { component, errorOf, FIXTURES, loadFixture, onlyEndpoint, parse, warningsOf } from './helpers.js';

const V2 = 'io.statefun.endpoints.v2/http';
const V1 = 'io.statefun.endpoints.v1/http';

function http(text: string): HttpTransportSpec {
  const transport = onlyEndpoint(text).transport;
  expect(transport.kind).toBe('http');
  return transport as HttpTransportSpec;
}

function lambda(text: string): LambdaTransportSpec {
  const transport = onlyEndpoint(text).transport;
  expect(transport.kind).toBe('lambda');
  return transport as LambdaTransportSpec;
}

const v2 = (transportYaml: string): string =>
  component(V2, `functions: shop/*\nurlPathTemplate: http://fns:8000/{function.name}\n${transportYaml}`);

describe('io.statefun.endpoints.v2/http', () => {
  it('defaultsToTheAsyncTransportWithStateFunsDefaults', () => {
    const endpoint = onlyEndpoint(component(V2, 'functions: shop/*\nurlPathTemplate: http://fns:8000/{function.name}'));
    expect(endpoint.maxNumBatchRequests).toBe(1000);
    expect(endpoint.transport).toEqual({
      kind: 'http',
      type: 'io.statefun.transports.v1/async',
      url: { template: 'http://fns:8000/{function.name}', scheme: 'http' },
      callTimeoutMs: 120_000,
      connectTimeoutMs: 20_000,
      readTimeoutMs: 120_000,
      writeTimeoutMs: 120_000,
      poolTtlMs: 15_000,
      poolSize: 1024,
      payloadMaxBytes: 32 * 1024 * 1024,
      tls: { trustCaCerts: undefined, clientCert: undefined, clientKey: undefined, clientKeyPassword: undefined },
    });
  });

  it('readsATransportWithoutTypeAsAsync', () => {
    expect(http(v2('transport:\n  call: 5m\n  pool_size: 8'))).toMatchObject({ type: 'io.statefun.transports.v1/async', callTimeoutMs: 300_000, poolSize: 8 });
  });

  it('letsATimeoutsMappingWinOverTopLevelTimeoutsOfAsyncAsStateFunDoes', () => {
    const module = parse(v2('transport:\n  call: 5m\n  connect: 1s\n  timeouts:\n    read: 30 sec\n    write: 20 sec'));
    // The mapping's own defaults (1 min, 10 s) apply, not the top-level values nor the async defaults.
    expect(module.endpoints[0]!.transport).toMatchObject({ callTimeoutMs: 60_000, connectTimeoutMs: 10_000, readTimeoutMs: 60_000 });
    expect(warningsOf(module)).toEqual([
      expect.stringContaining('spec.transport.call is overridden by spec.transport.timeouts'),
      expect.stringContaining('spec.transport.connect is overridden by spec.transport.timeouts'),
      expect.stringContaining('spec.transport.timeouts.read has no effect on io.statefun.transports.v1/async'),
      expect.stringContaining('spec.transport.timeouts.write has no effect on io.statefun.transports.v1/async'),
    ]);
  });

  it('readsTheOkHttpTransportWithItsDefaults', () => {
    expect(http(v2('transport:\n  type: io.statefun.transports.v1/okhttp'))).toMatchObject({
      type: 'io.statefun.transports.v1/okhttp',
      ...OKHTTP_DEFAULTS,
      poolSize: ASYNC_DEFAULTS.poolSize,
      payloadMaxBytes: ASYNC_DEFAULTS.payloadMaxBytes,
    });
  });

  it('refusesOkHttpTimeoutsLongerThanTheCall', () => {
    const message = errorOf(() => parse(v2('transport:\n  type: io.statefun.transports.v1/okhttp\n  timeouts: { call: 5s, connect: 1s, read: 10s }')));
    expect(message).toBe(
      'module.yaml, document 1 (io.statefun.endpoints.v2/http): spec.transport.timeouts.read (10000 ms) cannot be longer than the call timeout (5000 ms)',
    );
    expect(errorOf(() => parse(v2('transport:\n  type: io.statefun.transports.v1/okhttp\n  timeouts: { call: 5s }')))).toContain(
      'spec.transport.timeouts.call (5000 ms) is shorter than the default connect timeout (10000 ms); set connect as well',
    );
  });

  it('warnsAboutAsyncKeysOnTheOkHttpTransport', () => {
    const module = parse(v2('transport:\n  type: io.statefun.transports.v1/okhttp\n  call: 1m'));
    expect(warningsOf(module)).toEqual([expect.stringContaining('spec.transport.call is not a key of io.statefun.transports.v1/okhttp; it is ignored')]);
  });

  it('refusesAnUnknownTransportType', () => {
    expect(errorOf(() => parse(v2('transport:\n  type: io.statefun.transports.v1/grpc')))).toContain(
      'spec.transport.type is not a known transport; use one of io.statefun.transports.v1/async, io.statefun.transports.v1/okhttp, io.statefun-aws.transports.v1/lambda',
    );
  });

  it('requiresFunctionsAndUrlPathTemplate', () => {
    expect(errorOf(() => parse(component(V2, 'functions: shop/*')))).toBe(
      'module.yaml, document 1 (io.statefun.endpoints.v2/http): spec.urlPathTemplate is missing',
    );
    expect(errorOf(() => parse(component(V2, 'urlPathTemplate: http://x')))).toBe('module.yaml, document 1 (io.statefun.endpoints.v2/http): spec.functions is missing');
  });

  it('validatesMaxNumBatchRequestsPoolSizeAndPayloadSize', () => {
    expect(errorOf(() => parse(v2('maxNumBatchRequests: lots')))).toContain('spec.maxNumBatchRequests must be a whole number of at least 1, got "lots"');
    expect(errorOf(() => parse(v2('transport: { pool_size: 0 }')))).toContain('spec.transport.pool_size must be a whole number of at least 1, got 0');
    expect(errorOf(() => parse(v2('transport: { payload_max_bytes: 1.5 }')))).toContain('spec.transport.payload_max_bytes must be a whole number');
  });

  it('resolvesTlsFilesAgainstTheModuleFile', async () => {
    const module = await loadFixture('transports.module.yaml');
    const uds = module.endpoints[2]!.transport as HttpTransportSpec;
    expect(uds.tls).toEqual({
      trustCaCerts: join(FIXTURES, 'certs/ca.pem'),
      clientCert: '/etc/statefun/client.crt',
      clientKey: join(FIXTURES, 'client.key'),
      clientKeyPassword: join(FIXTURES, 'certs/password.txt'),
    });
    expect(warningsOf(module)).toEqual([expect.stringContaining('spec.transport.client_key uses "classpath:"')]);
    expect(http(v2('transport: { trust_cacerts: ~/ca.pem }')).tls.trustCaCerts).toBe(join(homedir(), 'ca.pem'));
  });

  it('needsClientCertAndKeyTogether', () => {
    expect(errorOf(() => parse(v2('transport: { client_cert: a.crt }')))).toContain('spec.transport needs both client_cert and client_key for mutual TLS, or neither');
    expect(errorOf(() => parse(v2('transport: { client_key_password: p.txt }')))).toContain('spec.transport.client_key_password is set, but there is no client_key');
  });

  it('readsEveryTransportOfTheFixture', async () => {
    const module = await loadFixture('transports.module.yaml');
    expect(module.warnings).toHaveLength(1);
    const [v1, okhttp, uds, fromLambda] = module.endpoints;
    expect(v1).toMatchObject({ declaredAs: V1, maxNumBatchRequests: 250 });
    expect(v1!.transport).toMatchObject({ type: 'io.statefun.transports.v1/okhttp', callTimeoutMs: 120_000, connectTimeoutMs: 5000, readTimeoutMs: 30_000, writeTimeoutMs: 60_000 });
    expect(okhttp).toMatchObject({ functions: { kind: 'exact', typename: 'okhttp.fns/greeter' } });
    expect(okhttp!.transport).toMatchObject({ callTimeoutMs: 60_000, connectTimeoutMs: 30_000, readTimeoutMs: 20_000, writeTimeoutMs: 10_000 });
    expect(uds!.transport).toMatchObject({ callTimeoutMs: 180_000, connectTimeoutMs: 2500, poolTtlMs: 0, poolSize: 16, payloadMaxBytes: 1_048_576 });
    expect(fromLambda!.transport).toEqual({
      kind: 'lambda',
      type: 'io.statefun-aws.transports.v1/lambda',
      functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:fns-{function.name}',
      qualifier: 'live',
      region: 'eu-west-1',
      callTimeoutMs: 90_000,
      payloadMaxBytes: LAMBDA_DEFAULTS.payloadMaxBytes,
    });
  });
});

describe('io.statefun.endpoints.v1/http', () => {
  it('readsTimeoutsUnderSpecWithOkHttpDefaults', () => {
    const endpoint = onlyEndpoint(component(V1, 'functions: a/b\nurlPathTemplate: http://x/\ntimeouts: { read: 3s }'));
    expect(endpoint).toMatchObject({ declaredAs: V1, functions: { kind: 'exact', typename: 'a/b' } });
    expect(endpoint.transport).toMatchObject({ type: 'io.statefun.transports.v1/okhttp', callTimeoutMs: 60_000, connectTimeoutMs: 10_000, readTimeoutMs: 3000, writeTimeoutMs: 10_000 });
  });

  it('warnsThatV1HasNoTransport', () => {
    const module = parse(component(V1, 'functions: a/b\nurlPathTemplate: http://x/\ntransport: { type: io.statefun.transports.v1/async }'));
    expect(warningsOf(module)).toEqual([expect.stringContaining('spec.transport is not a key of io.statefun.endpoints.v1/http; it is ignored')]);
  });
});

describe('durations as StateFun writes them', () => {
  const callOf = (value: string): number => http(v2(`transport: { call: ${value} }`)).callTimeoutMs;

  it.each([
    ['1 min', 60_000],
    ['2m', 120_000],
    ['10s', 10_000],
    ['5min', 300_000],
    ['60000 ms', 60_000],
    ['60000', 60_000],
    ['"250"', 250],
    ['1minute', 60_000],
    ['1minutes', 60_000],
    ['20seconds', 20_000],
    ['10 sec', 10_000],
    ['1day', 86_400_000],
    ['2 h', 7_200_000],
    ['1500 micros', 2],
  ])('reads %s', (text, ms) => {
    expect(callOf(text)).toBe(ms);
  });

  it('namesTheKeyAndTheValueOfABadDuration', () => {
    expect(errorOf(() => callOf('soon'))).toBe(
      'module.yaml, document 1 (io.statefun.endpoints.v2/http): spec.transport.call: cannot read duration "soon"; write a number and a unit, e.g. "10 s", "5 min", "3 days", "250 ms"',
    );
    expect(errorOf(() => callOf('0 s'))).toContain('spec.transport.call: must be longer than zero, got "0 s"');
  });
});

describe('the Lambda transport', () => {
  const withTransport = (yaml: string): string => component(V2, `functions: shop/*\ntransport:\n  type: io.statefun-aws.transports.v1/lambda\n${yaml.replace(/^/gm, '  ')}`);

  it('defaultsItsCallTimeoutAndPayloadLimit', () => {
    expect(lambda(withTransport('function_name: shop-{function.name}'))).toEqual({
      kind: 'lambda',
      type: 'io.statefun-aws.transports.v1/lambda',
      functionName: 'shop-{function.name}',
      qualifier: undefined,
      region: undefined,
      callTimeoutMs: 120_000,
      payloadMaxBytes: 6 * 1024 * 1024,
    });
  });

  it('resolvesTheFunctionPerFunctionType', () => {
    const spec = lambda(withTransport('function_name: shop-{function.name}:live\nregion: eu-central-1'));
    expect(lambdaFunctionName(spec, 'shop/cart')).toEqual({ functionName: 'shop-cart', qualifier: 'live', region: 'eu-central-1' });
    const partial = lambda(withTransport('function_name: 123456789012:function:fns'));
    expect(lambdaFunctionName(partial, 'shop/cart')).toEqual({ functionName: '123456789012:function:fns', qualifier: undefined, region: undefined });
    expect(errorOf(() => lambdaFunctionName(spec, 'shop/bad.name'))).toContain('Lambda function of shop/bad.name "shop-bad.name:live" is not a Lambda function');
  });

  it('warnsThatAUrlIsNotUsed', () => {
    const module = parse(component(V2, 'functions: a/*\nurlPathTemplate: http://x/\ntransport: { type: io.statefun-aws.transports.v1/lambda, function_name: f }'));
    expect(warningsOf(module)).toEqual([expect.stringContaining('spec.urlPathTemplate is not used by the io.statefun-aws.transports.v1/lambda transport')]);
  });

  it('refusesConflictsAndBadNames', () => {
    expect(errorOf(() => parse(withTransport('function_name: f:one\nqualifier: two')))).toContain(
      'spec.transport.qualifier is "two", but function_name already names qualifier "one"',
    );
    expect(errorOf(() => parse(withTransport('function_name: arn:aws:lambda:eu-west-1:123456789012:function:f\nregion: us-east-1')))).toContain(
      'spec.transport.region is "us-east-1", but the function ARN is in "eu-west-1"',
    );
    expect(errorOf(() => parse(withTransport('function_name: "my function"')))).toContain('spec.transport.function_name "my function" is not a Lambda function');
    expect(errorOf(() => parse(withTransport('function_name: f\npayload_max_bytes: 7000000')))).toContain(
      'spec.transport.payload_max_bytes must be a whole number from 1 to 6291456, got 7000000',
    );
    expect(errorOf(() => parse(withTransport('qualifier: live')))).toContain('spec.transport.function_name is missing');
    expect(errorOf(() => parse(withTransport('function_name: f\nregion: Europe')))).toContain('spec.transport.region must be an AWS region such as "eu-west-1", got "Europe"');
  });
});

describe('function patterns', () => {
  it('readsATypeOrANamespace', () => {
    expect(parseFunctionPattern('shop/cart', 'p')).toEqual({ kind: 'exact', typename: 'shop/cart' });
    expect(parseFunctionPattern('shop/*', 'p')).toEqual({ kind: 'namespace', namespace: 'shop' });
    expect(matchesPattern({ kind: 'namespace', namespace: 'shop' }, 'shop/cart')).toBe(true);
    expect(matchesPattern({ kind: 'namespace', namespace: 'shop' }, 'shopping/cart')).toBe(false);
    expect(matchesPattern({ kind: 'exact', typename: 'shop/cart' }, 'shop/carts')).toBe(false);
  });

  it.each([
    ['*/cart', 'only <namespace>/<name> or <namespace>/* are supported'],
    ['shop/c*', 'only <namespace>/<name> or <namespace>/* are supported'],
    ['a/b/c', 'has a "/" in its namespace'],
    ['cart', 'is not of the form <namespace>/<name>'],
  ])('refuses %s', (pattern, problem) => {
    expect(errorOf(() => parse(component(V2, `functions: "${pattern}"\nurlPathTemplate: http://x/`)))).toContain(problem);
  });
});

describe('URL templates', () => {
  it('substitutesTheFunctionName', () => {
    const url = parseUrlTemplate('https://fns.example.com:8443/v1/{function.name}?tenant=acme', 'url');
    expect(functionUrl(url, 'shop/cart')).toEqual({ url: 'https://fns.example.com:8443/v1/cart?tenant=acme', tls: true, socketPath: undefined, path: '/v1/cart?tenant=acme' });
    expect(functionUrl(parseUrlTemplate('http://greeter-functions:1108/', 'url'), 'greeter.fns/user')).toMatchObject({
      url: 'http://greeter-functions:1108/',
      path: '/',
    });
  });

  it('splitsAUnixSocketPathFromTheUrlPath', () => {
    const url = parseUrlTemplate('http+unix:///run/statefun/fns.sock/api/{function.name}', 'url');
    expect(url.scheme).toBe('http+unix');
    expect(functionUrl(url, 'shop/cart')).toEqual({ url: 'http://localhost/api/cart', tls: false, socketPath: '/run/statefun/fns.sock', path: '/api/cart' });
    expect(functionUrl(parseUrlTemplate('https+unix:///uds.sock', 'url'), 'a/b')).toEqual({
      url: 'https://localhost/',
      tls: true,
      socketPath: '/uds.sock',
      path: '/',
    });
    expect(functionUrl(parseUrlTemplate('HTTP+UNIX:///tmp/{function.name}.sock/x?y=1', 'url'), 'a/b')).toMatchObject({ socketPath: '/tmp/b.sock', path: '/x?y=1' });
  });

  it.each([
    ['http+unix:///tmp/no-socket/path', 'names no socket file: one path segment must end in ".sock"'],
    ['http+unix:/tmp/a.sock/x', 'must look like http+unix:///path/to/file.sock/url/path'],
    ['ftp://fns/{function.name}', 'needs one of the schemes http, https, http+unix, https+unix, not "ftp"'],
    ['fns:8000/statefun', 'needs one of the schemes'],
    ['http://', 'is not a valid URL'],
  ])('refuses %s', (template, problem) => {
    expect(errorOf(() => parseUrlTemplate(template, 'spec.urlPathTemplate'))).toContain(problem);
  });

  it('namesTheDocumentOfABadTemplate', () => {
    expect(errorOf(() => parse(component(V2, 'functions: a/*\nurlPathTemplate: "ftp://x/"')))).toBe(
      'module.yaml, document 1 (io.statefun.endpoints.v2/http): spec.urlPathTemplate "ftp://x/" needs one of the schemes http, https, http+unix, https+unix, not "ftp"',
    );
  });
});

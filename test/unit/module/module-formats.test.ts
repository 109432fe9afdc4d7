import { describe, expect, it } from 'vitest';
import {
  ASYNC_DEFAULTS,
  type HttpTransportSpec,
  OKHTTP_DEFAULTS,
  PLAYGROUND_EGRESS_ID,
  PLAYGROUND_INGRESS_ID,
  playgroundRouter,
  UNTYPED_STATE_TYPENAME,
} from '../../../runtime/module/index.js';
import { asyncErrorOf, component, errorOf, fixturePath, loadFixture, parse, warningsOf } from './helpers.js';

describe('the 3.1+ component format', () => {
  it('loadsAPlaygroundTutorialModuleWithItsDefaults', async () => {
    const module = await loadFixture('greeter.module.yaml');
    expect(module.format).toBe('components');
    expect(module.name).toBe(fixturePath('greeter.module.yaml'));
    expect(module.warnings).toEqual([]);

    const [endpoint] = module.endpoints;
    expect(endpoint).toMatchObject({
      declaredAs: 'io.statefun.endpoints.v2/http',
      functions: { kind: 'namespace', namespace: 'greeter.fns' },
      maxNumBatchRequests: 1000,
      states: [],
      source: { module: fixturePath('greeter.module.yaml'), component: 'document 1 (io.statefun.endpoints.v2/http)' },
    });
    expect(endpoint!.transport).toMatchObject({ kind: 'http', type: 'io.statefun.transports.v1/async', ...ASYNC_DEFAULTS });

    expect(module.ingresses).toEqual([
      expect.objectContaining({ kind: 'io.statefun.playground.v1/ingress', id: PLAYGROUND_INGRESS_ID, port: 8090 }),
    ]);
    expect(module.egresses).toEqual([
      expect.objectContaining({ kind: 'io.statefun.playground.v1/egress', id: PLAYGROUND_EGRESS_ID, port: 8091, topics: ['greetings'] }),
    ]);
    // StateFun binds an auto-routing router to its playground ingress; so do we.
    expect(module.routers).toEqual([expect.objectContaining({ ingress: PLAYGROUND_INGRESS_ID, router: playgroundRouter, rules: undefined })]);
  });

  it('skipsEmptyDocumentsButKeepsDocumentNumbers', async () => {
    const module = await loadFixture('shopping-cart.module.yaml');
    expect(module.endpoints).toHaveLength(1);
    expect(module.ingresses[0]!.source.component).toBe('document 3 (io.statefun.playground.v1/ingress)');
    expect(module.egresses[0]!.source.component).toBe('document 4 (io.statefun.playground.v1/egress)');
    expect(module.egresses[0]).toMatchObject({ topics: ['receipts'] });
  });

  it('readsAShowcaseModuleWithKafkaAndAOneDayCallBudget', async () => {
    const module = await loadFixture('showcase.module.yaml');
    expect((module.endpoints[0]!.transport as HttpTransportSpec).callTimeoutMs).toBe(86_400_000);
    expect(module.ingresses[0]).toMatchObject({ kind: 'io.statefun.kafka.v1/ingress', id: 'showcase.io/logins', startupPosition: { type: 'earliest' } });
    expect(module.egresses[0]).toMatchObject({ deliverySemantic: { type: 'exactly-once', transactionTimeoutMs: 900_000 } });
    expect(module.routers[0]!.rules).toEqual([
      { source: 'logins', valueType: 'showcase.types/UserLogin', targets: ['showcase.fns/user'], idFrom: { type: 'record-key' } },
    ]);
  });

  it('acceptsAnEmptyFile', () => {
    const module = parse('# nothing yet\n');
    expect(module).toMatchObject({ format: 'components', endpoints: [], ingresses: [], egresses: [], routers: [] });
  });

  it('refusesAnUnknownKindNamingTheDocumentAndTheKnownKinds', () => {
    const message = errorOf(() => parse(`${component('io.statefun.playground.v1/ingress', 'port: 1')}---\n${component('com.foo.bar/test.component', 'foo: bar')}`));
    expect(message).toContain('module.yaml, document 2 (com.foo.bar/test.component): kind is not a known component kind');
    expect(message).toContain('io.statefun-aws.sqs.v1/ingress');
  });

  it('refusesADocumentWithoutKindOrSpec', () => {
    expect(errorOf(() => parse('spec: { port: 1 }\n'))).toBe('module.yaml, document 1: kind is missing');
    expect(errorOf(() => parse('kind: io.statefun.playground.v1/ingress\n'))).toBe(
      'module.yaml, document 1 (io.statefun.playground.v1/ingress): spec is missing',
    );
    expect(errorOf(() => parse('- a\n- b\n'))).toContain('module.yaml, document 1 must be a component: a mapping with "kind" and "spec", got ["a","b"]');
  });

  it('explainsAVersionKeyInAMultiDocumentFile', () => {
    const text = `version: "3.0"\nmodule: {}\n---\n${component('io.statefun.playground.v1/ingress', 'port: 1')}`;
    expect(errorOf(() => parse(text))).toContain('module.yaml, document 1 has "version", which only a single-document module may have');
  });

  it('namesTheFileDocumentAndLineOfAYamlSyntaxError', () => {
    const message = errorOf(() => parse(`${component('io.statefun.playground.v1/ingress', 'port: 1')}---\nkind: [oops\n`, 'shop/module.yaml'));
    expect(message).toMatch(/^shop\/module\.yaml, document 2: YAML syntax error: .* at line \d+, column \d+/s);
    expect(message).toContain('kind: [oops');
  });

  it('refusesDuplicateKeysAsYamlDoes', () => {
    expect(errorOf(() => parse('kind: a/b\nkind: c/d\nspec: {}\n'))).toMatch(/document 1: YAML syntax error: Map keys must be unique/);
  });

  it('warnsAboutUnknownKeysAtEveryLevelAndIgnoresThem', () => {
    const module = parse(
      [
        'kind: io.statefun.endpoints.v2/http',
        'apiVersion: v1',
        'spec:',
        '  functions: shop/*',
        '  urlPathTemplate: http://fns/{function.name}',
        '  maxBatch: 10',
        '  transport:',
        '    pool_sise: 3',
      ].join('\n'),
    );
    expect(warningsOf(module)).toEqual([
      'module.yaml, document 1 (io.statefun.endpoints.v2/http): spec.transport.pool_sise is not a key of io.statefun.transports.v1/async; it is ignored',
      'module.yaml, document 1 (io.statefun.endpoints.v2/http): spec.maxBatch is not a key of io.statefun.endpoints.v2/http; it is ignored',
      'module.yaml, document 1 (io.statefun.endpoints.v2/http): apiVersion is not a key of a component document (kind, spec); it is ignored',
    ]);
    expect(module.endpoints[0]!.maxNumBatchRequests).toBe(1000);
  });

  it('reportsAMissingFileByPath', async () => {
    const message = await asyncErrorOf(() => loadFixture('no-such.module.yaml'));
    expect(message).toContain('cannot read module file');
    expect(message).toContain('no-such.module.yaml');
  });
});

describe('the single-document version "3.0" format', () => {
  it('readsEndpointsIngressesAndEgressesWithTheirMetaIds', async () => {
    const module = await loadFixture('legacy-3.0.module.yaml');
    expect(module.format).toBe('3.0');
    expect(module.warnings).toEqual([]);
    expect(module.endpoints[0]).toMatchObject({
      declaredAs: 'io.statefun.endpoints.v1/http',
      functions: { kind: 'namespace', namespace: 'com.foo.bar' },
      maxNumBatchRequests: 10_000,
      source: { component: 'module.spec.endpoints[0] (io.statefun.endpoints.v1/http)' },
      transport: { type: 'io.statefun.transports.v1/okhttp', callTimeoutMs: 60_000, connectTimeoutMs: 10_000, readTimeoutMs: 10_000, writeTimeoutMs: 10_000 },
    });
    expect(module.ingresses.map((i) => [i.kind, i.id])).toEqual([
      ['io.statefun.playground.v1/ingress', 'io.statefun.playground/ingress'],
      ['io.statefun.kafka.v1/ingress', 'com.foo.bar/names'],
    ]);
    expect(module.egresses.map((e) => [e.kind, e.id])).toEqual([
      ['io.statefun.kafka.v1/egress', 'com.foo.bar/greets'],
      ['io.statefun-aws.log.v1/egress', 'com.foo.bar/log'],
    ]);
    expect(module.egresses[0]).toMatchObject({ properties: { 'foo.config': 'bar' } });
  });

  it('acceptsAnUnquotedVersionNumber', () => {
    const module = parse('version: 3.0\nmodule:\n  meta: { type: REMOTE }\n  spec: {}\n');
    expect(module.format).toBe('3.0');
  });

  it('namesThePathOfABadValueInsideAnEntry', () => {
    const text = [
      'version: "3.0"',
      'module:',
      '  meta: { type: remote }',
      '  spec:',
      '    endpoints:',
      '      - endpoint:',
      '          meta: { kind: http }',
      '          spec: { functions: a/* }',
    ].join('\n');
    expect(errorOf(() => parse(text))).toBe(
      'module.yaml, module.spec.endpoints[0] (io.statefun.endpoints.v1/http): endpoint.spec.urlPathTemplate is missing',
    );
  });

  it('requiresTheIdOfAnIngressOrEgress', () => {
    const text = [
      'version: "3.0"',
      'module:',
      '  meta: { type: remote }',
      '  spec:',
      '    egresses:',
      '      - egress:',
      '          meta: { type: io.statefun.kafka/egress }',
      '          spec: { address: "k:9092" }',
    ].join('\n');
    expect(errorOf(() => parse(text))).toBe('module.yaml, module.spec.egresses[0] (io.statefun.kafka.v1/egress): egress.meta.id is missing');
  });

  it('refusesAnEgressKindListedWithTheIngresses', () => {
    const text = [
      'version: "3.0"',
      'module:',
      '  meta: { type: remote }',
      '  spec:',
      '    ingresses:',
      '      - ingress:',
      '          meta: { type: io.statefun-aws.log.v1/egress, id: a/b }',
      '          spec: {}',
    ].join('\n');
    expect(errorOf(() => parse(text))).toBe(
      'module.yaml, module.spec.ingresses[0] (io.statefun-aws.log.v1/egress): ingress.meta.type is an egress kind, but it is listed under module.spec.ingresses',
    );
  });

  it('refusesOtherModuleTypesAndVersions', () => {
    expect(errorOf(() => parse('version: "3.0"\nmodule:\n  meta: { type: embedded }\n  spec: {}\n'))).toBe(
      'module.yaml, version 3.0 module: module.meta.type is "embedded"; the only module type is "remote"',
    );
    expect(errorOf(() => parse('version: "3.1"\nmodule: {}\n'))).toContain('version "3.1" has no single-document form');
    expect(errorOf(() => parse('version: "4.0"\nmodule: {}\n'))).toContain('module format version "4.0" is not one of "3.0", "2.0", "1.0"');
  });
});

describe('the version "2.0" remote module format', () => {
  it('declaresEachFunctionWithItsEndpointTimeoutsAndEagerStates', async () => {
    const module = await loadFixture('legacy-2.0.module.yaml');
    expect(module.format).toBe('2.0');
    const [greeter, counter] = module.endpoints;
    expect(greeter).toMatchObject({
      declaredAs: 'version 2.0 function',
      functions: { kind: 'exact', typename: 'example/greeter' },
      maxNumBatchRequests: 500,
      source: { component: 'module.spec.functions[0] (example/greeter)' },
      transport: { type: 'io.statefun.transports.v1/okhttp', callTimeoutMs: 120_000, ...pick(OKHTTP_DEFAULTS, 'connectTimeoutMs', 'readTimeoutMs', 'writeTimeoutMs') },
    });
    expect(greeter!.states).toEqual([
      { name: 'seen_count', typename: UNTYPED_STATE_TYPENAME, expiration: { mode: 'after-invoke', ttlMs: 300_000 } },
      { name: 'last_seen', typename: UNTYPED_STATE_TYPENAME, expiration: { mode: 'after-write', ttlMs: 86_400_000 } },
      { name: 'profile', typename: UNTYPED_STATE_TYPENAME, expiration: { mode: 'none', ttlMs: 0 } },
    ]);
    expect(counter).toMatchObject({
      functions: { kind: 'exact', typename: 'example/counter' },
      maxNumBatchRequests: 1000,
      transport: { url: { scheme: 'http+unix' }, callTimeoutMs: 30_000, connectTimeoutMs: 2000, readTimeoutMs: 3000, writeTimeoutMs: 4000 },
    });
  });

  it('readsStateFun2KindsAndTheirTypeUrlAsToday', async () => {
    const module = await loadFixture('legacy-2.0.module.yaml');
    expect(module.ingresses[0]).toMatchObject({
      kind: 'io.statefun.kafka.v1/ingress',
      id: 'example/names',
      topics: [{ topic: 'names', valueType: 'com.googleapis/example.GreetRequest', targets: ['example/greeter'] }],
    });
    expect(module.egresses[0]).toMatchObject({ kind: 'io.statefun.kafka.v1/egress', id: 'example/greets' });
    expect(warningsOf(module)).toEqual([
      expect.stringContaining('module.spec.functions[1] (example/counter): has "meta" and "spec" next to "function:"'),
      expect.stringContaining('ingress.meta.type is a StateFun 2.x kind; read as io.statefun.kafka.v1/ingress'),
      expect.stringContaining('ingress.spec.topics[0].typeUrl is StateFun 2.x\'s name for valueType'),
      expect.stringContaining('egress.meta.type is a StateFun 2.x kind; read as io.statefun.kafka.v1/egress'),
    ]);
  });

  it('turnsABareProtobufTypeUrlIntoATypename', () => {
    const text = [
      'version: "2.0"',
      'module:',
      '  meta: { type: remote }',
      '  spec:',
      '    ingresses:',
      '      - ingress:',
      '          meta: { type: statefun.kinesis.io/routable-protobuf-ingress, id: a/in }',
      '          spec:',
      '            streams: [{ stream: s, typeUrl: com.acme.User, targets: [a/f] }]',
    ].join('\n');
    expect(parse(text).ingresses[0]).toMatchObject({ streams: [{ stream: 's', valueType: 'type.googleapis.com/com.acme.User' }] });
  });

  it('readsVersion1StateNames', async () => {
    const module = await loadFixture('legacy-1.0.module.yaml');
    expect(module.format).toBe('1.0');
    expect(module.endpoints[0]!.states.map((s) => s.name)).toEqual(['seen', 'visits']);
  });

  const version2 = (functionYaml: string): string =>
    ['version: "2.0"', 'module:', '  meta: { type: remote }', '  spec:', '    functions:', ...functionYaml.split('\n').map((l) => `      ${l}`)].join('\n');

  it('refusesGrpcFunctionsAndProtobufRouters', () => {
    expect(errorOf(() => parse(version2('- function:\n    meta: { kind: grpc, type: a/b }\n    spec: { host: h, port: 1 }')))).toContain(
      'module.yaml, module.spec.functions[0] (a/b): function.meta.kind is "grpc": StateFun 2.x gRPC functions are not supported',
    );
    const routers = 'version: "2.0"\nmodule:\n  meta: { type: remote }\n  spec:\n    routers:\n      - router: { meta: { type: org.apache.flink.statefun.sdk/protobuf-router } }\n';
    expect(errorOf(() => parse(routers))).toContain('module.spec.routers declares StateFun 2.x protobuf routers, which are not supported');
    expect(parse('version: "2.0"\nmodule:\n  meta: { type: remote }\n  spec: { routers: [] }\n').endpoints).toEqual([]);
  });

  it('validatesStatesAndEndpoints', () => {
    const fn = (spec: string): string => version2(`- function:\n    meta: { kind: http, type: a/b }\n    spec: ${spec}`);
    expect(errorOf(() => parse(fn('{ endpoint: "ftp://x/y" }')))).toContain('function.spec.endpoint "ftp://x/y" needs one of the schemes http, https, http+unix, https+unix');
    expect(errorOf(() => parse(fn('{ endpoint: "http://x", states: [{ name: 1st }] }')))).toContain(
      'function.spec.states[0] is not a valid state: state name "1st" of a/b is invalid',
    );
    expect(errorOf(() => parse(fn('{ endpoint: "http://x", states: [s, s] }')))).toContain('function.spec.states[1] declares state "s" of a/b a second time');
    expect(errorOf(() => parse(fn('{ endpoint: "http://x", states: [{ name: s, expireAfter: 5min, expireMode: sometimes }] }')))).toContain(
      'function.spec.states[0].expireMode must be one of after-invoke, after-write, got "sometimes"',
    );
    expect(errorOf(() => parse(fn('{ endpoint: "http://x", timeout: 0 }')))).toContain('function.spec.timeout: must be longer than zero');
    expect(errorOf(() => parse(fn('{ endpoint: "http://x", maxNumBatchRequests: 0 }')))).toContain(
      'function.spec.maxNumBatchRequests must be a whole number of at least 1, got 0',
    );
  });

  it('treatsAZeroExpiryAsNeverAndWarnsAboutAModeWithoutExpiry', () => {
    const text = version2('- function:\n    meta: { kind: http, type: a/b }\n    spec:\n      endpoint: http://x\n      states: [{ name: s, expireAfter: 0 }, { name: t, expireMode: after-write }]');
    const module = parse(text);
    expect(module.endpoints[0]!.states.map((s) => s.expiration)).toEqual([{ mode: 'none', ttlMs: 0 }, { mode: 'none', ttlMs: 0 }]);
    expect(warningsOf(module)).toEqual([expect.stringContaining('function.spec.states[1].expireMode has no effect without expireAfter')]);
  });
});

function pick<T extends object, K extends keyof T>(object: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, object[k]])) as Pick<T, K>;
}

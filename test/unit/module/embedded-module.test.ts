import { describe, expect, it } from 'vitest';
import { defineFunction } from 'statefun-aws';
import {
  configureModule,
  defineModule,
  type EmbeddedModule,
  findEmbeddedModule,
  globalConfig,
  isEmbeddedModule,
  loadModule,
  type ModuleBinder,
  type ModuleDeclaration,
} from '../../../runtime/module/index.js';
import { asyncErrorOf, errorOf, fixturePath, onlyIngress, warningsOf } from './helpers.js';

const greeter = defineFunction({ typename: 'example/greeter', handler: () => {} });
const counter = defineFunction({ typename: 'example/counter', handler: () => {} });

function configure(configureFn: (binder: ModuleBinder) => void, name = 'shop'): Promise<ModuleDeclaration> {
  return configureModule(defineModule({ name, configure: (_config, binder) => configureFn(binder) }), globalConfig());
}

describe('defineModule', () => {
  it('takesAConfigureFunctionOrOptions', () => {
    expect(isEmbeddedModule(defineModule(() => {}))).toBe(true);
    expect(defineModule({ name: 'shop', configure: () => {} }).name).toBe('shop');
    expect(isEmbeddedModule({ name: 'fake', configure: () => {} })).toBe(false);
  });

  it('validatesEagerly', () => {
    expect(errorOf(() => defineModule({ name: 'shop' } as never))).toBe('defineModule needs a configure function (config, binder) => …, got {"name":"shop"}');
    expect(errorOf(() => defineModule({ name: ' ', configure: () => {} }))).toBe('the name of a module must be a non-empty string, got " "');
  });
});

describe('the binder', () => {
  it('bindsFunctionsEndpointsIngressesEgressesAndRoutersLikeModuleYaml', async () => {
    const route = (): [] => [];
    const module = await configure((binder) => {
      binder.bindFunction(greeter);
      binder.bindEndpoint({ kind: 'io.statefun.endpoints.v2/http', spec: { functions: 'remote/*', urlPathTemplate: 'http://fns/{function.name}', transport: { call: { seconds: 30 } } } });
      binder.bindIngress({ kind: 'io.statefun.playground.v1/ingress', spec: { port: 8090 } });
      binder.bindIngress({ kind: 'io.statefun-aws.sqs.v1/ingress', spec: { id: 'example/in', queue: 'in' } });
      binder.bindEgress({ kind: 'io.statefun.playground.v1/egress', spec: { port: 8091, topics: ['greetings'] } });
      binder.bindRouter({ ingress: 'example/in', router: route });
      binder.bindRouter({ ingress: 'example/in', rules: [{ valueType: 'example/Hello', targets: ['example/greeter'], idFrom: 'body' }] });
    });
    expect(module).toMatchObject({ name: 'embedded module "shop"', format: 'embedded', warnings: [] });
    expect(module.functions).toEqual([{ definition: greeter, source: { module: 'embedded module "shop"', component: 'bindFunction #1 (example/greeter)' } }]);
    expect(module.endpoints[0]).toMatchObject({ functions: { kind: 'namespace', namespace: 'remote' }, transport: { callTimeoutMs: 30_000 } });
    expect(module.endpoints[0]!.source.component).toBe('bindEndpoint #2 (io.statefun.endpoints.v2/http)');
    // The same spec in YAML gives the same model.
    const fromYaml = onlyIngress('kind: io.statefun-aws.sqs.v1/ingress\nspec: { id: example/in, queue: in }\n');
    expect({ ...module.ingresses[1]!, source: undefined }).toEqual({ ...fromYaml, source: undefined });
    expect(module.egresses.map((e) => e.id)).toEqual(['io.statefun.playground/egress']);
    expect(module.routers.map((r) => [r.ingress, r.source.component])).toEqual([
      ['io.statefun.playground/ingress', 'bindIngress #3 (io.statefun.playground.v1/ingress)'],
      ['example/in', 'bindRouter #6 (example/in)'],
      ['example/in', 'bindRouter #7 (example/in)'],
    ]);
    expect(module.routers[1]!.router.route({ body: new Uint8Array(0) })).toEqual([]);
    expect(module.routers[2]!.rules).toEqual([{ source: undefined, valueType: 'example/Hello', targets: ['example/greeter'], idFrom: { type: 'body' } }]);
  });

  it('collectsWarningsOfBoundComponents', async () => {
    const module = await configure((binder) => {
      binder.bindEgress({ kind: 'io.statefun-aws.log.v1/egress', spec: { id: 'a/log', colour: 'red' } as never });
    });
    expect(warningsOf(module)).toEqual([
      'embedded module "shop", bindEgress #1 (io.statefun-aws.log.v1/egress): spec.colour is not a key of io.statefun-aws.log.v1/egress; it is ignored',
    ]);
  });

  it.each<[string, (binder: ModuleBinder) => void, string]>([
    ['a non-function', (b) => b.bindFunction({ typename: 'a/b' } as never), 'embedded module "shop", bindFunction #1: expects a function made with defineFunction(...), got {"typename":"a/b"}'],
    ['a function twice', (b) => { b.bindFunction(counter); b.bindFunction(counter); }, 'embedded module "shop", bindFunction #2 (example/counter): function type example/counter is already bound by this module'],
    ['an egress as ingress', (b) => b.bindIngress({ kind: 'io.statefun-aws.log.v1/egress', spec: { id: 'a/b' } } as never), 'embedded module "shop", bindIngress #1 (io.statefun-aws.log.v1/egress): kind is not an ingress kind; bind it with the binder method for its kind'],
    ['an unknown kind', (b) => b.bindEgress({ kind: 'com.acme/sink', spec: {} } as never), 'embedded module "shop", bindEgress #1 (com.acme/sink): kind is not a known component kind'],
    ['a bad spec', (b) => b.bindEgress({ kind: 'io.statefun-aws.sqs.v1/egress', spec: { id: 'a/out' } } as never), 'embedded module "shop", bindEgress #1 (io.statefun-aws.sqs.v1/egress): spec.queue is missing'],
    ['no spec', (b) => b.bindEndpoint({ kind: 'io.statefun.endpoints.v2/http' } as never), 'embedded module "shop", bindEndpoint #1 (io.statefun.endpoints.v2/http): spec is missing'],
    ['a router without ingress', (b) => b.bindRouter({ router: () => [] } as never), 'embedded module "shop", bindRouter #1: ingress must be a non-empty string of the form <namespace>/<name>, got undefined'],
    ['a router and rules', (b) => b.bindRouter({ ingress: 'a/in', router: () => [], rules: [] }), 'embedded module "shop", bindRouter #1 (a/in): expects either router or rules'],
    ['a router that is no router', (b) => b.bindRouter({ ingress: 'a/in', router: { go: 1 } } as never), 'embedded module "shop", bindRouter #1 (a/in): router must be a function or an object with route(record), got {"go":1}'],
    ['bad rules', (b) => b.bindRouter({ ingress: 'a/in', rules: [{ valueType: 'a/T', targets: ['a/f'] }] } as never), 'embedded module "shop", bindRouter #1 (a/in): rules[0].idFrom is missing'],
  ])('refuses %s, naming the module and the call', async (_, bind, message) => {
    expect(await asyncErrorOf(() => configure(bind))).toContain(message);
  });

  it('isClosedOnceConfigureReturns', async () => {
    let kept: ModuleBinder | undefined;
    await configure((binder) => {
      kept = binder;
    });
    expect(errorOf(() => kept!.bindFunction(greeter))).toBe('embedded module "shop": bindFunction was called after configure returned; bind everything inside configure');
  });

  it('awaitsAnAsyncConfigureAndPassesTheConfig', async () => {
    const module = defineModule({
      name: 'async',
      async configure(config, binder) {
        await Promise.resolve();
        binder.bindEgress({ kind: 'io.statefun-aws.file.v1/egress', spec: { id: 'a/out', path: config.string('out') } });
      },
    });
    const declaration = await configureModule(module, globalConfig({ args: ['--out', '/tmp/out.jsonl'] }));
    expect(declaration.egresses[0]).toMatchObject({ path: '/tmp/out.jsonl' });
    expect(await asyncErrorOf(() => configureModule(module, globalConfig()))).toContain('configuration key "out" is missing');
  });
});

describe('loading embedded modules from files', () => {
  it('importsTheOneModuleAFileExportsAndNamesItAfterTheFile', async () => {
    const loaded = (await loadModule(fixturePath('shop.module.ts'))) as EmbeddedModule;
    expect(isEmbeddedModule(loaded)).toBe(true);
    expect(loaded.name).toBe(fixturePath('shop.module.ts'));
    const declaration = await configureModule(loaded, globalConfig({ values: { 'shop.orders-queue': 'shop-orders.fifo' } }));
    expect(declaration.functions.map((f) => f.definition.typename)).toEqual(['shop/cart']);
    expect(declaration.ingresses[0]).toMatchObject({ id: 'shop/orders', queue: { name: 'shop-orders.fifo', fifo: true } });
  });

  it('loadsYamlByExtension', async () => {
    expect(await loadModule(fixturePath('greeter.module.yaml'))).toMatchObject({ format: 'components' });
  });

  it('refusesFilesWithoutOrWithSeveralModules', async () => {
    expect(await asyncErrorOf(() => loadModule(fixturePath('two-modules.ts')))).toContain('two-modules.ts must export exactly one module made with defineModule(...)');
    expect(await asyncErrorOf(() => loadModule(fixturePath('no-module.ts')))).toContain('but exports none');
    expect(await asyncErrorOf(() => loadModule(fixturePath('missing.ts')))).toContain('cannot import module');
    const module = defineModule(() => {});
    expect(findEmbeddedModule({ default: module, module }, 'same.ts')).toMatchObject({ name: 'same.ts' });
  });
});

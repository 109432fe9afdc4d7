import { describe, expect, it } from 'vitest';
import { defineFunction } from 'statefun-aws';
import { composeApp, defineModule, formatWarning, globalConfig, type ModuleBinder } from '../../../runtime/module/index.js';
import { asyncErrorOf, component, fixturePath, parse } from './helpers.js';

const fn = (typename: string): ReturnType<typeof defineFunction> => defineFunction({ typename, handler: () => {} });

const embedded = (name: string, bind: (binder: ModuleBinder) => void): ReturnType<typeof defineModule> =>
  defineModule({ name, configure: (_config, binder) => bind(binder) });

const remote = (functions: string, file = 'remote.yaml'): ReturnType<typeof parse> =>
  parse(component('io.statefun.endpoints.v2/http', `functions: "${functions}"\nurlPathTemplate: http://fns/{function.name}`), file);

describe('composeApp', () => {
  it('combinesEmbeddedModulesAndModuleFilesIntoOneModel', async () => {
    const app = await composeApp({
      modules: [fixturePath('shop.module.ts'), fixturePath('greeter.module.yaml'), embedded('extra', (b) => b.bindFunction(fn('extra/echo')))],
      config: { 'shop.orders-queue': 'orders.fifo' },
    });
    expect(app.modules.map((m) => m.format)).toEqual(['embedded', 'components', 'embedded']);
    expect([...app.functions.keys()]).toEqual(['shop/cart', 'extra/echo']);
    expect(app.endpoints.map((e) => e.functions)).toEqual([{ kind: 'namespace', namespace: 'greeter.fns' }]);
    expect([...app.ingresses.keys()]).toEqual(['shop/orders', 'io.statefun.playground/ingress']);
    expect([...app.egresses.keys()]).toEqual(['shop/audit', 'io.statefun.playground/egress']);
    expect(app.routersOf('shop/orders')).toHaveLength(1);
    expect(app.routersOf('nothing/here')).toEqual([]);
    expect(app.config.get('shop.orders-queue')).toBe('orders.fifo');
  });

  it('resolvesEmbeddedFirstThenExactRemoteThenTheNamespace', async () => {
    const app = await composeApp({
      modules: [
        embedded('local', (b) => b.bindFunction(fn('local/cart'))),
        parse(
          [
            component('io.statefun.endpoints.v2/http', 'functions: shop/*\nurlPathTemplate: http://all/{function.name}'),
            component('io.statefun.endpoints.v2/http', 'functions: shop/special\nurlPathTemplate: http://special/'),
          ].join('---\n'),
        ),
      ],
    });
    expect(app.resolveFunction('local/cart')).toMatchObject({ kind: 'embedded', typename: 'local/cart', function: { definition: { typename: 'local/cart' } } });
    expect(app.resolveFunction('shop/special')).toMatchObject({ kind: 'remote', match: 'exact', endpoint: { functions: { kind: 'exact' } } });
    expect(app.resolveFunction('shop/cart')).toMatchObject({ kind: 'remote', match: 'namespace', endpoint: { functions: { kind: 'namespace', namespace: 'shop' } } });
    expect(app.resolveFunction('other/cart')).toBeUndefined();
    expect(app.resolveFunction('shop.sub/cart')).toBeUndefined();
  });

  it('appliesArgumentsOverTheAppConfiguration', async () => {
    const seen: string[] = [];
    const module = defineModule((config) => {
      seen.push(config.string('region'));
    });
    await composeApp({ modules: [module], config: { region: 'eu-west-1' }, args: ['--region', 'us-east-1'] });
    await composeApp({ modules: [module], config: globalConfig({ values: { region: 'ap-south-1' } }) });
    expect(seen).toEqual(['us-east-1', 'ap-south-1']);
  });

  it('gathersTheWarningsOfEveryModule', async () => {
    const app = await composeApp({
      modules: [
        parse(component('io.statefun.playground.v1/ingress', 'port: 8090\nhost: 0.0.0.0'), 'a.yaml'),
        embedded('b', (binder) => binder.bindEgress({ kind: 'io.statefun-aws.log.v1/egress', spec: { id: 'b/log', level: 'debug' } as never })),
      ],
    });
    expect(app.warnings.map(formatWarning)).toEqual([
      'a.yaml, document 1 (io.statefun.playground.v1/ingress): spec.host is not a key of io.statefun.playground.v1/ingress; it is ignored',
      'embedded module "b", bindEgress #1 (io.statefun-aws.log.v1/egress): spec.level is not a key of io.statefun-aws.log.v1/egress; it is ignored',
    ]);
  });

  it('namesUnnamedEmbeddedModulesByPosition', async () => {
    const message = await asyncErrorOf(() =>
      composeApp({ modules: [embedded('one', (b) => b.bindFunction(fn('a/f'))), defineModule((_c, b) => b.bindFunction(fn('a/f')))] }),
    );
    expect(message).toBe(
      'function type "a/f" is bound twice: by embedded module "one", bindFunction #1 (a/f) and by embedded module "#2", bindFunction #1 (a/f)',
    );
  });

  it('refusesSomethingThatIsNotAModule', async () => {
    expect(await asyncErrorOf(() => composeApp({ modules: [{ name: 'x' } as never] }))).toBe(
      'module #1 must be a module path, a module made with defineModule(...) or a loaded module file, got {"name":"x"}',
    );
  });
});

describe('conflicts, each naming both sources', () => {
  it.each<[string, () => Parameters<typeof composeApp>[0]['modules'], string]>([
    [
      'an embedded function also served remotely',
      () => [embedded('shop', (b) => b.bindFunction(fn('shop/cart'))), remote('shop/cart')],
      'function type "shop/cart" is bound twice: by embedded module "shop", bindFunction #1 (shop/cart) and by remote.yaml, document 1 (io.statefun.endpoints.v2/http)',
    ],
    [
      'a remote function declared after an embedded one in reverse order',
      () => [remote('shop/cart'), embedded('shop', (b) => b.bindFunction(fn('shop/cart')))],
      'function type "shop/cart" is bound twice: by remote.yaml, document 1 (io.statefun.endpoints.v2/http) and by embedded module "shop", bindFunction #1 (shop/cart)',
    ],
    [
      'two exact endpoints',
      () => [remote('shop/cart', 'a.yaml'), remote('shop/cart', 'b.yaml')],
      'function type "shop/cart" is bound twice: by a.yaml, document 1 (io.statefun.endpoints.v2/http) and by b.yaml, document 1 (io.statefun.endpoints.v2/http)',
    ],
    [
      'one namespace twice',
      () => [remote('shop/*', 'a.yaml'), remote('shop/*', 'b.yaml')],
      'function namespace "shop/*" is bound twice: by a.yaml, document 1 (io.statefun.endpoints.v2/http) and by b.yaml, document 1 (io.statefun.endpoints.v2/http)',
    ],
    [
      'an embedded function inside a remote namespace',
      () => [remote('shop/*'), embedded('shop', (b) => b.bindFunction(fn('shop/cart')))],
      'embedded function "shop/cart" is shadowed by remote endpoint "shop/*" (declare the remote functions one by one, or move the embedded function to another namespace): by embedded module "shop", bindFunction #1 (shop/cart) and by remote.yaml, document 1 (io.statefun.endpoints.v2/http)',
    ],
    [
      'an egress declared twice',
      () => [
        parse(component('io.statefun-aws.log.v1/egress', 'id: shop/out'), 'a.yaml'),
        embedded('shop', (b) => b.bindEgress({ kind: 'io.statefun-aws.sqs.v1/egress', spec: { id: 'shop/out', queue: 'q' } })),
      ],
      'egress "shop/out" is declared twice: by a.yaml, document 1 (io.statefun-aws.log.v1/egress) and by embedded module "shop", bindEgress #1 (io.statefun-aws.sqs.v1/egress)',
    ],
    [
      'an ingress declared twice',
      () => [parse(component('io.statefun.playground.v1/ingress', 'port: 8090'), 'a.yaml'), parse(component('io.statefun.playground.v1/ingress', 'port: 9090'), 'b.yaml')],
      'ingress "io.statefun.playground/ingress" is declared twice: by a.yaml, document 1 (io.statefun.playground.v1/ingress) and by b.yaml, document 1 (io.statefun.playground.v1/ingress)',
    ],
    [
      'an ingress and an egress on one port',
      () => [parse(`${component('io.statefun.playground.v1/ingress', 'port: 8090')}---\n${component('io.statefun.playground.v1/egress', 'port: 8090\ntopics: [t]')}`, 'a.yaml')],
      'port 8090 is used by both ingress io.statefun.playground/ingress and egress io.statefun.playground/egress: by a.yaml, document 1 (io.statefun.playground.v1/ingress) and by a.yaml, document 2 (io.statefun.playground.v1/egress)',
    ],
    [
      'one SQS queue consumed twice',
      () => [
        parse(component('io.statefun-aws.sqs.v1/ingress', 'id: a/in\nqueue: orders'), 'a.yaml'),
        parse(component('io.statefun-aws.sqs.v1/ingress', 'id: b/in\nqueue: arn:aws:sqs:eu-west-1:123456789012:orders'), 'b.yaml'),
      ],
      'SQS queue "orders" is claimed by both ingress "a/in" and ingress "b/in": by a.yaml, document 1 (io.statefun-aws.sqs.v1/ingress) and by b.yaml, document 1 (io.statefun-aws.sqs.v1/ingress)',
    ],
    [
      'one HTTP route in two ingresses',
      () => [
        parse(component('io.statefun-aws.http.v1/ingress', 'id: a/api\nbasePath: /shop\nroutes: [{ path: "/c/{id}", valueType: a/T, targets: [a/f] }]'), 'a.yaml'),
        parse(component('io.statefun-aws.http.v1/ingress', 'id: b/api\nroutes: [{ path: "/shop/c/{id}", valueType: a/T, targets: [a/f] }]'), 'b.yaml'),
      ],
      'HTTP route "POST /shop/c/{id}" is claimed by both ingress "a/api" and ingress "b/api": by a.yaml, document 1 (io.statefun-aws.http.v1/ingress) and by b.yaml, document 1 (io.statefun-aws.http.v1/ingress)',
    ],
    [
      'a base path routed by address and by routes',
      () => [
        parse(component('io.statefun-aws.http.v1/ingress', 'id: a/api\nbasePath: /shop\nroutes: [{ path: "/c/{id}", valueType: a/T, targets: [a/f] }]'), 'a.yaml'),
        parse(component('io.statefun-aws.http.v1/ingress', 'id: b/api\nbasePath: /shop'), 'b.yaml'),
      ],
      'HTTP base path "/shop" is claimed by both ingress "a/api" and ingress "b/api": by a.yaml, document 1 (io.statefun-aws.http.v1/ingress) and by b.yaml, document 1 (io.statefun-aws.http.v1/ingress)',
    ],
  ])('refuses %s', async (_, modules, message) => {
    expect(await asyncErrorOf(() => composeApp({ modules: modules() }))).toBe(message);
  });

  it('letsTwoHttpIngressesShareABasePathWithDifferentRoutes', async () => {
    const app = await composeApp({
      modules: [
        embedded('fns', (b) => b.bindFunction(fn('a/f'))),
        parse(component('io.statefun-aws.http.v1/ingress', 'id: a/api\nbasePath: /shop\nroutes: [{ path: "/c/{id}", valueType: a/T, targets: [a/f] }]'), 'a.yaml'),
        parse(component('io.statefun-aws.http.v1/ingress', 'id: b/api\nbasePath: /shop\nroutes: [{ method: PUT, path: "/c/{id}", valueType: a/T, targets: [a/f] }]'), 'b.yaml'),
      ],
    });
    expect([...app.ingresses.keys()]).toEqual(['a/api', 'b/api']);
  });

  it('refusesARouterForAnUndeclaredIngress', async () => {
    const message = await asyncErrorOf(() =>
      composeApp({
        modules: [
          parse(component('io.statefun.playground.v1/ingress', 'port: 8090')),
          embedded('shop', (b) => b.bindRouter({ ingress: 'shop/orders', router: () => [] })),
        ],
      }),
    );
    expect(message).toBe(
      'embedded module "shop", bindRouter #1 (shop/orders): routes ingress "shop/orders", which no module declares (the ingresses are io.statefun.playground/ingress)',
    );
  });

  it('refusesAnIngressWithoutARouter', async () => {
    const message = await asyncErrorOf(() => composeApp({ modules: [parse(component('io.statefun-aws.sqs.v1/ingress', 'id: shop/orders\nqueue: orders'), 'a.yaml')] }));
    expect(message).toBe(
      'a.yaml, document 1 (io.statefun-aws.sqs.v1/ingress): ingress "shop/orders" has no router, so its records would go nowhere; give it routing (valueType, targets, idFrom) or bind a router to it',
    );
  });

  it('acceptsARouterFromAnotherModule', async () => {
    const app = await composeApp({
      modules: [
        parse(component('io.statefun-aws.sqs.v1/ingress', 'id: shop/orders\nqueue: orders'), 'a.yaml'),
        embedded('shop', (b) => {
          b.bindFunction(fn('shop/order'));
          b.bindRouter({ ingress: 'shop/orders', rules: [{ valueType: 'shop/Order', targets: ['shop/order'], idFrom: { type: 'json-pointer', pointer: '/id' } }] });
        }),
      ],
    });
    expect(app.routersOf('shop/orders')[0]!.router.route({ body: new TextEncoder().encode('{"id":"o-1"}') })).toMatchObject([
      { target: { typename: 'shop/order', id: 'o-1' }, value: { typename: 'shop/Order' } },
    ]);
  });

  it('refusesDeclarativeRoutingToAFunctionNoModuleServes', async () => {
    const message = await asyncErrorOf(() =>
      composeApp({ modules: [parse(component('io.statefun-aws.sqs.v1/ingress', 'id: shop/orders\nqueue: orders.fifo\nvalueType: shop/Order\ntargets: [shop/order]'), 'a.yaml')] }),
    );
    expect(message).toBe('a.yaml, document 1 (io.statefun-aws.sqs.v1/ingress): routes to function type "shop/order", which no module serves');
  });
});

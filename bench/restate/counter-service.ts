/**
 * The peer's side of the counter benchmark: a Restate virtual object keyed like our counter addresses.
 * Runs on Node 20, where the Restate SDK needs `Promise.withResolvers` (Node ≥ 22), hence the polyfill.
 * Outside the project's typecheck and lint: its SDK is in bench/node_modules, installed only by the benchmark.
 */
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

const restate = await import('@restatedev/restate-sdk');

const counter = restate.object({
  name: 'Counter',
  handlers: {
    add: async (ctx: import('@restatedev/restate-sdk').ObjectContext) => {
      const count = (await ctx.get<number>('count')) ?? 0;
      ctx.set('count', count + 1);
      return count + 1;
    },
    get: restate.handlers.object.shared(async (ctx: import('@restatedev/restate-sdk').ObjectSharedContext) => (await ctx.get<number>('count')) ?? 0),
  },
});

const port = Number(process.env.PORT ?? 9080);
await restate.endpoint().bind(counter).listen(port);
console.log(`restate-counter-service listening on ${port}`);

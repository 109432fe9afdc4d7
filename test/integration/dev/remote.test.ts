import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineFunction, intType, playgroundEgressRecord, stringType, valueSpec } from 'statefun-aws';
import { createRequestReplyListener } from '../../../runtime/remote/serve-http.js';
import { eventually, nextPayload, type Running, startDev, type TempApp, tempApp } from './dev-helpers.js';

let app: TempApp;
let dev: Running | undefined;
const servers: Server[] = [];

afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  for (const server of servers.splice(0)) await new Promise((r) => server.close(r));
  await app.remove();
});

const echo = defineFunction({
  typename: 'remote/echo',
  specs: { seen: valueSpec(intType) },
  handler(ctx, message) {
    const seen = (ctx.storage.seen ?? 0) + 1;
    ctx.storage.seen = seen;
    ctx.sendEgress(playgroundEgressRecord({ topic: 'out', payload: `${ctx.self.typename} ${message.as(stringType)} ${seen}` }));
  },
});
const sockEcho = defineFunction({ typename: 'sock/echo', specs: echo.specs, handler: echo.handler });

async function serve(where: { port: number } | { path: string }, fns: Parameters<typeof createRequestReplyListener>[0]): Promise<number> {
  const server = createServer(createRequestReplyListener(fns));
  servers.push(server);
  return new Promise((resolve) => {
    if ('path' in where) server.listen(where.path, () => resolve(0));
    else server.listen(where.port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

describe('statefun dev with remote functions', () => {
  it('invokesRemoteEndpointsOverHttpAndAUnixSocketAndReportsLambdaEndpoints', async () => {
    app = await tempApp({});
    const port = await serve({ port: 0 }, [echo]);
    const socket = join(app.dir, 'fn.sock');
    await serve({ path: socket }, [sockEcho]);
    await app.write(
      'module.yaml',
      `
kind: io.statefun.endpoints.v2/http
spec:
  functions: remote/*
  urlPathTemplate: http://127.0.0.1:${port}/{function.name}
---
kind: io.statefun.endpoints.v2/http
spec:
  functions: sock/echo
  urlPathTemplate: http+unix://${socket}/{function.name}
---
kind: io.statefun.endpoints.v2/http
spec:
  functions: aws/thing
  transport:
    type: io.statefun-aws.transports.v1/lambda
    function_name: thing
---
kind: io.statefun.playground.v1/ingress
spec:
  port: 8090
---
kind: io.statefun.playground.v1/egress
spec:
  port: 8091
  topics: [out]
`,
    );
    dev = await startDev(app, { app: { modules: [app.path('module.yaml')], args: [] } });
    expect(dev.server.banner.join('\n')).toMatch(/remote\/\* {2}http:\/\/127\.0\.0\.1:\d+\/\{function\.name\}/);
    expect(dev.server.banner.join('\n')).toMatch(/warning: functions aws\/thing use the Lambda transport .* statefun dev cannot invoke/);

    await dev.ingress('/remote/echo/a', { body: 'one' });
    expect(await nextPayload(dev, 'out')).toBe('remote/echo one 1');
    await dev.ingress('/remote/echo/a', { body: 'two' });
    expect(await nextPayload(dev, 'out')).toBe('remote/echo two 2');
    await dev.ingress('/sock/echo/b', { body: 'three' });
    expect(await nextPayload(dev, 'out')).toBe('sock/echo three 1');

    await dev.ingress('/aws/thing/c', { body: 'x' });
    await eventually(() => dev!.server.backend.recordOf('aws/thing/c')?.parked !== undefined, 5000, 'the Lambda function parked');
    expect(dev.server.backend.recordOf('aws/thing/c')?.parked?.reason).toMatch(/Lambda transport/);
  });
});

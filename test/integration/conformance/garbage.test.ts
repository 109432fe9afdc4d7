/**
 * Endpoints that answer garbage under `statefun dev`: a body that is not a FromFunction, one that parses but
 * holds invalid content, a 2xx of another content type, and a 404 are terminal — the address is parked at the
 * first attempt with the problem named, never retried — while functions behind the same endpoint that answer
 * properly (the official JS SDK) keep flowing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Context, egressMessageBuilder, type Message } from 'apache-flink-statefun';
import { afterEach, describe, expect, it } from 'vitest';
import { concat, field, varintField } from './protowire.js';
import { documents, endpointYaml, eventually, parkedEventually, parkedList, playgroundYaml, put, type Running, sdk, startYamlApp, statefun, takePayloads, type TempApp, PlaygroundEgressRecord, tempApp } from './harness.js';

const healthy = sdk({
  typename: 'junk/healthy',
  fn(ctx: Context, message: Message) {
    ctx.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic: 'out', payload: `healthy ${message.asString()}` }, valueType: PlaygroundEgressRecord }));
  },
});

/** What each path answers; `/healthy` is the official SDK. */
const ANSWERS: Record<string, { status: number; type: string; body: Uint8Array }> = {
  '/not-protobuf': { status: 200, type: 'application/octet-stream', body: Buffer.from([0xff, 0xff, 0xff, 0xff]) },
  '/invalid': {
    status: 200,
    type: 'application/octet-stream',
    // FromFunction { invocation_result { outgoing_messages { target { junk/healthy, id "" }, argument { string } } } }
    body: field(100, field(2, concat(field(1, concat(field(1, 'junk'), field(2, 'healthy'))), field(2, concat(field(1, 'io.statefun.types/string'), varintField(2, 1)))))),
  },
  '/html': { status: 200, type: 'text/html', body: Buffer.from('<html><body>It works!</body></html>') },
  '/not-found': { status: 404, type: 'text/plain', body: Buffer.from('no such route') },
};

let app: TempApp;
let dev: Running | undefined;
let server: http.Server | undefined;

afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  await app.remove();
});

describe('endpoints answering garbage', () => {
  it('parksEachAddressAtTheFirstAttemptWithTheProblemNamedAndKeepsTheHealthyFunctionsFlowing', async () => {
    const requests = new Map<string, number>();
    server = http.createServer((req, res) => {
      const path = req.url ?? '/';
      requests.set(path, (requests.get(path) ?? 0) + 1);
      if (path === '/healthy') {
        void healthy.handle(req, res);
        return;
      }
      req.resume();
      const answer = ANSWERS[path]!;
      res.writeHead(answer.status, { 'content-type': answer.type, 'content-length': answer.body.length });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = await tempApp({});
    await app.write('module.yaml', documents(endpointYaml({ functions: 'junk/*', urlPathTemplate: `${url}/{function.name}` }), playgroundYaml(['out'])));
    dev = await startYamlApp(app);

    for (const name of Object.keys(ANSWERS)) await put(dev, `/junk${name}/a`, 'hello');
    await put(dev, '/junk/healthy/a', 'hello');
    expect(await takePayloads(dev, 'out', 1)).toEqual(['healthy hello']);

    const reasons: Record<string, string> = {};
    for (const name of Object.keys(ANSWERS)) reasons[name] = (await parkedEventually(dev, `junk${name}/a`)).reason;
    const post = (name: string): string => `POST http://127\\.0\\.0\\.1:\\d+${name} \\(junk${name}\\)`;
    expect(reasons['/not-protobuf']).toMatch(/^TerminalError: the response of function junk\/not-protobuf \(id "a"\) \(4 bytes\) is not a FromFunction message: /);
    expect(reasons['/invalid']).toBe('TerminalError: the target of outgoing message #0 of the response of function junk/invalid (id "a") (junk/healthy) has an empty id');
    expect(reasons['/html']).toMatch(new RegExp(`^TerminalError: ${post('/html')}: answered 200 with content type "text/html" instead of application/octet-stream$`));
    expect(reasons['/not-found']).toMatch(new RegExp(`^TerminalError: ${post('/not-found')}: answered HTTP 404: "no such route"; not retried$`));
    // Terminal: one request each, no retry.
    for (const name of Object.keys(ANSWERS)) expect(requests.get(name), name).toBe(1);

    const list = await statefun('parked', '--data-dir', app.dataDir);
    expect(list.out).toMatch(/^4 parked addresses:/);
    for (const name of Object.keys(ANSWERS)) expect(list.out).toContain(`junk${name}/a`);

    // A later message to a parked address joins its letters; the healthy function still answers.
    await put(dev, '/junk/html/a', 'again');
    await put(dev, '/junk/healthy/b', 'again');
    expect(await takePayloads(dev, 'out', 1)).toEqual(['healthy again']);
    await eventually(async () => (await parkedList(dev!)).find((p) => p.address === 'junk/html/a')?.letters === 2, 10_000, 'two letters');
    expect(requests.get('/html')).toBe(1);
  });
});

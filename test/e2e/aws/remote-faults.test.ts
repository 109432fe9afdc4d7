/**
 * A remote function (StateFun's request-reply protocol over HTTP) behind a fault proxy: it times out, answers
 * 5xx, or answers garbage. Timeouts and 5xx are retried; garbage can never be read, so the address parks
 * (DESIGN I7) until the operator replays it. Afterwards every counter equals its model and every egress
 * record arrived exactly once.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsOperator } from '../../../runtime/aws/operator.js';
import { createRequestReplyHandler } from '../../../runtime/remote/serve.js';
import { useAwsEmulators } from '../../support/emulators.js';
import { counterApp, type ReceivedRecord, remoteCounter } from '../../integration/functions/counter-app.js';
import { eventually, type StartedApp, startOnEmulators } from '../../integration/functions/support.js';
import { expectExactlyOnce, Model, sendWorkload } from './workload.js';

const emulators = useAwsEmulators();

type ProxyFault = 'timeout' | '5xx' | 'garbage';

describe('remote function faults', () => {
  const prefix = `r-${randomUUID().slice(0, 8)}`;
  const received: ReceivedRecord[] = [];
  /** Faults for the next requests, in order; afterwards requests reach the function. */
  const faults: ProxyFault[] = [];
  const injected: Record<ProxyFault, number> = { timeout: 0, '5xx': 0, garbage: 0 };
  let server: Server;
  let app: StartedApp;

  beforeAll(async () => {
    const handle = createRequestReplyHandler([remoteCounter]);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const fault = faults.shift();
        if (fault !== undefined) injected[fault]++;
        const answer = async (): Promise<void> => {
          if (fault === '5xx') {
            res.writeHead(503, { 'content-type': 'text/plain' }).end('injected: unavailable');
            return;
          }
          if (fault === 'garbage') {
            res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0xff, 0xff, 0xff, 0x07, 0x13, 0x37]));
            return;
          }
          // A timeout: the function answers, but long after the caller's call budget.
          if (fault === 'timeout') await new Promise((resolve) => setTimeout(resolve, 3_000));
          const body = Buffer.concat(chunks);
          const out = await handle(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
          if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(out);
        };
        answer().catch((error: unknown) => res.writeHead(500).end(String(error)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    app = await startOnEmulators(await counterApp(prefix, { remoteUrl: `http://127.0.0.1:${port}`, callTimeout: '1s' }), emulators(), { prefix });
  });
  afterAll(async () => {
    await app?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });
  afterEach(() => {
    faults.length = 0;
  });

  const workload = (tag: string) => {
    const model = new Model();
    for (let j = 0; j < 4; j++) for (let i = 0; i < 3; i++) model.send(`${tag}-${i}`, { op: 'add', n: j + 1, ref: `${tag}-${i}:${j}` });
    return model.workload();
  };

  it('retriesTimeoutsAndServerErrors', async () => {
    faults.push('timeout', '5xx', '5xx', 'timeout', '5xx', 'timeout');
    const w = workload('flaky');
    await sendWorkload(app, w, 'remote');
    await expectExactlyOnce(app, w, received, 'it/remote');
    expect(injected.timeout).toBe(3);
    expect(injected['5xx']).toBe(3);
  });

  it('parksOnGarbageAndAppliesOnceWhenReplayed', async () => {
    faults.push('garbage', 'garbage');
    const w = workload('garbage');
    await sendWorkload(app, w, 'remote');
    const operator = awsOperator({ env: app.local.env });
    try {
      const parked = await eventually(async () => {
        const list = (await operator.parked()).filter((p) => p.address.id.startsWith('garbage-'));
        return list.length > 0 && faults.length === 0 ? list : undefined;
      }, 'an address parked on garbage');
      expect(parked[0]!.info.reason).toMatch(/TerminalError/);
      expect(injected.garbage).toBe(2);
      // The function is fine again: replay every parked address.
      for (const p of (await operator.parked()).filter((q) => q.address.id.startsWith('garbage-'))) await operator.control(p.address, 'replay', undefined);
    } finally {
      operator.close();
    }
    await expectExactlyOnce(app, w, received, 'it/remote');
  });
});

import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, jsonHeaders, type Running, startDev, type TempApp, tempApp } from './dev-helpers.js';

let app: TempApp;
let dev: Running | undefined;

afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  await app.remove();
});

const SINKS_YAML = (format: 'jsonl' | 'text'): string => `
kind: io.statefun.playground.v1/ingress
spec:
  port: 8090
---
kind: io.statefun-aws.log.v1/egress
spec:
  id: test/log
---
kind: io.statefun-aws.file.v1/egress
spec:
  id: test/file
  path: out/records.${format === 'jsonl' ? 'jsonl' : 'txt'}
  format: ${format}
`;

const SINKS_TS = `
import { defineFunction, jsonType } from 'statefun-aws';
const Order = jsonType<{ n: number }>('test/Order');
export const shop = defineFunction({
  typename: 'test/shop',
  accepts: Order,
  handler(ctx, message) {
    const order = message.as(Order);
    ctx.sendEgress({ egress: 'test/log', value: order, type: Order });
    ctx.sendEgress({ egress: 'test/file', value: { order: order.n, by: ctx.self.id }, type: jsonType('test/Receipt') });
  },
});
`;

const order = (running: Running, id: string, n: number): Promise<Response> =>
  running.ingress(`/test/shop/${id}`, { headers: jsonHeaders('test/Order'), body: JSON.stringify({ n }) });

async function fileLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '');
}

describe('statefun dev log and file sinks', () => {
  it('printsEachLogRecordAndAppendsEachFileRecordOnceWithItsKey', async () => {
    app = await tempApp({ 'module.yaml': SINKS_YAML('jsonl'), 'module.ts': SINKS_TS });
    dev = await startDev(app);
    for (let n = 1; n <= 3; n++) await order(dev, 'ann', n);
    const file = app.path('out/records.jsonl');
    await eventually(async () => (await fileLines(file)).length === 3, 5000, 'three file records');
    const records = (await fileLines(file)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.value)).toEqual([1, 2, 3].map((n) => ({ order: n, by: 'ann' })));
    expect(records[0]).toMatchObject({ key: expect.stringMatching(/^test\/shop\/ann#.*1\.e1$/), egress: 'test/file', typename: 'test/Receipt', source: 'test/shop/ann' });
    await eventually(() => dev!.printed.length > 0, 5000, 'log lines');
    expect(dev.printed.join('\n')).toContain('[test/log] test/shop/ann test/Order {"n":1}');
    await eventually(() => dev!.server.backend.egressRecords('test/file').length === 0, 5000, 'acknowledged file records');
  });

  it('doesNotWriteARecordTwiceThatADeadRunWroteButDidNotAcknowledge', async () => {
    app = await tempApp({ 'module.yaml': SINKS_YAML('jsonl'), 'module.ts': SINKS_TS });
    dev = await startDev(app);
    await order(dev, 'bo', 1);
    const file = app.path('out/records.jsonl');
    await eventually(async () => (await fileLines(file)).length === 1, 5000, 'one file record');
    const [line] = await fileLines(file);
    await dev.server.stop();
    dev = undefined;

    // As a run killed after writing record 2 and half of record 3, before acknowledging them, leaves it:
    // both records still wait in the data directory, and the file holds line 2 and a torn line 3.
    dev = await startDev(app);
    await dev.server.stop();
    dev = undefined;
    const first = JSON.parse(line!) as { key: string };
    const second = { ...first, key: 'test/shop/bo#2.e1', value: { order: 2, by: 'bo' } };
    await writeFile(file, `${line!}\n${JSON.stringify(second)}\n{"key":"test/shop/bo#3.e1","val`);
    const { openDataDir } = await import('../../../runtime/local/durable/data-dir.js');
    const { systemTimers } = await import('../../../runtime/local/timer-service.js');
    const data = await openDataDir(app.dataDir, { clock: systemTimers, fsync: false });
    const record = (n: number) => ({
      key: `test/shop/bo#${n}.e1`,
      egress: 'test/file',
      argument: { typename: 'test/Receipt', value: new TextEncoder().encode(JSON.stringify({ order: n, by: 'bo' })) },
      source: { typename: 'test/shop', id: 'bo' },
      at: Date.now(),
    });
    await data.backend.publish([record(2), record(3)]);
    await data.close();

    dev = await startDev(app);
    await eventually(async () => (await fileLines(file)).length === 3, 5000, 'three file records');
    await eventually(() => dev!.server.backend.egressRecords('test/file').length === 0, 5000, 'acknowledged file records');
    const keys = (await fileLines(file)).map((l) => (JSON.parse(l) as { key: string }).key);
    expect(keys).toEqual([first.key, 'test/shop/bo#2.e1', 'test/shop/bo#3.e1']);
  });

  it('cutsATextFileBackToBeforeABatchThatADeadRunDidNotAcknowledge', async () => {
    app = await tempApp({ 'module.yaml': SINKS_YAML('text'), 'module.ts': SINKS_TS });
    dev = await startDev(app);
    await order(dev, 'cy', 1);
    const file = app.path('out/records.txt');
    await eventually(async () => (await fileLines(file)).length === 1, 5000, 'one text record');
    await dev.server.stop();
    dev = undefined;
    const before = await readFile(file, 'utf8');

    // A run that noted its batch, wrote part of it, and died before acknowledging.
    const { openDataDir } = await import('../../../runtime/local/durable/data-dir.js');
    const { systemTimers } = await import('../../../runtime/local/timer-service.js');
    const data = await openDataDir(app.dataDir, { clock: systemTimers, fsync: false });
    await data.backend.publish([
      {
        key: 'test/shop/cy#2.e1',
        egress: 'test/file',
        argument: { typename: 'test/Receipt', value: new TextEncoder().encode('{"order":2,"by":"cy"}') },
        source: { typename: 'test/shop', id: 'cy' },
        at: Date.now(),
      },
    ]);
    await data.close();
    await writeFile(app.path('.statefun/sinks/test_file.pending'), JSON.stringify({ offset: before.length, keys: ['test/shop/cy#2.e1'] }));
    await writeFile(file, `${before}{"order":2,"b`);

    dev = await startDev(app);
    await eventually(() => dev!.server.backend.egressRecords('test/file').length === 0, 5000, 'acknowledged text records');
    expect(await fileLines(file)).toEqual(['{"order":1,"by":"cy"}', '{"order":2,"by":"cy"}']);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { COUNTER_TS, eventually, jsonHeaders, nextPayload, PLAYGROUND_YAML, type Running, startDev, type TempApp, tempApp } from './dev-helpers.js';

let app: TempApp;
let dev: Running | undefined;

afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  await app.remove();
});

const greet = (running: Running, id: string): Promise<Response> =>
  running.ingress(`/test/counter/${id}`, { headers: jsonHeaders('test/Greet'), body: JSON.stringify({ name: id }) });

/** The counter, with its greeting split out into a file of its own. */
const MODULE_TS = COUNTER_TS.replace('`hello ${name} #${count}`', 'greeting(name, count)').replace(
  "from 'statefun-aws';",
  "from 'statefun-aws';\nimport { greeting } from './greeting.js';",
);
const greetingTs = (word: string): string => `export const greeting = (name: string, count: number): string => \`${word} \${name} #\${count}\`;\n`;

describe('statefun dev reloading', () => {
  it('runsTheNewCodeAfterASourceFileChangesKeepingTheState', async () => {
    app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': MODULE_TS, 'greeting.ts': greetingTs('hello') });
    dev = await startDev(app, { watch: true });
    await greet(dev, 'Bob');
    expect(await nextPayload(dev, 'greetings')).toBe('hello Bob #1');

    await app.write('greeting.ts', greetingTs('howdy'));
    await eventually(() => dev!.server.status().generation === 2, 10_000, 'a reload');
    expect(dev.logs.some((l) => l.startsWith('reloaded in'))).toBe(true);
    await greet(dev, 'Bob');
    expect(await nextPayload(dev, 'greetings')).toBe('howdy Bob #2');
  });

  it('keepsRunningThePreviousCodeWhenTheNewOneDoesNotBuild', async () => {
    app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': MODULE_TS, 'greeting.ts': greetingTs('hello') });
    dev = await startDev(app);
    await app.write('greeting.ts', 'export const greeting = (name: string => ;\n');
    const failed = await dev.server.reload();
    expect(failed.ok).toBe(false);
    expect(failed.message).toMatch(/reload failed; still running the previous code/);
    expect(failed.message).toMatch(/greeting\.ts:1/);
    await greet(dev, 'Ann');
    expect(await nextPayload(dev, 'greetings')).toBe('hello Ann #1');

    await app.write('greeting.ts', greetingTs('hi'));
    const fixed = await dev.server.reload();
    expect(fixed).toMatchObject({ ok: true, generation: 2 });
    await greet(dev, 'Ann');
    expect(await nextPayload(dev, 'greetings')).toBe('hi Ann #2');
  });

  it('keepsRunningThePreviousCodeWhenTheNewModuleThrowsWhileLoading', async () => {
    app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': MODULE_TS, 'greeting.ts': greetingTs('hello') });
    dev = await startDev(app);
    await app.write('greeting.ts', `throw new Error('broken at load');\nexport const greeting = (): string => 'never';\n`);
    const failed = await dev.server.reload();
    expect(failed.ok).toBe(false);
    expect(failed.message).toMatch(/broken at load/);
    await greet(dev, 'Cy');
    expect(await nextPayload(dev, 'greetings')).toBe('hello Cy #1');
  });

  it('letsATurnThatStartedOnTheOldCodeFinishOnIt', async () => {
    const slow = (word: string): string =>
      MODULE_TS.replace('handler(ctx, message) {', 'async handler(ctx, message) {\n    await new Promise((r) => setTimeout(r, 300));').replace(
        'greeting(name, count)',
        `'${word} ' + name + ' #' + count`,
      );
    app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': slow('old'), 'greeting.ts': greetingTs('unused') });
    dev = await startDev(app);
    await greet(dev, 'Di');
    await new Promise((r) => setTimeout(r, 50));
    await app.write('module.ts', slow('new'));
    expect((await dev.server.reload()).ok).toBe(true);
    expect(await nextPayload(dev, 'greetings')).toBe('old Di #1');
    await greet(dev, 'Di');
    expect(await nextPayload(dev, 'greetings')).toBe('new Di #2');
  });
});

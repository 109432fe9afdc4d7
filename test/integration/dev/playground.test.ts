import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COUNTER_TS, jsonHeaders, nextPayload, PLAYGROUND_YAML, type Running, startDev, type TempApp, tempApp } from './dev-helpers.js';

let app: TempApp;
let dev: Running;

beforeEach(async () => {
  app = await tempApp({ 'module.yaml': PLAYGROUND_YAML, 'module.ts': COUNTER_TS });
  dev = await startDev(app);
});
afterEach(async () => {
  await dev.server.stop();
  await app.remove();
});

describe('statefun dev playground ingress and egress', () => {
  it('deliversAJsonBodyToTheAddressInThePathAndHandsOutTheGreeting', async () => {
    const res = await dev.ingress('/test/counter/Bob', { headers: jsonHeaders('test/Greet'), body: '{"name":"Bob"}' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('statefun-message-id')).toMatch(/^ingress:/);
    expect(res.headers.get('statefun-duplicate')).toBe('false');
    expect(await nextPayload(dev, 'greetings')).toBe('hello Bob #1');
    const empty = await dev.egress('greetings');
    expect(empty.status).toBe(404);
    expect(await empty.text()).toBe('');
  });

  it('wrapsAPlainTextBodyAsAStringWhenNoTypeIsGiven', async () => {
    const res = await dev.ingress('/test/counter/Ann', { method: 'PUT', body: 'Ann' });
    expect(res.status).toBe(200);
    expect(await nextPayload(dev, 'greetings')).toBe('hello Ann #1');
  });

  it('appliesARetriedPostWithTheSameIdempotencyKeyOnce', async () => {
    const post = (): Promise<Response> =>
      dev.ingress('/test/counter/Cy', { headers: { ...jsonHeaders('test/Greet'), 'idempotency-key': 'k-1' }, body: '{"name":"Cy"}' });
    const first = await post();
    const second = await post();
    expect(second.status).toBe(200);
    expect(second.headers.get('statefun-duplicate')).toBe('true');
    expect(second.headers.get('statefun-message-id')).toBe(first.headers.get('statefun-message-id'));
    expect(await nextPayload(dev, 'greetings')).toBe('hello Cy #1');
    await dev.server.runtime.idle();
    expect((await dev.egress('greetings')).status).toBe(404);
  });

  it('answersJsonWhenAskedTo', async () => {
    const res = await dev.ingress('/test/counter/Di', { headers: { ...jsonHeaders('test/Greet'), accept: 'application/json' }, body: '{"name":"Di"}' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: Array<{ target: string; messageId: string; duplicate: boolean }> };
    expect(body.messages).toEqual([{ target: 'test/counter/Di', messageId: expect.stringMatching(/^ingress:/), duplicate: false }]);
  });

  it('refusesBadRequestsWithA4xxNamingTheBadValue', async () => {
    const bad = async (path: string, init: RequestInit, status: number, text: RegExp): Promise<void> => {
      const res = await dev.ingress(path, init);
      expect(res.status).toBe(status);
      expect(await res.text()).toMatch(text);
    };
    await bad('/test/counter', { body: 'x' }, 400, /invalid path "\/test\/counter"/);
    await bad('/test/counter/a/b', { body: 'x' }, 400, /namespace>\/<function type>\/<function id>/);
    await bad('/test/nobody/x', { body: 'x' }, 404, /no function is bound for type "test\/nobody"/);
    await bad('/test/counter/x', { headers: { 'content-type': 'application/vnd.nonsense' }, body: 'x' }, 415, /application\/vnd.nonsense/);
    await bad('/test/counter/x', { method: 'GET' }, 405, /use PUT or POST/);
    await bad('/test/counter/x', { headers: { 'idempotency-key': '' }, body: 'x' }, 400, /Idempotency-Key/);
    const unknownTopic = await dev.egress('nope');
    expect(unknownTopic.status).toBe(404);
    expect(await unknownTopic.text()).toMatch(/unknown topic "nope"/);
  });

  it('handsOutEachTopicsPayloadsInOrder', async () => {
    for (const name of ['a', 'b', 'c']) {
      await dev.ingress('/test/counter/same', { headers: jsonHeaders('test/Greet'), body: JSON.stringify({ name }) });
    }
    await dev.server.runtime.idle();
    expect([await nextPayload(dev, 'greetings'), await nextPayload(dev, 'greetings'), await nextPayload(dev, 'greetings')]).toEqual([
      'hello a #1',
      'hello b #2',
      'hello c #3',
    ]);
  });
});

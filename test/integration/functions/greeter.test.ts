import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greeter } from '../../../examples/greeter/greeter.js';
import { composeApp } from '../../../runtime/module/app.js';
import { defineModule } from '../../../runtime/module/embedded-module.js';
import { loadModuleFile } from '../../../runtime/module/module-file.js';
import { useAwsEmulators } from '../../support/emulators.js';
import { eventually, type StartedApp, startOnEmulators } from './support.js';

const emulators = useAwsEmulators();

describe('the greeter example on the AWS path', () => {
  let app: StartedApp;
  beforeAll(async () => {
    const model = await composeApp({
      modules: [await loadModuleFile('examples/greeter/module.yaml'), defineModule({ name: 'greeter', configure: (_c, b) => b.bindFunction(greeter) })],
    });
    app = await startOnEmulators(model, emulators());
  });
  afterAll(async () => app?.stop());

  const greet = (name: string, key?: string): Promise<Response> =>
    fetch(`http://127.0.0.1:${app.local.ingressPort}/example/greeter/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.example/GreetRequest', ...(key !== undefined ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify({ name }),
    });
  const nextGreeting = (): Promise<string> =>
    eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${app.local.egressPort}/greetings`);
      return res.status === 200 ? res.text() : undefined;
    }, 'a greeting');

  it('acceptsThroughApiGatewayProcessesOnTheDispatcherAndHandsTheEgressOutOfItsQueue', async () => {
    const res = await greet('Bob');
    expect(res.status).toBe(202);
    expect(((await res.json()) as { messageId: string }).messageId).toMatch(/^ingress:/);
    expect(await nextGreeting()).toBe('Hello Bob! Nice to meet you.');
    expect((await greet('Bob')).status).toBe(202);
    expect(await nextGreeting()).toBe('Hello Bob! Welcome back, visit number 2.');
  });

  it('appliesARetriedRequestOnce', async () => {
    expect((await greet('Carol', 'visit-1')).status).toBe(202);
    const retried = await greet('Carol', 'visit-1');
    expect(await retried.json()).toMatchObject({ duplicate: true });
    expect(await nextGreeting()).toBe('Hello Carol! Nice to meet you.');
    expect((await greet('Carol', 'visit-2')).status).toBe(202);
    expect(await nextGreeting()).toBe('Hello Carol! Welcome back, visit number 2.');
  });
});

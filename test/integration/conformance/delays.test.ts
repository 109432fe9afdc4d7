/**
 * Delayed messages from the official JS SDK under `statefun dev`: `sendAfter` with and without a cancellation
 * token, `cancelDelayedMessage` from a later invocation, delayed messages to another function type, and a
 * pending delayed message that outlives a restart.
 */
import { type Context, egressMessageBuilder, type Message, messageBuilder, StateFun } from 'apache-flink-statefun';
import { afterEach, describe, expect, it } from 'vitest';
import {
  documents,
  endpointYaml,
  eventually,
  playgroundYaml,
  put,
  type Running,
  type SdkEndpoint,
  sdk,
  serveSdk,
  startYamlApp,
  stateView,
  takePayloads,
  type TempApp,
  tempApp,
  PlaygroundEgressRecord,
} from './harness.js';

const ring = (ctx: Context, text: string): void =>
  ctx.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic: 'rings', payload: `${ctx.self.typename}/${ctx.self.id}:${text}` }, valueType: PlaygroundEgressRecord }));

const timer = {
  typename: 'conf/timer',
  fn(ctx: Context, message: Message) {
    const command = message.asString()!;
    const me = { typename: ctx.self.typename, id: ctx.self.id };
    switch (command) {
      case 'arm':
        ctx.sendAfter(100, messageBuilder({ ...me, value: 'untokened' }));
        ctx.sendAfter(3_000, messageBuilder({ ...me, value: 'cancelled' }), 'drop-me');
        ctx.sendAfter(4_000, messageBuilder({ ...me, value: 'kept' }), 'keep-me');
        ctx.sendAfter(200, messageBuilder({ typename: 'conf/bell', id: ctx.self.id, value: 7, valueType: StateFun.intType() }), 'bell');
        return;
      case 'cancel':
        ctx.cancelDelayedMessage('drop-me');
        // A token that matches nothing: a no-op.
        ctx.cancelDelayedMessage('never-sent');
        return;
      case 'later':
        ctx.sendAfter(1_500, messageBuilder({ ...me, value: 'after the restart' }), 'restart');
        return;
      default: {
        // "in:<ms>:<token>:<text>" schedules <text> to itself; "cancel:<token>" cancels.
        const [verb, a, b, text] = command.split(':');
        if (verb === 'in') ctx.sendAfter(Number(a), messageBuilder({ ...me, value: text! }), b);
        else if (verb === 'cancel') ctx.cancelDelayedMessage(a!);
        else ring(ctx, command);
      }
    }
  },
};

const bell = {
  typename: 'conf/bell',
  fn(ctx: Context, message: Message) {
    ring(ctx, `int ${message.asInt()} from ${ctx.caller === null ? 'nobody' : `${ctx.caller.typename}/${ctx.caller.id}`}`);
  },
};

let app: TempApp;
let dev: Running | undefined;
let endpoint: SdkEndpoint | undefined;

afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
  await endpoint?.close();
  endpoint = undefined;
  await app.remove();
});

async function start(): Promise<Running> {
  app = await tempApp({});
  endpoint = await serveSdk(sdk(timer, bell));
  await app.write('module.yaml', documents(endpointYaml({ functions: 'conf/*', urlPathTemplate: `${endpoint.url}/statefun/{function.name}` }), playgroundYaml(['rings'])));
  return startYamlApp(app);
}

describe('delayed messages with the official JS SDK', () => {
  it('firesDelayedMessagesWithAndWithoutATokenAndNeverOneCancelledByALaterInvocation', async () => {
    dev = await start();
    await put(dev, '/conf/timer/t1', 'arm');
    await put(dev, '/conf/timer/t1', 'cancel');

    // Everything that fires: t1's in due order, up to "kept", due after the cancelled one was (had it fired, it
    // would be among these three, before "kept"). As in StateFun, a delayed message's caller is its sender.
    const rings = await takePayloads(dev, 'rings', 3);
    expect(rings.filter((r) => r.startsWith('conf/timer/'))).toEqual(['conf/timer/t1:untokened', 'conf/timer/t1:kept']);
    expect(rings).toContain('conf/bell/t1:int 7 from conf/timer/t1');
    const view = await stateView(dev, 'conf/timer/t1');
    expect(view.pendingTimers).toBe(0);
    expect(view.parked).toBeUndefined();
    expect((await dev.egress('rings')).status).toBe(404);
  });

  it('keepsAPendingDelayedMessageAcrossARestartOfStatefunDev', async () => {
    dev = await start();
    await put(dev, '/conf/timer/t2', 'later');
    await eventually(async () => (await stateView(dev!, 'conf/timer/t2')).pendingTimers === 1, 10_000, 'one pending delayed message');
    await dev.server.stop();
    dev = await startYamlApp(app);
    expect(await takePayloads(dev, 'rings', 1)).toEqual(['conf/timer/t2:after the restart']);
    expect((await stateView(dev, 'conf/timer/t2')).pendingTimers).toBe(0);
  });

  it('letsASenderReuseATokenOnceItsMessageFiredOrWasCancelled', async () => {
    dev = await start();
    await put(dev, '/conf/timer/t3', 'in:100:again:first');
    expect(await takePayloads(dev, 'rings', 1)).toEqual(['conf/timer/t3:first']);
    await put(dev, '/conf/timer/t3', 'in:100:again:second');
    expect(await takePayloads(dev, 'rings', 1)).toEqual(['conf/timer/t3:second']);

    await put(dev, '/conf/timer/t3', 'in:600000:again:never');
    await put(dev, '/conf/timer/t3', 'cancel:again');
    await eventually(async () => (await stateView(dev!, 'conf/timer/t3')).pendingTimers === 0, 10_000, 'the cancel committed');
    await put(dev, '/conf/timer/t3', 'in:100:again:third');
    expect(await takePayloads(dev, 'rings', 1)).toEqual(['conf/timer/t3:third']);
    await eventually(async () => (await stateView(dev!, 'conf/timer/t3')).pendingTimers === 0, 10_000, 'nothing pending');
    expect((await stateView(dev, 'conf/timer/t3')).parked).toBeUndefined();
  });
});

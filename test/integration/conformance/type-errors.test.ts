/**
 * Type and routing errors with the official JS SDK under `statefun dev`: a MODIFY whose value is of another type
 * than the one registered for the state, a message to a function type nothing binds, a record for an egress
 * module.yaml does not declare: each parks the address with a reason naming the problem (StateFun would fail
 * the job); `statefun parked` shows it, and the rest of the app keeps running.
 */
import { type Context, egressMessageBuilder, type Message, messageBuilder, StateFun } from 'apache-flink-statefun';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parkedEventually,
  put,
  type Running,
  type SdkEndpoint,
  sdk,
  statefun,
  stateValues,
  stateView,
  takePayloads,
  type TempApp,
  startSdkApp,
  PlaygroundEgressRecord,
} from './harness.js';

const emit = (ctx: Context, payload: string): void =>
  ctx.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: { topic: 'out', payload }, valueType: PlaygroundEgressRecord }));

/** Version 1 of the functions service: `count` is an int. */
const v1 = {
  typename: 'conf/typed',
  specs: [{ name: 'count', type: StateFun.intType() }],
  fn(ctx: Context, message: Message) {
    const count = ((ctx.storage.count as number | null) ?? 0) + 1;
    ctx.storage.count = count;
    emit(ctx, `${ctx.self.id} ${message.asString()} ${count}`);
  },
};

/** Version 2 changed `count` to a string under the same name: the SDK sees the state is registered and writes it. */
const v2 = {
  typename: 'conf/typed',
  specs: [{ name: 'count', type: StateFun.stringType() }],
  fn(ctx: Context, message: Message) {
    ctx.storage.count = `counted ${message.asString()}`;
    emit(ctx, `${ctx.self.id} wrote a string`);
  },
};

const other = {
  typename: 'conf/other',
  fn(ctx: Context, message: Message) {
    emit(ctx, `other ${message.asString()}`);
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

describe('state type errors with the official JS SDK', () => {
  it('parksAnAddressWhoseFunctionWritesAStateWithAnotherTypeThanRegisteredAndShowsItInStatefunParked', async () => {
    ({ app, endpoint, dev } = await startSdkApp(sdk(v1, other), ['out']));
    const dir = ['--data-dir', app.dataDir];

    await put(dev, '/conf/typed/t', 'one');
    expect(await takePayloads(dev, 'out', 1)).toEqual(['t one 1']);

    endpoint.swap(sdk(v2, other));
    await put(dev, '/conf/typed/t', 'two');
    await put(dev, '/conf/typed/t', 'three');
    const parked = await parkedEventually(dev, 'conf/typed/t');
    const reason = 'TerminalError: function conf/typed (id "t") wrote a value of type io.statefun.types/string to state "count", registered as io.statefun.types/int';
    expect(parked.reason).toBe(reason);
    // A terminal error: parked at the first attempt, without retries, with the message behind it. (Had "two" and
    // "three" gone out as one batch, the runtime would have tried "two" alone once before parking.)
    expect(endpoint.requestsFor('conf/typed/t').filter((r) => r.args.join() === 'two')).toHaveLength(1);

    const list = await statefun('parked', ...dir);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^1 parked address:\n {2}conf\/typed\/t {2}since \S+ {2}2 messages {2}/);
    expect(list.out).toContain(reason);
    const show = await statefun('parked', 'show', 'conf/typed/t', ...dir);
    expect(show.out).toContain(`reason: ${reason}`);
    expect(show.out).toContain('io.statefun.types/string "two"');
    expect(show.out).toContain('io.statefun.types/string "three"');

    // Nothing of the failed turn was applied: no state change, no egress.
    expect(await stateValues(app.dataDir, 'conf/typed/t')).toEqual({ count: 1 });
    expect((await stateView(dev, 'conf/typed/t')).parked?.reason).toBe(reason);
    expect((await dev.egress('out')).status).toBe(404);

    // The rest of the app keeps flowing.
    await put(dev, '/conf/other/o', 'still here');
    expect(await takePayloads(dev, 'out', 1)).toEqual(['other still here']);

    // Back to version 1: a replay applies both letters in order and unparks the address.
    endpoint.swap(sdk(v1, other));
    const replay = await statefun('parked', 'replay', 'conf/typed/t', ...dir);
    expect(replay).toMatchObject({ code: 0, err: '' });
    expect(await takePayloads(dev, 'out', 2)).toEqual(['t two 2', 't three 3']);
    expect((await statefun('parked', ...dir)).out).toBe('no parked addresses');
  });

  it('parksAnAddressThatMessagesAnUnboundFunctionTypeOrAnUndeclaredEgressAndAppliesNothingOfThatTurn', async () => {
    const router = {
      typename: 'conf/router',
      specs: [{ name: 'sent', type: StateFun.intType() }],
      fn(ctx: Context, message: Message) {
        const where = message.asString()!;
        const storage = ctx.storage as { sent: number | null };
        storage.sent = (storage.sent ?? 0) + 1;
        emit(ctx, `routing to ${where}`);
        if (where === 'function') ctx.send(messageBuilder({ typename: 'elsewhere/nobody', id: 'x', value: 'hi' }));
        if (where === 'egress') ctx.send(egressMessageBuilder({ typename: 'showcase/my-custom-egress', value: 'hi', valueType: StateFun.stringType() }));
      },
    };
    ({ app, endpoint, dev } = await startSdkApp(sdk(router, other), ['out']));

    await put(dev, '/conf/router/f', 'function');
    await put(dev, '/conf/router/e', 'egress');
    expect((await parkedEventually(dev, 'conf/router/f')).reason).toBe(
      'TerminalError: function conf/router (id "f") sent a message to "elsewhere/nobody", but no such function type is bound',
    );
    expect((await parkedEventually(dev, 'conf/router/e')).reason).toBe(
      'TerminalError: function conf/router (id "e") sent a record to egress "showcase/my-custom-egress", but no such egress is configured',
    );
    // The whole turn was dropped: neither its state change nor its playground record.
    expect(await stateValues(app.dataDir, 'conf/router/f')).toEqual({});
    expect(await stateValues(app.dataDir, 'conf/router/e')).toEqual({});
    await put(dev, '/conf/router/ok', 'nowhere');
    expect(await takePayloads(dev, 'out', 1)).toEqual(['routing to nowhere']);
    expect(await stateValues(app.dataDir, 'conf/router/ok')).toEqual({ sent: 1 });
  });
});

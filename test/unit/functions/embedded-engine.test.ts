import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../../functions/index.js';
import { intType } from '../../../runtime/sdk/index.js';
import { CountType, failing, type Op, OpType, testModule } from './app.js';
import { type LocalSetup, localSetup } from './support.js';

/** A Kinesis record as Lambda delivers it: the data base64-encoded, a partition key, a sequence number. */
function kinesisRecord(partitionKey: string, op: Op, sequenceNumber: string): KinesisStreamRecord {
  return {
    awsRegion: 'us-east-1',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks',
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/consumer',
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: Buffer.from(JSON.stringify(op)).toString('base64'),
      approximateArrivalTimestamp: 1767225600.5,
    },
  };
}

/** The user's own Lambda handler on a Kinesis stream, embedding the engine. */
function kinesisHandler(engine: EmbeddedEngine) {
  return async (event: KinesisStreamEvent) => {
    const result = await engine.process(
      event.Records.map((r) => ({
        target: { typename: 'test/counter', id: r.kinesis.partitionKey },
        value: { typename: OpType.typename, value: Buffer.from(r.kinesis.data, 'base64') },
        idempotencyKey: r.kinesis.sequenceNumber,
        acceptedAt: Math.floor(r.kinesis.approximateArrivalTimestamp * 1000),
      })),
    );
    return { egress: result.egress, batchItemFailures: result.failures.map((f) => ({ itemIdentifier: event.Records[f.index]!.kinesis.sequenceNumber })) };
  };
}

describe('embedded engine', () => {
  let t: LocalSetup;
  let engine: EmbeddedEngine;
  const make = (): ReturnType<typeof kinesisHandler> => {
    t = localSetup();
    engine = createEmbeddedEngine(t.options({ modules: [testModule()] }));
    return kinesisHandler(engine);
  };
  afterEach(async () => {
    failing.clear();
    await engine.close();
  });
  const count = async (id: string): Promise<number | undefined> => {
    const v = (await t.local.load({ typename: 'test/counter', id })).values.get('count');
    return v === undefined ? undefined : intType.deserialize(v.value);
  };

  it('processesRecordsDirectlyAndReturnsTheirEgressInsteadOfPublishingIt', async () => {
    const handler = make();
    const event: KinesisStreamEvent = {
      Records: [kinesisRecord('alice', { op: 'add' }, '1'), kinesisRecord('bob', { op: 'add', n: 5 }, '2'), kinesisRecord('alice', { op: 'add' }, '3')],
    };
    const result = await handler(event);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.egress.map((r) => CountType.deserialize(r.argument.value))).toEqual([
      { id: 'alice', count: 1 },
      { id: 'alice', count: 2 },
      { id: 'bob', count: 5 },
    ]);
    expect(await count('alice')).toBe(2);
    expect(await count('bob')).toBe(5);
    // Not through the queue, and not to the egress sinks.
    expect(t.bus.sent).toEqual([]);
    expect(t.egress('test/out')).toEqual([]);
  });

  it('appliesARetriedEventOnceByItsSequenceNumbers', async () => {
    const handler = make();
    const event: KinesisStreamEvent = { Records: [kinesisRecord('alice', { op: 'add' }, '1'), kinesisRecord('alice', { op: 'add' }, '2')] };
    const first = await handler(event);
    const again = await handler(event);
    expect(again.batchItemFailures).toEqual([]);
    expect(await count('alice')).toBe(2);
    // The last turn's effects are released again (nothing acknowledged them): same keys, so a sink can drop them.
    expect(again.egress.map((r) => r.key)).toEqual(first.egress.map((r) => r.key));
  });

  it('sendsMessagesToOtherAddressesThroughTheQueue', async () => {
    const handler = make();
    await handler({ Records: [kinesisRecord('alice', { op: 'forward', to: 'bob' }, '1')] });
    expect(t.bus.sent.map((e) => `${e.target.typename}/${e.target.id}`)).toEqual(['test/counter/bob']);
  });

  it('returnsAFailedRecordAndTheLaterOnesOfItsAddressAsBatchItemFailures', async () => {
    const handler = make();
    failing.add('alice');
    const event: KinesisStreamEvent = {
      Records: [kinesisRecord('alice', { op: 'add' }, '1'), kinesisRecord('alice', { op: 'fail' }, '2'), kinesisRecord('bob', { op: 'add' }, '3'), kinesisRecord('alice', { op: 'add' }, '4')],
    };
    const result = await handler(event);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2' }, { itemIdentifier: '4' }]);
    expect(await count('alice')).toBe(1);
    expect(await count('bob')).toBe(1);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../functions/dispatcher.js';
import type { Address } from '../../../runtime/core/address.js';
import { VersionConflictError } from '../../../runtime/core/errors.js';
import type { Envelope } from '../../../runtime/core/envelope.js';
import { UNDECODABLE_TYPE } from '../../../runtime/aws/lambda/set-aside.js';
import { bundleBodies } from '../../../runtime/aws/sqs/envelope-body.js';
import { METRIC } from '../../../runtime/aws/observability.js';
import { intType } from '../../../runtime/sdk/index.js';
import { counter, CountType, failing, type Op, op, OpType, testModule } from './app.js';
import { CONTEXT, fifoRecord, ingressEnvelope, type LocalSetup, localSetup } from './support.js';

const alice: Address = { typename: 'test/counter', id: 'alice' };
const bob: Address = { typename: 'test/counter', id: 'bob' };

let n = 0;
function message(to: Address, value: Op): Envelope {
  return ingressEnvelope(to, OpType.typename, op(value), `k${++n}`);
}

describe('dispatcher', () => {
  let t: LocalSetup;
  let dispatch: ReturnType<typeof createDispatcher>;

  beforeEach(() => {
    t = localSetup();
    dispatch = createDispatcher(t.options({ modules: [testModule()] }));
  });
  afterEach(async () => {
    failing.clear();
    await dispatch.close();
  });

  const count = async (address: Address): Promise<number | undefined> => {
    const value = (await t.local.load(address)).values.get('count');
    return value === undefined ? undefined : intType.deserialize(value.value);
  };
  const outCounts = (): Array<{ id: string; count: number }> => t.egress('test/out').map((r) => CountType.deserialize(r.argument.value));

  it('processesASameGroupBatchOfTenInOrderInOneTurn', async () => {
    const records = Array.from({ length: 10 }, (_, i) => fifoRecord(message(alice, { op: 'add', n: i + 1 })));
    const response = await dispatch({ Records: records }, CONTEXT);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await count(alice)).toBe(55);
    expect(outCounts().map((c) => c.count)).toEqual([1, 3, 6, 10, 15, 21, 28, 36, 45, 55]);
    expect((await t.local.load(alice)).version).toBe(1);
    expect(t.queue.changes).toEqual([]);
    expect(t.metrics.total('test/counter', METRIC.batchSize)).toBe(10);
    expect(t.metrics.total('test/counter', METRIC.messages)).toBe(10);
  });

  it('reportsTheFailedMessageAndEveryLaterOneOfItsGroupAndDelaysThemByTheBackoff', async () => {
    failing.add('alice');
    const envelopes = Array.from({ length: 10 }, (_, i) => message(alice, i === 3 ? { op: 'fail' } : { op: 'add' }));
    const records = envelopes.map((e) => fifoRecord(e));
    const response = await dispatch({ Records: records }, CONTEXT);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.slice(3).map((r) => r.messageId));
    expect(await count(alice)).toBe(3);
    // First failure of attempt 1: the default policy's first backoff, 1 s, for the failed record and all after it.
    expect(t.queue.changes).toEqual([records.slice(3).map((r) => ({ receiptHandle: r.receiptHandle, timeoutSeconds: 1 }))]);
    expect(t.metrics.total('test/counter', METRIC.retries)).toBe(1);

    // Redelivered (receive count 2) once the cause is gone: the rest applies, nothing twice.
    failing.clear();
    const again = envelopes.slice(3).map((e) => fifoRecord(e, { receiveCount: 2 }));
    expect(await dispatch({ Records: again }, CONTEXT)).toEqual({ batchItemFailures: [] });
    expect(await count(alice)).toBe(9);
    expect(outCounts().map((c) => c.count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('acknowledgesABundleOnlyWholeAndAppliesEachOfItsMessagesOnceWhenItComesAgain', async () => {
    // GIVEN one SQS record carrying a bundle of 5 keyed messages to alice, the third failing at first
    failing.add('alice');
    const envelopes = Array.from({ length: 5 }, (_, i) => message(alice, i === 2 ? { op: 'fail' } : { op: 'add' }));
    const body = bundleBodies(envelopes)[0]!.body;
    const record = fifoRecord(envelopes[0]!, { body });

    // WHEN it is dispatched: the first two apply, the record fails whole
    const response = await dispatch({ Records: [record] }, CONTEXT);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([record.messageId]);
    expect(await count(alice)).toBe(2);

    // THEN its redelivery applies the rest, and nothing twice
    failing.clear();
    expect(await dispatch({ Records: [fifoRecord(envelopes[0]!, { body, receiveCount: 2 })] }, CONTEXT)).toEqual({ batchItemFailures: [] });
    expect(await count(alice)).toBe(4);
    expect(outCounts().map((c) => c.count)).toEqual([1, 2, 3, 4]);
  });

  it('runsGroupsIndependently', async () => {
    failing.add('bob');
    const records = [
      fifoRecord(message(alice, { op: 'add' })),
      fifoRecord(message(bob, { op: 'fail' })),
      fifoRecord(message(alice, { op: 'add' })),
      fifoRecord(message(bob, { op: 'add' })),
    ];
    const response = await dispatch({ Records: records }, CONTEXT);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([records[1]!.messageId, records[3]!.messageId]);
    expect(await count(alice)).toBe(2);
    expect(await count(bob)).toBeUndefined();
  });

  it('dropsDuplicatesOfAMessageAlreadyApplied', async () => {
    const first = message(alice, { op: 'add' });
    await dispatch({ Records: [fifoRecord(first)] }, CONTEXT);
    // The same message again, as after a crash before the SQS delete, then a new one.
    const response = await dispatch({ Records: [fifoRecord(first, { receiveCount: 2 }), fifoRecord(message(alice, { op: 'add' }))] }, CONTEXT);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await count(alice)).toBe(2);
    expect(t.metrics.total('test/counter', METRIC.duplicates)).toBe(1);
  });

  it('retriesALostRaceAtOnce', async () => {
    const commit = t.local.commit.bind(t.local);
    let conflicts = 1;
    t.local.commit = async (c) => {
      if (conflicts-- > 0) throw new VersionConflictError('test/counter/alice', c.expectedVersion, c.expectedVersion + 1);
      return commit(c);
    };
    const record = fifoRecord(message(alice, { op: 'add' }));
    const response = await dispatch({ Records: [record] }, CONTEXT);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(t.queue.changes).toEqual([[{ receiptHandle: record.receiptHandle, timeoutSeconds: 0 }]]);
    expect(t.metrics.total('test/counter', METRIC.conflicts)).toBe(1);
  });

  it('startsNoTurnWithoutTimeToFinishItAndLetsTheRecordsComeBackAtOnce', async () => {
    const records = [fifoRecord(message(alice, { op: 'add' })), fifoRecord(message(bob, { op: 'add' }))];
    const response = await dispatch({ Records: records }, { getRemainingTimeInMillis: () => 1500 });
    expect(response.batchItemFailures).toHaveLength(2);
    expect(t.queue.changes.flat().map((c) => c.timeoutSeconds)).toEqual([0, 0]);
    expect(await count(alice)).toBeUndefined();
  });

  it('retriesAGroupWhoseRecordCouldNotBeLoadedWithBackoff', async () => {
    const load = t.local.load.bind(t.local);
    let failures = 1;
    t.local.load = (address) => (failures-- > 0 ? Promise.reject(new Error('injected: DynamoDB is unavailable')) : load(address));
    const records = [fifoRecord(message(alice, { op: 'add' }), { receiveCount: 3 }), fifoRecord(message(alice, { op: 'add' }), { receiveCount: 3 })];
    const response = await dispatch({ Records: records }, CONTEXT);
    expect(response.batchItemFailures).toHaveLength(2);
    expect(t.queue.changes.flat().map((c) => c.timeoutSeconds)).toEqual([4, 4]);
  });

  it('parksAnAddressOnATerminalFailureWithItsLaterMessagesAndAcknowledgesThem', async () => {
    const records = [message(alice, { op: 'add' }), message(alice, { op: 'terminal' }), message(alice, { op: 'add' })].map((e) => fifoRecord(e));
    const response = await dispatch({ Records: records }, CONTEXT);
    expect(response).toEqual({ batchItemFailures: [] });
    const parked = (await t.local.load(alice)).parked;
    expect(parked?.reason).toContain('poison at alice');
    expect((await t.local.listLetters(alice)).map((l) => l.envelope.id)).toHaveLength(2);
    expect(t.metrics.total('test/counter', METRIC.parked)).toBe(1);
  });

  it('setsAnUndecodableMessageAsideAsADeadLetterOfItsGroupInsteadOfLosingIt', async () => {
    const good = fifoRecord(message(alice, { op: 'add' }));
    const bad = fifoRecord(message(alice, { op: 'add' }), { body: 'not an envelope!', groupId: 'group-7' });
    const response = await dispatch({ Records: [bad, good] }, CONTEXT);
    expect(response).toEqual({ batchItemFailures: [] });
    const poison = { typename: UNDECODABLE_TYPE, id: 'group-7' };
    expect((await t.local.load(poison)).parked?.reason).toContain(`SQS message ${bad.messageId} is not a statefun-aws envelope`);
    const letters = await t.local.listLetters(poison);
    expect(letters.map((l) => Buffer.from(l.envelope.argument.value).toString())).toEqual(['not an envelope!']);
    expect(await count(alice)).toBe(1);
    // Redelivered (the Lambda died before answering): still one letter.
    await dispatch({ Records: [{ ...bad, attributes: { ...bad.attributes, ApproximateReceiveCount: '2' } }] }, CONTEXT);
    expect(await t.local.listLetters(poison)).toHaveLength(1);
    expect(t.metrics.total(UNDECODABLE_TYPE, METRIC.parked)).toBe(2);
  });

  it('sendsMessagesOfATurnToTheBusAfterCommitting', async () => {
    const response = await dispatch({ Records: [fifoRecord(message(alice, { op: 'forward', to: 'bob' }))] }, CONTEXT);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(t.bus.sent.map((e) => [e.target.id, e.origin.kind])).toEqual([['bob', 'function']]);
    expect(counter.typename).toBe('test/counter');
  });
});

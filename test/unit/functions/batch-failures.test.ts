import { describe, expect, it } from 'vitest';
import { batchFailures, groupRecords, type RecordOutcome, visibilitySeconds } from '../../../runtime/aws/lambda/batch-failures.js';
import type { SqsRecord } from '../../../runtime/aws/lambda/events.js';

function record(id: string, group: string | undefined): SqsRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: '',
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 's',
      ApproximateFirstReceiveTimestamp: '0',
      ...(group !== undefined ? { MessageGroupId: group } : {}),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
    awsRegion: 'us-east-1',
  };
}

const done: RecordOutcome = { kind: 'done' };
const retry = (afterMs: number): RecordOutcome => ({ kind: 'retry', afterMs });

describe('groups of a FIFO batch', () => {
  it('keepsBatchOrderInsideEachGroupAndOrdersGroupsByTheirFirstRecord', () => {
    const records = [record('1', 'b'), record('2', 'a'), record('3', 'b'), record('4', 'a'), record('5', 'c')];
    expect(groupRecords(records)).toEqual([
      { groupId: 'b', indices: [0, 2] },
      { groupId: 'a', indices: [1, 3] },
      { groupId: 'c', indices: [4] },
    ]);
  });

  it('putsEveryRecordWithoutGroupInAGroupOfItsOwn', () => {
    expect(groupRecords([record('1', undefined), record('2', undefined)]).map((g) => g.indices)).toEqual([[0], [1]]);
  });
});

describe('batch item failures', () => {
  it('reportsNothingWhenEveryRecordIsDone', () => {
    const records = [record('1', 'a'), record('2', 'a')];
    expect(batchFailures(records, [done, done])).toEqual({ response: { batchItemFailures: [] }, visibility: [] });
  });

  it('reportsTheFirstFailedRecordAndEveryLaterRecordOfItsGroupEvenIfDone', () => {
    const records = Array.from({ length: 10 }, (_, i) => record(`m${i}`, 'g'));
    const outcomes = records.map((_, i) => (i < 3 ? done : i === 3 ? retry(4_000) : i === 6 ? done : retry(0)));
    const { response, visibility } = batchFailures(records, outcomes);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    // Every failed record waits the backoff of the group's first failure: a later one left in flight would block the group.
    expect(visibility).toEqual(records.slice(3).map((r) => ({ receiptHandle: r.receiptHandle, timeoutSeconds: 4 })));
  });

  it('leavesOtherGroupsAlone', () => {
    const records = [record('a1', 'a'), record('b1', 'b'), record('a2', 'a'), record('b2', 'b'), record('c1', 'c')];
    const outcomes = [done, retry(1500), done, done, retry(0)];
    const { response, visibility } = batchFailures(records, outcomes);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['b1', 'b2', 'c1']);
    expect(visibility.map((v) => v.timeoutSeconds)).toEqual([2, 2, 0]);
  });

  it('reportsRecordsWithoutOutcomeAsFailed', () => {
    const records = [record('1', 'a'), record('2', 'a')];
    expect(batchFailures(records, [done]).response.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });

  it('roundsBackoffUpToWholeSecondsWithinSqsLimits', () => {
    expect(visibilitySeconds(0)).toBe(0);
    expect(visibilitySeconds(-5)).toBe(0);
    expect(visibilitySeconds(1)).toBe(1);
    expect(visibilitySeconds(1000)).toBe(1);
    expect(visibilitySeconds(1001)).toBe(2);
    expect(visibilitySeconds(24 * 3_600_000)).toBe(43_200);
    expect(visibilitySeconds(Number.NaN)).toBe(0);
  });
});

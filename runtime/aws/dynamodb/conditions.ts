/**
 * Named condition fragments of the state table's conditional writes (DESIGN I1: the version is a fencing token).
 *
 * The race they settle — two workers took the same address at version 7 (a redelivery after a visibility
 * timeout, or a zombie that outlived its Lambda's deadline):
 *
 *     worker A: load → v7 ─────── commit(expected 7) ✓ writes v8
 *     worker B: load → v7 ───────────────────────────── commit(expected 7) ✗ finds v8 → VersionConflictError(found 8)
 *
 * DynamoDB evaluates the condition and the write as one atomic step per item, so exactly one of two commits
 * on the same expected version wins and the loser writes nothing; the loser's messages are redelivered and
 * processed on top of v8.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PK, TTL_ATTR, VERSION_ATTR } from './table.js';

export interface Condition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** No item with this key exists: the first commit of an address (expected version 0), or a put-if-absent. */
export const ITEM_ABSENT: Condition = Object.freeze({
  ConditionExpression: 'attribute_not_exists(#pk)',
  ExpressionAttributeNames: { '#pk': PK },
});

/** The stored record is still at `expected`: nobody committed since this worker loaded it. */
export function versionIs(expected: number): Condition {
  return {
    ConditionExpression: '#v = :expected',
    ExpressionAttributeNames: { '#v': VERSION_ATTR },
    ExpressionAttributeValues: { ':expected': { N: String(expected) } },
  };
}

/** The condition of a commit that read `expectedVersion` (0: the address never committed). */
export function commitCondition(expectedVersion: number): Condition {
  return expectedVersion === 0 ? ITEM_ABSENT : versionIs(expectedVersion);
}

/** No item, or one whose `ttl` has passed (DynamoDB deletes expired items lazily, so they may still be read). */
export function absentOrExpired(nowSeconds: number): Condition {
  return {
    ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
    ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL_ATTR },
    ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
  };
}

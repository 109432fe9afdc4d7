import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { awsCall, awsErrorName, toDomainError } from '../aws-errors.js';
import { CapacityTally, reportedUnits } from './capacity.js';
import { absentOrExpired } from './conditions.js';
import { itemSize, readUnits, writeUnits } from './item-size.js';
import { INGRESS_KEY_SK, ingressKeyPartitionKey } from './keys.js';
import { PK, SK, TTL_ATTR } from './table.js';
import { type DynamoDbTableOptions, type Item, numberAttr, stringAttr, TableAccess } from './table-access.js';

/** What an ingress idempotency key is remembered with. */
export interface IngressKeyClaim {
  /** The message id minted by the request that first used the key. */
  readonly messageId: string;
  /** When that request was accepted (epoch ms). */
  readonly at: number;
  /** True when this call stored the key (the first use); false when it was known already. */
  readonly fresh: boolean;
}

/** The default of how long keys are remembered (`STATEFUN_IDEMPOTENCY_TTL`). */
export const DEFAULT_INGRESS_KEY_TTL_MS = 24 * 3_600_000;

const MESSAGE_ATTR = 'm';
const STATUS_ATTR = 's';
const AT_ATTR = 'at';

/**
 * The HTTP ingress's `Idempotency-Key`s over the state table (`pk` = `idem#<target>#<key>`, `sk` = `i`):
 * the first request with a key for a target stores the message id it minted; a retry learns that id and sends
 * the very same message again (DESIGN I3: the FIFO queue drops it within 5 minutes, the target's dedup marks
 * after that).
 *
 * `claim` is one put-if-absent (1 WRU): a conditional PutItem that succeeds when no item exists or the one
 * there has expired (DynamoDB deletes expired items lazily, so an expired key may still be read), answering
 * the remembered claim otherwise (`ReturnValuesOnConditionCheckFailure: ALL_OLD`, no second read). The item
 * carries `ttl` = accepted + `ttlMs`, and `s` = `accepted`.
 */
export class DynamoDbIngressKeyStore {
  readonly capacity: CapacityTally;
  private readonly table: TableAccess;

  constructor(options: DynamoDbTableOptions) {
    this.capacity = options.capacity ?? new CapacityTally();
    this.table = new TableAccess(options.client, options.tableName, this.capacity);
  }

  /**
   * Remembers that `key` (as the HTTP ingress scopes it: `<target address key>\u0000<Idempotency-Key>`) was first
   * used for `messageId` at `at`, for `ttlMs`, unless it is remembered already.
   */
  async claim(key: string, messageId: string, at: number, ttlMs: number = DEFAULT_INGRESS_KEY_TTL_MS): Promise<IngressKeyClaim> {
    const item: Item = {
      [PK]: { S: ingressKeyPartitionKey(key) },
      [SK]: { S: INGRESS_KEY_SK },
      [MESSAGE_ATTR]: { S: messageId },
      [STATUS_ATTR]: { S: 'accepted' },
      [AT_ATTR]: { N: String(at) },
      [TTL_ATTR]: { N: String(Math.ceil((at + ttlMs) / 1000)) },
    };
    const what = `DynamoDB PutItem of ingress key ${JSON.stringify(key.replace('\u0000', ' '))}`;
    try {
      const out = await this.table.client.send(
        new PutItemCommand({
          TableName: this.table.tableName,
          Item: item,
          ...absentOrExpired(Math.floor(at / 1000)),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.capacity.add('ingressKey.claim', { wru: writeUnits(itemSize(item)), reported: reportedUnits(out.ConsumedCapacity) });
      return { messageId, at, fresh: true };
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw toDomainError(error, what);
      const found = (error as { Item?: Item }).Item ?? {};
      this.capacity.add('ingressKey.claim', { wru: writeUnits(Math.max(itemSize(item), itemSize(found))) });
      return { messageId: stringAttr(found, MESSAGE_ATTR) ?? messageId, at: numberAttr(found, AT_ATTR, at), fresh: false };
    }
  }

  /** The claim remembered for `key`, if any and not expired at `now`. */
  async get(key: string, now: number): Promise<Omit<IngressKeyClaim, 'fresh'> | undefined> {
    const out = await awsCall(`DynamoDB GetItem of an ingress key`, () =>
      this.table.client.send(
        new GetItemCommand({
          TableName: this.table.tableName,
          Key: { [PK]: { S: ingressKeyPartitionKey(key) }, [SK]: { S: INGRESS_KEY_SK } },
          ConsistentRead: true,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    const item = out.Item;
    this.capacity.add('ingressKey.get', { rru: readUnits(item === undefined ? 0 : itemSize(item)), reported: reportedUnits(out.ConsumedCapacity) });
    if (item === undefined || numberAttr(item, TTL_ATTR, Number.POSITIVE_INFINITY) * 1000 < now) return undefined;
    return { messageId: stringAttr(item, MESSAGE_ATTR) ?? '', at: numberAttr(item, AT_ATTR) };
  }
}

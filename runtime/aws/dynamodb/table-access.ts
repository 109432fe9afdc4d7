import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { RetryableError } from '../../core/errors.js';
import { awsCall } from '../aws-errors.js';
import { type CapacityOperation, type CapacityTally, reportedUnits } from './capacity.js';
import { itemSize, readUnits, writeUnits } from './item-size.js';
import { PK, SK } from './table.js';

export type Item = Record<string, AttributeValue>;

/** What every DynamoDB adapter of this folder is built with. */
export interface DynamoDbTableOptions {
  /** The client, built once per container by the caller. */
  readonly client: DynamoDBClient;
  /** The state table (see `table.ts`). */
  readonly tableName: string;
  /** Where request units are tallied; pass one tally to several adapters to add them up. @default - a tally of its own */
  readonly capacity?: CapacityTally;
}

const BATCH_WRITE_MAX = 25;
const BATCH_WRITE_ATTEMPTS = 5;

/** Queries and batch deletes shared by the adapters, each tallied under its operation name. */
export class TableAccess {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
    readonly capacity: CapacityTally,
  ) {}

  /**
   * Every item of partition `pk` whose sort key starts with `prefix`, in sort-key order, strongly consistent,
   * following pages. `projection` names the attributes to return (all when undefined).
   */
  async queryPrefix(operation: CapacityOperation, what: string, pk: string, prefix: string, projection?: readonly string[]): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const names: Record<string, string> = { '#pk': PK, '#sk': SK };
      projection?.forEach((attr, i) => (names[`#p${i}`] = attr));
      const page = await awsCall(`DynamoDB Query of ${what}`, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':pk': { S: pk }, ':prefix': { S: prefix } },
            ConsistentRead: true,
            ReturnConsumedCapacity: 'TOTAL',
            ...(projection !== undefined ? { ProjectionExpression: ['#sk', ...projection.map((_, i) => `#p${i}`)].join(', ') } : {}),
            ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      const pageItems = page.Items ?? [];
      // A projection still reads (and bills) whole items; the estimate only sees what came back.
      this.capacity.add(operation, { rru: readUnits(pageItems.reduce((sum, item) => sum + itemSize(item), 0)), reported: reportedUnits(page.ConsumedCapacity) });
      items.push(...pageItems);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  /**
   * Deletes items by key, 25 per BatchWriteItem, retrying unprocessed ones. `sizes` (by sort key) improves the
   * unit estimate: a delete costs the units of the item it removes.
   */
  async deleteItems(operation: CapacityOperation, what: string, pk: string, sortKeys: readonly string[], sizes?: ReadonlyMap<string, number>): Promise<void> {
    for (let i = 0; i < sortKeys.length; i += BATCH_WRITE_MAX) {
      let requests: WriteRequest[] = sortKeys.slice(i, i + BATCH_WRITE_MAX).map((sk) => ({ DeleteRequest: { Key: { [PK]: { S: pk }, [SK]: { S: sk } } } }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > BATCH_WRITE_ATTEMPTS) throw new RetryableError(`DynamoDB BatchWriteItem of ${what}: ${requests.length} deletes still unprocessed after ${BATCH_WRITE_ATTEMPTS} attempts`);
        if (attempt > 1) await sleep(25 * 2 ** attempt);
        const batch = requests;
        const out = await awsCall(`DynamoDB BatchWriteItem of ${what}`, () =>
          this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: batch }, ReturnConsumedCapacity: 'TOTAL' })),
        );
        const unprocessed = out.UnprocessedItems?.[this.tableName] ?? [];
        const done = batch.length - unprocessed.length;
        let wru = 0;
        for (const request of batch.slice(0, done)) wru += writeUnits(sizes?.get(request.DeleteRequest?.Key?.[SK]?.S ?? '') ?? 0);
        this.capacity.add(operation, { wru, reported: reportedUnits(out.ConsumedCapacity) });
        requests = unprocessed;
      }
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A number attribute, or `fallback` when absent. */
export function numberAttr(item: Item, name: string, fallback = 0): number {
  const text = item[name]?.N;
  return text === undefined ? fallback : Number(text);
}

export function stringAttr(item: Item, name: string): string | undefined {
  return item[name]?.S;
}

/** A binary attribute as a plain `Uint8Array`. */
export function bytesAttr(item: Item, name: string): Uint8Array | undefined {
  const b = item[name]?.B;
  if (b === undefined) return undefined;
  return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Splits bytes into segments of at most `size` bytes (at least one segment, possibly empty). */
export function segments(bytes: Uint8Array, size: number): Uint8Array[] {
  if (bytes.length <= size) return [bytes];
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) out.push(bytes.subarray(offset, Math.min(offset + size, bytes.length)));
  return out;
}

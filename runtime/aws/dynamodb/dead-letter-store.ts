import { DeleteItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { type Address, addressKey } from '../../core/address.js';
import { RetryableError } from '../../core/errors.js';
import type { DeadLetter, DeadLetterStore, ParkedAddress } from '../../ports.js';
import { awsCall, awsErrorName, toDomainError } from '../aws-errors.js';
import { CapacityTally, reportedUnits } from './capacity.js';
import { ITEM_ABSENT } from './conditions.js';
import { itemSize, readUnits, writeUnits } from './item-size.js';
import {
  addressPartitionKey,
  LETTER_PREFIX,
  LETTERS_HEAD_SK,
  letterChunkSortKey,
  letterSortKey,
  parseLetterSortKey,
} from './keys.js';
import { decodeLetter, encodeLetter } from './letter-codec.js';
import { addressOfKey } from './record-codec.js';
import { DEFAULT_SEGMENT_BYTES } from './state-store.js';
import {
  ADDRESS_ATTR,
  BODY_ATTR,
  CHUNKS_ATTR,
  INDEX_NAME,
  INDEX_PK,
  INDEX_SK,
  LETTER_COUNT_ATTR,
  LETTER_ID_ATTR,
  LETTERS_INDEX_KEY,
  PARK_MESSAGE_ATTR,
  PARK_REASON_ATTR,
  PARKED_INDEX_KEY,
  PK,
  SK,
} from './table.js';
import { bytesAttr, concatBytes, type DynamoDbTableOptions, type Item, numberAttr, segments, stringAttr, TableAccess } from './table-access.js';

const APPEND_ATTEMPTS = 5;

/**
 * {@link DeadLetterStore} over the state table. The letters of an address are items of its partition,
 * `sk = d#<order>` (zero-padded, so a Query returns them in arrival order), each with its envelope id in `id`;
 * a letter larger than one item spills into `d#<order>#<n>` chunks, written before it. An index item
 * (`sk = d`) exists while the address has letters: it carries `gpk = letters` for the sparse GSI, so
 * {@link addressesWithLetters} is one Query on the index, and the letter count.
 *
 * - `appendLetters`: lists the letters (one Query), skips ids already there (idempotent, also within the
 *   call), writes the index item, then each new letter with a put-if-absent on its order — if a concurrent
 *   append took that order, it starts over from the listing.
 * - `removeLetters`: lists ids, deletes the matching letters (BatchWriteItem) and updates or deletes the index.
 * - `addressesWithLetters` and {@link parkedAddresses} read the GSI, which is eventually consistent
 *   (DynamoDB: typically well under a second).
 *
 * Letters of one address are written by the worker that holds the address (its FIFO group), so appends and
 * removals of one address do not race in practice; the conditions keep a zombie from overwriting a letter.
 */
export class DynamoDbDeadLetterStore implements DeadLetterStore {
  readonly capacity: CapacityTally;
  private readonly table: TableAccess;

  constructor(options: DynamoDbTableOptions) {
    this.capacity = options.capacity ?? new CapacityTally();
    this.table = new TableAccess(options.client, options.tableName, this.capacity);
  }

  async appendLetters(address: Address, letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const key = addressKey(address);
    const pk = addressPartitionKey(address);
    for (let attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
      const stored = await this.listItems(pk, key, [LETTER_ID_ATTR]);
      const known = new Set(stored.map((s) => s.id));
      const fresh: DeadLetter[] = [];
      for (const letter of letters) {
        if (known.has(letter.envelope.id)) continue;
        known.add(letter.envelope.id);
        fresh.push(letter);
      }
      if (fresh.length === 0) return;
      let order = stored.reduce((max, s) => Math.max(max, s.order), 0);
      // The index item first: a crash after it leaves the address listed with no new letter, never a letter unlisted.
      await this.putIndex(pk, key, stored.length + fresh.length);
      let raced = false;
      for (const letter of fresh) {
        order += 1;
        if (!(await this.putLetter(pk, key, order, letter))) {
          raced = true;
          break;
        }
      }
      if (!raced) return;
    }
    throw new RetryableError(`appending dead letters of ${key} kept racing with another writer (${APPEND_ATTEMPTS} attempts)`);
  }

  async listLetters(address: Address): Promise<readonly DeadLetter[]> {
    const key = addressKey(address);
    const items = await this.table.queryPrefix('letters.list', `the dead letters of ${key}`, addressPartitionKey(address), LETTER_PREFIX);
    const letters: DeadLetter[] = [];
    let current: { order: number; chunks: number; parts: Uint8Array[] } | undefined;
    const flush = (): void => {
      // A letter whose chunks are not all there was never completely written: it does not exist.
      if (current !== undefined && current.parts.length === current.chunks + 1) {
        letters.push(decodeLetter(concatBytes(current.parts), `dead letter ${current.order} of ${key}`));
      }
      current = undefined;
    };
    for (const item of items) {
      const sk = parseLetterSortKey(item[SK]?.S ?? '');
      if (sk === undefined) continue;
      const body = bytesAttr(item, BODY_ATTR) ?? new Uint8Array(0);
      if (sk.part === 0) {
        flush();
        current = { order: sk.order, chunks: numberAttr(item, CHUNKS_ATTR), parts: [body] };
      } else if (current?.order === sk.order) {
        // Chunks sort after their letter (`d#<order>` < `d#<order>#<n>`).
        current.parts.push(body);
      }
    }
    flush();
    return letters;
  }

  async removeLetters(address: Address, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const key = addressKey(address);
    const pk = addressPartitionKey(address);
    const stored = await this.listItems(pk, key, [LETTER_ID_ATTR, CHUNKS_ATTR]);
    const drop = new Set(ids);
    const doomed = stored.filter((s) => drop.has(s.id));
    if (doomed.length === 0) return;
    const sortKeys: string[] = [];
    for (const s of doomed) {
      for (let part = 1; part <= s.chunks; part++) sortKeys.push(letterChunkSortKey(s.order, part));
      sortKeys.push(letterSortKey(s.order));
    }
    await this.table.deleteItems('letters.remove', `dead letters of ${key}`, pk, sortKeys);
    const left = stored.length - doomed.length;
    if (left > 0) {
      await this.putIndex(pk, key, left);
      return;
    }
    const out = await awsCall(`DynamoDB DeleteItem of the dead-letter index of ${key}`, () =>
      this.table.client.send(
        new DeleteItemCommand({ TableName: this.table.tableName, Key: { [PK]: { S: pk }, [SK]: { S: LETTERS_HEAD_SK } }, ReturnConsumedCapacity: 'TOTAL' }),
      ),
    );
    this.capacity.add('letters.index', { wru: 1, reported: reportedUnits(out.ConsumedCapacity) });
  }

  async addressesWithLetters(): Promise<readonly Address[]> {
    const items = await this.queryIndex(LETTERS_INDEX_KEY);
    return items.map((item) => addressOfKey(stringAttr(item, ADDRESS_ATTR) ?? ''));
  }

  /** Parked addresses, longest parked first, with why and how many letters wait (two Queries on the GSI). */
  async parkedAddresses(): Promise<readonly ParkedAddress[]> {
    const [parked, withLetters] = await Promise.all([this.queryIndex(PARKED_INDEX_KEY), this.queryIndex(LETTERS_INDEX_KEY)]);
    const counts = new Map(withLetters.map((item) => [stringAttr(item, ADDRESS_ATTR) ?? '', numberAttr(item, LETTER_COUNT_ATTR)]));
    return parked.map((item) => {
      const key = stringAttr(item, ADDRESS_ATTR) ?? '';
      const since = Number((stringAttr(item, INDEX_SK) ?? '0').split('#', 1)[0]);
      const reason = stringAttr(item, PARK_REASON_ATTR) ?? '';
      const messageId = stringAttr(item, PARK_MESSAGE_ATTR) ?? '';
      return {
        address: addressOfKey(key),
        info: { since, reason: reason === '-' ? '' : reason, messageId: messageId === '-' ? '' : messageId },
        letters: counts.get(key) ?? 0,
      };
    });
  }

  /** Order, envelope id and chunk count of every stored letter, oldest first. */
  private async listItems(pk: string, key: string, projection: readonly string[]): Promise<Array<{ order: number; id: string; chunks: number }>> {
    const items = await this.table.queryPrefix('letters.list', `the dead letters of ${key}`, pk, LETTER_PREFIX, projection);
    const out: Array<{ order: number; id: string; chunks: number }> = [];
    for (const item of items) {
      const sk = parseLetterSortKey(item[SK]?.S ?? '');
      if (sk === undefined || sk.part !== 0) continue;
      out.push({ order: sk.order, id: stringAttr(item, LETTER_ID_ATTR) ?? '', chunks: numberAttr(item, CHUNKS_ATTR) });
    }
    return out;
  }

  private async putIndex(pk: string, key: string, count: number): Promise<void> {
    const item: Item = {
      [PK]: { S: pk },
      [SK]: { S: LETTERS_HEAD_SK },
      [INDEX_PK]: { S: LETTERS_INDEX_KEY },
      [INDEX_SK]: { S: pk },
      [ADDRESS_ATTR]: { S: key },
      [LETTER_COUNT_ATTR]: { N: String(count) },
    };
    const out = await awsCall(`DynamoDB PutItem of the dead-letter index of ${key}`, () =>
      this.table.client.send(new PutItemCommand({ TableName: this.table.tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' })),
    );
    this.capacity.add('letters.index', { wru: writeUnits(itemSize(item)), reported: reportedUnits(out.ConsumedCapacity) });
  }

  /** Writes one letter (chunks first, then the letter item if its order is free); false when the order was taken. */
  private async putLetter(pk: string, key: string, order: number, letter: DeadLetter): Promise<boolean> {
    const [first, ...rest] = segments(encodeLetter(letter), DEFAULT_SEGMENT_BYTES);
    for (let i = 0; i < rest.length; i++) {
      const chunk: Item = { [PK]: { S: pk }, [SK]: { S: letterChunkSortKey(order, i + 1) }, [BODY_ATTR]: { B: rest[i]! } };
      const out = await awsCall(`DynamoDB PutItem of a dead-letter chunk of ${key}`, () =>
        this.table.client.send(new PutItemCommand({ TableName: this.table.tableName, Item: chunk, ReturnConsumedCapacity: 'TOTAL' })),
      );
      this.capacity.add('letters.append', { wru: writeUnits(itemSize(chunk)), reported: reportedUnits(out.ConsumedCapacity) });
    }
    const item: Item = {
      [PK]: { S: pk },
      [SK]: { S: letterSortKey(order) },
      [LETTER_ID_ATTR]: { S: letter.envelope.id },
      [BODY_ATTR]: { B: first! },
    };
    if (rest.length > 0) item[CHUNKS_ATTR] = { N: String(rest.length) };
    const what = `DynamoDB PutItem of dead letter ${letter.envelope.id} of ${key}`;
    try {
      const out = await this.table.client.send(
        new PutItemCommand({ TableName: this.table.tableName, Item: item, ...ITEM_ABSENT, ReturnConsumedCapacity: 'TOTAL' }),
      );
      this.capacity.add('letters.append', { wru: writeUnits(itemSize(item)), reported: reportedUnits(out.ConsumedCapacity) });
      return true;
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw toDomainError(error, what);
      this.capacity.add('letters.append', { wru: writeUnits(itemSize(item)) });
      return false;
    }
  }

  private async queryIndex(indexKey: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await awsCall(`DynamoDB Query of the ${indexKey} index`, () =>
        this.table.client.send(
          new QueryCommand({
            TableName: this.table.tableName,
            IndexName: INDEX_NAME,
            KeyConditionExpression: '#gpk = :key',
            ExpressionAttributeNames: { '#gpk': INDEX_PK },
            ExpressionAttributeValues: { ':key': { S: indexKey } },
            ReturnConsumedCapacity: 'TOTAL',
            ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      const pageItems = page.Items ?? [];
      // Index reads are eventually consistent: half a unit per 4 KB.
      this.capacity.add('letters.index', { rru: readUnits(pageItems.reduce((sum, item) => sum + itemSize(item), 0)) / 2, reported: reportedUnits(page.ConsumedCapacity) });
      items.push(...pageItems);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }
}

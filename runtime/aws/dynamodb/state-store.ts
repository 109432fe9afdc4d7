import {
  type AttributeValue,
  GetItemCommand,
  PutItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { type Address, addressKey } from '../../core/address.js';
import { RetryableError, TerminalError, ValidationError, VersionConflictError } from '../../core/errors.js';
import { type AddressRecord, emptyRecord } from '../../core/record.js';
import { bytesEqual } from '../../core/typed-value.js';
import { type Clock, type CommitReceipt, type RecordCommit, type StateStore, systemClock } from '../../ports.js';
import { awsCall, awsErrorName, toDomainError } from '../aws-errors.js';
import { sha256Base64Url, sha256BytesBase64Url } from '../hashing.js';
import { CapacityTally, reportedUnits } from './capacity.js';
import { commitCondition } from './conditions.js';
import { itemSize, readUnits, writeUnits } from './item-size.js';
import { addressPartitionKey, CHUNK_PREFIX, chunkPrefix, chunkSortKey, chunkVersion, isHashedKey, RECORD_SK } from './keys.js';
import { decodeRecord, encodeRecord } from './record-codec.js';
import { RecordLayouts } from './record-layouts.js';
import {
  ADDRESS_ATTR,
  BODY_ATTR,
  CHUNKS_ATTR,
  CONTENT_HASH_ATTR,
  INDEX_PK,
  INDEX_SK,
  PARK_MESSAGE_ATTR,
  PARK_REASON_ATTR,
  PARKED_INDEX_KEY,
  PK,
  SK,
  TTL_ATTR,
  VERSION_ATTR,
} from './table.js';
import { bytesAttr, concatBytes, type DynamoDbTableOptions, type Item, numberAttr, segments, TableAccess } from './table-access.js';
import { type RecordRetention, recordExpiry } from './ttl.js';

/** Bytes of a record kept in one item (DynamoDB allows 400 KB per item, names and keys included). */
export const DEFAULT_SEGMENT_BYTES = 350 * 1024;
/** What one TransactWriteItems may write in total (DynamoDB: 4 MB), with a margin for keys and attribute names. */
export const TRANSACTION_MAX_BYTES = 4_000_000;
const TRANSACTION_MAX_ACTIONS = 100;
const CHUNK_READ_ATTEMPTS = 3;

export interface DynamoDbStateStoreOptions extends DynamoDbTableOptions {
  /** How long records are kept after their last commit (see {@link recordExpiry}). @default 14 days */
  readonly retention?: RecordRetention;
  /** Compress encoded records above this many bytes when it saves 10 %. @default 1024 */
  readonly compressAboveBytes?: number;
  /** Most bytes of a record in one item; larger records are chunked. @default 358_400 (350 KiB) */
  readonly segmentBytes?: number;
  /** For the `ttl` of expired-record checks. @default - the system clock */
  readonly clock?: Clock;
}

/**
 * {@link StateStore} over the state table: one item per address (`pk` = address key, `sk` = `r`), conditioned on
 * its version (DESIGN I1) and written whole with its outbox and `lastConsumed` (I2).
 *
 * - `load` is one strongly consistent GetItem (1 RRU up to 4 KB); a chunked record adds one Query for its chunks.
 * - `commit` is one conditional PutItem (1 WRU per KB of the larger of the old and new item). A record larger
 *   than {@link DEFAULT_SEGMENT_BYTES} encoded is split: the record item keeps the first part, chunk items
 *   `c#<version>#<n>` the rest, all written by one TransactWriteItems conditioned on the record item (twice the
 *   units); the previous version's chunks are deleted after the commit, or left to the next commit's cleanup if
 *   that fails. Records beyond one transaction (4 MB) are refused with a {@link TerminalError} naming the address.
 * - A conflict is a {@link VersionConflictError} carrying the version found (0 when there is no record). A retry
 *   by the SDK of a commit that had in fact succeeded (its answer lost) finds its own write and succeeds.
 *
 * Commits return `effectsReleased: false`: the engine releases the outbox through the other ports (I4).
 * Request units of every call are tallied in {@link capacity}.
 */
export class DynamoDbStateStore implements StateStore {
  readonly capacity: CapacityTally;
  private readonly table: TableAccess;
  private readonly retention: RecordRetention;
  private readonly compressAboveBytes: number | undefined;
  private readonly segmentBytes: number;
  private readonly clock: Clock;
  /** What this store last saw of each address's items: the old item's size and chunks at commit time. */
  private readonly layouts = new RecordLayouts();

  constructor(options: DynamoDbStateStoreOptions) {
    this.capacity = options.capacity ?? new CapacityTally();
    this.table = new TableAccess(options.client, options.tableName, this.capacity);
    this.retention = options.retention ?? {};
    this.compressAboveBytes = options.compressAboveBytes;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.clock = options.clock ?? systemClock;
    if (!Number.isSafeInteger(this.segmentBytes) || this.segmentBytes < 1024 || this.segmentBytes > DEFAULT_SEGMENT_BYTES) {
      throw new ValidationError(`segmentBytes must be a whole number from 1024 to ${DEFAULT_SEGMENT_BYTES}, got ${String(options.segmentBytes)}`);
    }
  }

  async load(address: Address): Promise<AddressRecord> {
    const key = addressKey(address);
    const pk = addressPartitionKey(address);
    for (let attempt = 1; ; attempt++) {
      const out = await awsCall(`DynamoDB GetItem of the record of ${key}`, () =>
        this.table.client.send(
          new GetItemCommand({
            TableName: this.table.tableName,
            Key: { [PK]: { S: pk }, [SK]: { S: RECORD_SK } },
            ConsistentRead: true,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      const item = out.Item;
      this.capacity.add('record.load', { rru: readUnits(item === undefined ? 0 : itemSize(item)), reported: reportedUnits(out.ConsumedCapacity) });
      if (item === undefined) {
        this.layouts.remember(key, { version: 0, chunks: 0, size: 0 });
        return emptyRecord();
      }
      const version = numberAttr(item, VERSION_ATTR);
      const chunks = numberAttr(item, CHUNKS_ATTR);
      const parts = [bytesAttr(item, BODY_ATTR) ?? new Uint8Array(0)];
      if (chunks > 0) {
        // Only parts 1..cn count: a part beyond them can only be left over from an earlier incarnation of the
        // record (deleted by TTL, item by item) that reached this version with more chunks.
        const found = (await this.table.queryPrefix('record.loadChunks', `the record chunks of ${key}`, pk, chunkPrefix(version))).filter(
          (chunk, i) => chunk[SK]?.S === chunkSortKey(version, i + 1) && i < chunks,
        );
        if (found.length !== chunks) {
          // A concurrent commit replaced this version and deleted its chunks between the two reads: read again.
          if (attempt < CHUNK_READ_ATTEMPTS) continue;
          const ttl = numberAttr(item, TTL_ATTR, Number.POSITIVE_INFINITY);
          // TTL deletes items one by one: an expired record may have lost chunks first. It reads as empty.
          if (ttl * 1000 < this.clock.now()) return { ...emptyRecord(), version };
          throw new RetryableError(`the record of ${key} at version ${version} has ${found.length} of its ${chunks} chunks`);
        }
        for (const chunk of found) parts.push(bytesAttr(chunk, BODY_ATTR) ?? new Uint8Array(0));
      }
      const record = decodeRecord(concatBytes(parts), `the record of ${key}`);
      if (record.version !== version) {
        throw new TerminalError(`the record of ${key} is corrupt: item version ${version}, encoded version ${record.version}`);
      }
      this.layouts.remember(key, { version, chunks, size: itemSize(item) });
      return record;
    }
  }

  async commit(commit: RecordCommit): Promise<CommitReceipt> {
    const { address, expectedVersion, record } = commit;
    const key = addressKey(address);
    if (record.version !== expectedVersion + 1) {
      throw new ValidationError(`a commit of ${key} on version ${expectedVersion} must store version ${expectedVersion + 1}, not ${record.version}`);
    }
    const pk = addressPartitionKey(address);
    const blob = encodeRecord(record, this.compressAboveBytes === undefined ? {} : { compressAboveBytes: this.compressAboveBytes });
    const ttl = recordExpiry(record, this.retention);
    const [first, ...rest] = segments(blob, this.segmentBytes);
    const main = recordItem(pk, key, record, first!, rest.length, ttl);
    // A chunked record item carries the hash of the whole record, to recognise its own write after a lost answer.
    if (rest.length > 0) main[CONTENT_HASH_ATTR] = { S: sha256BytesBase64Url(blob) };
    const chunks = rest.map((segment, i) => chunkItem(pk, record.version, i + 1, segment, ttl));
    const previous = this.layouts.take(key, expectedVersion);

    if (chunks.length === 0) await this.put(key, expectedVersion, main, previous?.size);
    else await this.putChunked(key, expectedVersion, main, chunks, blob.length, previous?.size);

    this.layouts.remember(key, { version: record.version, chunks: chunks.length, size: itemSize(main) });
    await this.cleanChunks(key, pk, record.version, previous);
    return { effectsReleased: false, record };
  }

  /** One conditional PutItem: the common case. */
  private async put(key: string, expectedVersion: number, main: Item, oldSize: number | undefined): Promise<void> {
    const what = `DynamoDB PutItem of the record of ${key} (version ${expectedVersion} → ${expectedVersion + 1})`;
    const wru = writeUnits(Math.max(itemSize(main), oldSize ?? 0));
    try {
      const out = await this.table.client.send(
        new PutItemCommand({
          TableName: this.table.tableName,
          Item: main,
          ...commitCondition(expectedVersion),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.capacity.add('record.commit', { wru, reported: reportedUnits(out.ConsumedCapacity) });
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw toDomainError(error, what);
      const found = (error as { Item?: Item }).Item;
      this.capacity.add('record.conflict', { wru: writeUnits(Math.max(itemSize(main), found === undefined ? 0 : itemSize(found))) });
      if (isOwnWrite(found, main)) return;
      throw new VersionConflictError(key, expectedVersion, found === undefined ? 0 : numberAttr(found, VERSION_ATTR), { cause: error });
    }
  }

  /** The record item and its chunks in one transaction, conditioned on the record item. */
  private async putChunked(key: string, expectedVersion: number, main: Item, chunks: readonly Item[], encodedBytes: number, oldSize: number | undefined): Promise<void> {
    const sizes = [itemSize(main), ...chunks.map(itemSize)];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total > TRANSACTION_MAX_BYTES || chunks.length + 1 > TRANSACTION_MAX_ACTIONS) {
      throw new TerminalError(
        `the record of ${key} is ${encodedBytes} bytes encoded (${chunks.length + 1} items, ${total} bytes), more than one DynamoDB ` +
          `transaction can write (${TRANSACTION_MAX_BYTES} bytes): keep less state in this address`,
      );
    }
    const what = `DynamoDB TransactWriteItems of the record of ${key} (version ${expectedVersion} → ${expectedVersion + 1}, ${chunks.length} chunks)`;
    const actions: TransactWriteItem[] = [
      { Put: { TableName: this.table.tableName, Item: main, ...commitCondition(expectedVersion), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
      ...chunks.map((chunk): TransactWriteItem => ({ Put: { TableName: this.table.tableName, Item: chunk } })),
    ];
    // Transactional writes cost two units per KB, of the larger of old and new for the replaced record item.
    const wru = 2 * (writeUnits(Math.max(sizes[0]!, oldSize ?? 0)) + sizes.slice(1).reduce((sum, size) => sum + writeUnits(size), 0));
    try {
      const out = await this.table.client.send(
        new TransactWriteItemsCommand({
          TransactItems: actions,
          // Makes an SDK retry of a transaction that succeeded (its answer lost) a no-op for 10 minutes.
          ClientRequestToken: sha256Base64Url(`${key}\u0000${expectedVersion}\u0000${main[CONTENT_HASH_ATTR]?.S ?? ''}`).slice(0, 36),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.capacity.add('record.commitChunked', { wru, reported: reportedUnits(out.ConsumedCapacity) });
    } catch (error) {
      if (awsErrorName(error) !== 'TransactionCanceledException') throw toDomainError(error, what);
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string; Item?: Item }> }).CancellationReasons ?? [];
      const first = reasons[0];
      if (first?.Code !== 'ConditionalCheckFailed') {
        const codes = reasons.map((r) => r.Code ?? 'None').join(', ');
        throw new RetryableError(`${what}: cancelled (${codes})`, { cause: error });
      }
      this.capacity.add('record.conflict', { wru });
      if (isOwnWrite(first.Item, main)) return;
      throw new VersionConflictError(key, expectedVersion, first.Item === undefined ? 0 : numberAttr(first.Item, VERSION_ATTR), { cause: error });
    }
  }

  /**
   * Deletes chunks of versions before `version`. Known from this store's last read or write of the address; when
   * it does not know (another process wrote last), it lists them. Never deletes chunks of `version` or later: a
   * newer commit may already have written its own. A failure leaves them for the next commit's cleanup.
   */
  private async cleanChunks(key: string, pk: string, version: number, previous: { version: number; chunks: number } | undefined): Promise<void> {
    try {
      let stale: string[];
      if (previous !== undefined) {
        stale = [];
        for (let part = 1; part <= previous.chunks; part++) stale.push(chunkSortKey(previous.version, part));
      } else {
        if (version === 1) return;
        const items = await this.table.queryPrefix('record.cleanChunks', `the record chunks of ${key}`, pk, CHUNK_PREFIX, []);
        stale = items.map((item) => item[SK]?.S ?? '').filter((sk) => (chunkVersion(sk) ?? version) < version);
      }
      if (stale.length > 0) await this.table.deleteItems('record.cleanChunks', `old record chunks of ${key}`, pk, stale);
    } catch {
      this.layouts.forget(key);
    }
  }
}

/** The record item: everything but the overflow chunks. */
function recordItem(pk: string, key: string, record: AddressRecord, body: Uint8Array, chunks: number, ttl: number | undefined): Item {
  const item: Record<string, AttributeValue> = {
    [PK]: { S: pk },
    [SK]: { S: RECORD_SK },
    [VERSION_ATTR]: { N: String(record.version) },
    [BODY_ATTR]: { B: body },
  };
  if (ttl !== undefined) item[TTL_ATTR] = { N: String(ttl) };
  if (chunks > 0) item[CHUNKS_ATTR] = { N: String(chunks) };
  if (isHashedKey(pk) || record.parked !== undefined) item[ADDRESS_ATTR] = { S: key };
  if (record.parked !== undefined) {
    // Sparse: only parked records are in the index, listed oldest first.
    item[INDEX_PK] = { S: PARKED_INDEX_KEY };
    item[INDEX_SK] = { S: `${String(record.parked.since).padStart(15, '0')}#${pk}` };
    item[PARK_REASON_ATTR] = { S: record.parked.reason.slice(0, 1000) || '-' };
    item[PARK_MESSAGE_ATTR] = { S: record.parked.messageId || '-' };
  }
  return item;
}

function chunkItem(pk: string, version: number, part: number, body: Uint8Array, ttl: number | undefined): Item {
  const item: Item = { [PK]: { S: pk }, [SK]: { S: chunkSortKey(version, part) }, [BODY_ATTR]: { B: body } };
  if (ttl !== undefined) item[TTL_ATTR] = { N: String(ttl) };
  return item;
}

/** True when the item found is the very one this commit wrote (an SDK retry of a write that succeeded). */
function isOwnWrite(found: Item | undefined, written: Item): boolean {
  if (found === undefined) return false;
  if (found[VERSION_ATTR]?.N !== written[VERSION_ATTR]?.N) return false;
  if ((found[CHUNKS_ATTR]?.N ?? '0') !== (written[CHUNKS_ATTR]?.N ?? '0')) return false;
  if (found[CONTENT_HASH_ATTR]?.S !== written[CONTENT_HASH_ATTR]?.S) return false;
  const a = bytesAttr(found, BODY_ATTR);
  const b = bytesAttr(written, BODY_ATTR);
  return a !== undefined && b !== undefined && bytesEqual(a, b);
}

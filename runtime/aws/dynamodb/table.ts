/**
 * The one DynamoDB table of statefun-aws: records, their overflow chunks, dead letters, spec registrations and
 * ingress idempotency keys, under a composite key (`pk` S, `sk` S).
 *
 * | item                    | pk                         | sk                  | other attributes                                   |
 * |-------------------------|----------------------------|---------------------|----------------------------------------------------|
 * | address record          | address key¹               | `r`                 | `v` N version, `b` B record², `ttl`³, `cn` N chunks, `a`⁴, parked: `gpk`=`parked`, `gsk`, `pr`, `pm` |
 *   (chunked records also `h` S: SHA-256 of the whole encoded record)
 * | record chunk            | address key¹               | `c#<version>#<n>`   | `b` B, `ttl`³                                      |
 * | dead-letter index       | address key¹               | `d`                 | `gpk`=`letters`, `gsk`, `a`, `n` N count           |
 * | dead letter             | address key¹               | `d#<order>`         | `id` S envelope id, `b` B letter, `cn` N chunks    |
 * | dead-letter chunk       | address key¹               | `d#<order>#<n>`     | `b` B                                              |
 * | spec registrations      | `spec#<function type>`¹    | `spec`              | one `s:<state name>` M per state                   |
 * | ingress idempotency key | `idem#<target>#<key>`¹     | `i`                 | `m` S message id, `s` S status, `at` N, `fp` S, `ttl` |
 *
 * ¹ hashed to `h#<sha256>` beyond 512 bytes (then `a` holds the address key). ² see `record-codec.ts`.
 * ³ epoch seconds; absent when the item must live forever (see `ttl.ts`). ⁴ only when listed or hashed.
 *
 * One sparse GSI, {@link INDEX_NAME} (`gpk` S, `gsk` S, projecting `a`, `pr`, `pm`, `n`), lists parked addresses
 * (`gpk = parked`, `gsk = <since>#<pk>`) and addresses with dead letters (`gpk = letters`, `gsk = <pk>`): one
 * Query each, never a Scan. Only those few items carry `gpk`, so the index stays small. (Each listing is one
 * index partition: fine for the hundreds of addresses an incident parks, not meant for millions.)
 */
import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

export const PK = 'pk';
export const SK = 'sk';
export const VERSION_ATTR = 'v';
export const BODY_ATTR = 'b';
export const TTL_ATTR = 'ttl';
export const CHUNKS_ATTR = 'cn';
export const CONTENT_HASH_ATTR = 'h';
export const ADDRESS_ATTR = 'a';
export const INDEX_PK = 'gpk';
export const INDEX_SK = 'gsk';
export const PARK_REASON_ATTR = 'pr';
export const PARK_MESSAGE_ATTR = 'pm';
export const LETTER_COUNT_ATTR = 'n';
export const LETTER_ID_ATTR = 'id';

/** The sparse GSI listing parked addresses and addresses with dead letters. */
export const INDEX_NAME = 'index';
export const PARKED_INDEX_KEY = 'parked';
export const LETTERS_INDEX_KEY = 'letters';

/** The CreateTable input of the state table (on-demand); CDK constructs mirror it. */
export function stateTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PK, AttributeType: 'S' },
      { AttributeName: SK, AttributeType: 'S' },
      { AttributeName: INDEX_PK, AttributeType: 'S' },
      { AttributeName: INDEX_SK, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: PK, KeyType: 'HASH' },
      { AttributeName: SK, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: INDEX_NAME,
        KeySchema: [
          { AttributeName: INDEX_PK, KeyType: 'HASH' },
          { AttributeName: INDEX_SK, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [ADDRESS_ATTR, PARK_REASON_ATTR, PARK_MESSAGE_ATTR, LETTER_COUNT_ATTR] },
      },
    ],
  };
}

/**
 * Creates the state table if it does not exist, waits until it is ACTIVE and turns TTL on: for `statefun dev
 * --aws-local` and tests (deployments create it with CDK).
 */
export async function ensureStateTable(client: DynamoDBClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  try {
    await client.send(new CreateTableCommand(stateTableDefinition(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (Date.now() > deadline) throw new Error(`table ${tableName} is not ACTIVE after ${timeoutMs} ms (${Table?.TableStatus ?? 'unknown'})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTR, Enabled: true } }));
  } catch (error) {
    // Enabling twice is refused ("TimeToLive is already enabled"): the table is as wanted.
    if (!/already enabled/i.test((error as Error).message)) throw error;
  }
}

/**
 * The DynamoDB adapters: records (StateStore), spec registrations (SpecStore), dead letters (DeadLetterStore)
 * and ingress idempotency keys, all in one table (see `table.ts` for the item layout).
 */
export { CapacityTally, type CapacityCount, type CapacityOperation } from './capacity.js';
export { DynamoDbDeadLetterStore } from './dead-letter-store.js';
export { DEFAULT_INGRESS_KEY_TTL_MS, DynamoDbIngressKeyStore, type IngressKeyClaim } from './ingress-key-store.js';
export { itemSize, readUnits, writeUnits } from './item-size.js';
export { decodeRecord, encodeRecord } from './record-codec.js';
export { DynamoDbSpecStore } from './spec-store.js';
export { DEFAULT_SEGMENT_BYTES, DynamoDbStateStore, type DynamoDbStateStoreOptions, TRANSACTION_MAX_BYTES } from './state-store.js';
export { ensureStateTable, INDEX_NAME, stateTableDefinition } from './table.js';
export type { DynamoDbTableOptions } from './table-access.js';
export { MAX_QUEUE_RETENTION_MS, type RecordRetention, recordExpiry } from './ttl.js';

/**
 * The DynamoDB actions the adapters call (TransactWriteItems needs those of its actions: PutItem), for IAM policies: on the table and on its index (`<table arn>/index/*`).
 */
export const DYNAMODB_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchWriteItem',
] as const;

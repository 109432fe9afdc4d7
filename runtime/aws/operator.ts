import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Address, addressKey } from '../core/address.js';
import { type Envelope, INTERNAL_TYPENAME } from '../core/envelope.js';
import { ValidationError } from '../core/errors.js';
import type { ParkInfo } from '../core/record.js';
import { show } from '../core/typename.js';
import type { DeadLetter, ParkedAddress } from '../ports.js';
import { DynamoDbDeadLetterStore } from './dynamodb/dead-letter-store.js';
import { DynamoDbStateStore } from './dynamodb/state-store.js';
import { ENV, type Env } from './runtime-env.js';
import { SqsFifoMessageBus } from './sqs/message-bus.js';

/**
 * What an operator does with parked addresses of a deployed app (DESIGN I7), from the `statefun parked --aws`
 * command: list them from the state table's parked index, show their dead letters, and replay or skip by
 * sending a control message into the address's FIFO group, where the dispatcher runs it as the address's
 * next turn.
 */
export interface AwsOperator {
  /** Parked addresses, longest parked first. */
  parked(): Promise<readonly ParkedAddress[]>;
  /** Why `address` is parked and its dead letters, oldest first; undefined when it is not parked. */
  detail(address: Address): Promise<{ readonly info: ParkInfo; readonly letters: readonly DeadLetter[] } | undefined>;
  /**
   * Sends a replay or skip for a parked address. Throws a {@link ValidationError} when the address is not
   * parked, or when `messageId` is not one of its dead letters. Answers the control message's id.
   */
  control(address: Address, command: 'replay' | 'skip', messageId: string | undefined): Promise<string>;
  close(): void;
}

export interface AwsOperatorOptions {
  /** `STATEFUN_TABLE_NAME`, `STATEFUN_QUEUE_URL`, and the SDK's `AWS_*` settings (region, endpoints). */
  readonly env: Env;
  /** Injected clients (tests); default ones read the SDK's settings from `env` and the process environment. */
  readonly clients?: { readonly dynamodb?: DynamoDBClient; readonly sqs?: SQSClient };
  readonly now?: () => number;
}

export function awsOperator(options: AwsOperatorOptions): AwsOperator {
  const { env } = options;
  const tableName = env[ENV.tableName];
  const queueUrl = env[ENV.queueUrl];
  if (tableName === undefined || tableName === '') throw new ValidationError(`the state table is needed: pass --table or set ${ENV.tableName}`);
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const credentials =
    env.AWS_ACCESS_KEY_ID !== undefined && env.AWS_SECRET_ACCESS_KEY !== undefined
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN !== undefined ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
      : {};
  const config = (endpoint: string | undefined) => ({ ...(region !== undefined ? { region } : {}), ...(endpoint !== undefined ? { endpoint } : {}), ...credentials });
  const dynamodb = options.clients?.dynamodb ?? new DynamoDBClient(config(env.AWS_ENDPOINT_URL_DYNAMODB));
  let sqs = options.clients?.sqs;
  const made: Array<{ destroy(): void }> = options.clients?.dynamodb === undefined ? [dynamodb] : [];
  const store = new DynamoDbStateStore({ client: dynamodb, tableName });
  const letters = new DynamoDbDeadLetterStore({ client: dynamodb, tableName });
  const now = options.now ?? Date.now;
  return {
    parked: () => letters.parkedAddresses(),
    async detail(address) {
      const record = await store.load(address);
      if (record.parked === undefined) return undefined;
      return { info: record.parked, letters: await letters.listLetters(address) };
    },
    async control(address, command, messageId) {
      const key = addressKey(address);
      if (queueUrl === undefined || queueUrl === '') throw new ValidationError(`the queue of addresses is needed for ${command}: pass --queue-url or set ${ENV.queueUrl}`);
      const record = await store.load(address);
      if (record.parked === undefined) throw new ValidationError(`address ${show(key)} is not parked`);
      if (messageId !== undefined && !(await letters.listLetters(address)).some((l) => l.envelope.id === messageId)) {
        throw new ValidationError(`address ${show(key)} has no parked message ${show(messageId)}; see statefun parked show ${key} --aws`);
      }
      if (sqs === undefined) {
        sqs = new SQSClient(config(env.AWS_ENDPOINT_URL_SQS));
        made.push(sqs);
      }
      const envelope: Envelope = {
        id: `control:${command}:${key}:${randomUUID()}`,
        target: address,
        caller: undefined,
        argument: { typename: INTERNAL_TYPENAME, value: new Uint8Array(0) },
        origin: { kind: 'control', command, issuedAt: now(), ...(messageId !== undefined ? { messageId } : {}) },
      };
      await new SqsFifoMessageBus({ client: sqs, queueUrl }).send([envelope]);
      return envelope.id;
    },
    close: () => made.forEach((client) => client.destroy()),
  };
}

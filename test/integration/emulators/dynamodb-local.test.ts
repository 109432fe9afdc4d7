import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, useAwsEmulators } from '../../support/emulators.js';

const emulators = useAwsEmulators();

describe('DynamoDB Local', () => {
  let ddb: DynamoDBClient;
  const table = `emulator-test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    ddb = new DynamoDBClient(clientConfig(emulators().dynamodb));
    await ddb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
  });
  afterAll(() => ddb.destroy());

  it('answers a failed conditional put with the current item (ReturnValuesOnConditionCheckFailure ALL_OLD)', async () => {
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, version: { N: '3' } } }));

    const stale = ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: 'a' }, version: { N: '3' } },
        ConditionExpression: '#v = :expected',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':expected': { N: '2' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );

    const error = await stale.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect((error as ConditionalCheckFailedException).Item).toEqual({ pk: { S: 'a' }, version: { N: '3' } });
  });

  it('commits a TransactWriteItems atomically, and cancels all of it when one condition fails', async () => {
    await ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: { S: 't1' }, n: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: table, Item: { pk: { S: 't2' }, n: { N: '1' } } } },
        ],
      }),
    );

    const failing = ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: { S: 't3' }, n: { N: '1' } } } },
          {
            Put: {
              TableName: table,
              Item: { pk: { S: 't1' }, n: { N: '2' } },
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    );

    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    expect(reasons.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(reasons[1]?.Item).toEqual({ pk: { S: 't1' }, n: { N: '1' } });
    const t3 = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 't3' } }, ConsistentRead: true }));
    expect(t3.Item).toBeUndefined();
    const t2 = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 't2' } }, ConsistentRead: true }));
    expect(t2.Item).toEqual({ pk: { S: 't2' }, n: { N: '1' } });
  });
});

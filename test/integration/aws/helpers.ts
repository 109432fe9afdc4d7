/** A fresh state table, queues and clients on the emulators, for the AWS adapter tests. */
import { randomUUID } from 'node:crypto';
import { type AttributeValue, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ensureStateTable } from '../../../runtime/aws/dynamodb/table.js';
import { type AwsEmulatorEndpoints, clientConfig } from '../../support/emulators.js';

export interface TableFixture {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  /** Every item of a partition, raw, in sort-key order. */
  items(pk: string): Promise<Array<Record<string, AttributeValue>>>;
  destroy(): void;
}

export async function freshTable(endpoints: AwsEmulatorEndpoints, prefix: string): Promise<TableFixture> {
  const dynamodb = new DynamoDBClient(clientConfig(endpoints.dynamodb));
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureStateTable(dynamodb, tableName);
  return {
    dynamodb,
    tableName,
    async items(pk) {
      const out = await dynamodb.send(
        new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } }, ConsistentRead: true }),
      );
      return out.Items ?? [];
    },
    destroy: () => dynamodb.destroy(),
  };
}

export function sqsClient(endpoints: AwsEmulatorEndpoints): SQSClient {
  return new SQSClient(clientConfig(endpoints.sqs));
}

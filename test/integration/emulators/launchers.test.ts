/** Starting and stopping the emulator processes: nothing is left running, and a missing Java is explained. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { findJava, spawnSqsEmulator, startDynamoDbLocal } from '../../../runtime/aws/emulators/index.js';
import { isAlive } from '../../../runtime/aws/emulators/process-group.js';
import { clientConfig } from '../../support/emulators.js';

describe('emulator launchers', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('names the Debian package when there is no Java on PATH', () => {
    const path = process.env['PATH'];
    process.env['PATH'] = '';
    try {
      expect(() => findJava('')).toThrow(/openjdk-17-jre-headless/);
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('says what is wrong with a JAVA_HOME that holds no java', () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-java-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'README'), 'not a JDK');

    expect(() => findJava(dir)).toThrow(new RegExp(`JAVA_HOME is ${dir}.*openjdk-17-jre-headless`));
  });

  it('starts DynamoDB Local on a data directory, keeps tables across a restart, and stops it by PID', async () => {
    const dbPath = mkdtempSync(join(tmpdir(), 'dynamodb-local-'));
    dirs.push(dbPath);
    const first = await startDynamoDbLocal({ dbPath });
    const ddb = new DynamoDBClient({ ...clientConfig(first.endpoint), maxAttempts: 1 });
    try {
      await ddb.send(
        new CreateTableCommand({
          TableName: 'kept',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
    } finally {
      ddb.destroy();
      await first.stop();
    }
    const firstGone = !isAlive(first.pid);

    const second = await startDynamoDbLocal({ dbPath });
    const again = new DynamoDBClient({ ...clientConfig(second.endpoint), maxAttempts: 1 });
    try {
      expect((await again.send(new ListTablesCommand({}))).TableNames).toEqual(['kept']);
    } finally {
      again.destroy();
      await second.stop();
    }

    expect(firstGone).toBe(true);
    expect(isAlive(second.pid)).toBe(false);
  });

  it('runs the SQS emulator as a child process and stops it by PID', async () => {
    const child = await spawnSqsEmulator();
    const sqs = new SQSClient({ ...clientConfig(child.endpoint), maxAttempts: 1 });
    try {
      expect(isAlive(child.pid)).toBe(true);
      await expect(sqs.send(new ListQueuesCommand({}))).resolves.toBeDefined();
    } finally {
      sqs.destroy();
      await child.stop();
    }

    expect(isAlive(child.pid)).toBe(false);
  });
});

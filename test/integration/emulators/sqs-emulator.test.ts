import {
  GetQueueUrlCommand,
  ListQueuesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator } from '../../../runtime/aws/emulators/index.js';
import { clientConfig, useAwsEmulators } from '../../support/emulators.js';
import { createQueue, drain, uniqueQueueName } from '../../support/sqs-helpers.js';

const emulators = useAwsEmulators();

describe('SQS emulator (fauxqs)', () => {
  let sqs: SQSClient;
  beforeAll(() => {
    sqs = new SQSClient(clientConfig(emulators().sqs));
  });
  afterAll(() => sqs.destroy());

  it('mints queue URLs on the host the client used, so the endpoint alone routes clients', async () => {
    const { url } = await createQueue(sqs, uniqueQueueName('urls', false));

    expect(url.startsWith(`${emulators().sqs}/`)).toBe(true);
  });

  it('keeps the order of each message group of a FIFO queue', async () => {
    const { url } = await createQueue(sqs, uniqueQueueName('order', true), { ContentBasedDeduplication: 'true' });
    for (let i = 0; i < 5; i++) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'a', MessageBody: `a-${i}`, MessageGroupId: 'group-a' },
            { Id: 'b', MessageBody: `b-${i}`, MessageGroupId: 'group-b' },
          ],
        }),
      );
    }

    const received = await drain(sqs, url);

    const bodiesOf = (group: string): string[] =>
      received.filter((m) => m.Attributes?.['MessageGroupId'] === group).map((m) => m.Body ?? '');
    expect(bodiesOf('group-a')).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
    expect(bodiesOf('group-b')).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
  });

  it('drops FIFO duplicates by explicit deduplication id and by content', async () => {
    const { url } = await createQueue(sqs, uniqueQueueName('dedup', true), { ContentBasedDeduplication: 'true' });
    const first = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'id-1' }));
    const again = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'y', MessageGroupId: 'g', MessageDeduplicationId: 'id-1' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same body', MessageGroupId: 'g' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same body', MessageGroupId: 'g' }));

    const received = await drain(sqs, url);

    expect(again.MessageId).toBe(first.MessageId);
    expect(received.map((m) => m.Body)).toEqual(['x', 'same body']);
  });

  it('runs in process on 127.0.0.1 and is gone after stop()', async () => {
    const own = await startSqsEmulator();
    const client = new SQSClient({ ...clientConfig(own.endpoint), maxAttempts: 1 });
    try {
      expect(own.endpoint).toBe(`http://127.0.0.1:${own.port}`);
      const { url } = await createQueue(client, 'in-process');
      expect((await client.send(new GetQueueUrlCommand({ QueueName: 'in-process' }))).QueueUrl).toBe(url);

      await own.stop();

      await expect(client.send(new ListQueuesCommand({}))).rejects.toThrow();
    } finally {
      client.destroy();
      await own.stop();
    }
  });
});

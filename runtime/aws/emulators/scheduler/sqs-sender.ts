import { GetQueueUrlCommand, type MessageAttributeValue, SendMessageCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { emulatorCredentials } from '../credentials.js';
import { DeliveryError } from './delivery-error.js';

/** A message for one SQS queue, named by its ARN parts. */
export interface SqsSend {
  readonly region: string;
  readonly accountId: string;
  readonly queueName: string;
  readonly body: string;
  readonly messageGroupId?: string;
  readonly attributes?: Readonly<Record<string, MessageAttributeValue>>;
}

/**
 * Sends the Scheduler emulator's messages to an SQS endpoint (the SQS emulator). A queue ARN is resolved to its
 * URL with GetQueueUrl by name, signed for the ARN's region (the SQS emulator keys queues by region), and the URL
 * is cached until a send to it fails. No deduplication id is sent, like the real service: a FIFO queue needs
 * content-based deduplication, or it rejects the message and the delivery fails.
 */
export class SqsSender {
  private readonly clients = new Map<string, SQSClient>();
  private readonly urls = new Map<string, string>();

  constructor(
    private readonly endpoint: string | undefined,
    private readonly requestTimeoutMs = 10_000,
  ) {}

  async send(message: SqsSend): Promise<void> {
    if (this.endpoint === undefined) {
      throw new DeliveryError('SQS.NoEndpoint', `no SQS endpoint is configured for the Scheduler emulator (option sqsEndpoint)`);
    }
    const client = this.client(this.endpoint, message.region);
    const cacheKey = `${message.region}:${message.accountId}:${message.queueName}`;
    try {
      let queueUrl = this.urls.get(cacheKey);
      if (queueUrl === undefined) {
        const found = await client.send(new GetQueueUrlCommand({ QueueName: message.queueName, QueueOwnerAWSAccountId: message.accountId }));
        if (found.QueueUrl === undefined) throw new DeliveryError('SQS.QueueDoesNotExist', `GetQueueUrl gave no URL for ${message.queueName}`);
        queueUrl = found.QueueUrl;
        this.urls.set(cacheKey, queueUrl);
      }
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.body,
          ...(message.messageGroupId === undefined ? {} : { MessageGroupId: message.messageGroupId }),
          ...(message.attributes === undefined ? {} : { MessageAttributes: { ...message.attributes } }),
        }),
      );
    } catch (error) {
      this.urls.delete(cacheKey);
      if (error instanceof DeliveryError) throw error;
      // Query-compatible errors are named `AWS.SimpleQueueService.<Code>`; the code alone is what callers match on.
      const code = error instanceof SQSServiceException ? `SQS.${error.name.replace(/^AWS\.SimpleQueueService\./, '')}` : 'SQS.RequestFailed';
      throw new DeliveryError(code, `sending to SQS queue ${message.queueName} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private client(endpoint: string, region: string): SQSClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      client = new SQSClient({
        endpoint,
        region,
        credentials: emulatorCredentials(),
        maxAttempts: 1,
        requestHandler: { requestTimeout: this.requestTimeoutMs },
      });
      this.clients.set(region, client);
    }
    return client;
  }
}

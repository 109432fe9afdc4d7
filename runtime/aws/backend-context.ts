import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '../ports.js';
import type { RuntimeLogger } from './observability.js';
import type { RuntimeBackend } from './runtime-backend.js';
import type { RuntimeEnv } from './runtime-env.js';

/** The AWS SDK clients of a container. Each is made on first use unless injected. */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly scheduler: SchedulerClient;
  readonly lambda: LambdaClient;
  readonly sns: SNSClient;
  readonly eventbridge: EventBridgeClient;
  readonly kinesis: KinesisClient;
}

/** What a backend factory gets to build the ports from. */
export interface BackendContext {
  readonly env: RuntimeEnv;
  readonly clients: AwsClients;
  readonly clock: Clock;
  readonly logger: RuntimeLogger;
}

/** Builds the ports of a container's engine (the AWS adapters by default, `aws-backend.ts`). */
export type BackendFactory = (context: BackendContext) => RuntimeBackend;

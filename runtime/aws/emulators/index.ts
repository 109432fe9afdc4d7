/**
 * Local stand-ins for AWS, started and stopped by the project itself: DynamoDB Local (Amazon's jar), an SQS
 * emulator (fauxqs) and the project's own EventBridge Scheduler emulator. All listen on 127.0.0.1.
 */
export { emulatorCredentials, EMULATOR_REGION } from './credentials.js';
export { type DynamoDbLocal, type DynamoDbLocalOptions, startDynamoDbLocal } from './dynamodb-local.js';
export { findJava, JAVA_PACKAGE } from './java.js';
export { stopProcessGroupByPid } from './process-group.js';
export * from './scheduler/index.js';
export {
  type SqsEmulator,
  type SqsEmulatorOptions,
  type SqsEmulatorProcess,
  spawnSqsEmulator,
  startSqsEmulator,
} from './sqs-emulator.js';

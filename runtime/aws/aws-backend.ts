import { ValidationError } from '../core/errors.js';
import type { BackendContext } from './app-runtime.js';
import type { RuntimeBackend } from './runtime-backend.js';

/** The AWS backend: DynamoDB stores, the SQS FIFO bus, the delay scheduler and the egress sinks. */
export function awsBackend(_context: BackendContext): RuntimeBackend {
  throw new ValidationError('the AWS adapters are not wired yet');
}

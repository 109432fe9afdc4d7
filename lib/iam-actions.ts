/**
 * The IAM actions each Lambda handler calls, by the resource it calls them on: what the constructs grant, and
 * nothing more. The adapters in `runtime/aws/` export the actions they call (`…_ACTIONS`); lib/ may not import
 * them (it never loads the AWS SDK), so these lists are written here and a test (test/cdk/least-privilege.test.ts)
 * checks every synthesized policy against the adapters' own lists.
 *
 * Not listed here, because CDK grants them with the resource that needs them:
 * - the SQS event source mappings' `sqs:ReceiveMessage`, `sqs:DeleteMessage`, `sqs:ChangeMessageVisibility`,
 *   `sqs:GetQueueAttributes`, `sqs:GetQueueUrl` on the queue a function consumes (`SqsEventSource`);
 * - `logs:CreateLogStream`, `logs:PutLogEvents` on the function's own log group;
 * - `xray:PutTraceSegments`, `xray:PutTelemetryRecords` (active tracing; X-Ray has no resource-level permissions).
 */

/** What one handler calls on the app's own resources. */
export interface HandlerPermissions {
  /** On the state table. */
  readonly table: readonly string[];
  /** On the table's indexes. */
  readonly tableIndex: readonly string[];
  /** On the FIFO queue of addresses (besides consuming it, for the dispatcher). */
  readonly addressQueue: readonly string[];
  /** On the standard delay queue (besides consuming it, for the forwarder). */
  readonly delayQueue: readonly string[];
  /** On the schedules of the app's schedule group. */
  readonly schedules: readonly string[];
  /** `iam:PassRole` of the Scheduler's role (to create schedules that assume it). */
  readonly passSchedulerRole: boolean;
}

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'] as const;

/** Per handler (functions/README.md, "Handlers and their factories"). */
export const HANDLER_PERMISSIONS: Readonly<Record<'dispatcher' | 'httpIngress' | 'sqsIngress' | 'delayForwarder', HandlerPermissions>> = {
  dispatcher: {
    // Records, chunks, dead letters and spec registrations; a turn commits in one TransactWriteItems.
    table: [...TABLE_READ, ...TABLE_WRITE],
    tableIndex: ['dynamodb:Query'],
    addressQueue: ['sqs:SendMessage', 'sqs:ChangeMessageVisibility'],
    delayQueue: ['sqs:SendMessage'],
    schedules: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
    passSchedulerRole: true,
  },
  httpIngress: {
    // Idempotency keys (put-if-absent, read back).
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    tableIndex: [],
    addressQueue: ['sqs:SendMessage'],
    delayQueue: [],
    schedules: [],
    passSchedulerRole: false,
  },
  sqsIngress: {
    table: [],
    tableIndex: [],
    addressQueue: ['sqs:SendMessage'],
    delayQueue: [],
    schedules: [],
    passSchedulerRole: false,
  },
  delayForwarder: {
    // A fire is checked against its owner's record (cancelled? already delivered?) before it is forwarded.
    table: ['dynamodb:GetItem'],
    tableIndex: [],
    addressQueue: ['sqs:SendMessage'],
    delayQueue: ['sqs:SendMessage'],
    schedules: [],
    passSchedulerRole: false,
  },
};

/** What the dispatcher calls on each kind of egress resource. */
export const EGRESS_PERMISSIONS = {
  sqs: ['sqs:SendMessage'],
  sns: ['sns:Publish'],
  eventbridge: ['events:PutEvents'],
  kinesis: ['kinesis:PutRecords'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** What the dispatcher calls on the Lambda functions of remote endpoints with the Lambda transport. */
export const REMOTE_LAMBDA_PERMISSIONS = ['lambda:InvokeFunction'] as const;

/** What EventBridge Scheduler does with the role it assumes: send to the delay queue, and to its DLQ. */
export const SCHEDULER_ROLE_PERMISSIONS = ['sqs:SendMessage'] as const;

/** KMS actions a producer needs on a queue or topic encrypted with a customer managed key. */
export const KMS_PRODUCER_PERMISSIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

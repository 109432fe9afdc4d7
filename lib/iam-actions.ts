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

/**
 * What the DynamoDB adapters call (`DYNAMODB_ACTIONS`: records, spec registrations, dead letters, ingress keys;
 * a TransactWriteItems is authorised by the actions inside it). They share one list, so every handler that
 * uses any of them gets all of it.
 */
const DYNAMODB = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'] as const;

/** Per handler (functions/README.md, "Handlers and their factories"), from the adapters each one uses. */
export const HANDLER_PERMISSIONS: Readonly<Record<'dispatcher' | 'httpIngress' | 'sqsIngress' | 'delayForwarder', HandlerPermissions>> = {
  dispatcher: {
    // State store, spec store and dead letters; listing parked addresses queries the index.
    table: DYNAMODB,
    tableIndex: ['dynamodb:Query'],
    // The bus (SQS_BUS_ACTIONS) and the retry backoff (SQS_QUEUE_CONTROL_ACTIONS).
    addressQueue: ['sqs:SendMessage', 'sqs:ChangeMessageVisibility'],
    // The delay scheduler (DELAY_SCHEDULER_ACTIONS): short delays, long ones as schedules assuming the Scheduler's role.
    delayQueue: ['sqs:SendMessage'],
    schedules: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
    passSchedulerRole: true,
  },
  httpIngress: {
    // Idempotency keys (the ingress key store).
    table: DYNAMODB,
    tableIndex: [],
    addressQueue: ['sqs:SendMessage'],
    delayQueue: [],
    schedules: [],
    passSchedulerRole: false,
  },
  sqsIngress: {
    // Unroutable records are set aside as dead letters.
    table: DYNAMODB,
    tableIndex: [],
    addressQueue: ['sqs:SendMessage'],
    delayQueue: [],
    schedules: [],
    passSchedulerRole: false,
  },
  delayForwarder: {
    // Records that are no timer fire are set aside as dead letters; fires go to the FIFO queue
    // (DELAY_FORWARDER_ACTIONS), fires not due yet back to the delay queue.
    table: DYNAMODB,
    tableIndex: [],
    addressQueue: ['sqs:SendMessage'],
    delayQueue: ['sqs:SendMessage'],
    schedules: [],
    passSchedulerRole: false,
  },
};

/** What the dispatcher calls on each kind of egress resource. */
export const EGRESS_PERMISSIONS = {
  // GetQueueUrl only for a queue named without a URL; the construct always passes the URL, but grants the adapter's list.
  sqs: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
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

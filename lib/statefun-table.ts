import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ValidationError } from '../runtime/core/errors.js';
import { acknowledgeWildcard } from './nag.js';

/**
 * The key layout of the state table, as the DynamoDB adapter (`runtime/aws/dynamodb/table.ts`) defines it;
 * a test checks the two agree.
 */
export const STATE_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'ttl',
  /** The one sparse GSI: parked addresses (`gpk = parked`) and addresses with dead letters (`gpk = letters`). */
  index: {
    name: 'index',
    partitionKey: 'gpk',
    sortKey: 'gsk',
    /** Projected besides the keys: address key, park reason, parked message, letter count. */
    nonKeyAttributes: ['a', 'pr', 'pm', 'n'],
  },
} as const;

/** How the table is encrypted at rest. */
export type StateTableEncryption =
  /** With a key AWS owns and manages (free, no key policy to manage). */
  | { readonly type: 'aws-owned' }
  /** With the account's AWS managed key `aws/dynamodb` (usage logged in CloudTrail). */
  | { readonly type: 'aws-managed' }
  /** With a customer managed key. */
  | { readonly type: 'customer-managed'; readonly key: kms.IKey };

export interface StatefunTableProps {
  /**
   * On-demand or provisioned capacity.
   *
   * @default - on-demand (`PAY_PER_REQUEST`): no capacity to plan, and idle apps cost nothing
   */
  readonly billing?: { readonly mode: 'on-demand' } | { readonly mode: 'provisioned'; readonly readCapacity: number; readonly writeCapacity: number };
  /**
   * Encryption at rest.
   *
   * @default - `{ type: 'aws-owned' }`
   */
  readonly encryption?: StateTableEncryption;
  /**
   * Point-in-time recovery (continuous backups for 35 days).
   *
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
  /**
   * What happens to the table (all state, dead letters and pending timers) when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse to delete the table even when asked to (CloudFormation deletion protection).
   *
   * @default false
   */
  readonly deletionProtection?: boolean;
}

/**
 * The state table of an app: every address's record (state, timers, dedup marks, outbox), dead letters, spec
 * registrations and ingress idempotency keys, under `pk`/`sk`, with TTL attribute `ttl` and one sparse GSI
 * listing parked addresses. See `runtime/aws/dynamodb/table.ts` for the item layout.
 *
 * @example
 * const table = new StatefunTable(this, 'State', { encryption: { type: 'customer-managed', key } });
 * table.grantReadState(operatorRole);
 */
export class StatefunTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StatefunTableProps = {}) {
    super(scope, id);
    const billing = props.billing ?? { mode: 'on-demand' };
    if (billing.mode === 'provisioned') {
      for (const [name, value] of [['readCapacity', billing.readCapacity], ['writeCapacity', billing.writeCapacity]] as const) {
        if (!Number.isInteger(value) || value < 1) {
          throw new ValidationError(`StatefunTable ${this.node.path}: billing.${name} must be a whole number of at least 1, got ${String(value)}`);
        }
      }
    } else if (billing.mode !== 'on-demand') {
      throw new ValidationError(`StatefunTable ${this.node.path}: billing.mode must be 'on-demand' or 'provisioned', got ${JSON.stringify((billing as { mode: unknown }).mode)}`);
    }
    const encryption = props.encryption ?? { type: 'aws-owned' };
    const encryptionProps = tableEncryption(encryption, this.node.path);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: STATE_TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: STATE_TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: STATE_TABLE_SCHEMA.timeToLiveAttribute,
      ...(billing.mode === 'on-demand'
        ? { billingMode: dynamodb.BillingMode.PAY_PER_REQUEST }
        : { billingMode: dynamodb.BillingMode.PROVISIONED, readCapacity: billing.readCapacity, writeCapacity: billing.writeCapacity }),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      deletionProtection: props.deletionProtection ?? false,
      ...encryptionProps,
    });
    const { index } = STATE_TABLE_SCHEMA;
    this.table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...index.nonKeyAttributes],
      ...(billing.mode === 'provisioned' ? { readCapacity: billing.readCapacity, writeCapacity: billing.writeCapacity } : {}),
    });
  }

  get tableName(): string {
    return this.table.tableName;
  }

  get tableArn(): string {
    return this.table.tableArn;
  }

  /** ARN pattern of the table's indexes. */
  get indexArn(): string {
    return `${this.table.tableArn}/index/*`;
  }

  /**
   * Lets `grantee` read every state, dead letter and pending timer (operators, dashboards, `statefun state`
   * against a deployment). Records are protobuf; read them with the runtime's codecs.
   */
  grantReadState(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadData(grantee);
  }

  /**
   * Grants `actions` on the table and `indexActions` on its indexes, each on those resources only, and the
   * use of the table's customer managed key when it has one (decrypt to read; encrypt too to write).
   */
  grantActions(grantee: iam.IGrantable, actions: readonly string[], indexActions: readonly string[] = []): void {
    if (actions.length > 0) iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [this.table.tableArn] });
    if (indexActions.length > 0) {
      iam.Grant.addToPrincipal({ grantee, actions: [...indexActions], resourceArns: [this.indexArn] });
      if (Construct.isConstruct(grantee)) {
        acknowledgeWildcard(grantee, this.indexArn, `${indexActions.join(', ')} on the state table's own indexes (its one GSI, whose name the adapter owns)`);
      }
    }
    const key = this.table.encryptionKey;
    if (key === undefined || actions.length + indexActions.length === 0) return;
    const writes = actions.some((a) => !READ_ACTIONS.has(a));
    if (writes) key.grantEncryptDecrypt(grantee);
    else key.grantDecrypt(grantee);
  }
}

const READ_ACTIONS: ReadonlySet<string> = new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:DescribeTable']);

function tableEncryption(encryption: StateTableEncryption, path: string): Pick<dynamodb.TableProps, 'encryption' | 'encryptionKey'> {
  switch (encryption.type) {
    case 'aws-owned':
      return { encryption: dynamodb.TableEncryption.DEFAULT };
    case 'aws-managed':
      return { encryption: dynamodb.TableEncryption.AWS_MANAGED };
    case 'customer-managed':
      if (encryption.key === undefined) throw new ValidationError(`StatefunTable ${path}: encryption 'customer-managed' needs a key`);
      return { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: encryption.key };
    default:
      throw new ValidationError(
        `StatefunTable ${path}: encryption.type must be 'aws-owned', 'aws-managed' or 'customer-managed', got ${JSON.stringify((encryption as { type: unknown }).type)}`,
      );
  }
}

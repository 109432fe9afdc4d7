import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { stateTableDefinition } from '../../runtime/aws/dynamodb/table.js';
import { StatefunTable } from '../../lib/index.js';
import { errorOf, getAtt, logicalId, roleStatements, synth, testStack } from './helpers.js';

describe('StatefunTable', () => {
  it('isOnDemandWithPointInTimeRecoveryTtlAndTheSparseIndexByDefault', () => {
    // GIVEN / WHEN
    const { template } = synth();

    // THEN
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'index',
          KeySchema: [
            { AttributeName: 'gpk', KeyType: 'HASH' },
            { AttributeName: 'gsk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'pr', 'pm', 'n'] },
        },
      ],
      // AWS owned key: no SSE specification asking for KMS.
      SSESpecification: { SSEEnabled: false },
      TableName: Match.absent(),
    });
  });

  it('isRetainedWhenRemovedFromTheStackByDefault', () => {
    const { template } = synth();
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('hasTheKeysAttributesAndIndexTheDynamoDbAdapterCreatesTablesWith', () => {
    // GIVEN the adapter's own CreateTable input (used by statefun dev --aws-local and the emulator tests)
    const adapter = stateTableDefinition('state');

    // WHEN
    const { template } = synth();

    // THEN the deployed table has the same layout
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0] as { Properties: Record<string, unknown> };
    expect(table.Properties.KeySchema).toEqual(adapter.KeySchema);
    expect(new Set(table.Properties.AttributeDefinitions as unknown[])).toEqual(new Set(adapter.AttributeDefinitions));
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(adapter.GlobalSecondaryIndexes);
    expect(table.Properties.BillingMode).toBe(adapter.BillingMode);
  });

  it('encryptsWithTheAwsManagedKeyWhenAsked', () => {
    const { template } = synth({ table: { encryption: { type: 'aws-managed' } } });
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: Match.absent(), KMSMasterKeyId: Match.absent() } });
  });

  it('encryptsWithACustomerManagedKeyAndGrantsItsUseToTheFunctionsThatReadOrWrite', () => {
    // GIVEN
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });

    // WHEN
    const table = new StatefunTable(stack, 'State', { encryption: { type: 'customer-managed', key } });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    table.grantActions(role, ['dynamodb:GetItem']);
    const template = Template.fromStack(stack);

    // THEN
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: getAtt(logicalId(stack, key), 'Arn') },
    });
    const statements = roleStatements(template, logicalId(stack, role));
    expect(statements.find((s) => s.Action.includes('kms:Decrypt'))?.Resource).toEqual(getAtt(logicalId(stack, key), 'Arn'));
    expect(statements.flatMap((s) => s.Action)).not.toContain('kms:Encrypt');
  });

  it('takesProvisionedCapacityForTheTableAndItsIndex', () => {
    const { template } = synth({ table: { billing: { mode: 'provisioned', readCapacity: 5, writeCapacity: 7 } } });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: Match.absent(),
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 },
      GlobalSecondaryIndexes: [Match.objectLike({ ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 } })],
    });
  });

  it('takesRemovalPolicyPointInTimeRecoveryAndDeletionProtection', () => {
    const { template } = synth({ table: { removalPolicy: RemovalPolicy.DESTROY, pointInTimeRecovery: false, deletionProtection: true } });
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false }, DeletionProtectionEnabled: true }),
    });
  });

  it('refusesACapacityThatIsNotAPositiveWholeNumberNamingIt', () => {
    const error = errorOf(() => new StatefunTable(testStack(), 'State', { billing: { mode: 'provisioned', readCapacity: 0, writeCapacity: 1 } }));
    expect(error.message).toMatch(/billing\.readCapacity must be a whole number of at least 1, got 0/);
  });

  it('refusesAnUnknownEncryptionTypeNamingIt', () => {
    const error = errorOf(() => new StatefunTable(testStack(), 'State', { encryption: { type: 'kms' } as never }));
    expect(error.message).toMatch(/encryption\.type must be 'aws-owned', 'aws-managed' or 'customer-managed', got "kms"/);
  });

  it('refusesAnUnknownBillingModeNamingIt', () => {
    const error = errorOf(() => new StatefunTable(testStack(), 'State', { billing: { mode: 'serverless' } as never }));
    expect(error.message).toMatch(/billing\.mode must be 'on-demand' or 'provisioned', got "serverless"/);
  });
});

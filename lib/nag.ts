import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Findings of policy checks (cdk-nag's AwsSolutions pack, and any plugin reading CDK acknowledgments) that
 * come with the design, acknowledged where they arise with the reason why they do not apply. Written with
 * CDK's own `Validations.of(...).acknowledge(...)`, so the constructs need no dependency on cdk-nag: apps that
 * run its checks see these findings acknowledged, with their reasons; apps that do not are unaffected.
 * Nothing else is acknowledged: every other finding reaches the report.
 */

/** Acknowledges `rule` on `scope` and everything below it. */
export function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: rule, reason });
}

/**
 * Acknowledges the wildcard finding (`AwsSolutions-IAM5`) of one resource ARN in the policies below `scope`,
 * naming the resource exactly as the check reports it, so that other wildcards are still reported.
 */
export function acknowledgeWildcard(scope: IConstruct, resourceArn: string, reason: string): void {
  const flat = flattenReference(Stack.of(scope).resolve(resourceArn));
  acknowledge(scope, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
}

/** A resolved CloudFormation value as one string: `<Logical.Attribute>`, `<Logical>`, joins concatenated (cdk-nag's form). */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (node['Fn::Sub'] !== undefined) return flattenReference(node['Fn::Sub']);
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
    }
    if (node['Fn::ImportValue'] !== undefined) return flattenReference(node['Fn::ImportValue']);
    if (node.Ref !== undefined) return `<${flattenReference(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

import { CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { OnboardingStack } from '../../examples/onboarding-stack/stack.js';
import { ACCOUNT, fixture, REGION, synth, testApp } from './helpers.js';

/** cdk-nag's AwsSolutions pack run on a stack: the findings nobody acknowledged. */
function violations(stack: Stack): string[] {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
  return report.violations.map((v) => `${v.ruleName} (${v.severity}) at ${v.violatingResources.map((r) => r.constructPath).join(', ')}: ${v.description}`);
}

/** Every acknowledgment recorded in the tree below `scope`: where, which rule, and why. */
function acknowledgments(scope: IConstruct): { path: string; rule: string; reason: string }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([rule, reason]) => ({ path: c.node.path, rule: rule.replace(/^annotation::/i, ''), reason }))),
  );
}

/** The acknowledged rules that apply to `resource` (on it or its ancestors). */
function acknowledgedFor(resource: IConstruct): Set<string> {
  const ids = new Set<string>();
  for (let c: IConstruct | undefined = resource; c !== undefined; c = c.node.scope) {
    for (const m of c.node.metadata) {
      if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) for (const rule of Object.keys(m.data as object)) ids.add(rule.replace(/^annotation::/i, ''));
    }
  }
  return ids;
}

function onboardingStack(): OnboardingStack {
  return new OnboardingStack(testApp(), 'Onboarding', { env: { account: ACCOUNT, region: REGION } });
}

describe('cdk-nag AwsSolutions checks', () => {
  it('passOnTheOnboardingExampleStack', () => {
    expect(violations(onboardingStack())).toEqual([]);
  });

  it('passOnAnAppUsingEveryFeature', () => {
    // GIVEN the fixture app: HTTP ingress with JWT, SQS ingress, egresses of every kind, HTTP and Lambda remote functions
    const { stack } = synth();
    expect(violations(stack)).toEqual([]);
  });

  it('passOnAnAppWithAnOpenIngressAndRecordsNamingTheirStreams', () => {
    const { stack } = synth({ modules: [fixture('open.module.yaml'), fixture('standard-queue.module.yaml')] });
    expect(violations(stack)).toEqual([]);
  });

  it('acknowledgeEachFindingWithAWrittenReason', () => {
    const all = [...acknowledgments(onboardingStack()), ...acknowledgments(synth().stack), ...acknowledgments(synth({ modules: [fixture('open.module.yaml')] }).stack)];
    expect(all.length).toBeGreaterThan(0);
    for (const { path, rule, reason } of all) {
      expect(rule, path).toMatch(/^AwsSolutions-(L1|SQS3|APIG4|IAM5\[Resource::.+\])$/);
      expect(reason.length, `${path} ${rule}`).toBeGreaterThan(40);
    }
  });

  it('acknowledgeExactlyTheWildcardsTheChecksFind', () => {
    // GIVEN every policy of an app using every feature
    const { stack } = synth();
    const policies = stack.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy);

    // THEN each wildcard resource the IAM5 rule finds is acknowledged by name, and each acknowledged name is found
    let found = 0;
    for (const policy of policies) {
      const findings = rules.iam.IAMNoWildcardPermissions(policy);
      const wildcards = Array.isArray(findings) ? findings.map((f) => `AwsSolutions-IAM5[${f}]`) : [];
      found += wildcards.length;
      const acknowledged = [...acknowledgedFor(policy)].filter((id) => id.startsWith('AwsSolutions-IAM5['));
      expect(new Set(acknowledged), policy.node.path).toEqual(new Set(wildcards));
    }
    // X-Ray on the four functions' roles; the dispatcher's schedules, table index and pricing-* functions
    expect(found).toBeGreaterThanOrEqual(7);
    expect(policies.every((p) => p instanceof CfnResource)).toBe(true);
  });
});

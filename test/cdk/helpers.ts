import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { StatefulFunctions, type StatefulFunctionsProps } from '../../lib/index.js';

/** A fixture file, relative to the working directory (the repository root), as a user would write it. */
export function fixture(name: string): string {
  return `test/cdk/fixtures/${name}`;
}

export const FIXTURE_APP = fixture('app.module.yaml');
export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';

const cdkJson = JSON.parse(readFileSync(fileURLToPath(new URL('../../cdk.json', import.meta.url)), 'utf8')) as { context: Record<string, unknown> };

/**
 * A CDK app as `cdk synth` makes it from cdk.json (the same feature flags), except that assets are not bundled
 * (template tests need no bundle) and CloudFormation's built-in template validation is off (it takes seconds
 * per stack; `template-validation.test.ts` runs it once).
 */
export function testApp(options: { bundle?: boolean; validate?: boolean } = {}): App {
  return new App({
    builtinCloudFormationValidation: options.validate ?? false,
    context: { ...cdkJson.context, ...(options.bundle === true ? { 'aws:cdk:enable-asset-metadata': true } : { 'aws:cdk:bundling-stacks': [] }) },
  });
}

export function testStack(app: App = testApp(), id = 'Test'): Stack {
  return new Stack(app, id, { env: { account: ACCOUNT, region: REGION } });
}

export type SynthResult = { stack: Stack; statefun: StatefulFunctions; template: Template };

/**
 * GIVEN a stack, WHEN StatefulFunctions is added with `props` (which may make resources in the stack first, and
 * `then` may add more to it): the construct and the template. The modules default to the fixture app.
 */
export function synth(
  props: Partial<StatefulFunctionsProps> | ((stack: Stack) => Partial<StatefulFunctionsProps>) = {},
  then?: (stack: Stack, statefun: StatefulFunctions) => void,
): SynthResult {
  const stack = testStack();
  const given = typeof props === 'function' ? props(stack) : props;
  const statefun = new StatefulFunctions(stack, 'App', { modules: [FIXTURE_APP], ...given });
  then?.(stack, statefun);
  return { stack, statefun, template: Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } } | iam.IRole): string {
  const child = (construct as { node: { defaultChild?: unknown } }).node.defaultChild;
  return stack.getLogicalId(child as Parameters<Stack['getLogicalId']>[0]);
}

/** The error a construction throws, for `expect(...).toThrow`. */
export function errorOf(construct: () => unknown): Error {
  try {
    construct();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the construction to throw');
}

/** A Ref to a resource, as templates write it. */
export function ref(id: string): { Ref: string } {
  return { Ref: id };
}

/** An attribute of a resource, as templates write it. */
export function getAtt(id: string, attribute: string): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [id, attribute] };
}

/** Every statement of every IAM policy attached to the role `roleId`, actions flattened. */
export function roleStatements(template: Template, roleId: string): { Action: string[]; Resource: unknown; Effect: string; Condition?: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const statements: { Action: string[]; Resource: unknown; Effect: string; Condition?: unknown }[] = [];
  for (const policy of Object.values(policies) as { Properties: { Roles: unknown[]; PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown }[] } } }[]) {
    if (!policy.Properties.Roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }))) continue;
    for (const s of policy.Properties.PolicyDocument.Statement) {
      statements.push({ ...s, Action: typeof s.Action === 'string' ? [s.Action] : s.Action });
    }
  }
  return statements;
}

/**
 * A template value as a string, references written `<LogicalId>` and `<LogicalId.Attribute>` (pseudo parameters
 * by name), for values the construct builds with `Fn::Join` such as `STATEFUN_EGRESS_BINDINGS`.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(render).join(delimiter);
  }
  if (Array.isArray(node['Fn::GetAtt'])) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if (typeof node.Ref === 'string') return `<${node.Ref}>`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** The environment variable `name` of the function `functionId`, rendered. */
export function envOf(template: Template, functionId: string, name: string): string | undefined {
  const fn = template.toJSON().Resources[functionId] as { Properties: { Environment?: { Variables?: Record<string, unknown> } } } | undefined;
  const value = fn?.Properties.Environment?.Variables?.[name];
  return value === undefined ? undefined : render(value);
}

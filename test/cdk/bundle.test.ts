import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { StatefulFunctions } from '../../lib/index.js';
import { ACCOUNT, fixture, REGION, testApp } from './helpers.js';

/**
 * The bundles themselves (no emulator needed): CDK runs esbuild through NodejsFunction, and each function's
 * asset is one ES module with its source map, holding the handler, the generated protocol code, the user's
 * functions and the AWS SDK clients the app uses, importing nothing but Node.js built-ins.
 */
describe('bundling', () => {
  let bundles: { id: string; code: string; map: string; handler: string }[];
  let template: Template;

  beforeAll(() => {
    // GIVEN an app of embedded functions (a code module) and remote ones (a module file)
    const app = testApp({ bundle: true });
    const stack = new Stack(app, 'Bundled', { env: { account: ACCOUNT, region: REGION } });
    new StatefulFunctions(stack, 'App', { modules: [fixture('functions.module.ts'), fixture('remote-only.module.yaml')] });

    // WHEN it is synthesized with its assets
    const assembly = app.synth();
    template = Template.fromStack(stack);
    bundles = Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, fn]) => {
      const resource = fn as { Metadata: Record<string, string>; Properties: { Handler: string } };
      const dir = join(assembly.directory, resource.Metadata['aws:asset:path']!);
      return { id, code: readFileSync(join(dir, 'index.mjs'), 'utf8'), map: join(dir, 'index.mjs.map'), handler: resource.Properties.Handler };
    });
  }, 120_000);

  it('makesOneMinifiedEsModuleWithASourceMapPerFunction', () => {
    expect(bundles.map((b) => b.handler)).toEqual(['index.handler', 'index.handler']);
    for (const bundle of bundles) {
      expect(bundle.code).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\};?\s*(\/\*[\s\S]*\*\/\s*)?\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      expect(existsSync(bundle.map)).toBe(true);
      // minified: few, long lines
      expect(bundle.code.split('\n').length).toBeLessThan(bundle.code.length / 500);
    }
  });

  it('importsNothingButNodeBuiltIns', () => {
    const builtins = new Set(builtinModules);
    for (const bundle of bundles) {
      // import statements as esbuild writes them (`…from"x"`, `;import"x"`), and the banner's (`from 'node:module'`)
      const imported = [...bundle.code.matchAll(/(?:from|[;\n]import)\s?["']([^"']+)["']/g)].map((m) => m[1]!);
      expect(imported.length, bundle.id).toBeGreaterThan(5);
      const foreign = imported.filter((p) => !p.startsWith('node:') && !builtins.has(p));
      expect(foreign, bundle.id).toEqual([]);
    }
  });

  it('holdsTheGeneratedProtocolCodeTheSdkClientsAndTheUsersFunctions', () => {
    for (const bundle of bundles) {
      // the generated codec of the envelopes every handler reads or writes (its field paths name errors)
      expect(bundle.code).toContain('statefun_aws.v1.Envelope');
      expect(bundle.code).toContain('embedded/greeter');
      expect(bundle.code).toMatch(/DynamoDB/);
      // the SDK's trace-header middleware (X-Ray across message hops; see test/integration/aws/trace-propagation)
      expect(bundle.code).toContain('_X_AMZN_TRACE_ID');
      // the SNS client the app cannot use is left out
      expect(bundle.code).toContain('@aws-sdk/client-sns is not in this bundle: the app declares no SNS egress');
    }
  });

  it('startsFromNodeJs22OnArm64WithSourceMapsEnabled', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });
});

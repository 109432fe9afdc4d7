/**
 * Cold start of the deployed handlers: the size of each bundle CDK produces for the onboarding example stack,
 * and the time a fresh Node.js process takes from `import` of the bundle to a ready handler (the container's
 * runtime built: app composed, environment read, backend and engine made), with the environment the template
 * gives the function (its NODE_OPTIONS included). Nothing is called over the network.
 *
 *     npm run build && node bench/run.mjs cold-start [--runs 15] [--external-sdk] [--json]
 *
 * `--external-sdk` also measures the same functions bundled without the AWS SDK (`bundling.externalModules`:
 * the SDK then comes from the Lambda runtime; here from node_modules, loaded file by file as on Lambda).
 *
 * Goals: dispatcher bundle ≤ 500 KB minified, initialization ≤ 150 ms. The machine's load average is printed
 * with the results: on a busy machine the medians grow, the minimums much less.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { App, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { StatefulFunctions } from 'statefun-aws/cdk';
import { OnboardingStack } from '../../examples/onboarding-stack/stack.js';

const SIZE_GOAL_BYTES = 500 * 1024;
const INIT_GOAL_MS = 150;
const DISPATCHER = 'Runs the turns of the addresses on the FIFO queue';
const ENV = { account: '000000000000', region: 'eu-west-1' };

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

interface Timing {
  readonly median: number;
  readonly min: number;
  readonly p90: number;
}

interface Result {
  readonly function: string;
  readonly variant: 'bundled SDK' | 'SDK external';
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly mapBytes: number;
  /** With the template's NODE_OPTIONS (source maps on). */
  readonly initMs: Timing;
  readonly initWithoutSourceMapsMs: Timing;
}

/** Runs in each fresh process: import the bundle, wait for the handler's runtime, print the times. */
const PROBE = `
const t0 = performance.now();
const module = await import(process.argv[2]);
const t1 = performance.now();
await module.handler.runtime();
const t2 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, readyMs: t2 - t0 }));
process.exit(0);
`;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? undefined : Number(process.argv[at + 1]);
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new Error(`--${name} takes a positive whole number`);
  return value ?? fallback;
}

/**
 * A template value with references replaced by stand-ins (the handlers only read them at start-up): queues by
 * URLs and ARNs of the same kind (FIFO or not), anything else by its logical id.
 */
function standIn(value: unknown, resources: Readonly<Record<string, Resource>>): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const node = value as Record<string, unknown>;
  const fifo = (id: string): string => (resources[id]?.Properties?.FifoQueue === true ? '.fifo' : '');
  if (typeof node.Ref === 'string') {
    const pseudo: Record<string, string> = { 'AWS::Region': ENV.region, 'AWS::AccountId': ENV.account, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
    if (pseudo[node.Ref] !== undefined) return pseudo[node.Ref]!;
    return resources[node.Ref]?.Type === 'AWS::SQS::Queue' ? `https://sqs.${ENV.region}.amazonaws.com/${ENV.account}/${node.Ref}${fifo(node.Ref)}` : node.Ref;
  }
  if (Array.isArray(node['Fn::GetAtt'])) {
    const id = (node['Fn::GetAtt'] as string[])[0]!;
    return `arn:aws:sqs:${ENV.region}:${ENV.account}:${id}${fifo(id)}`;
  }
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map((item) => standIn(item, resources)).join(delimiter);
  }
  throw new Error(`cannot stand in for ${JSON.stringify(value)}`);
}

function timing(values: readonly number[]): Timing {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), min: sorted[0]!, p90: at(0.9) };
}

/** Starts `bundle` in `runs` fresh processes with `env`; answers the times to a ready handler. */
function startUps(probe: string, bundle: string, env: Record<string, string>, runs: number): Timing {
  const ready: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, [probe, pathToFileURL(bundle).href], { env, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${bundle} did not start: ${child.stderr || child.stdout}`);
    ready.push((JSON.parse(child.stdout) as { readyMs: number }).readyMs);
  }
  return timing(ready);
}

/** Measures every function of one synthesized stack. */
function measureStack(assembly: CloudAssembly, stackName: string, variant: Result['variant'], probe: string, runs: number): Result[] {
  const template = assembly.getStackByName(stackName).template as { Resources: Record<string, Resource> };
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((fn) => {
      const bundle = resolve(assembly.directory, String(fn.Metadata?.['aws:asset:path']), 'index.mjs');
      const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      const { NODE_OPTIONS: nodeOptions, ...rest } = variables;
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        AWS_REGION: ENV.region,
        AWS_ACCESS_KEY_ID: 'cold',
        AWS_SECRET_ACCESS_KEY: 'start',
        ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, standIn(v, template.Resources)])),
      };
      return {
        function: String(fn.Properties?.Description),
        variant,
        bytes: statSync(bundle).size,
        gzipBytes: gzipSync(readFileSync(bundle), { level: 9 }).length,
        mapBytes: statSync(`${bundle}.map`).size,
        initMs: startUps(probe, bundle, { ...env, NODE_OPTIONS: nodeOptions === undefined ? '' : standIn(nodeOptions, template.Resources) }, runs),
        initWithoutSourceMapsMs: startUps(probe, bundle, env, runs),
      };
    });
}

function print(results: readonly Result[], machine: Record<string, unknown>): void {
  const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;
  const ms = (n: number): string => `${n.toFixed(0)} ms`;
  console.log(`cold start of the onboarding stack's functions: Node ${String(machine.node)}, ${String(machine.cpus)} × ${String(machine.cpu)}, load average ${(machine.loadAverage as number[]).join(' ')}, ${String(machine.runs)} fresh processes each`);
  console.log('');
  console.log(`${'function'.padEnd(52)}  ${'variant'.padEnd(12)}  ${'bundle'.padStart(7)}  ${'gzip'.padStart(6)}  init median (min, p90)   no source maps`);
  for (const r of results) {
    console.log(
      `${r.function.slice(0, 52).padEnd(52)}  ${r.variant.padEnd(12)}  ${kb(r.bytes).padStart(7)}  ${kb(r.gzipBytes).padStart(6)}  ${`${ms(r.initMs.median)} (${ms(r.initMs.min)}, ${ms(r.initMs.p90)})`.padEnd(23)}  ${ms(r.initWithoutSourceMapsMs.median)}`,
    );
  }
  const dispatcher = results.find((r) => r.function === DISPATCHER && r.variant === 'bundled SDK');
  if (dispatcher === undefined) return;
  console.log('');
  console.log(`dispatcher bundle: ${kb(dispatcher.bytes)} minified (goal ≤ ${kb(SIZE_GOAL_BYTES)}: ${dispatcher.bytes <= SIZE_GOAL_BYTES ? 'met' : 'missed'})`);
  console.log(`dispatcher init:   ${ms(dispatcher.initMs.median)} median, ${ms(dispatcher.initMs.min)} best (goal ≤ ${INIT_GOAL_MS} ms: ${dispatcher.initMs.median <= INIT_GOAL_MS ? 'met' : 'missed'})`);
}

const runs = option('runs', 15);
// Inside the project, so that a bundle leaving the SDK out finds it in node_modules, as Lambda finds the runtime's.
mkdirSync('node_modules/.cache/statefun-aws', { recursive: true });
const work = mkdtempSync(join('node_modules/.cache/statefun-aws', 'cold-start-'));
try {
  // The example stack as `cdk synth` makes it (cdk.json's feature flags), bundles included.
  const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ outdir: join(work, 'cdk.out'), builtinCloudFormationValidation: false, context: { ...cdkJson.context, 'aws:cdk:enable-asset-metadata': true } });
  new OnboardingStack(app, 'StatefunOnboarding', { env: ENV });
  const externalSdk = process.argv.includes('--external-sdk');
  if (externalSdk) {
    // The same app, its bundles leaving the AWS SDK to the Lambda runtime.
    new StatefulFunctions(new Stack(app, 'StatefunOnboardingExternalSdk', { env: ENV }), 'Onboarding', {
      modules: ['examples/onboarding/module.ts', 'examples/onboarding-stack/module.yaml'],
      config: { 'onboarding.first-reminder': '3 days', 'onboarding.last-reminder': '4 days' },
      bundling: { externalModules: ['@aws-sdk/*', '@smithy/*'] },
      observability: { alarms: { enabled: false }, dashboard: false },
    });
  }
  const assembly = app.synth();
  const probe = resolve(work, 'probe.mjs');
  writeFileSync(probe, PROBE);

  const results = [
    ...measureStack(assembly, 'StatefunOnboarding', 'bundled SDK', probe, runs),
    ...(externalSdk ? measureStack(assembly, 'StatefunOnboardingExternalSdk', 'SDK external', probe, runs) : []),
  ];
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', loadAverage: loadavg().map((l) => Number(l.toFixed(2))), runs };
  if (process.argv.includes('--json')) console.log(JSON.stringify({ machine, results }, null, 2));
  else print(results, machine);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(join('bench/results', `cold-start-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ machine, results }, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcard } from './nag.js';
import { type HandlerKind, REQUIRE_SHIM, type StatefunApp } from './statefun-app.js';

/** Log levels of the handlers' Powertools logger (`POWERTOOLS_LOG_LEVEL`) and of Lambda's JSON log filter. */
export type StatefunLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Logging, metrics and tracing settings shared by every function of an app. */
export interface FunctionObservability {
  /** `POWERTOOLS_SERVICE_NAME`: the `service` dimension of every metric and a key of every log line. */
  readonly serviceName: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`: the CloudWatch namespace of the handlers' EMF metrics. */
  readonly metricsNamespace: string;
  readonly logLevel: StatefunLogLevel;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** X-Ray active tracing. */
  readonly tracing: boolean;
}

/** How the handlers are bundled (esbuild, through `NodejsFunction`). */
export interface StatefunBundlingOptions {
  /**
   * Minify the bundle.
   *
   * @default true
   */
  readonly minify?: boolean;
  /**
   * Write a source map next to the bundle (and run Node.js with `--enable-source-maps`), so stack traces
   * name the TypeScript sources.
   *
   * @default true
   */
  readonly sourceMap?: boolean;
  /**
   * Modules left out of the bundle, for the Lambda runtime to provide.
   *
   * @default [] - everything is bundled, the AWS SDK included: the code deployed is the code tested, whatever
   * SDK version the runtime ships
   */
  readonly externalModules?: readonly string[];
  /**
   * Bundle the AWS SDK's whole credential provider chain (profiles, SSO, web identity, container and instance
   * metadata…). Lambda always hands a function its role's credentials in environment variables, so by default
   * the bundle reads just those, which keeps about 100 KB of code, and its start-up time, out of every function.
   *
   * @default false - credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
   */
  readonly fullCredentialChain?: boolean;
}

export interface StatefunFunctionProps {
  readonly app: StatefunApp;
  readonly handler: HandlerKind;
  readonly description: string;
  /** Variables besides the observability ones. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly observability: FunctionObservability;
  readonly bundling?: StatefunBundlingOptions;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * One Lambda function of the app (dispatcher, ingress, forwarder): the generated entry of its handler bundled
 * with the user's modules (Node.js 22 on arm64, ES module, minified, source maps), its own role (no managed
 * policies: every permission is granted on a named resource), its own log group with a retention, JSON
 * structured logs, and X-Ray active tracing.
 */
export class StatefunFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: StatefunFunctionProps) {
    super(scope, id);
    const { observability: o } = props;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (statefun-aws ${props.handler})`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: o.logRetention, removalPolicy: o.logRemovalPolicy });
    this.logGroup.grantWrite(this.role);

    const bundling = props.bundling ?? {};
    const sourceMap = bundling.sourceMap ?? true;
    const entry = props.app.entry(props.handler);
    // When this stack's assets are not bundled (`cdk synth --exclusively`, `aws:cdk:bundling-stacks` in tests),
    // CDK would fingerprint the whole project folder instead: name the stand-in asset by its entry instead.
    const skipped = Stack.of(this).bundlingRequired ? {} : { assetHash: createHash('sha256').update(readFileSync(entry)).digest('hex') };
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      projectRoot: props.app.projectRoot,
      depsLockFilePath: props.app.depsLockFilePath,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[o.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: o.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: o.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: o.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: o.logLevel,
        ...(sourceMap ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
      bundling: {
        ...skipped,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        minify: bundling.minify ?? true,
        sourceMap,
        sourcesContent: false,
        externalModules: [...(bundling.externalModules ?? [])],
        // Prefer the ES module builds of dependencies (smaller: they tree-shake).
        mainFields: ['module', 'main'],
        banner: REQUIRE_SHIM,
        logLevel: nodejs.LogLevel.WARNING,
        esbuildArgs: Object.fromEntries(Object.entries(props.app.bundleAliases({ fullCredentialChain: bundling.fullCredentialChain ?? false })).map(([name, path]) => [`--alias:${name}`, path])),
      },
    });
    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'Node.js 22 is the runtime the handlers are built, bundled (target node22) and tested for; a newer runtime is adopted with a release, not by a check',
    );
    if (o.tracing) {
      acknowledgeWildcard(this, '*', 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions');
    }
  }
}

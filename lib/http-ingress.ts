import { Duration, Names, Size } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ValidationError } from '../runtime/core/errors.js';
import type { HttpIngressManifest } from './app-manifest.js';
import type { AddressQueue } from './address-queue.js';
import { checkMemory } from './dispatcher.js';
import { HANDLER_PERMISSIONS } from './iam-actions.js';
import { acknowledge } from './nag.js';
import type { StatefunApp } from './statefun-app.js';
import { type FunctionObservability, type StatefunBundlingOptions, StatefunFunction } from './statefun-function.js';
import type { StatefunTable } from './statefun-table.js';

/** Settings of the HTTP API in front of the app's HTTP ingresses. */
export interface HttpIngressOptions {
  /**
   * Steady-state requests per second the API accepts (stage throttling; more are answered 429).
   *
   * @default 100
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the API accepts in a burst above the rate.
   *
   * @default 200
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Largest request body accepted (`STATEFUN_HTTP_MAX_BODY_BYTES`; larger ones are answered 413). At most
   * 768 KiB: the message travels base64-encoded in an SQS message of at most 1 MiB.
   *
   * @default Size.kibibytes(256)
   */
  readonly maxPayloadSize?: Size;
  /**
   * How long an `Idempotency-Key` is remembered (`STATEFUN_IDEMPOTENCY_TTL`).
   *
   * @default Duration.hours(24)
   */
  readonly idempotencyTtl?: Duration;
  /**
   * Timeout of an ingress function; at most 29 seconds (API Gateway waits 30 seconds for an integration).
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Memory of an ingress function, in MiB.
   *
   * @default 512
   */
  readonly memorySize?: number;
}

export interface HttpIngressProps extends HttpIngressOptions {
  readonly app: StatefunApp;
  readonly table: StatefunTable;
  readonly addressQueue: AddressQueue;
  readonly observability: FunctionObservability;
  /** @default - minified, with source maps, everything bundled */
  readonly bundling?: StatefunBundlingOptions;
  /** The HTTP ingresses to serve (`io.statefun-aws.http.v1/ingress`, and the playground ingress). */
  readonly ingresses: readonly HttpIngressManifest[];
}

/** The largest body: an SQS message holds 1 MiB and the envelope carries the body base64-encoded. */
export const MAX_HTTP_PAYLOAD = Size.kibibytes(768);

/**
 * One API Gateway HTTP API for the app's HTTP ingresses. Each ingress gets its own function (the same
 * handler, `STATEFUN_INGRESS_ID` naming the ingress) and its routes:
 * - without declared routes, `POST` and `PUT <basePath>/{namespace}/{type}/{id}` (address in the path);
 * - with routes, exactly those (`<method> <basePath><path>`).
 * Authorization is the ingress's `auth`: IAM (SigV4) by default, a JWT authorizer, or none when the module
 * asks for it explicitly. The `$default` stage throttles, and writes JSON access logs to a log group.
 */
export class HttpIngress extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** The ingress functions, by ingress id. */
  readonly functions: ReadonlyMap<string, StatefunFunction>;
  readonly routes: readonly apigwv2.HttpRoute[];
  private readonly iamRoutes: apigwv2.HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: HttpIngressProps) {
    super(scope, id);
    const path = this.node.path;
    const rateLimit = props.throttlingRateLimit ?? 100;
    const burstLimit = props.throttlingBurstLimit ?? 200;
    if (!(Number.isFinite(rateLimit) && rateLimit > 0)) throw new ValidationError(`${path}: throttlingRateLimit must be a positive number of requests per second, got ${String(rateLimit)}`);
    if (!Number.isInteger(burstLimit) || burstLimit < 1) throw new ValidationError(`${path}: throttlingBurstLimit must be a whole number of at least 1, got ${String(burstLimit)}`);
    const maxPayload = props.maxPayloadSize ?? Size.kibibytes(256);
    const maxBytes = maxPayload.toBytes();
    if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_HTTP_PAYLOAD.toBytes()) {
      throw new ValidationError(`${path}: maxPayloadSize must be from 1 byte to 768 KiB (an SQS message holds 1 MiB, base64-encoded), got ${maxBytes} bytes`);
    }
    const ttl = props.idempotencyTtl ?? Duration.hours(24);
    const ttlSeconds = ttl.toSeconds({ integral: false });
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new ValidationError(`${path}: idempotencyTtl must be whole seconds, at least 1, got ${ttl.toHumanString()}`);
    const timeout = props.timeout ?? Duration.seconds(10);
    const timeoutSeconds = timeout.toSeconds({ integral: false });
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 29) {
      throw new ValidationError(`${path}: timeout must be whole seconds from 1 to 29 (API Gateway waits 30 seconds for an integration), got ${timeout.toHumanString()}`);
    }
    const memorySize = props.memorySize ?? 512;
    checkMemory(memorySize, 'memorySize', path);
    if (props.ingresses.length === 0) throw new ValidationError(`${path}: no HTTP ingress to serve`);

    this.api = new apigwv2.HttpApi(this, 'Api', {
      // Named after the construct's path, as CloudFormation names other resources: unique in the account.
      apiName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      createDefaultStage: false,
      description: 'statefun-aws HTTP ingress',
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.observability.logRetention,
      removalPolicy: props.observability.logRemovalPolicy,
    });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });

    const functions = new Map<string, StatefunFunction>();
    const routes: apigwv2.HttpRoute[] = [];
    /** Route keys with parameter names blanked (API Gateway tells routes apart by shape), by the ingress serving them. */
    const claimed = new Map<string, string>();
    const needs = HANDLER_PERMISSIONS.httpIngress;
    props.ingresses.forEach((ingress, index) => {
      const fn = new StatefunFunction(this, `Ingress${index + 1}`, {
        app: props.app,
        handler: 'http-ingress',
        description: `HTTP ingress ${ingress.id}`,
        timeout,
        memorySize,
        observability: props.observability,
        ...(props.bundling !== undefined ? { bundling: props.bundling } : {}),
        environment: {
          STATEFUN_TABLE_NAME: props.table.tableName,
          STATEFUN_QUEUE_URL: props.addressQueue.queue.queueUrl,
          STATEFUN_INGRESS_ID: ingress.id,
          STATEFUN_IDEMPOTENCY_TTL: `${ttlSeconds} s`,
          STATEFUN_HTTP_MAX_BODY_BYTES: String(maxBytes),
        },
      });
      props.table.grantActions(fn.role, needs.table, needs.tableIndex);
      props.addressQueue.queue.grant(fn.role, ...needs.addressQueue);
      functions.set(ingress.id, fn);

      const integration = new integrations.HttpLambdaIntegration(`Ingress${index + 1}Integration`, fn.function, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        timeout: Duration.seconds(timeoutSeconds + 1),
      });
      const authorizer = this.authorizer(ingress, index);
      const base = ingress.basePath === '/' ? '' : ingress.basePath;
      const routeKeys: { method: apigwv2.HttpMethod; path: string }[] =
        ingress.routes.length === 0
          ? [apigwv2.HttpMethod.POST, apigwv2.HttpMethod.PUT].map((method) => ({ method, path: `${base}/{namespace}/{type}/{id}` }))
          : ingress.routes.map((r) => ({ method: r.method as apigwv2.HttpMethod, path: `${base}${r.path}` }));
      for (const key of routeKeys) {
        const routeKey = `${key.method} ${key.path.replace(/\{[^}]+\}/g, '{}')}`;
        const taken = claimed.get(routeKey);
        if (taken !== undefined) {
          throw new ValidationError(`${path}: route ${key.method} ${key.path} is served by both ingress ${taken} and ingress ${ingress.id} (${ingress.source}); give one of them another basePath`);
        }
        claimed.set(routeKey, ingress.id);
        const route = new apigwv2.HttpRoute(this, `Route${routes.length + 1}`, {
          httpApi: this.api,
          routeKey: apigwv2.HttpRouteKey.with(key.path, key.method),
          integration,
          authorizer,
        });
        routes.push(route);
        if (ingress.auth.type === 'iam') this.iamRoutes.push(route);
        if (ingress.auth.type === 'none') {
          acknowledge(
            route,
            'AwsSolutions-APIG4',
            `ingress ${ingress.id} (${ingress.source}) asks for auth: none explicitly; anyone who can reach the URL may send to it`,
          );
        }
      }
    });
    this.functions = functions;
    this.routes = routes;
  }

  /** The API's URL (the `$default` stage). */
  get url(): string {
    return this.stage.url;
  }

  /**
   * Lets `grantee` call the routes that use IAM authorization (`execute-api:Invoke`); requests must be signed
   * with SigV4. Routes with JWT or no authorization need no grant.
   */
  grantInvoke(grantee: iam.IGrantable): void {
    for (const route of this.iamRoutes) route.grantInvoke(grantee);
  }

  private authorizer(ingress: HttpIngressManifest, index: number): apigwv2.IHttpRouteAuthorizer {
    const auth = ingress.auth;
    switch (auth.type) {
      case 'iam':
        return new authorizers.HttpIamAuthorizer();
      case 'none':
        return new apigwv2.HttpNoneAuthorizer();
      case 'jwt':
        return new authorizers.HttpJwtAuthorizer(`Jwt${index + 1}`, auth.issuer, { jwtAudience: [...auth.audience] });
      default:
        throw new ValidationError(`${this.node.path}: ingress ${ingress.id} has an unknown auth type ${JSON.stringify((auth as { type: unknown }).type)}`);
    }
  }
}

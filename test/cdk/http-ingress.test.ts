import { Duration, Size } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { errorOf, fixture, getAtt, logicalId, roleStatements, synth } from './helpers.js';

const ADDRESS_APP = fixture('address.module.yaml');

/** Route keys and authorization types of the template's routes. */
function routes(result: ReturnType<typeof synth>): { key: string; auth: string }[] {
  return Object.values(result.template.findResources('AWS::ApiGatewayV2::Route')).map((r) => {
    const p = (r as { Properties: { RouteKey: string; AuthorizationType: string } }).Properties;
    return { key: p.RouteKey, auth: p.AuthorizationType };
  });
}

describe('HttpIngress', () => {
  it('routesPostAndPutOfAnAddressInThePathBehindIamAuthorizationByDefault', () => {
    // GIVEN an HTTP ingress without routes or auth
    const result = synth({ modules: [ADDRESS_APP] });

    // THEN
    expect(routes(result)).toEqual([
      { key: 'POST /{namespace}/{type}/{id}', auth: 'AWS_IAM' },
      { key: 'PUT /{namespace}/{type}/{id}', auth: 'AWS_IAM' },
    ]);
  });

  it('routesTheDeclaredRoutesBelowTheBasePathBehindAJwtAuthorizer', () => {
    // GIVEN the fixture app's shop/api: basePath /shop, JWT, one declared route
    const result = synth();

    // THEN
    expect(routes(result)).toEqual([{ key: 'POST /shop/carts/{userId}/items', auth: 'JWT' }]);
    result.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', Audience: ['client-1'] },
    });
  });

  it('leavesRoutesOpenOnlyWhenTheModuleAsksForItAndSaysSoToPolicyChecks', () => {
    // GIVEN an ingress with auth: none
    const result = synth({ modules: [fixture('open.module.yaml')] });

    // THEN its routes take no authorization
    expect(routes(result)).toEqual([
      { key: 'POST /open/{namespace}/{type}/{id}', auth: 'NONE' },
      { key: 'PUT /open/{namespace}/{type}/{id}', auth: 'NONE' },
    ]);
    // AND the missing authorization is acknowledged, with the module as the reason, on those routes only
    const acknowledged = result.statefun.httpIngress!.routes.map((route) =>
      route.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => m.data as Record<string, string>),
    );
    for (const entries of acknowledged) {
      expect(entries).toEqual([{ 'Annotation::AwsSolutions-APIG4': expect.stringMatching(/ingress test\/open \(test\/cdk\/fixtures\/open\.module\.yaml, document 1 .*\) asks for auth: none explicitly/) }]);
    }
  });

  it('servesThePlaygroundIngressByAddressAtTheRootBehindIam', () => {
    // GIVEN StateFun's playground ingress and egress (as the examples declare them for statefun dev)
    const result = synth({ modules: [fixture('playground.module.yaml')] });

    // THEN the ingress is deployed like an address-in-path HTTP ingress with IAM authorization
    expect(routes(result)).toEqual([
      { key: 'POST /{namespace}/{type}/{id}', auth: 'AWS_IAM' },
      { key: 'PUT /{namespace}/{type}/{id}', auth: 'AWS_IAM' },
    ]);
    result.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STATEFUN_INGRESS_ID: 'io.statefun.playground/ingress' }) },
    });
    // AND the playground egress, which has no AWS resource of its own, is reported as going nowhere unless bound
    Annotations.fromStack(result.stack).hasWarning(
      '/Test/App',
      Match.stringLikeRegexp('io\\.statefun\\.playground\\.v1/egress io\\.statefun\\.playground/egress has no resource on AWS and is not bound to a queue'),
    );
  });

  it('throttlesAndWritesJsonAccessLogsOnTheDefaultStage', () => {
    const { stack, statefun, template } = synth({ modules: [ADDRESS_APP] });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', Name: Match.stringLikeRegexp('^Test-App-HttpIngress-[0-9A-F]{8}$') });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: {
        DestinationArn: getAtt(logicalId(stack, statefun.httpIngress!.accessLogs), 'Arn'),
        Format: Match.serializedJson(Match.objectLike({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey' })),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('runsOneIngressFunctionPerIngressThatSendsToTheFifoQueueAndRemembersIdempotencyKeys', () => {
    const { stack, statefun, template } = synth({ modules: [ADDRESS_APP] });
    const fn = statefun.httpIngress!.functions.get('test/api')!;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'HTTP ingress test/api',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 10,
      MemorySize: 512,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          STATEFUN_TABLE_NAME: { Ref: logicalId(stack, statefun.table.table) },
          STATEFUN_QUEUE_URL: { Ref: logicalId(stack, statefun.addressQueue.queue) },
          STATEFUN_INGRESS_ID: 'test/api',
          STATEFUN_IDEMPOTENCY_TTL: '86400 s',
          STATEFUN_HTTP_MAX_BODY_BYTES: '262144',
        }),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: getAtt(logicalId(stack, fn.function), 'Arn'),
      TimeoutInMillis: 11_000,
    });
    const actions = roleStatements(template, logicalId(stack, fn.role)).filter((s) => !s.Action.some((a) => a.startsWith('logs:') || a.startsWith('xray:')));
    expect(actions).toEqual([
      // the DynamoDB adapters' one list (the ingress key store is one of them); see least-privilege.test.ts
      { Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: getAtt(logicalId(stack, statefun.table.table), 'Arn') },
      { Action: ['sqs:SendMessage'], Effect: 'Allow', Resource: getAtt(logicalId(stack, statefun.addressQueue.queue), 'Arn') },
    ]);
  });

  it('takesThrottlingPayloadLimitIdempotencyTtlTimeoutAndMemory', () => {
    const { template } = synth({
      modules: [ADDRESS_APP],
      httpIngress: {
        throttlingRateLimit: 5,
        throttlingBurstLimit: 10,
        maxPayloadSize: Size.kibibytes(512),
        idempotencyTtl: Duration.hours(1),
        timeout: Duration.seconds(20),
        memorySize: 256,
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'HTTP ingress test/api',
      Timeout: 20,
      MemorySize: 256,
      Environment: { Variables: Match.objectLike({ STATEFUN_IDEMPOTENCY_TTL: '3600 s', STATEFUN_HTTP_MAX_BODY_BYTES: '524288' }) },
    });
  });

  it('letsGranteesInvokeTheIamRoutes', () => {
    // GIVEN a client's role
    let client: iam.Role | undefined;

    // WHEN
    const { stack, template } = synth({ modules: [ADDRESS_APP] }, (scope, app) => {
      client = new iam.Role(scope, 'Client', { assumedBy: new iam.AccountRootPrincipal() });
      app.grantInvokeHttpApi(client);
    });

    // THEN it may invoke the two routes of the API (CDK writes a route's path parameters as wildcards)
    const statements = roleStatements(template, logicalId(stack, client!));
    expect(new Set(statements.flatMap((s) => s.Action))).toEqual(new Set(['execute-api:Invoke']));
    const resources = statements.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));
    expect(resources).toHaveLength(2);
    expect(resources[0]).toMatch(/execute-api:eu-west-1:111111111111:",\{"Ref":"AppHttpIngressApi[0-9A-F]+"\},"\/\*\/POST\/\*"/);
    expect(resources[1]).toMatch(/execute-api:eu-west-1:111111111111:",\{"Ref":"AppHttpIngressApi[0-9A-F]+"\},"\/\*\/PUT\/\*"/);
  });

  it('refusesGrantingInvokeWhenTheAppHasNoHttpIngress', () => {
    const error = errorOf(() => synth({ modules: [fixture('remote-only.module.yaml')] }, (scope, app) => app.grantInvokeHttpApi(new iam.Role(scope, 'C', { assumedBy: new iam.AccountRootPrincipal() }))));
    expect(error.message).toMatch(/the app declares no HTTP ingress to grant/);
  });

  it('createsNoApiWhenTheAppHasNoHttpIngress', () => {
    const { template } = synth({ modules: [fixture('remote-only.module.yaml')] });
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
  });

  it.each([
    [{ maxPayloadSize: Size.mebibytes(1) }, /maxPayloadSize must be from 1 byte to 768 KiB \(an SQS message holds 1 MiB, base64-encoded\), got 1048576 bytes/],
    [{ timeout: Duration.seconds(30) }, /timeout must be whole seconds from 1 to 29 \(API Gateway waits 30 seconds for an integration\), got 30 seconds/],
    [{ throttlingRateLimit: 0 }, /throttlingRateLimit must be a positive number of requests per second, got 0/],
    [{ throttlingBurstLimit: 1.5 }, /throttlingBurstLimit must be a whole number of at least 1, got 1\.5/],
    [{ idempotencyTtl: Duration.millis(1500) }, /idempotencyTtl must be whole seconds, at least 1, got 1 second 500 millis/],
    [{ memorySize: 20_000 }, /memorySize must be a whole number of MiB from 128 to 10240 \(Lambda's limits\), got 20000/],
  ])('refuses %j naming the bad value', (httpIngress, message) => {
    const error = errorOf(() => synth({ modules: [ADDRESS_APP], httpIngress }));
    expect(error.message).toMatch(message);
  });

  it('refusesHttpIngressSettingsWhenNoModuleDeclaresAnHttpIngress', () => {
    const error = errorOf(() => synth({ modules: [fixture('remote-only.module.yaml')], httpIngress: { throttlingRateLimit: 5 } }));
    expect(error.message).toMatch(/httpIngress is set, but no module declares an HTTP ingress/);
  });

  it('refusesTwoIngressesServingTheSameRouteNamingBoth', () => {
    // GIVEN the playground ingress and an address-in-path HTTP ingress, both at /
    const error = errorOf(() => synth({ modules: [fixture('playground.module.yaml'), fixture('root-api.module.yaml')] }));
    expect(error.message).toMatch(/route POST \/\{namespace\}\/\{type\}\/\{id\} is served by both ingress io\.statefun\.playground\/ingress and ingress test\/root/);
  });
});

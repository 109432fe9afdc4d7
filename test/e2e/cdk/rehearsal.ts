/**
 * A deploy rehearsal: a synthesized CloudFormation template "deployed" onto the emulators. Its resources are
 * made on DynamoDB Local, the SQS emulator and the Scheduler emulator with the properties the template gives
 * them; every Lambda function's bundle is loaded from the cloud assembly (the `index.mjs` CDK produced, the
 * file that would be uploaded) with the environment the template gives it, each reference resolved to the
 * emulator resource; its SQS event source mappings poll their queues as Lambda's would, and the HTTP API's
 * routes reach their integrations with API Gateway's payload format 2.0.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AttributeDefinition, CreateTableCommand, type DynamoDBClient, type GlobalSecondaryIndex, type KeySchemaElement, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { ConflictException, CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import { httpApiEvent, lambdaContext } from '../../../runtime/aws/local/event-builders.js';
import { createQueue, LOCAL_ACCOUNT } from '../../../runtime/aws/local/provision.js';
import { SqsPoller } from '../../../runtime/aws/local/sqs-poller.js';
import type { HttpApiEvent, HttpApiResult, LambdaContext, SqsBatchResponse, SqsEvent } from '../../../runtime/aws/lambda/events.js';

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface Template {
  readonly Resources: Record<string, Resource>;
}

export interface RehearsalClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly scheduler: SchedulerClient;
}

/** A function of the template, loaded from its bundle. */
export interface LoadedFunction {
  readonly logicalId: string;
  /** The bundle file, in the cloud assembly. */
  readonly file: string;
  /** Its environment, resolved. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly handler: (event: unknown, context: LambdaContext) => Promise<unknown>;
}

export interface Rehearsal {
  /** Physical values of the template's resources: `Ref` and `Fn::GetAtt` as CloudFormation would answer them. */
  readonly refs: ReadonlyMap<string, string>;
  readonly attributes: ReadonlyMap<string, string>;
  readonly functions: ReadonlyMap<string, LoadedFunction>;
  readonly pollers: readonly SqsPoller[];
  /** Resolves a template value (Ref, Fn::GetAtt, Fn::Join, pseudo parameters). */
  resolve(value: unknown): string;
  /** Sends a request through the HTTP API: matches a route, builds the event, invokes the integration. */
  request(method: string, path: string, headers: Record<string, string>, body: string): Promise<HttpApiResult>;
  stop(): Promise<void>;
}

export interface RehearsalOptions {
  readonly template: Template;
  /** The cloud assembly folder (`aws:asset:path` metadata is relative to it). */
  readonly assemblyDir: string;
  readonly clients: RehearsalClients;
  readonly region: string;
  /** Prefix of the names of the resources made (CloudFormation would generate them). */
  readonly prefix: string;
  /** Called with errors of the event source pollers. */
  readonly onError: (error: unknown) => void;
}

const byType = (template: Template, type: string): [string, Resource][] => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/** Deploys the template's resources on the emulators, loads its functions and starts its event sources. */
export async function rehearse(options: RehearsalOptions): Promise<Rehearsal> {
  const { template, clients, region, prefix } = options;
  const refs = new Map<string, string>();
  const attributes = new Map<string, string>();
  const pseudo: Record<string, string> = { 'AWS::Region': region, 'AWS::AccountId': LOCAL_ACCOUNT, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };

  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    const node = value as Record<string, unknown>;
    if (typeof node.Ref === 'string') {
      const found = pseudo[node.Ref] ?? refs.get(node.Ref);
      if (found === undefined) throw new Error(`the rehearsal cannot resolve Ref ${node.Ref}`);
      return found;
    }
    if (Array.isArray(node['Fn::GetAtt'])) {
      const key = (node['Fn::GetAtt'] as string[]).join('.');
      const found = attributes.get(key);
      if (found === undefined) throw new Error(`the rehearsal cannot resolve Fn::GetAtt ${key}`);
      return found;
    }
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(resolve).join(delimiter);
    }
    throw new Error(`the rehearsal cannot resolve ${JSON.stringify(value)}`);
  };

  // Roles: nothing to make; their ARNs are handed around (to the Scheduler, for one).
  for (const [id] of byType(template, 'AWS::IAM::Role')) {
    refs.set(id, `${prefix}-${id}`);
    attributes.set(`${id}.Arn`, `arn:aws:iam::${LOCAL_ACCOUNT}:role/${prefix}-${id}`);
  }

  // Queues, dead-letter queues first (the others' redrive policies name them).
  const queues = byType(template, 'AWS::SQS::Queue').sort(([, a], [, b]) => Number(a.Properties?.RedrivePolicy !== undefined) - Number(b.Properties?.RedrivePolicy !== undefined));
  for (const [id, queue] of queues) {
    const p = queue.Properties ?? {};
    const fifo = p.FifoQueue === true;
    const name = `${prefix}-${id}`.slice(0, 75) + (fifo ? '.fifo' : '');
    const attrs: Record<string, string> = {};
    for (const key of ['VisibilityTimeout', 'MessageRetentionPeriod', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit', 'DelaySeconds']) {
      if (p[key] !== undefined) attrs[key] = resolve(p[key]);
    }
    if (p.RedrivePolicy !== undefined) {
      const redrive = p.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
      attrs.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: resolve(redrive.deadLetterTargetArn), maxReceiveCount: redrive.maxReceiveCount });
    }
    const made = await createQueue(clients.sqs, name, attrs);
    refs.set(id, made.url);
    attributes.set(`${id}.Arn`, made.arn);
    attributes.set(`${id}.QueueUrl`, made.url);
    attributes.set(`${id}.QueueName`, name);
  }

  // The state table, with its keys, index and TTL.
  for (const [id, table] of byType(template, 'AWS::DynamoDB::Table')) {
    const p = table.Properties ?? {};
    const name = `${prefix}-${id}`;
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: p.KeySchema as KeySchemaElement[],
        AttributeDefinitions: p.AttributeDefinitions as AttributeDefinition[],
        ...(p.GlobalSecondaryIndexes !== undefined ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as GlobalSecondaryIndex[] } : {}),
        BillingMode: (p.BillingMode as 'PAY_PER_REQUEST' | undefined) ?? 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 30 }, { TableName: name });
    const ttl = p.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
    if (ttl !== undefined) await clients.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: ttl }));
    refs.set(id, name);
    attributes.set(`${id}.Arn`, `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT}:table/${name}`);
  }

  // Schedule groups, by the name the template gives them.
  for (const [id, group] of byType(template, 'AWS::Scheduler::ScheduleGroup')) {
    const name = resolve(group.Properties?.Name);
    try {
      await clients.scheduler.send(new CreateScheduleGroupCommand({ Name: name }));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
    refs.set(id, name);
    attributes.set(`${id}.Arn`, `arn:aws:scheduler:${region}:${LOCAL_ACCOUNT}:schedule-group/${name}`);
  }

  // Functions: each bundle imported with its environment in place, as Lambda starts a container.
  const functions = new Map<string, LoadedFunction>();
  for (const [id, fn] of byType(template, 'AWS::Lambda::Function')) {
    const p = fn.Properties ?? {};
    const assetPath = fn.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new Error(`function ${id} has no aws:asset:path metadata`);
    const [file, exported] = String(p.Handler).split('.') as [string, string];
    const bundle = join(options.assemblyDir, assetPath, `${file}.mjs`);
    const variables = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const env = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, resolve(v)]));
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    let handler: LoadedFunction['handler'];
    try {
      const module = (await import(pathToFileURL(bundle).href)) as Record<string, unknown>;
      handler = module[exported] as LoadedFunction['handler'];
      if (typeof handler !== 'function') throw new Error(`${bundle} exports no function ${exported}`);
      // The container's runtime is built in the init phase, reading the environment set above.
      await (handler as unknown as { runtime(): Promise<unknown> }).runtime();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    refs.set(id, `${prefix}-${id}`);
    attributes.set(`${id}.Arn`, `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${prefix}-${id}`);
    functions.set(id, { logicalId: id, file: bundle, env, timeoutMs: Number(p.Timeout ?? 3) * 1000, handler });
  }

  // Event source mappings: Lambda's SQS pollers.
  const queueByArn = new Map(queues.map(([id]) => [attributes.get(`${id}.Arn`)!, refs.get(id)!]));
  const pollers: SqsPoller[] = [];
  for (const [id, mapping] of byType(template, 'AWS::Lambda::EventSourceMapping')) {
    const p = mapping.Properties ?? {};
    const arn = resolve(p.EventSourceArn);
    const queueUrl = queueByArn.get(arn);
    const fnId = (p.FunctionName as { Ref: string }).Ref;
    const fn = functions.get(fnId);
    if (queueUrl === undefined || fn === undefined) throw new Error(`event source ${id}: no queue ${arn} or function ${fnId}`);
    expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const poller = new SqsPoller({
      name: id,
      sqs: clients.sqs,
      queueUrl,
      source: { arn, region },
      handler: fn.handler as (event: SqsEvent, context: LambdaContext) => Promise<SqsBatchResponse>,
      batchSize: Number(p.BatchSize ?? 10),
      concurrency: Math.min(2, Number((p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency ?? 2)),
      functionTimeoutMs: fn.timeoutMs,
      onError: options.onError,
    });
    poller.start();
    pollers.push(poller);
  }

  // The HTTP API: routes to their Lambda integrations.
  const integrations = new Map(
    byType(template, 'AWS::ApiGatewayV2::Integration').map(([id, r]) => {
      const uri = r.Properties?.IntegrationUri as { 'Fn::GetAtt': [string, string] };
      expect(r.Properties?.PayloadFormatVersion).toBe('2.0');
      return [id, uri['Fn::GetAtt'][0]];
    }),
  );
  const routes = byType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => {
    const routeKey = String(r.Properties?.RouteKey);
    const target = r.Properties?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
    const [method, path] = routeKey.split(' ') as [string, string];
    const names: string[] = [];
    const pattern = new RegExp(
      `^${path
        .split('/')
        .map((s) => (/^\{(.+)\}$/.test(s) ? (names.push(s.slice(1, -1)), '([^/]+)') : s))
        .join('/')}$`,
    );
    return { routeKey, method, pattern, names, functionId: integrations.get(target['Fn::Join'][1][1].Ref)! };
  });

  return {
    refs,
    attributes,
    functions,
    pollers,
    resolve,
    async request(method, path, headers, body) {
      const route = routes.find((r) => r.method === method && r.pattern.test(path));
      if (route === undefined) return { statusCode: 404, body: JSON.stringify({ message: 'Not Found' }) };
      const match = route.pattern.exec(path)!;
      const base = httpApiEvent({ method, url: path, headers, body: new TextEncoder().encode(body) });
      const event: HttpApiEvent = {
        ...base,
        routeKey: route.routeKey,
        pathParameters: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)])),
        requestContext: { ...base.requestContext, routeKey: route.routeKey },
      };
      const fn = functions.get(route.functionId)!;
      return (await fn.handler(event, lambdaContext(fn.timeoutMs, route.functionId))) as HttpApiResult;
    },
    async stop() {
      await Promise.all(pollers.map((p) => p.stop()));
      await Promise.all([...functions.values()].map((f) => (f.handler as unknown as { close(): Promise<void> }).close()));
    },
  };
}

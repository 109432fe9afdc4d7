import { show } from '../core/typename.js';
import { agreeingRegion, readQueue, readRegion } from './aws-names.js';
import {
  type AwsCredentialsSpec,
  type AwsRegionSpec,
  type HttpAuth,
  type HttpIngressSpec,
  type HttpMethod,
  type HttpRoute,
  httpRouteSource,
  type IngressSpec,
  type KafkaIngressSpec,
  type KafkaOffset,
  type KafkaStartupPosition,
  type KinesisIngressSpec,
  type PlaygroundIngressSpec,
  type RoutedTopic,
  type SqsIngressSpec,
  type StartupDate,
} from './ingress.js';
import { INGRESS_KINDS, type IngressKind } from './kinds.js';
import { readIdRule, readValueTypeAndTargets } from './parse-routing.js';
import { PLAYGROUND_INGRESS_ID } from './playground.js';
import type { IdRule, IdRuleType } from './routing.js';
import { childPath, readProperties, type SpecObject, type SpecValue } from './spec-reader.js';

/**
 * Reads the spec of an ingress of `kind`.
 *
 * @param id the ingress id when the format keeps it outside the spec (`meta.id` of `version: "3.0"` modules);
 *   undefined: `spec.id`.
 */
export function readIngress(kind: IngressKind, spec: SpecObject, id: SpecValue | undefined): IngressSpec {
  const ingress = READERS[kind](spec, id);
  spec.finish(kind);
  return ingress;
}

const READERS: { readonly [K in IngressKind]: (spec: SpecObject, id: SpecValue | undefined) => IngressSpec } = {
  [INGRESS_KINDS.playground]: readPlaygroundIngress,
  [INGRESS_KINDS.kafka]: readKafkaIngress,
  [INGRESS_KINDS.kinesis]: readKinesisIngress,
  [INGRESS_KINDS.http]: readHttpIngress,
  [INGRESS_KINDS.sqs]: readSqsIngress,
};

function readId(spec: SpecObject, id: SpecValue | undefined): string {
  return (id ?? spec.require('id')).typename();
}

export function readPort(value: SpecValue): number {
  return value.integer({ min: 1, max: 65535 });
}

/** Warns when a playground component is given an id: StateFun's playground ids are fixed. */
export function ignorePlaygroundId(spec: SpecObject, id: SpecValue | undefined, fixed: string): void {
  const given = id ?? spec.get('id');
  if (given !== undefined && given.raw !== fixed) given.warn(`is ignored: the playground's id is always ${fixed}`);
}

function readPlaygroundIngress(spec: SpecObject, id: SpecValue | undefined): PlaygroundIngressSpec {
  ignorePlaygroundId(spec, id, PLAYGROUND_INGRESS_ID);
  return { kind: INGRESS_KINDS.playground, id: PLAYGROUND_INGRESS_ID, source: spec.ctx.source, port: readPort(spec.require('port')) };
}

function readRoutedTopics<K extends 'topic' | 'stream'>(list: SpecValue, key: K): (RoutedTopic & Record<K, string>)[] {
  const seen = new Set<string>();
  return list.nonEmptyList().map((item) => {
    const object = item.object();
    const nameValue = object.require(key);
    const name = nameValue.text();
    if (seen.has(name)) nameValue.fail(`routes ${key} ${show(name)} a second time`);
    seen.add(name);
    const routed = { [key]: name, ...readValueTypeAndTargets(object) } as unknown as RoutedTopic & Record<K, string>;
    object.finish(`a ${key} of a routable ingress`);
    return routed;
  });
}

function readKafkaIngress(spec: SpecObject, id: SpecValue | undefined): KafkaIngressSpec {
  return {
    kind: INGRESS_KINDS.kafka,
    id: readId(spec, id),
    source: spec.ctx.source,
    address: spec.get('address')?.string(),
    consumerGroupId: spec.get('consumerGroupId')?.string(),
    topics: readRoutedTopics(spec.require('topics'), 'topic'),
    autoOffsetResetPosition: readCaseInsensitive(spec.get('autoOffsetResetPosition'), ['latest', 'earliest'] as const) ?? 'latest',
    startupPosition: readKafkaStartup(spec.get('startupPosition')),
    properties: readProperties(spec.get('properties')),
  };
}

function readCaseInsensitive<T extends string>(value: SpecValue | undefined, values: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const lower = typeof value.raw === 'string' ? value.raw.toLowerCase() : value.raw;
  if (!(values as readonly unknown[]).includes(lower)) value.fail(`must be one of ${values.join(', ')}, got ${show(value.raw)}`);
  return lower as T;
}

function readKafkaStartup(value: SpecValue | undefined): KafkaStartupPosition {
  if (value === undefined) return { type: 'latest' };
  const object = value.object();
  const type = object.require('type').oneOf(['group-offsets', 'earliest', 'latest', 'specific-offsets', 'date'] as const);
  let position: KafkaStartupPosition;
  if (type === 'specific-offsets') {
    const offsets: KafkaOffset[] = [];
    for (const [entry, offset] of offsetEntries(object.require('offsets'))) {
      offsets.push({ ...entry, offset });
    }
    position = { type, offsets };
  } else if (type === 'date') {
    position = readStartupDate(object.require('date'));
  } else {
    position = { type };
  }
  object.finish(`startupPosition ${type}`);
  return position;
}

/** `offsets: [{ user-topic/0: 91 }]`: topic/partition keys (split at the last `/`) and whole-number offsets. */
function offsetEntries(list: SpecValue): [Omit<KafkaOffset, 'offset'>, number][] {
  const entries: [Omit<KafkaOffset, 'offset'>, number][] = [];
  const items = list.isObject() ? [list] : list.nonEmptyList();
  for (const item of items) {
    const object = item.object();
    for (const key of Object.keys(object.raw)) {
      const value = object.require(key);
      const slash = key.lastIndexOf('/');
      const partition = Number(key.slice(slash + 1));
      if (slash <= 0 || !/^\d+$/.test(key.slice(slash + 1)) || !Number.isSafeInteger(partition)) {
        value.fail(`must be keyed <topic>/<partition>, e.g. "user-topic/0", got ${show(key)}`);
      }
      entries.push([{ topic: key.slice(0, slash), partition }, value.integer({ min: 0 })]);
    }
  }
  return entries;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))? ?(Z|[+-]\d{2}:?\d{2})$/;

/** A startup date in StateFun's pattern `yyyy-MM-dd HH:mm:ss.SSS Z` (e.g. `2020-02-01 04:15:00.000 +0000`). */
export function readStartupDate(value: SpecValue): StartupDate {
  const date = value.string();
  const match = DATE.exec(date);
  if (match === null) value.fail(`must be a date like "2020-02-01 04:15:00.000 +0000" (yyyy-MM-dd HH:mm:ss.SSS Z), got ${show(date)}`);
  const [, y, mo, d, h, mi, s, fraction = '0', zone = 'Z'] = match;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, '0')));
  const check = new Date(local);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    value.fail(`is not a real date and time: ${show(date)}`);
  }
  const offsetMinutes = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  return { type: 'date', date, epochMs: local - offsetMinutes * 60_000 };
}

function readKinesisIngress(spec: SpecObject, id: SpecValue | undefined): KinesisIngressSpec {
  return {
    kind: INGRESS_KINDS.kinesis,
    id: readId(spec, id),
    source: spec.ctx.source,
    awsRegion: readAwsRegion(spec.get('awsRegion')),
    awsCredentials: readAwsCredentials(spec.get('awsCredentials')),
    startupPosition: readKinesisStartup(spec.get('startupPosition')),
    streams: readRoutedTopics(spec.require('streams'), 'stream'),
    clientConfigProperties: readProperties(spec.get('clientConfigProperties')),
  };
}

function readKinesisStartup(value: SpecValue | undefined): KinesisIngressSpec['startupPosition'] {
  if (value === undefined) return { type: 'latest' };
  const object = value.object();
  const type = object.require('type').oneOf(['earliest', 'latest', 'date'] as const);
  const position = type === 'date' ? readStartupDate(object.require('date')) : { type };
  object.finish(`startupPosition ${type}`);
  return position;
}

/** StateFun's `awsRegion`: `{ type: default }`, `{ type: specific, id }`, `{ type: custom-endpoint, endpoint, id }`. */
export function readAwsRegion(value: SpecValue | undefined): AwsRegionSpec {
  if (value === undefined) return { type: 'default' };
  const object = value.object();
  const type = object.require('type').oneOf(['default', 'specific', 'custom-endpoint'] as const);
  let region: AwsRegionSpec;
  if (type === 'default') region = { type };
  else if (type === 'specific') region = { type, id: readRegion(object.require('id')) };
  else {
    const endpoint = object.require('endpoint');
    if (!/^https?:\/\/[^/]+/.test(endpoint.string())) endpoint.fail(`must be an http(s) URL, got ${show(endpoint.raw)}`);
    region = { type, endpoint: endpoint.string(), id: readRegion(object.require('id')) };
  }
  object.finish(`awsRegion ${type}`);
  return region;
}

/** StateFun's `awsCredentials`: `default`, `basic` (access key id and secret), `profile` (name, optional path). */
export function readAwsCredentials(value: SpecValue | undefined): AwsCredentialsSpec {
  if (value === undefined) return { type: 'default' };
  const object = value.object();
  const type = object.require('type').oneOf(['default', 'basic', 'profile'] as const);
  let credentials: AwsCredentialsSpec;
  if (type === 'default') credentials = { type };
  else if (type === 'basic') {
    credentials = { type, accessKeyId: object.require('accessKeyId').string(), secretAccessKey: object.require('secretAccessKey').string() };
  } else {
    credentials = { type, profileName: object.require('profileName').string(), profilePath: object.get('profilePath')?.string() };
  }
  object.finish(`awsCredentials ${type}`);
  return credentials;
}

const HTTP_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'] as const;
const HTTP_ID_RULES: readonly IdRuleType[] = ['path-parameter', 'header', 'json-pointer', 'body'];
const PATH_SEGMENT = /^(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z0-9._~!$&'()*+,;=:@%-]+)$/;

function readHttpPath(value: SpecValue, allowParameters: boolean): { path: string; parameters: string[] } {
  const path = value.string();
  if (path === '/') return { path, parameters: [] };
  const segments = path.split('/');
  if (!path.startsWith('/') || path.endsWith('/') || segments.slice(1).some((s) => !PATH_SEGMENT.test(s))) {
    value.fail(`must be a path like "/carts/{userId}" (starting with "/", no trailing "/", no empty segments), got ${show(path)}`);
  }
  const parameters = segments.filter((s) => s.startsWith('{')).map((s) => s.slice(1, -1));
  if (parameters.length > 0 && !allowParameters) value.fail(`cannot have {parameters}, got ${show(path)}`);
  const duplicate = parameters.find((p, i) => parameters.indexOf(p) !== i);
  if (duplicate !== undefined) value.fail(`names parameter {${duplicate}} twice`);
  return { path, parameters };
}

function readMethod(value: SpecValue): HttpMethod {
  const method = typeof value.raw === 'string' ? value.raw.toUpperCase() : value.raw;
  if (!(HTTP_METHODS as readonly unknown[]).includes(method)) value.fail(`must be one of ${HTTP_METHODS.join(', ')}, got ${show(value.raw)}`);
  return method as HttpMethod;
}

function readHttpIngress(spec: SpecObject, id: SpecValue | undefined): HttpIngressSpec {
  const ingressId = readId(spec, id);
  const basePath = spec.get('basePath');
  const routesValue = spec.get('routes');
  const routes: HttpRoute[] = [];
  const seen = new Set<string>();
  for (const item of routesValue?.nonEmptyList() ?? []) {
    const route = item.object();
    const methodValue = route.get('method');
    const method = methodValue === undefined ? 'POST' : readMethod(methodValue);
    const { path, parameters } = readHttpPath(route.require('path'), true);
    const { valueType, targets } = readValueTypeAndTargets(route);
    const idFromValue = route.get('idFrom');
    let idFrom: IdRule;
    if (idFromValue !== undefined) {
      idFrom = readIdRule(idFromValue, HTTP_ID_RULES);
      if (idFrom.type === 'path-parameter' && !parameters.includes(idFrom.name)) {
        idFromValue.fail(`reads path parameter ${show(idFrom.name)}, but the path ${show(path)} has ${parameters.length === 0 ? 'none' : parameters.map((p) => `{${p}}`).join(', ')}`);
      }
    } else if (parameters.length === 1) {
      idFrom = { type: 'path-parameter', name: parameters[0]! };
    } else {
      return route.ctx.fail(
        childPath(route.path, 'idFrom'),
        `is missing (it defaults to the path parameter only when the path has exactly one; ${show(path)} has ${parameters.length})`,
      );
    }
    const source = httpRouteSource({ method, path });
    if (seen.has(source)) item.fail(`declares route ${show(source)} a second time`);
    seen.add(source);
    route.finish('an HTTP route');
    routes.push({ method, path, valueType, targets, idFrom });
  }
  return {
    kind: INGRESS_KINDS.http,
    id: ingressId,
    source: spec.ctx.source,
    basePath: basePath === undefined ? '/' : readHttpPath(basePath, false).path,
    auth: readHttpAuth(spec.get('auth')),
    routes,
  };
}

function readHttpAuth(value: SpecValue | undefined): HttpAuth {
  if (value === undefined) return { type: 'iam' };
  const object = typeof value.raw === 'string' ? undefined : value.object();
  const type = object === undefined ? value.oneOf(['none', 'iam'] as const) : object.require('type').oneOf(['none', 'iam', 'jwt'] as const);
  let auth: HttpAuth;
  if (type === 'jwt') {
    const issuer = object!.require('issuer');
    if (!/^https:\/\/[^/]+/.test(issuer.string())) issuer.fail(`must be an https URL (the OIDC issuer), got ${show(issuer.raw)}`);
    const audienceValue = object!.require('audience');
    const audience = typeof audienceValue.raw === 'string' ? [audienceValue.string()] : audienceValue.nonEmptyList().map((a) => a.string());
    auth = { type, issuer: issuer.string(), audience };
  } else {
    auth = { type };
  }
  object?.finish(`auth ${type}`);
  return auth;
}

const SQS_ID_RULES: readonly IdRuleType[] = ['message-group-id', 'message-attribute', 'json-pointer', 'body'];

function readSqsIngress(spec: SpecObject, id: SpecValue | undefined): SqsIngressSpec {
  const ingressId = readId(spec, id);
  const queueValue = spec.require('queue');
  const queue = readQueue(queueValue);
  const regionValue = spec.get('region');
  const region = agreeingRegion(regionValue, regionValue === undefined ? undefined : readRegion(regionValue), queue);
  let routing: SqsIngressSpec['routing'];
  if (['valueType', 'targets', 'idFrom'].some((key) => spec.has(key))) {
    const { valueType, targets } = readValueTypeAndTargets(spec);
    const idFromValue = spec.get('idFrom');
    let idFrom: IdRule;
    if (idFromValue === undefined) {
      if (!queue.fifo) spec.ctx.fail(childPath(spec.path, 'idFrom'), 'is missing (only FIFO queues default to routing by message group id)');
      idFrom = { type: 'message-group-id' };
    } else {
      idFrom = readIdRule(idFromValue, SQS_ID_RULES);
      if (idFrom.type === 'message-group-id' && !queue.fifo) {
        idFromValue.fail(`is message-group-id, but queue ${show(queue.ref)} is a standard queue (FIFO queue names end in ".fifo")`);
      }
    }
    routing = { source: undefined, valueType, targets, idFrom };
  }
  const batchSize = spec.get('batchSize')?.integer({ min: 1, max: queue.fifo ? 10 : 10_000 }) ?? 10;
  return { kind: INGRESS_KINDS.sqs, id: ingressId, source: spec.ctx.source, queue, routing, batchSize, region };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SchedulerApiError } from './api-error.js';
import type { Fields } from './request-fields.js';
import type { SchedulerService } from './scheduler-service.js';

/** Request bodies above this are refused before parsing (the largest valid one is ~260 KiB). */
const MAX_BODY_BYTES = 1_048_576;

type Handler = (service: SchedulerService, request: ParsedRequest) => Readonly<Record<string, unknown>>;

interface ParsedRequest {
  /** The decoded `{Name}` or `{ResourceArn}` label of the path, if the route has one. */
  readonly label: string;
  readonly query: Fields;
  readonly queryAll: URLSearchParams;
  readonly body: Fields;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handle: Handler;
}

const single = (query: Fields, name: string): string | undefined => {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
};

/** The restJson1 routes of `@aws-sdk/client-scheduler` (Smithy model `com.amazonaws.scheduler`). */
const ROUTES: readonly Route[] = [
  { method: 'POST', pattern: /^\/schedules\/([^/]+)$/, handle: (s, r) => s.createSchedule(r.label, r.body) },
  { method: 'GET', pattern: /^\/schedules\/([^/]+)$/, handle: (s, r) => s.getSchedule(r.label, single(r.query, 'groupName')) },
  { method: 'PUT', pattern: /^\/schedules\/([^/]+)$/, handle: (s, r) => s.updateSchedule(r.label, r.body) },
  {
    method: 'DELETE',
    pattern: /^\/schedules\/([^/]+)$/,
    handle: (s, r) => s.deleteSchedule(r.label, single(r.query, 'groupName'), single(r.query, 'clientToken')),
  },
  { method: 'GET', pattern: /^\/schedules\/?$/, handle: (s, r) => s.listSchedules(r.query) },
  { method: 'POST', pattern: /^\/schedule-groups\/([^/]+)$/, handle: (s, r) => s.createScheduleGroup(r.label, r.body) },
  { method: 'GET', pattern: /^\/schedule-groups\/([^/]+)$/, handle: (s, r) => s.getScheduleGroup(r.label) },
  { method: 'DELETE', pattern: /^\/schedule-groups\/([^/]+)$/, handle: (s, r) => s.deleteScheduleGroup(r.label, single(r.query, 'clientToken')) },
  { method: 'GET', pattern: /^\/schedule-groups\/?$/, handle: (s, r) => s.listScheduleGroups(r.query) },
  { method: 'GET', pattern: /^\/tags\/([^/]+)$/, handle: (s, r) => s.listTagsForResource(r.label) },
  { method: 'POST', pattern: /^\/tags\/([^/]+)$/, handle: (s, r) => s.tagResource(r.label, r.body) },
  { method: 'DELETE', pattern: /^\/tags\/([^/]+)$/, handle: (s, r) => s.untagResource(r.label, r.queryAll.getAll('TagKeys')) },
  { method: 'GET', pattern: /^\/_emulator\/health$/, handle: () => ({ status: 'ok' }) },
];

/**
 * An HTTP server speaking the EventBridge Scheduler API (restJson1) over `service`. Errors carry the status of
 * their type, an `x-amzn-errortype` header naming it, and a `{"Message": …}` body. Signatures are not checked.
 */
export function createSchedulerHttpServer(service: SchedulerService): Server {
  return createServer((request, response) => {
    readBody(request).then(
      (raw) => respond(response, () => dispatch(service, request, raw)),
      (error: unknown) => respond(response, () => { throw error; }),
    );
  });
}

function dispatch(service: SchedulerService, request: IncomingMessage, raw: string): Readonly<Record<string, unknown>> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(url.pathname);
    if (match === null) continue;
    const label = match[1] === undefined ? '' : decodeLabel(match[1]);
    return route.handle(service, { label, query: Object.fromEntries(url.searchParams), queryAll: url.searchParams, body: parseBody(raw) });
  }
  throw new SchedulerApiError('ResourceNotFoundException', `no Scheduler operation for ${method} ${url.pathname}`);
}

function respond(response: ServerResponse, produce: () => Readonly<Record<string, unknown>>): void {
  let status = 200;
  let payload: unknown;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  try {
    payload = produce();
  } catch (error) {
    if (error instanceof SchedulerApiError) {
      status = error.status;
      headers['x-amzn-errortype'] = error.type;
      payload = { Message: error.message };
    } else {
      status = 500;
      headers['x-amzn-errortype'] = 'InternalServerException';
      payload = { Message: `Scheduler emulator failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  const body = JSON.stringify(payload);
  headers['content-length'] = String(Buffer.byteLength(body));
  response.writeHead(status, headers).end(body);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new SchedulerApiError('ValidationException', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string): Fields {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SchedulerApiError('ValidationException', `request body is not JSON: ${raw.slice(0, 80)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SchedulerApiError('ValidationException', 'request body must be a JSON object');
  }
  return parsed as Fields;
}

function decodeLabel(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    throw new SchedulerApiError('ValidationException', `path label ${label} is not valid percent-encoding`);
  }
}

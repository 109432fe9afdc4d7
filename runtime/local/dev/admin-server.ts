import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Address, addressKey, parseAddressKey } from '../../core/address.js';
import { isStatefunError } from '../../core/errors.js';
import type { LatencyMetrics } from '../latency-metrics.js';
import type { LocalBackend } from '../backend.js';
import type { IngestReceipt, IngressMessage } from '../runtime.js';
import { ADMIN_FILE, type AdminEndpoint, type ControlResult, type ReloadResult, type SendRequest, type SendResult, type StatusView } from './admin-protocol.js';
import { answerError, answerJson, closeServer, HttpError, listen, readBody } from './http-util.js';
import { issueControl, parkedDetail, parkedList, sendRequestMessage, stateView } from './inspect.js';
import type { RunningServer } from './playground-ingress.js';

export interface AdminContext {
  readonly dataDir: string;
  readonly backend: LocalBackend;
  readonly ingest: (message: IngressMessage) => Promise<IngestReceipt>;
  readonly status: () => StatusView;
  readonly reload: () => Promise<ReloadResult>;
  readonly now: () => number;
  /** Latency histograms and counters of the running app (`GET /v1/metrics`, `POST /v1/metrics/reset`). */
  readonly metrics?: LatencyMetrics;
}

/** Longest a replay or skip is waited for before answering that it is still running. */
const CONTROL_WAIT_MS = 10_000;
/** Unix socket paths longer than this do not fit `sockaddr_un` on every platform. */
const MAX_SOCKET_PATH = 100;

/** Where the admin socket of a data directory goes: inside it, or in the temp folder when that path is too long. */
export function adminSocketPath(dataDir: string): string {
  const inside = join(resolve(dataDir), 'admin.sock');
  if (inside.length <= MAX_SOCKET_PATH) return inside;
  return join(tmpdir(), `statefun-admin-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)}.sock`);
}

/**
 * Serves the admin API (see admin-protocol.ts) on a Unix socket, reachable only from this machine by users
 * who may open the data directory, and writes `admin.json` there so clients find it. Call only while holding
 * the data directory's lock: a socket file left by a dead process is removed.
 */
export async function startAdminServer(ctx: AdminContext): Promise<RunningServer> {
  const socket = adminSocketPath(ctx.dataDir);
  await rm(socket, { force: true });
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((error: unknown) => {
      if (isStatefunError(error, 'validation')) answerError(res, new HttpError(400, (error as Error).message));
      else answerError(res, error);
    });
  });
  await listen(server, { path: socket });
  const endpoint: AdminEndpoint = { pid: process.pid, socket, startedAt: Date.now() };
  const file = join(ctx.dataDir, ADMIN_FILE);
  await writeFile(file, JSON.stringify(endpoint));
  return {
    port: 0,
    async close() {
      await closeServer(server, 500);
      await rm(file, { force: true });
      await rm(socket, { force: true });
    },
  };
}

async function handle(ctx: AdminContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://admin');
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  const body = await readBody(req, 64 * 1024 * 1024);
  const address = (): Address => {
    const text = url.searchParams.get('address');
    if (text === null) throw new HttpError(400, 'the address query parameter is missing');
    return parseAddressKey(text);
  };
  switch (route) {
    case 'GET /v1/status':
      return answerJson(res, 200, ctx.status());
    case 'POST /v1/messages': {
      const request = parseJson(body) as SendRequest;
      const receipt = await ctx.ingest(sendRequestMessage(request));
      return answerJson(res, 200, { ...receipt, queued: false } satisfies SendResult);
    }
    case 'GET /v1/state':
      return answerJson(res, 200, stateView(ctx.backend, address(), ctx.now()));
    case 'GET /v1/parked':
      return answerJson(res, 200, await parkedList(ctx.backend));
    case 'GET /v1/parked/letters': {
      const target = address();
      const detail = await parkedDetail(ctx.backend, target);
      if (detail === undefined) throw new HttpError(404, `address ${addressKey(target)} is not parked`);
      return answerJson(res, 200, detail);
    }
    case 'POST /v1/parked/replay':
    case 'POST /v1/parked/skip': {
      const target = address();
      const command = url.pathname.endsWith('replay') ? 'replay' : 'skip';
      await issueControl(ctx.backend, target, command, url.searchParams.get('message') ?? undefined, ctx.now());
      await processed(ctx.backend, addressKey(target));
      const parked = ctx.backend.recordOf(addressKey(target))?.parked;
      return answerJson(res, 200, {
        address: addressKey(target),
        command,
        ...(parked !== undefined ? { stillParked: parked.reason } : {}),
        queued: false,
      } satisfies ControlResult);
    }
    case 'POST /v1/reload':
      return answerJson(res, 200, await ctx.reload());
    case 'GET /v1/metrics':
      if (ctx.metrics === undefined) throw new HttpError(404, 'this server keeps no metrics');
      return answerJson(res, 200, ctx.metrics.snapshot());
    case 'POST /v1/metrics/reset':
      if (ctx.metrics === undefined) throw new HttpError(404, 'this server keeps no metrics');
      ctx.metrics.reset();
      return answerJson(res, 200, { reset: true });
    default:
      throw new HttpError(404, `no admin route ${route}`);
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body must be JSON');
  }
}

/** Waits until the mailbox of an address is empty (its control message ran), for a while. */
async function processed(backend: LocalBackend, key: string): Promise<void> {
  const until = Date.now() + CONTROL_WAIT_MS;
  while ((backend.mailbox(key)?.size ?? 0) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

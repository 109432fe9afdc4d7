import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAddressKey } from '../core/address.js';
import { StaticFunctionRegistry } from '../engine/function-registry.js';
import { openDataDir } from '../local/durable/data-dir.js';
import {
  ADMIN_FILE,
  type AdminEndpoint,
  type ControlResult,
  type ParkedDetail,
  type ParkedSummary,
  type SendRequest,
  type SendResult,
  type StateView,
  type StatusView,
} from '../local/dev/admin-protocol.js';
import { issueControl, parkedDetail, parkedList, sendRequestMessage, stateView } from '../local/dev/inspect.js';
import { LocalRuntime } from '../local/runtime.js';
import { systemTimers } from '../local/timer-service.js';
import { AdminClient, AdminError } from './admin-client.js';
import { isAlive } from './running-servers.js';

/**
 * What `statefun send|state|parked` act on: a running `statefun dev` (through its admin API), or, when none
 * runs, its data directory opened directly (commands then wait there for the next start).
 */
export interface DevTarget {
  readonly kind: 'server' | 'data-dir';
  readonly dataDir: string;
  /** The running server's status; undefined for a data directory. */
  status(): Promise<StatusView | undefined>;
  send(request: SendRequest): Promise<SendResult>;
  /** `address` is `namespace/name/id`. */
  state(address: string): Promise<StateView>;
  parked(): Promise<ParkedSummary[]>;
  /** Undefined when the address is not parked. */
  parkedDetail(address: string): Promise<ParkedDetail | undefined>;
  control(address: string, command: 'replay' | 'skip', messageId: string | undefined): Promise<ControlResult>;
  close(): Promise<void>;
}

/** Connects to the dev server running on `dataDir`, or opens the directory when none runs. */
export async function openTarget(dataDir: string): Promise<DevTarget> {
  const dir = resolve(dataDir);
  const endpoint = readEndpoint(dir);
  if (endpoint !== undefined && isAlive(endpoint.pid)) {
    const client = new AdminClient(endpoint.socket);
    try {
      await client.get<StatusView>('/v1/status');
      return serverTarget(dir, client);
    } catch (error) {
      if (error instanceof AdminError) throw error;
      // A socket nobody answers on: the server is gone (or going); try the directory itself.
    }
  }
  if (!existsSync(join(dir, 'journal'))) {
    throw new Error(`no data directory at ${dir}: start statefun dev first, or pass --data-dir or --app`);
  }
  return directTarget(dir);
}

function readEndpoint(dir: string): AdminEndpoint | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, ADMIN_FILE), 'utf8')) as AdminEndpoint;
  } catch {
    return undefined;
  }
}

const query = (address: string): string => `address=${encodeURIComponent(address)}`;

function serverTarget(dataDir: string, client: AdminClient): DevTarget {
  return {
    kind: 'server',
    dataDir,
    status: () => client.get<StatusView>('/v1/status'),
    send: (request) => client.post<SendResult>('/v1/messages', request),
    state: (address) => client.get<StateView>(`/v1/state?${query(address)}`),
    parked: () => client.get<ParkedSummary[]>('/v1/parked'),
    async parkedDetail(address) {
      try {
        return await client.get<ParkedDetail>(`/v1/parked/letters?${query(address)}`);
      } catch (error) {
        if (error instanceof AdminError && error.status === 404) return undefined;
        throw error;
      }
    },
    control: (address, command, messageId) =>
      client.post<ControlResult>(`/v1/parked/${command}?${query(address)}${messageId === undefined ? '' : `&message=${encodeURIComponent(messageId)}`}`),
    close: () => Promise.resolve(),
  };
}

async function directTarget(dataDir: string): Promise<DevTarget> {
  const data = await openDataDir(dataDir, { clock: systemTimers });
  const { backend } = data;
  return {
    kind: 'data-dir',
    dataDir,
    status: () => Promise.resolve(undefined),
    async send(request) {
      // An unstarted runtime: ingest only journals the message (and its idempotency key) for the next start.
      const runtime = new LocalRuntime({ backend, functions: new StaticFunctionRegistry(), egress: { has: () => false }, timers: systemTimers });
      const receipt = await runtime.ingest(sendRequestMessage(request));
      return { ...receipt, queued: !receipt.duplicate };
    },
    state: (address) => Promise.resolve(stateView(backend, parseAddressKey(address), Date.now())),
    parked: () => parkedList(backend),
    parkedDetail: (address) => parkedDetail(backend, parseAddressKey(address)),
    async control(address, command, messageId) {
      await issueControl(backend, parseAddressKey(address), command, messageId, Date.now());
      return { address, command, queued: true };
    },
    close: () => data.close(),
  };
}

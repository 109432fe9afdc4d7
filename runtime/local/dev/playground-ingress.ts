import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FunctionRegistry } from '../../core/function-binding.js';
import { show } from '../../core/typename.js';
import { playgroundRouter } from '../../module/playground.js';
import type { Routed, RouterBinding } from '../../module/routing.js';
import type { IngestReceipt, IngressMessage } from '../runtime.js';
import { answerError, answerJson, closeServer, HttpError, KEEP_ALIVE, listen, readBody } from './http-util.js';
import { mapPlaygroundRequest } from './playground-request.js';

/** Header a client sets to make a retried request apply once (our extension of StateFun's playground). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Response header with the id of the accepted message (comma-separated when a router fanned out). */
export const MESSAGE_ID_HEADER = 'statefun-message-id';
/** Response header, `true` when the Idempotency-Key had been used already and nothing new was accepted. */
export const DUPLICATE_HEADER = 'statefun-duplicate';
const MAX_KEY_LENGTH = 1024;

export interface PlaygroundIngressOptions {
  readonly port: number;
  readonly host: string;
  /** Accepts a message durably (`LocalRuntime.ingest`). */
  readonly ingest: (message: IngressMessage) => Promise<IngestReceipt>;
  /** The bound functions, to refuse messages for unknown function types. */
  readonly functions: FunctionRegistry;
  /** The routers bound to this ingress (read per request: they change on reload). */
  readonly routers: () => readonly RouterBinding[];
  /** Largest body accepted. @default 8 MiB */
  readonly maxBodyBytes?: number;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * StateFun's playground ingress (`io.statefun.playground.v1/ingress`): `PUT` or `POST /<namespace>/<type>/<id>`
 * delivers the body to that address (see {@link mapPlaygroundRequest} for the typename and body rules).
 *
 * Answers, once the message is durable:
 * - `200` with an empty body, as StateFun does, plus the headers `Statefun-Message-Id` (the message id) and
 *   `Statefun-Duplicate: true|false`; with `Accept: application/json` the body is
 *   `{"messages":[{"target":"ns/type/id","messageId":"…","duplicate":false}]}`.
 * - `Idempotency-Key: <key>` (our extension): a request repeated with the same key for the same address is
 *   accepted once, also across restarts (the key is kept in the data directory for 7 days); the repeat answers
 *   200 with `Statefun-Duplicate: true` and the first message's id.
 * - `400` bad path, bad percent-encoding, non-UTF-8 string body, or an empty Idempotency-Key; `404` no function
 *   of that type is bound; `405` another method; `413` body too large; `415` a `vnd.` content type that is not
 *   a typename; `503` the runtime could not accept the message (e.g. stopping). Error bodies are plain text
 *   naming the bad value. (StateFun answers 500 to every bad request.)
 */
export async function startPlaygroundIngress(options: PlaygroundIngressOptions): Promise<RunningServer> {
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' && req.method !== 'PUT') {
      req.resume();
      throw new HttpError(405, `use PUT or POST /<namespace>/<function type>/<function id>, not ${req.method ?? '?'}`, { allow: 'PUT, POST' });
    }
    const body = await readBody(req, maxBody);
    const keyHeader = req.headers[IDEMPOTENCY_KEY_HEADER];
    const key = keyHeader === undefined ? undefined : checkKey(keyHeader);
    const routers = options.routers();
    const json = req.headers.accept?.includes('application/json') === true;
    if (routers.length === 1 && routers[0]!.router === playgroundRouter && !json) {
      // The common case, kept lean: one message, no intermediate arrays.
      const message = mapPlaygroundRequest(req.url ?? '/', req.headers['content-type'], ownBytes(body));
      checkBound(message.target.typename, req);
      const receipt = await accept(key === undefined ? message : { target: message.target, argument: message.argument, idempotencyKey: key });
      res.writeHead(200, { [MESSAGE_ID_HEADER]: receipt.messageId, [DUPLICATE_HEADER]: receipt.duplicate ? 'true' : 'false', 'content-length': 0 });
      res.end();
      return;
    }
    const messages = route(req, body, routers);
    for (const m of messages) checkBound(m.target.typename, req);
    const receipts = await Promise.all(messages.map((m) => accept(ingressMessage(m, key))));
    const duplicate = receipts.length > 0 && receipts.every((r) => r.duplicate);
    if (json) {
      res.setHeader(DUPLICATE_HEADER, String(duplicate));
      answerJson(res, 200, {
        messages: receipts.map((r, i) => ({ target: `${messages[i]!.target.typename}/${messages[i]!.target.id}`, messageId: r.messageId, duplicate: r.duplicate })),
      });
      return;
    }
    res.writeHead(200, {
      [MESSAGE_ID_HEADER]: receipts.map((r) => r.messageId).join(', '),
      [DUPLICATE_HEADER]: duplicate ? 'true' : 'false',
      'content-length': 0,
    });
    res.end();
  };
  const checkBound = (typename: string, req: IncomingMessage): void => {
    if (options.functions.resolve(typename) === undefined) {
      throw new HttpError(404, `no function is bound for type ${show(typename)} (path ${show(req.url)})`);
    }
  };
  const accept = async (message: IngressMessage): Promise<IngestReceipt> => {
    try {
      return await options.ingest(message);
    } catch (error) {
      throw new HttpError(503, `the message was not accepted: ${(error as Error)?.message ?? String(error)}`);
    }
  };
  const server: Server = createServer(KEEP_ALIVE, (req, res) => {
    handle(req, res).catch((error: unknown) => answerError(res, error));
  });
  const port = await listen(server, { port: options.port, host: options.host });
  return { port, close: () => closeServer(server) };
}

/**
 * The body as bytes of its own. A body read off a socket is a view of the whole read buffer, which a message
 * waiting in a mailbox would otherwise keep alive, with every other request that arrived in the same read.
 */
function ownBytes(body: Buffer): Uint8Array {
  return body.byteLength === body.buffer.byteLength ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(body);
}

function checkKey(value: string | string[]): string {
  const key = Array.isArray(value) ? value.join(',') : value;
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new HttpError(400, `the Idempotency-Key header must hold 1 to ${MAX_KEY_LENGTH} characters, got ${key.length}`);
  }
  return key;
}

function ingressMessage(routed: Routed, key: string | undefined): IngressMessage {
  return key === undefined ? { target: routed.target, argument: routed.value } : { target: routed.target, argument: routed.value, idempotencyKey: key };
}

/** The messages of one request: the playground's own routing, and any routers bound to the ingress in code. */
function route(req: IncomingMessage, body: Buffer, routers: readonly RouterBinding[]): readonly Routed[] {
  const bytes = ownBytes(body);
  const contentType = req.headers['content-type'];
  const url = req.url ?? '/';
  if (routers.length === 1 && routers[0]!.router === playgroundRouter) {
    const m = mapPlaygroundRequest(url, contentType, bytes);
    return [{ target: m.target, value: m.argument }];
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  const out: Routed[] = [];
  for (const binding of routers) {
    if (binding.router === playgroundRouter) {
      const m = mapPlaygroundRequest(url, contentType, bytes);
      out.push({ target: m.target, value: m.argument });
      continue;
    }
    try {
      out.push(...binding.router.route({ body: bytes, path: url.split('?', 1)[0], headers }));
    } catch (error) {
      throw new HttpError(400, `router ${binding.source.component} of ${binding.source.module} refused the request: ${(error as Error).message}`);
    }
  }
  return out;
}

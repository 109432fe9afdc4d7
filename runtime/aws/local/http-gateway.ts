import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, KEEP_ALIVE, listen, readBody } from '../../local/dev/http-util.js';
import type { HttpApiEvent, HttpApiResult, LambdaContext } from '../lambda/events.js';
import { httpApiEvent, lambdaContext } from './event-builders.js';

/** An HTTP API handler, as `createHttpIngress` makes it. */
export type HttpHandler = (event: HttpApiEvent, context: LambdaContext) => Promise<HttpApiResult>;

export interface HttpGatewayOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly handler: HttpHandler;
  /** API Gateway's payload limit. @default 10 MiB */
  readonly maxBodyBytes?: number;
  /** @default 29_000 (API Gateway's integration timeout) */
  readonly timeoutMs?: number;
}

export interface HttpGateway {
  readonly port: number;
  /** Requests answered, by status code. */
  readonly answered: ReadonlyMap<number, number>;
  close(): Promise<void>;
}

/**
 * API Gateway HTTP API, locally: each request becomes the payload-2.0 event the handler gets on AWS, and the
 * handler's structured result becomes the response (a body flagged `isBase64Encoded` is decoded).
 */
export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const answered = new Map<number, number>();
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let status: number;
    let headers: Record<string, string> = {};
    let body: Buffer;
    try {
      const raw = await readBody(req, maxBody);
      const event = httpApiEvent({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: raw, ...(req.socket.remoteAddress !== undefined ? { sourceIp: req.socket.remoteAddress } : {}) });
      const result = await options.handler(event, lambdaContext(options.timeoutMs ?? 29_000, 'http-ingress'));
      status = result.statusCode;
      headers = { ...result.headers };
      body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded === true ? 'base64' : 'utf8');
    } catch (error) {
      // What API Gateway answers when the integration fails.
      const payloadTooLarge = (error as { status?: number }).status === 413;
      status = payloadTooLarge ? 413 : 500;
      headers = { 'content-type': 'application/json' };
      body = Buffer.from(JSON.stringify({ message: payloadTooLarge ? 'Request Entity Too Large' : 'Internal Server Error' }));
    }
    answered.set(status, (answered.get(status) ?? 0) + 1);
    res.writeHead(status, { ...headers, 'content-length': body.length });
    res.end(body);
  };
  const server: Server = createServer(KEEP_ALIVE, (req, res) => void handle(req, res));
  const port = await listen(server, { host: options.host, port: options.port });
  return { port, answered, close: () => closeServer(server) };
}

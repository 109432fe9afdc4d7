import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** A request that cannot be served as asked: answered with `status` and `message` as plain text. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const TEXT = 'text/plain; charset=utf-8';

/** Answers with a plain-text message (a trailing newline added, for terminals). */
export function answerText(res: ServerResponse, status: number, text: string, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(`${text}\n`, 'utf8');
  res.writeHead(status, { ...headers, 'content-type': TEXT, 'content-length': body.length });
  res.end(body);
}

export function answerJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

/** Answers an error: an {@link HttpError} as it says, anything else as 500 with its message. */
export function answerError(res: ServerResponse, error: unknown): void {
  if (error instanceof HttpError) answerText(res, error.status, error.message, error.headers);
  else answerText(res, 500, error instanceof Error ? error.message : String(error));
}

/**
 * Reads a request body, up to `maxBytes` (a larger one rejects with 413). A body that arrives in one chunk is
 * returned as that chunk, without copying.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) {
      req.resume();
      reject(new HttpError(413, `the body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`, { connection: 'close' }));
      return;
    }
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `the body exceeds the limit of ${maxBytes} bytes`, { connection: 'close' }));
        return;
      }
      if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
    });
    req.on('end', () => resolve(chunks !== undefined ? Buffer.concat(chunks, size) : (first ?? EMPTY)));
    req.on('error', reject);
  });
}

const EMPTY = Buffer.alloc(0);

/** Listens on `port` (0: any free port) of `host`, or on a Unix socket path; resolves the port (0 for sockets). */
export function listen(server: Server, where: { readonly port: number; readonly host: string } | { readonly path: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      const place = 'path' in where ? where.path : `${where.host}:${where.port}`;
      reject(error.code === 'EADDRINUSE' ? new Error(`${place} is already in use (another statefun dev, or another program?)`) : error);
    };
    server.once('error', failed);
    const listening = (): void => {
      server.off('error', failed);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    };
    if ('path' in where) server.listen(where.path, listening);
    else server.listen(where.port, where.host, listening);
  });
}

/** Stops accepting connections, lets running requests finish (at most `graceMs`), then drops what is left. */
export function closeServer(server: Server, graceMs = 2000): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Keep-alive settings for servers clients hammer: long idle keep-alive, so load generators reuse sockets. */
export const KEEP_ALIVE = { keepAlive: true, keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0 } as const;

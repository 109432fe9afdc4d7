import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError } from '../core/errors.js';
import type { FunctionDefinition } from '../sdk/function.js';
import { ENDPOINT_DEFAULTS } from './endpoint-options.js';
import { createRequestReplyHandler, httpStatusFor, type RequestReplyHandler } from './serve.js';
import { OCTET_STREAM } from './transport.js';

export interface RequestReplyListenerOptions {
  /** Largest request body accepted; larger ones get 413. @default 33_554_432 (32 MiB) */
  readonly payloadMaxBytes?: number;
}

/**
 * A `node:http` request listener serving functions over StateFun's request-reply protocol, like the
 * official SDKs' handlers: `POST` a `ToFunction` to any path, get a `FromFunction` back (200,
 * `application/octet-stream`). Failures answer as {@link httpStatusFor} says, with a plain-text reason.
 *
 * @example
 * http.createServer(createRequestReplyListener([greeter])).listen(8000, '127.0.0.1');
 */
export function createRequestReplyListener(
  functions: readonly FunctionDefinition[] | RequestReplyHandler,
  options: RequestReplyListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = typeof functions === 'function' ? functions : createRequestReplyHandler(functions);
  const max = options.payloadMaxBytes ?? ENDPOINT_DEFAULTS.payloadMaxBytes;
  return (req, res) => {
    if (req.method !== 'POST') {
      req.resume();
      answerText(res, 405, `use POST with a ${OCTET_STREAM} body`, { allow: 'POST' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > max) {
        refused = true;
        answerText(res, 413, `the request exceeds ${max} bytes`, { connection: 'close' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const body = Buffer.concat(chunks, size);
      handle(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)).then(
        (answer) => {
          res.writeHead(200, { 'content-type': OCTET_STREAM, 'content-length': answer.length });
          res.end(answer);
        },
        (error: unknown) => answerText(res, httpStatusFor(error), describeError(error)),
      );
    });
  };
}

function answerText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

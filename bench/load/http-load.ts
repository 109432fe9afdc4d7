/**
 * A keep-alive HTTP/1.1 load generator on raw sockets: one request in flight per connection, many connections.
 * Closed loop (each connection sends its next request when the previous one is answered) or, with `ratePerSec`,
 * open loop (requests start on a fixed schedule; latency counts from the scheduled start, so queueing in the
 * generator is not hidden — no coordinated omission). Used unchanged against every system benchmarked.
 */
import { connect, type Socket } from 'node:net';
import hdr from 'hdr-histogram-js';

export interface LoadRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface LoadOptions {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  /** Total requests to send. */
  readonly requests: number;
  /** The i-th request. */
  readonly request: (i: number) => LoadRequest;
  /** Open loop at this many requests per second; closed loop when absent. */
  readonly ratePerSec?: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly durationMs: number;
  readonly perSec: number;
  /** Latency percentiles in milliseconds. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
}

function encode(host: string, port: number, r: LoadRequest): Buffer {
  const body = r.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
  let head = `${r.method} ${r.path} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: keep-alive\r\nContent-Length: ${body.length}\r\n`;
  for (const [k, v] of Object.entries(r.headers ?? {})) head += `${k}: ${v}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`), body]);
}

/** Parses complete responses off a connection's buffer; returns their statuses and what is left over. */
function takeResponses(buffer: Buffer): { statuses: number[]; rest: Buffer } {
  const statuses: number[] = [];
  let pos = 0;
  for (;;) {
    const headEnd = buffer.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) break;
    const head = buffer.toString('latin1', pos, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end: number;
    if (length !== null) {
      end = headEnd + 4 + Number(length[1]);
      if (end > buffer.length) break;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      let p = headEnd + 4;
      let done = false;
      for (;;) {
        const lineEnd = buffer.indexOf('\r\n', p);
        if (lineEnd < 0) break;
        const size = parseInt(buffer.toString('latin1', p, lineEnd), 16);
        if (size === 0) {
          if (lineEnd + 4 > buffer.length) break;
          p = lineEnd + 4;
          done = true;
          break;
        }
        p = lineEnd + 2 + size + 2;
        if (p > buffer.length) break;
      }
      if (!done) break;
      end = p;
    } else {
      end = headEnd + 4;
    }
    statuses.push(status);
    pos = end;
  }
  return { statuses, rest: pos === 0 ? buffer : buffer.subarray(pos) };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const statuses: Record<string, number> = {};
  let next = 0;
  let completed = 0;
  let errors = 0;
  const started = performance.now();
  const interval = options.ratePerSec === undefined ? 0 : 1000 / options.ratePerSec;

  await new Promise<void>((resolveAll, rejectAll) => {
    let open = 0;
    const startConnection = (): void => {
      const socket: Socket = connect({ host: options.host, port: options.port, noDelay: true });
      open++;
      let buffer: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const sendNext = (): void => {
        if (next >= options.requests) {
          socket.end();
          return;
        }
        const i = next++;
        const scheduled = interval === 0 ? performance.now() : started + i * interval;
        const wait = scheduled - performance.now();
        const send = (): void => {
          sentAt = scheduled;
          socket.write(encode(options.host, options.port, options.request(i)));
        };
        if (wait > 0) setTimeout(send, wait);
        else send();
      };
      socket.on('connect', sendNext);
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        const { statuses: got, rest } = takeResponses(buffer);
        buffer = rest;
        for (const status of got) {
          histogram.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 400) errors++;
          completed++;
          sendNext();
        }
      });
      socket.on('error', (error) => {
        errors++;
        if (completed === 0 && next <= options.connections) rejectAll(error);
      });
      socket.on('close', () => {
        open--;
        if (open === 0) resolveAll();
      });
    };
    for (let c = 0; c < Math.min(options.connections, options.requests); c++) startConnection();
  });

  const durationMs = performance.now() - started;
  const ms = (q: number): number => histogram.getValueAtPercentile(q) / 1000;
  const result: LoadResult = {
    requests: completed,
    errors,
    statuses,
    durationMs,
    perSec: completed / (durationMs / 1000),
    latencyMs: { p50: ms(50), p90: ms(90), p99: ms(99), max: histogram.maxValue / 1000 },
  };
  histogram.destroy();
  return result;
}

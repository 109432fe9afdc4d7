/**
 * Local endpoints for the remote transport tests: plain HTTP, HTTPS and Unix-socket servers on 127.0.0.1
 * that count connections and requests, and the official StateFun JS SDK behind node:http.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFun } from 'apache-flink-statefun';
import type { FunctionOpts } from 'apache-flink-statefun/dist/core.js';

export type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`, or `http+unix:///tmp/…/fn.sock`. */
  readonly url: string;
  /** TCP (or Unix) connections accepted so far. */
  readonly connections: () => number;
  /** Requests received so far. */
  readonly requests: () => number;
  /** Requests being handled right now, and the most at once. */
  readonly active: () => number;
  readonly peakActive: () => number;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Serve on a Unix domain socket instead of a TCP port. */
  readonly socketPath?: string;
  /** Serve HTTPS with this material. */
  readonly tls?: https.ServerOptions;
}

/** Starts a server on 127.0.0.1 (or a Unix socket) that counts what it sees. */
export async function startServer(listener: Listener, options: ServerOptions = {}): Promise<TestServer> {
  let connections = 0;
  let requests = 0;
  let active = 0;
  let peak = 0;
  const sockets = new Set<Socket>();
  const counted: Listener = (req, res) => {
    requests++;
    active++;
    peak = Math.max(peak, active);
    res.once('close', () => active--);
    listener(req, res);
  };
  const server = options.tls === undefined ? http.createServer(counted) : https.createServer(options.tls, counted);
  server.on(options.tls === undefined ? 'connection' : 'secureConnection', () => connections++);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => {
    if (options.socketPath !== undefined) server.listen(options.socketPath, resolve);
    else server.listen(0, '127.0.0.1', resolve);
  });
  const scheme = options.tls === undefined ? 'http' : 'https';
  const url = options.socketPath !== undefined ? `${scheme}+unix://${options.socketPath}` : `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    connections: () => connections,
    requests: () => requests,
    active: () => active,
    peakActive: () => peak,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The official StateFun JS SDK (npm `apache-flink-statefun` 3.3.0) serving `functions`, as its README shows. */
export function officialSdkListener(functions: readonly FunctionOpts[]): Listener {
  const statefun = new StateFun();
  for (const fn of functions) statefun.bind(fn);
  const handler = statefun.handler();
  return (req, res) => void handler(req, res);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the whole request body. */
export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch (error) {
    // A client that gives up mid-request (the point of the timeout tests) aborts the stream: not this server's
    // failure, and nobody would be there to handle it.
    if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
  }
  return Buffer.concat(chunks);
}

export interface Certificates {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  /** Encrypted PKCS#8, password {@link Certificates.clientKeyPassword}. */
  readonly clientKey: string;
  readonly clientKeyPassword: string;
  readonly otherCa: string;
  remove(): void;
}

/** A throw-away CA with a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'statefun-tls-'));
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const days = ['-days', '2'];
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=statefun test CA', ...days);
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-subj', '/CN=another CA', ...days);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-extfile', 'server.ext', ...days);
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client-plain.key', '-out', 'client.csr', '-subj', '/CN=statefun runtime');
  ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-extfile', 'client.ext', ...days);
  const clientKeyPassword = 'correct horse';
  ssl('pkcs8', '-topk8', '-in', 'client-plain.key', '-out', 'client.key', '-v2', 'aes-256-cbc', '-passout', `pass:${clientKeyPassword}`);
  const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
  return {
    dir,
    ca: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server.key'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    clientKeyPassword,
    otherCa: read('other-ca.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Serves StateFun functions the way the SDK's README does: its request-reply handler behind node:http.
 * `PORT` (default 8000) and `HOST` (default 127.0.0.1) say where.
 */
import http from 'node:http';
import type { StateFun } from 'apache-flink-statefun';

export function serve(statefun: StateFun, port = Number(process.env.PORT ?? 8000), host = process.env.HOST ?? '127.0.0.1'): http.Server {
  const handler = statefun.handler();
  const server = http.createServer((req, res) => void handler(req, res));
  server.listen(port, host, () => console.log(`StateFun functions served on http://${host}:${port}/statefun`));
  return server;
}

import { createServer } from 'node:net';

/** The loopback address every emulator binds to and every test talks to. */
export const LOOPBACK = '127.0.0.1';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago. Another process may take it before the caller binds it,
 * so launchers that cannot bind port 0 themselves retry on "address in use".
 */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error(`unexpected server address ${String(address)}`);
  return address.port;
}

/** Throws unless `port` is a whole number in 0..65535 (0: pick a free one). */
export function checkPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${what}: port must be an integer in 0..65535, got ${String(port)}`);
  }
  return port;
}

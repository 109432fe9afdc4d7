import { request } from 'node:http';

/** A failed admin API call: the server's status and message. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

/** Calls the admin API of a running `statefun dev` over its Unix socket (see admin-protocol.ts). */
export class AdminClient {
  constructor(readonly socket: string) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path, undefined);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private call<T>(method: string, path: string, body: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socket,
          agent: false,
          path,
          method,
          headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              reject(new AdminError(status, text.trim() || `status ${status}`));
              return;
            }
            try {
              resolve(JSON.parse(text) as T);
            } catch {
              reject(new AdminError(status, `the admin API answered something that is not JSON: ${text.slice(0, 200)}`));
            }
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}

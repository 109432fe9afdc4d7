import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Context, type Message, messageBuilder } from 'apache-flink-statefun';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStatefunError } from '../../../runtime/core/errors.js';
import type { InvocationRequest } from '../../../runtime/core/invocation.js';
import type { HttpEndpointOptions } from '../../../runtime/remote/endpoint-options.js';
import { RemoteFunctionInvoker } from '../../../runtime/remote/remote-invoker.js';
import { readTlsFiles } from '../../../runtime/remote/tls-files.js';
import { stringType } from '../../../runtime/sdk/types.js';
import { type Certificates, makeCertificates, officialSdkListener, startServer } from './servers.js';

const echo = officialSdkListener([
  {
    typename: 'example/echo',
    fn: (ctx: Context, message: Message) => ctx.send(messageBuilder({ typename: 'example/echo', id: ctx.self.id, value: `echo ${message.asString()}` })),
  },
]);
const request: InvocationRequest = {
  target: { typename: 'example/echo', id: 'e1' },
  state: [],
  invocations: [{ caller: undefined, argument: { typename: stringType.typename, value: stringType.serialize('hi') } }],
};

async function echoed(options: HttpEndpointOptions): Promise<string> {
  const invoker = new RemoteFunctionInvoker(options);
  try {
    const outcome = await invoker.invoke(request, 5_000);
    if (outcome.kind !== 'result') throw new Error('expected a result');
    return stringType.deserialize(outcome.messages[0]!.argument.value);
  } finally {
    await invoker.close();
  }
}

async function rejection(options: HttpEndpointOptions): Promise<Error> {
  const invoker = new RemoteFunctionInvoker(options);
  try {
    return await invoker.invoke(request, 5_000).then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as Error,
    );
  } finally {
    await invoker.close();
  }
}

describe('http+unix', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'statefun-uds-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('posts over a Unix domain socket, the path after the .sock segment being the request path', async () => {
    const socketPath = join(dir, 'functions.sock');
    const paths: string[] = [];
    const server = await startServer((req, res) => {
      paths.push(req.url ?? '');
      echo(req, res);
    }, { socketPath });
    try {
      expect(await echoed({ urlPathTemplate: `http+unix://${socketPath}/statefun/{function.name}` })).toBe('echo hi');
      expect(paths).toEqual(['/statefun/echo']);
      expect(server.url).toBe(`http+unix://${socketPath}`);
    } finally {
      await server.close();
    }
  });
});

describe('https', () => {
  let certs: Certificates;
  beforeAll(() => {
    certs = makeCertificates();
  });
  afterAll(() => certs.remove());

  it('trusts a custom CA (trust_cacerts) and refuses a server it does not trust', async () => {
    const server = await startServer(echo, { tls: { cert: certs.serverCert, key: certs.serverKey } });
    try {
      const url = `${server.url}/{function.name}`;
      expect(await echoed({ urlPathTemplate: url, tls: { trustCaCerts: certs.ca } })).toBe('echo hi');

      const untrusted = await rejection({ urlPathTemplate: url, callTimeoutMs: 150, tls: { trustCaCerts: certs.otherCa } });
      expect(isStatefunError(untrusted, 'retryable')).toBe(true);
      expect(untrusted.message).toMatch(/connection failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);
    } finally {
      await server.close();
    }
  });

  it('presents a client certificate with an encrypted key (mutual TLS), read from files as StateFun names them', async () => {
    const subjects: string[] = [];
    const server = await startServer(
      (req, res) => {
        subjects.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
        echo(req, res);
      },
      { tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true, rejectUnauthorized: true } },
    );
    try {
      const url = `${server.url}/{function.name}`;
      writeFileSync(join(certs.dir, 'password.txt'), `${certs.clientKeyPassword}\n`);
      const tls = await readTlsFiles({ trustCaCerts: 'ca.pem', clientCert: 'client.pem', clientKey: 'client.key', clientKeyPassword: 'password.txt' }, certs.dir);
      expect(await echoed({ urlPathTemplate: url, tls })).toBe('echo hi');
      expect(subjects).toEqual(['statefun runtime']);

      const anonymous = await rejection({ urlPathTemplate: url, callTimeoutMs: 150, tls: { trustCaCerts: certs.ca } });
      expect(isStatefunError(anonymous, 'retryable')).toBe(true);
      expect(subjects).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('refuses unusable TLS material when the transport is built, naming the endpoint', () => {
    const url = 'https://127.0.0.1:1/{function.name}';
    expect(() => new RemoteFunctionInvoker({ urlPathTemplate: url, tls: { clientCert: certs.clientCert, clientKey: certs.clientKey, clientKeyPassword: 'wrong' } })).toThrow(
      /remote endpoint "https:\/\/127.0.0.1:1\/\{function.name\}": unusable TLS material/,
    );
    expect(() => new RemoteFunctionInvoker({ urlPathTemplate: url, tls: { clientCert: certs.clientCert } })).toThrow(/tls.clientCert and tls.clientKey go together/);
  });

  it('reads no classpath: locations', async () => {
    await expect(readTlsFiles({ trustCaCerts: 'classpath:ca.pem' })).rejects.toThrow(/trustCaCerts "classpath:ca.pem": classpath: locations are a Java notion/);
  });
});

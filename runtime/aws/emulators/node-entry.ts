import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { READY_MARKER, type ReadyAnnouncement } from './entry-protocol.js';
import { type ProcessGroup, spawnProcessGroup } from './process-group.js';

/** An emulator running in a child Node process that leads its own process group. */
export interface EmulatorProcess {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM to the group (the emulator closes cleanly), SIGKILL after 5 s; resolves once it exited. Idempotent. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/**
 * Starts the entry script `entry` (the URL of its compiled `.js` file, next to the calling module) in a child
 * `node` and resolves once it announced that it listens (see {@link READY_MARKER}).
 *
 * When the project runs from its TypeScript sources (tests), there is no compiled `.js`: the `.ts` entry is then
 * bundled with esbuild (packages left external) into `.emulators/entry/` beside the project's `node_modules`,
 * and the bundle is removed once the child is up.
 *
 * The entry is found next to the calling module (`import.meta.url`): run the launchers from the compiled files or
 * the sources, not from a bundle that moved them elsewhere.
 */
export async function spawnEmulatorEntry(entry: URL, args: readonly string[], what: string): Promise<EmulatorProcess> {
  const { script, cleanup } = await entryScript(entry);
  let proc: ProcessGroup | undefined;
  try {
    proc = spawnProcessGroup(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    // The IPC channel only tells the child when this process is gone; it must not keep this process alive.
    (proc.child.channel as { unref?: () => void } | null | undefined)?.unref?.();
    const ready = await awaitReady(proc, what);
    const started = proc;
    return { endpoint: ready.endpoint, port: ready.port, pid: started.pid, stop: () => started.stop() };
  } catch (error) {
    await proc?.stop();
    throw error;
  } finally {
    cleanup();
  }
}

async function awaitReady(proc: ProcessGroup, what: string): Promise<ReadyAnnouncement> {
  const stdout = proc.child.stdout;
  if (stdout === null) throw new Error(`${what}: child has no stdout`);
  return new Promise<ReadyAnnouncement>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => fail(`did not announce readiness within ${READY_TIMEOUT_MS} ms`),
      READY_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer | string): void => {
      buffered += chunk.toString();
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.startsWith(READY_MARKER)) continue;
        try {
          const ready = JSON.parse(line.slice(READY_MARKER.length)) as ReadyAnnouncement;
          done();
          resolve(ready);
        } catch (error) {
          fail(`announced readiness unreadably: ${line}`, error);
        }
        return;
      }
    };
    const onExit = (): void => fail(`${proc.exitReason() ?? 'exited'} before it was ready`);
    function done(): void {
      clearTimeout(timer);
      stdout?.off('data', onData);
      proc.child.off('exit', onExit);
    }
    function fail(reason: string, cause?: unknown): void {
      done();
      reject(new Error(`${what} (pid ${proc.pid}) ${reason}; its last output:\n${proc.outputTail()}`, { cause }));
    }
    stdout.on('data', onData);
    proc.child.once('exit', onExit);
    if (proc.exitReason() !== undefined) onExit();
  });
}

async function entryScript(entry: URL): Promise<{ script: string; cleanup: () => void }> {
  const compiled = fileURLToPath(entry);
  if (existsSync(compiled)) return { script: compiled, cleanup: () => {} };
  const source = compiled.replace(/\.js$/, '.ts');
  if (!existsSync(source)) throw new Error(`emulator entry ${compiled} does not exist (nor ${source})`);

  const outDir = join(projectRootOf(source), '.emulators', 'entry');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${basename(source, '.ts')}.${process.pid}.${Date.now().toString(36)}.mjs`);
  const { build } = await import('esbuild');
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  return { script: outfile, cleanup: () => rmSync(outfile, { force: true }) };
}

/** The nearest directory above `file` that holds `node_modules`: bare imports of a bundle placed there resolve. */
function projectRootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no node_modules above ${file}`);
  }
}

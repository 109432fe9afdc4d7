import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';

/**
 * A child process that leads its own process group, so that stopping it also stops anything it started.
 * Every group still alive when this Node process exits is killed then (best effort: not on SIGKILL).
 */
export interface ProcessGroup {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last lines the process wrote to stdout and stderr, for error messages. */
  outputTail(): string;
  /** Why the process is gone (`"exited with code 1"`), or undefined while it runs. */
  exitReason(): string | undefined;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
  /**
   * Sends SIGTERM to the group, waits up to `graceMs` (default 5,000) for the leader to exit, then SIGKILLs the
   * group and waits again. Idempotent; does nothing once the process has exited.
   */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_LINES = 40;
const live = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of live) signalGroup(pid, 'SIGKILL');
  });
}

/** Sends `signal` to the process group led by `pid`; false if there is no such group any more. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while a process with this PID exists (a zombie counts as existing). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops the process group led by `pid` when only the PID is known (e.g. it was started by another process):
 * SIGTERM, poll until the leader is gone or `graceMs` passed, then SIGKILL and poll again (up to 5 s).
 */
export async function stopProcessGroupByPid(pid: number, graceMs = 5_000): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  if (await pollGone(pid, graceMs)) return;
  signalGroup(pid, 'SIGKILL');
  if (!(await pollGone(pid, 5_000))) throw new Error(`process ${pid} did not exit after SIGKILL`);
}

async function pollGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/**
 * Runs `"$@"` in the background and waits for it; ends it when this shell is told to (TERM/INT) or when the
 * process `$WATCH_PID` is gone (checked every second), so it cannot outlive a parent that was SIGKILLed.
 */
const WATCHDOG_SCRIPT = [
  '"$@" &',
  'child=$!',
  `trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit $?' TERM INT`,
  'while kill -0 "$WATCH_PID" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1 & wait $!; done',
  'kill -TERM "$child" 2>/dev/null',
  'wait "$child"',
].join('\n');

export interface SpawnProcessGroupOptions extends SpawnOptions {
  /**
   * Run the command under a small `/bin/sh` watchdog that leads the group and ends the command within about a
   * second once this process is gone, even after a SIGKILL. For programs that cannot watch their parent
   * themselves (a JVM). The group's PID is then the watchdog's.
   */
  readonly dieWithParent?: boolean;
}

/**
 * Spawns `command` as the leader of a new process group (`detached`), with stdout and stderr piped and drained
 * into a short tail. The child does not keep this process alive (`unref`); the caller stops it with `stop()`.
 */
export function spawnProcessGroup(command: string, args: readonly string[], options: SpawnProcessGroupOptions = {}): ProcessGroup {
  const { dieWithParent, ...spawnOptions } = options;
  const [file, argv, env] =
    dieWithParent === true
      ? ['/bin/sh', ['-c', WATCHDOG_SCRIPT, 'watchdog', command, ...args], { ...(spawnOptions.env ?? process.env), WATCH_PID: String(process.pid) }]
      : [command, args, spawnOptions.env];
  const child = spawn(file, argv, {
    ...spawnOptions,
    ...(env === undefined ? {} : { env }),
    detached: true,
    stdio: spawnOptions.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const collect = (stream: Readable | null): void => {
    if (stream === null) return;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line.trim() === '') continue;
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }
    });
    (stream as Readable & { unref?: () => void }).unref?.();
  };
  collect(child.stdout);
  collect(child.stderr);

  let exitReason: string | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      exitReason ??= `could not be started: ${error.message}`;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exitReason ??= signal !== null ? `was killed by ${signal}` : `exited with code ${String(code)}`;
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    // spawn() reports ENOENT and friends asynchronously; the caller sees it through exitReason()/exited.
    return {
      pid: -1,
      child,
      outputTail: () => tail.join('\n'),
      exitReason: () => exitReason ?? spawnError?.message ?? 'could not be started',
      exited,
      stop: () => exited,
    };
  }
  live.add(pid);
  installExitHook();
  child.unref();
  void exited.then(() => live.delete(pid));

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5_000): Promise<void> => {
    stopping ??= (async () => {
      // Once the leader has been reaped its PID may be reused, so the group is never signalled after that.
      if (exitReason !== undefined) return;
      signalGroup(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        signalGroup(pid, 'SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };

  return { pid, child, outputTail: () => tail.join('\n'), exitReason: () => exitReason, exited, stop };
}

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * A note per running `statefun dev` of this user, in the temp folder, so that `statefun send|state|parked`
 * find its data directory when run from elsewhere. Notes of processes that died are ignored and removed.
 */
interface RunningNote {
  readonly pid: number;
  readonly dataDir: string;
}

function folder(): string {
  let uid: number;
  try {
    uid = userInfo().uid;
  } catch {
    uid = -1;
  }
  return join(tmpdir(), `statefun-dev-${uid}`);
}

export function registerRunning(dataDir: string): void {
  try {
    mkdirSync(folder(), { recursive: true });
    writeFileSync(join(folder(), `${process.pid}.json`), JSON.stringify({ pid: process.pid, dataDir } satisfies RunningNote));
  } catch {
    // Only a convenience for finding the server.
  }
}

export function unregisterRunning(): void {
  rmSync(join(folder(), `${process.pid}.json`), { force: true });
}

/** Data directories of the `statefun dev` processes of this user that are running. */
export function runningDataDirs(): string[] {
  let names: string[];
  try {
    names = readdirSync(folder());
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const name of names) {
    const path = join(folder(), name);
    try {
      const note = JSON.parse(readFileSync(path, 'utf8')) as RunningNote;
      if (isAlive(note.pid)) dirs.push(note.dataDir);
      else rmSync(path, { force: true });
    } catch {
      rmSync(path, { force: true });
    }
  }
  return [...new Set(dirs)];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

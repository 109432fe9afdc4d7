import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<dir>/LOCK` for this process; a lock left by a process that no longer runs is taken over. */
export async function acquireLock(dir: string): Promise<void> {
  const path = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new ValidationError(`data directory ${dir} is in use by process ${owner}; stop it or choose another --data-dir`);
      }
      await rm(path, { force: true });
    }
  }
  throw new ValidationError(`could not lock data directory ${dir}`);
}

export async function releaseLock(dir: string): Promise<void> {
  const path = join(dir, 'LOCK');
  const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (owner === process.pid) await rm(path, { force: true });
}

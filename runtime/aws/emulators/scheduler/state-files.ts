import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../process-group.js';

const SNAPSHOT = 'scheduler-state.json';
const JOURNAL = 'scheduler-journal.jsonl';
const LOCK = 'scheduler.lock';
/** Directories locked by this process (a lock file holding our own PID is only stale if not listed here). */
const lockedHere = new Set<string>();

/** What was on disk when the files were opened: the last snapshot and the changes journaled after it. */
export interface LoadedState {
  readonly snapshot: unknown;
  readonly changes: readonly unknown[];
}

/**
 * The durable files of one Scheduler emulator in a data directory: a snapshot written atomically (temp file,
 * fsync, rename, fsync of the directory) and an append-only journal of changes since, one JSON line each, with
 * fdatasync after every line when `fsync` is on. A `scheduler.lock` file holding the PID keeps two emulators
 * from sharing a directory.
 *
 * Recovery: load the snapshot, replay the journal (a torn last line from a crash is ignored), write a fresh
 * snapshot, truncate the journal. Changes must be idempotent (put/delete whole records): a crash between the
 * snapshot's rename and the journal's truncation replays changes already in the snapshot.
 */
export class StateFiles {
  private journalFd: number;
  private journalLines = 0;

  private constructor(
    private readonly dir: string,
    private readonly fsync: boolean,
  ) {
    this.journalFd = -1;
  }

  /** Locks `dir` (created if missing) and reads what it holds. */
  static open(dir: string, fsync: boolean): { files: StateFiles; loaded: LoadedState } {
    mkdirSync(dir, { recursive: true });
    lock(dir);
    try {
      const files = new StateFiles(dir, fsync);
      const snapshotPath = join(dir, SNAPSHOT);
      const snapshot: unknown = existsSync(snapshotPath) ? parseJson(readFileSync(snapshotPath, 'utf8'), snapshotPath) : undefined;
      const changes = readJournal(join(dir, JOURNAL));
      return { files, loaded: { snapshot, changes } };
    } catch (error) {
      unlock(dir);
      throw error;
    }
  }

  /** Number of changes appended since the last snapshot. */
  get pendingChanges(): number {
    return this.journalLines;
  }

  /** Replaces the snapshot atomically with `snapshot` and starts an empty journal. */
  writeSnapshot(snapshot: unknown): void {
    const target = join(this.dir, SNAPSHOT);
    const temp = `${target}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, JSON.stringify(snapshot));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    syncDir(this.dir);
    if (this.journalFd >= 0) closeSync(this.journalFd);
    this.journalFd = openSync(join(this.dir, JOURNAL), 'w');
    this.journalLines = 0;
  }

  /** Appends one change; durable when this returns (if `fsync` is on). */
  append(change: unknown): void {
    if (this.journalFd < 0) throw new Error('StateFiles: write a snapshot before appending changes');
    writeSync(this.journalFd, `${JSON.stringify(change)}\n`);
    if (this.fsync) fdatasyncSync(this.journalFd);
    this.journalLines++;
  }

  /** Closes the journal and releases the lock. */
  close(): void {
    if (this.journalFd >= 0) closeSync(this.journalFd);
    this.journalFd = -1;
    unlock(this.dir);
  }
}

function readJournal(path: string): unknown[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const changes: unknown[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      changes.push(JSON.parse(line));
    } catch (error) {
      // Only the last line can be torn by a crash mid-append; anything else is damage worth stopping for.
      const isLast = lines.slice(index + 1).every((rest) => rest.trim() === '');
      if (!isLast) throw new Error(`${path}: line ${index + 1} is not JSON`, { cause: error });
    }
  });
  return changes;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON`, { cause: error });
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function lock(dir: string): void {
  const path = join(dir, LOCK);
  if (lockedHere.has(path)) throw new Error(`Scheduler emulator data directory ${dir} is in use by process ${process.pid} (this one)`);
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(`Scheduler emulator data directory ${dir} is in use by process ${holder} (${path})`);
    }
    // Left behind by a process that is gone.
    writeFileSync(path, String(process.pid));
  }
  lockedHere.add(path);
}

function unlock(dir: string): void {
  const path = join(dir, LOCK);
  lockedHere.delete(path);
  rmSync(path, { force: true });
}

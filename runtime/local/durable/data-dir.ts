import { mkdir, open, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../ports.js';
import { LocalBackend } from '../backend.js';
import { readEntry } from '../journal-codec.js';
import { decodeSnapshot, encodeSnapshot } from '../serialization.js';
import { FileJournal, readFrames } from './file-journal.js';
import { acquireLock, releaseLock } from './lock.js';

export interface DataDirOptions {
  readonly clock: Clock;
  /** See {@link LocalBackendOptions.atomicEffects}. @default true */
  readonly atomicEffects?: boolean;
  /** Take a snapshot and start a new journal segment after this many bytes. @default 64 MiB */
  readonly snapshotAfterBytes?: number;
  /**
   * `fdatasync` every group commit. @default true. Without it data survives a crash of the process (SIGKILL)
   * but not of the machine.
   */
  readonly fsync?: boolean;
  /** How long a small group commit waits for more entries. @default 0 (see file-journal.ts) */
  readonly groupWindowMs?: number;
}

export interface Recovery {
  /** Journal entries replayed after the snapshot. */
  readonly entries: number;
  /** Segment the snapshot started, if one was used. */
  readonly snapshot: number | undefined;
  /** Bytes of a torn last write cut off the end of the journal. */
  readonly tornBytes: number;
  readonly durationMs: number;
}

export interface OpenDataDir {
  readonly dir: string;
  readonly backend: LocalBackend;
  readonly journal: FileJournal;
  readonly recovery: Recovery;
  /** Writes everything, takes a snapshot so the next start is quick, and releases the directory. */
  close(): Promise<void>;
}

const SEGMENT = /^segment-(\d+)\.log$/;
const SNAPSHOT = /^snapshot-(\d+)\.json$/;

function segmentName(n: number): string {
  return `segment-${String(n).padStart(8, '0')}.log`;
}

function snapshotName(n: number): string {
  return `snapshot-${String(n).padStart(8, '0')}.json`;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Opens (or creates) a data directory for the embedded backend: takes its lock, rebuilds the state from the
 * newest complete snapshot and the journal segments after it, and returns a backend that journals into it.
 *
 * Layout: `LOCK` (the owner's PID), `journal/segment-N.log` (framed entries), `journal/snapshot-N.json`
 * (the state at the start of segment N). A snapshot becomes visible only by an atomic rename after fsync, and
 * older segments are deleted only after that, so a crash at any point leaves a recoverable directory.
 */
export async function openDataDir(dir: string, options: DataDirOptions): Promise<OpenDataDir> {
  const started = Date.now();
  const journalDir = join(dir, 'journal');
  await mkdir(journalDir, { recursive: true });
  await acquireLock(dir);
  try {
    const names = await readdir(journalDir);
    const segments = names.flatMap((n) => (SEGMENT.exec(n) ? [Number(SEGMENT.exec(n)![1])] : [])).sort((a, b) => a - b);
    const snapshots = names.flatMap((n) => (SNAPSHOT.exec(n) ? [Number(SNAPSHOT.exec(n)![1])] : [])).sort((a, b) => b - a);
    for (const n of names) if (n.endsWith('.tmp')) await rm(join(journalDir, n), { force: true });

    const backend = new LocalBackend({
      clock: options.clock,
      ...(options.atomicEffects !== undefined ? { atomicEffects: options.atomicEffects } : {}),
      journal: { append: (entry) => journal.append(entry) },
    });
    let base: number | undefined;
    for (const n of snapshots) {
      try {
        backend.restore(decodeSnapshot(await readFile(join(journalDir, snapshotName(n)), 'utf8')));
        base = n;
        break;
      } catch {
        // An unreadable snapshot: fall back to an older one (its segments are still there).
      }
    }
    let entries = 0;
    let tornBytes = 0;
    const replay = segments.filter((n) => base === undefined || n >= base);
    for (const n of replay) {
      const path = join(journalDir, segmentName(n));
      const data = await readFile(path);
      const { payloads, validLength } = readFrames(data);
      for (const payload of payloads) backend.apply(readEntry(payload));
      entries += payloads.length;
      if (validLength < data.length) {
        tornBytes += data.length - validLength;
        await truncate(path, validLength);
      }
    }

    let current = replay.at(-1) ?? base ?? 1;
    let snapshotting: Promise<void> | undefined;
    const limit = options.snapshotAfterBytes ?? 64 * 1024 * 1024;

    /** Writes a snapshot (taken at a cut) and, once it is durable, drops the files it makes unnecessary. */
    const writeSnapshot = async (next: number, snapshot: string): Promise<void> => {
      const path = join(journalDir, snapshotName(next));
      await writeFile(`${path}.tmp`, snapshot);
      const handle = await open(`${path}.tmp`, 'r+');
      await handle.sync();
      await handle.close();
      await rename(`${path}.tmp`, path);
      await syncDir(journalDir);
      for (const name of await readdir(journalDir)) {
        const match = SEGMENT.exec(name) ?? SNAPSHOT.exec(name);
        if (match !== null && Number(match[1]) < next) await rm(join(journalDir, name), { force: true });
      }
    };

    const journal = await FileJournal.openSegment(
      join(journalDir, segmentName(current)),
      () => {
        if (snapshotting !== undefined || journal.size < limit) return undefined;
        // At the cut, memory holds exactly the entries up to the end of the group being written: the snapshot
        // of segment `next` is the state after it, and `next` starts with the following group.
        const snapshot = encodeSnapshot(backend.snapshot());
        const next = current + 1;
        return {
          nextSegment: join(journalDir, segmentName(next)),
          afterSwitch: () => {
            current = next;
            snapshotting = writeSnapshot(next, snapshot).finally(() => {
              snapshotting = undefined;
            });
          },
        };
      },
      options.fsync ?? true,
      options.groupWindowMs,
    );
    await syncDir(journalDir);

    return {
      dir,
      backend,
      journal,
      recovery: { entries, snapshot: base, tornBytes, durationMs: Date.now() - started },
      async close() {
        await journal.drained();
        await snapshotting;
        if (journal.size > 0) {
          // Nothing is pending and nothing appends any more: memory is the journal so far. Snapshot it so the
          // next start is quick.
          const snapshot = encodeSnapshot(backend.snapshot());
          const next = current + 1;
          await journal.rotate(join(journalDir, segmentName(next)));
          current = next;
          await writeSnapshot(next, snapshot);
        }
        await journal.close();
        await releaseLock(dir);
      },
    };
  } catch (error) {
    await releaseLock(dir);
    throw error;
  }
}

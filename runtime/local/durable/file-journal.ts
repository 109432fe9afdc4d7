import { type FileHandle, open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { Journal, JournalEntry } from '../journal.js';
import { encodeEntry } from '../serialization.js';

/** Frame header: payload length and CRC-32 of the payload, both little-endian u32. */
export const FRAME_HEADER = 8;

export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, FRAME_HEADER);
  return out;
}

/** Reads frames from a segment; stops at the first torn or corrupt frame and says where the good part ends. */
export function readFrames(data: Buffer): { payloads: Buffer[]; validLength: number } {
  const payloads: Buffer[] = [];
  let pos = 0;
  while (pos + FRAME_HEADER <= data.length) {
    const length = data.readUInt32LE(pos);
    const sum = data.readUInt32LE(pos + 4);
    const end = pos + FRAME_HEADER + length;
    if (end > data.length) break;
    const payload = data.subarray(pos + FRAME_HEADER, end);
    if (crc32(payload) !== sum) break;
    payloads.push(payload);
    pos = end;
  }
  return { payloads, validLength: pos };
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** Called between two flushes, when every entry written so far has been applied: the place to snapshot. */
export type QuiescentHook = () => Promise<void> | void;

/**
 * An append-only journal file with group commit: entries appended while a write is in flight are written
 * together and made durable with one `fdatasync`, then their promises resolve in order. One write is in
 * flight at a time, so a group's promises never resolve before an earlier group's.
 */
export class FileJournal implements Journal {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private waiters: Waiter[] = [];
  private flushing = false;
  private failed: Error | undefined;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Bytes in the current segment. */
  size: number;
  /** Entries and groups written, for statistics. */
  readonly stats = { entries: 0, groups: 0, bytes: 0 };

  constructor(
    private handle: FileHandle,
    initialSize: number,
    private readonly onQuiescent: QuiescentHook = () => {},
    private readonly sync = true,
  ) {
    this.size = initialSize;
  }

  static async openSegment(path: string, onQuiescent?: QuiescentHook, sync = true): Promise<FileJournal> {
    const handle = await open(path, 'a');
    const { size } = await handle.stat();
    return new FileJournal(handle, size, onQuiescent, sync);
  }

  append(entry: JournalEntry): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('the journal is closed'));
    const buf = frame(Buffer.from(encodeEntry(entry), 'utf8'));
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flushLoop());
    }
    return done;
  }

  /** Switches to a new segment file (between flushes, from the quiescent hook). */
  async rotate(path: string): Promise<void> {
    const next = await open(path, 'a');
    const previous = this.handle;
    this.handle = next;
    this.size = 0;
    await previous.close();
  }

  /** Resolves once everything appended so far is durable. */
  drained(): Promise<void> {
    if (!this.flushing && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.drained();
    this.closed = true;
    await this.handle.close();
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const buffers = this.pending;
        const waiters = this.waiters;
        const bytes = this.pendingBytes;
        this.pending = [];
        this.waiters = [];
        this.pendingBytes = 0;
        try {
          const data = buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers, bytes);
          let written = 0;
          while (written < data.length) {
            const { bytesWritten } = await this.handle.write(data, written, data.length - written);
            written += bytesWritten;
          }
          if (this.sync) await this.handle.datasync();
          this.size += data.length;
          this.stats.entries += buffers.length;
          this.stats.groups++;
          this.stats.bytes += data.length;
        } catch (error) {
          // A failed write leaves the file in an unknown state: refuse everything from now on.
          this.failed = error instanceof Error ? error : new Error('journal write failed', { cause: error });
          for (const w of [...waiters, ...this.waiters]) w.reject(error);
          this.waiters = [];
          this.pending = [];
          return;
        }
        for (const w of waiters) w.resolve();
        // Let the continuations of the resolved appends apply their entries before anything else happens.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.onQuiescent();
      }
    } finally {
      this.flushing = false;
      if (this.pending.length > 0 && this.failed === undefined) {
        this.flushing = true;
        setImmediate(() => void this.flushLoop());
      } else {
        const idle = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of idle) resolve();
      }
    }
  }
}

import { type FileHandle, open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { BinaryWriter } from '../binary-writer.js';
import type { Journal, JournalEntry } from '../journal.js';
import { writeEntry } from '../journal-codec.js';

/**
 * How long a small group waits for more entries before it is written (PostgreSQL's `commit_delay`). Fewer,
 * larger groups save writes and `fdatasync`s, at the price of latency for what waits for durability (ingress
 * acknowledgements; functions see entries as soon as they are appended). Measured on the development machine,
 * a 1–2 ms wait saved no CPU per message and lowered throughput with 64 connections (bench/local), so none by
 * default: a write starts as soon as the previous one is done, which already groups what arrived meanwhile.
 */
export const DEFAULT_GROUP_WINDOW_MS = 0;
/** A group this large is written at once. */
const FULL_GROUP_ENTRIES = 1024;

/** Frame header: payload length and CRC-32 of the payload, both little-endian u32. */
export const FRAME_HEADER = 8;

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

/**
 * Called at the instant a group is cut for writing, synchronously: every entry appended so far — and so
 * everything applied in memory — is in that group or before it. A snapshot taken here matches the end of the
 * group; returning a plan switches to a new segment right after the group is durable.
 */
export type CutHook = () => { readonly nextSegment: string; afterSwitch(): void } | undefined;

/**
 * An append-only journal file with group commit: entries appended while a write is in flight are written
 * together and made durable with one `fdatasync`, then their promises resolve in order. One write is in
 * flight at a time, so a group's promises never resolve before an earlier group's.
 */
export class FileJournal implements Journal {
  /** Frames appended since the last write began; swapped with `writing` when a write starts. */
  private pending = new BinaryWriter();
  private writing = new BinaryWriter();
  private pendingEntries = 0;
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
    private readonly onCut: CutHook = () => undefined,
    private readonly sync = true,
    private readonly groupWindowMs = DEFAULT_GROUP_WINDOW_MS,
  ) {
    this.size = initialSize;
  }

  static async openSegment(path: string, onCut?: CutHook, sync = true, groupWindowMs = DEFAULT_GROUP_WINDOW_MS): Promise<FileJournal> {
    const handle = await open(path, 'a');
    const { size } = await handle.stat();
    return new FileJournal(handle, size, onCut, sync, groupWindowMs);
  }

  append(entry: JournalEntry): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('the journal is closed'));
    const w = this.pending;
    const start = w.pos;
    w.ensure(FRAME_HEADER);
    w.pos += FRAME_HEADER;
    writeEntry(w, entry);
    const length = w.pos - start - FRAME_HEADER;
    w.buf.writeUInt32LE(length, start);
    w.buf.writeUInt32LE(crc32(w.buf.subarray(start + FRAME_HEADER, w.pos)), start + 4);
    this.pendingEntries++;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flushLoop());
    }
    return done;
  }

  /** Switches to a new segment file; only between two writes (the journal does it after a cut asking for it). */
  async rotate(path: string): Promise<void> {
    const next = await open(path, 'a');
    const previous = this.handle;
    this.handle = next;
    this.size = 0;
    await previous.close();
  }

  /** Resolves once everything appended so far is durable. */
  drained(): Promise<void> {
    if (!this.flushing && this.pendingEntries === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.drained();
    this.closed = true;
    await this.handle.close();
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pendingEntries > 0) {
        if (this.groupWindowMs > 0 && this.pendingEntries < FULL_GROUP_ENTRIES) {
          await new Promise((resolve) => setTimeout(resolve, this.groupWindowMs));
        }
        const group = this.pending;
        const entries = this.pendingEntries;
        const waiters = this.waiters;
        this.pending = this.writing;
        this.writing = group;
        this.pending.reset();
        this.pendingEntries = 0;
        this.waiters = [];
        const cut = this.onCut();
        try {
          const data = group.view();
          let written = 0;
          while (written < data.length) {
            const { bytesWritten } = await this.handle.write(data, written, data.length - written);
            written += bytesWritten;
          }
          if (this.sync) await this.handle.datasync();
          this.size += data.length;
          this.stats.entries += entries;
          this.stats.groups++;
          this.stats.bytes += data.length;
          if (cut !== undefined) {
            await this.rotate(cut.nextSegment);
            cut.afterSwitch();
          }
        } catch (error) {
          // A failed write leaves the file in an unknown state: refuse everything from now on.
          this.failed = error instanceof Error ? error : new Error('journal write failed', { cause: error });
          for (const w of [...waiters, ...this.waiters]) w.reject(error);
          this.waiters = [];
          this.pendingEntries = 0;
          return;
        }
        for (const w of waiters) w.resolve();
      }
    } finally {
      this.flushing = false;
      if (this.pendingEntries > 0 && this.failed === undefined) {
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

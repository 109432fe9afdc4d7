import { type FileHandle, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EgressRecord } from '../../core/record.js';
import type { FileEgressSpec } from '../../module/egress.js';
import type { LocalBackend } from '../backend.js';
import type { SinkWriter } from './egress-drain.js';
import { recordJson } from './record-json.js';
import { decodeValue } from './value-format.js';

const CHUNK = 64 * 1024;

/**
 * The file egress (`io.statefun-aws.file.v1/egress`) under `statefun dev`: appends each record to a file,
 * syncs it, then the record is acknowledged. Exactly once across crashes:
 *
 * - `jsonl` (one {@link recordJson} object per line, with the record's key): at start, lines at the end of the
 *   file whose keys are still unacknowledged were written by a run that died before acknowledging them; they
 *   are acknowledged instead of written again, and a torn last line is cut off.
 * - `text` (the value alone, one per line): the lines carry no key, so before each batch the sink notes the
 *   file length and the batch's keys in `<stateDir>/<egress>.pending`; at start, if any of those keys is still
 *   unacknowledged, the file is cut back to that length and the batch is written again.
 */
export async function openFileSink(
  spec: Pick<FileEgressSpec, 'id' | 'path' | 'format'>,
  backend: LocalBackend,
  stateDir: string,
): Promise<SinkWriter> {
  await mkdir(dirname(spec.path), { recursive: true });
  const pendingFile = join(stateDir, `${spec.id.replace(/[^A-Za-z0-9._-]/g, '_')}.pending`);
  if (spec.format === 'jsonl') await recoverJsonl(spec, backend);
  else await recoverText(spec, backend, pendingFile);
  const handle = await open(spec.path, 'a');
  let size = (await handle.stat()).size;
  return {
    async write(records: readonly EgressRecord[]): Promise<void> {
      const text = `${records.map((r) => (spec.format === 'jsonl' ? JSON.stringify(recordJson(r)) : textValue(r))).join('\n')}\n`;
      if (spec.format === 'text') {
        await writeFile(pendingFile, JSON.stringify({ offset: size, keys: records.map((r) => r.key) }), { flush: true });
      }
      const bytes = Buffer.from(text, 'utf8');
      await handle.write(bytes);
      await handle.datasync();
      size += bytes.length;
    },
    async close(): Promise<void> {
      await handle.close();
    },
  };
}

function textValue(record: EgressRecord): string {
  const value = decodeValue(record.argument.typename, record.argument.value);
  const text = value.kind === 'bytes' ? value.base64 : typeof value.value === 'string' ? value.value : JSON.stringify(value.value);
  return text.replaceAll('\n', '\\n');
}

/** Acknowledges the records a dead run wrote but did not acknowledge; cuts off a torn last line. */
async function recoverJsonl(spec: Pick<FileEgressSpec, 'id' | 'path'>, backend: LocalBackend): Promise<void> {
  const pending = new Set(backend.egressRecords(spec.id).map((r) => r.key));
  let handle: FileHandle;
  try {
    handle = await open(spec.path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const written: string[] = [];
  try {
    const size = (await handle.stat()).size;
    const last = Buffer.alloc(1);
    if (size > 0) await handle.read(last, 0, 1, size - 1);
    let torn = size > 0 && last[0] !== 0x0a;
    let cut = size;
    for await (const line of linesBackwards(handle, size)) {
      if (torn) {
        // The file does not end with a newline: the last line is a torn write; it goes, and is written again.
        torn = false;
        cut = size - line.length;
        continue;
      }
      const key = keyOf(line);
      if (key === undefined || !pending.has(key)) break;
      written.push(key);
    }
    if (cut < size) await handle.truncate(cut);
  } finally {
    await handle.close();
  }
  if (written.length > 0) await backend.ackEgress(spec.id, written);
}

/** The non-empty lines of a file before `end`, last first, read in chunks from the end. */
async function* linesBackwards(handle: FileHandle, end: number): AsyncGenerator<Buffer> {
  let pos = end;
  let rest = Buffer.alloc(0);
  while (pos > 0) {
    const length = Math.min(CHUNK, pos);
    pos -= length;
    const chunk = Buffer.alloc(length);
    await handle.read(chunk, 0, length, pos);
    const data = rest.length === 0 ? chunk : Buffer.concat([chunk, rest]);
    let stop = data.length;
    for (let i = data.length - 1; i >= 0; i--) {
      if (data[i] !== 0x0a) continue;
      if (i + 1 < stop) yield data.subarray(i + 1, stop);
      stop = i;
    }
    rest = data.subarray(0, stop);
  }
  if (rest.length > 0) yield rest;
}

function keyOf(line: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(line.toString('utf8')) as { key?: unknown };
    return typeof parsed.key === 'string' ? parsed.key : undefined;
  } catch {
    return undefined;
  }
}

/** Cuts the file back to before a batch that a dead run wrote but did not acknowledge. */
async function recoverText(spec: Pick<FileEgressSpec, 'id' | 'path'>, backend: LocalBackend, pendingFile: string): Promise<void> {
  let note: { offset: number; keys: string[] };
  try {
    note = JSON.parse(await readFile(pendingFile, 'utf8')) as { offset: number; keys: string[] };
  } catch {
    return;
  }
  const pending = new Set(backend.egressRecords(spec.id).map((r) => r.key));
  if (note.keys.some((k) => pending.has(k))) {
    const handle = await open(spec.path, 'r+').catch(() => undefined);
    if (handle !== undefined) {
      try {
        if ((await handle.stat()).size > note.offset) await handle.truncate(note.offset);
      } finally {
        await handle.close();
      }
    }
  }
  await rm(pendingFile, { force: true });
}

import type { BackendSnapshot } from './backend.js';

/**
 * Snapshots as JSON text (journal entries use the binary journal-codec.ts). Bytes become `{"$b": base64}` and maps `{"$m": [[k, v], …]}`;
 * everything else in the domain types is plain data already.
 */

function toPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return { $b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof Map) return { $m: [...(value as Map<unknown, unknown>)].map(([k, v]) => [k, toPlain(v)]) };
  if (Array.isArray(value)) return value.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = toPlain(v);
  }
  return out;
}

function fromPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromPlain);
  const obj = value as Record<string, unknown>;
  if (typeof obj.$b === 'string') {
    const buf = Buffer.from(obj.$b, 'base64');
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  if (Array.isArray(obj.$m)) return new Map((obj.$m as Array<[unknown, unknown]>).map(([k, v]) => [k, fromPlain(v)]));
  const out: Record<string, unknown> = {};
  for (const key in obj) out[key] = fromPlain(obj[key]);
  return out;
}

export function encodeSnapshot(snapshot: BackendSnapshot): string {
  return JSON.stringify(toPlain(snapshot));
}

export function decodeSnapshot(text: string): BackendSnapshot {
  const snapshot = fromPlain(JSON.parse(text)) as BackendSnapshot;
  return { ...snapshot, records: snapshot.records.map(([a, r]) => [a, recordDefaults(r)] as const) };
}

/** Optional record fields are dropped when undefined; restore the keys so records compare equal. */
function recordDefaults<T extends { outbox?: unknown; parked?: unknown }>(record: T): T {
  return { ...record, outbox: record.outbox, parked: record.parked };
}

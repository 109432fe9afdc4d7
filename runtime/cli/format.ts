import type { LetterView, ParkedDetail, ParkedSummary, StateView, StoredValueView } from '../local/dev/admin-protocol.js';
import { decodeValue, formatValue, fromBase64, valueJson } from '../local/dev/value-format.js';

/** Text and JSON renderings of what the admin API returns, for `statefun state|parked`. */

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function decoded(typename: string, base64: string): ReturnType<typeof decodeValue> {
  return decodeValue(typename, fromBase64(base64));
}

export function stateText(view: StateView): string {
  if (view.version === 0 && view.values.length === 0 && view.queued === 0) return `${view.address} has no state`;
  const lines = [`${view.address}  (version ${view.version})`];
  if (view.values.length === 0) lines.push('  (no values)');
  for (const v of view.values) {
    const expires = v.expiresAt === undefined ? '' : `  (expires ${iso(v.expiresAt)})`;
    lines.push(`  ${v.name} (${v.typename}) = ${formatValue(decoded(v.typename, v.base64), '  ')}${expires}`);
  }
  if (view.pendingTimers > 0) lines.push(`  pending delayed messages: ${view.pendingTimers}`);
  if (view.queued > 0) lines.push(`  queued messages: ${view.queued}`);
  if (view.parked !== undefined) lines.push(`  PARKED since ${iso(view.parked.since)}: ${view.parked.reason}`);
  return lines.join('\n');
}

function valueView(v: StoredValueView): Record<string, unknown> {
  return { name: v.name, typename: v.typename, ...valueJson(decoded(v.typename, v.base64)), ...(v.expiresAt !== undefined ? { expiresAt: v.expiresAt } : {}) };
}

export function stateJson(view: StateView): unknown {
  return { ...view, values: view.values.map(valueView) };
}

export function parkedListText(list: readonly ParkedSummary[]): string {
  if (list.length === 0) return 'no parked addresses';
  const lines = [`${list.length} parked address${list.length === 1 ? '' : 'es'}:`];
  for (const p of list) lines.push(`  ${p.address}  since ${iso(p.since)}  ${p.letters} message${p.letters === 1 ? '' : 's'}  ${p.reason}`);
  return lines.join('\n');
}

export function parkedDetailText(detail: ParkedDetail): string {
  const lines = [`${detail.address}  parked since ${iso(detail.since)}`, `  reason: ${detail.reason}`];
  detail.letterList.forEach((l, i) => {
    lines.push(`  ${i + 1}. ${l.messageId}  from ${l.from}  attempts ${l.attempts}  at ${iso(l.at)}`);
    lines.push(`     ${l.typename} ${formatValue(decoded(l.typename, l.base64), '     ')}`);
    if (l.cause !== detail.reason) lines.push(`     cause: ${l.cause}`);
  });
  lines.push(`replay: statefun parked replay ${detail.address}   skip the first: statefun parked skip ${detail.address}`);
  return lines.join('\n');
}

function letterJson(l: LetterView): Record<string, unknown> {
  const { base64: _b, ...rest } = l;
  return { ...rest, ...valueJson(decoded(l.typename, l.base64)) };
}

export function parkedDetailJson(detail: ParkedDetail): unknown {
  return { ...detail, letterList: detail.letterList.map(letterJson) };
}

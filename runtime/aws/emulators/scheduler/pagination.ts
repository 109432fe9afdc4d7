import { invalid } from './api-error.js';
import { type Fields, integerField, stringField } from './request-fields.js';

const DEFAULT_PAGE_SIZE = 100;

/**
 * One page of `entries` in `sortKey` order, after the entry a `NextToken` of the query points past, holding at
 * most `MaxResults` (1..100, default 100). The token is opaque to clients: the last sort key returned.
 */
export function pageOf<T>(
  entries: ReadonlyArray<{ readonly sortKey: string; readonly item: T }>,
  query: Fields,
): { readonly items: readonly T[]; readonly nextToken: string | undefined } {
  const raw = query['MaxResults'];
  const size =
    integerField({ MaxResults: typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw }, 'MaxResults', 1, 100) ??
    DEFAULT_PAGE_SIZE;
  const token = stringField(query, 'NextToken', { max: 2048 });
  const after = token === undefined ? undefined : decodeToken(token);
  const sorted = [...entries].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  const remaining = after === undefined ? sorted : sorted.filter((e) => e.sortKey > after);
  const page = remaining.slice(0, size);
  const last = page.at(-1);
  return {
    items: page.map((e) => e.item),
    nextToken: remaining.length > size && last !== undefined ? Buffer.from(JSON.stringify({ after: last.sortKey })).toString('base64url') : undefined,
  };
}

function decodeToken(token: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof decoded.after === 'string') return decoded.after;
  } catch {
    // reported below
  }
  throw invalid(`NextToken ${token} is invalid`);
}

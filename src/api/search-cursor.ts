/**
 * Opaque paging cursors for the APIs that page through searchDatasets (GET /api/search,
 * GET /catalog): a dataset's position in the result's order (src/store/search.ts
 * SearchPosition), bound to the query it came from.
 *
 * Why a cursor and not only an offset: between two page requests a harvest may create or
 * withdraw datasets; an offset then shifts and a client skips or repeats one. A cursor names
 * the last dataset seen, so every dataset listed throughout a walk is seen exactly once.
 *
 * Why bound to the query: a cursor of one query applied to another would silently start
 * somewhere arbitrary. The cursor carries a fingerprint of the filters and sort; a cursor
 * presented with different ones is refused (400) instead.
 *
 * The text is base64url of a small JSON array; clients must treat it as opaque (its form may
 * change between versions, and a cursor of another version is refused, not misread).
 */
import { createHash } from 'node:crypto';
import type { ResultOrder, SearchPosition, SearchQuery } from '../store/search.js';
import { MAX_QUERY_TERMS, parseQuery } from '../store/search-text.js';

const CURSOR_VERSION = 1;
/** Longer than any cursor the gateway writes (a title of a few hundred characters at most). */
export const MAX_CURSOR_LENGTH = 4096;
const ORDERS: readonly ResultOrder[] = ['relevance', 'modified', 'title', 'identifier'];

/** What a cursor is bound to: everything of a query but its paging. */
export type CursorScope = Omit<SearchQuery, 'limit' | 'offset' | 'after' | 'facets'>;

/**
 * A short digest of the filters and sort, in a fixed key order. Filters added later are appended
 * only when given, so a query without them keeps the digest its cursors were issued with.
 */
export function scopeFingerprint(scope: CursorScope): string {
  const fields: unknown[] = [
    scope.q ?? null,
    scope.publisher ?? null,
    scope.category ?? null,
    scope.format ?? null,
    scope.license ?? null,
    scope.modifiedSince ?? null,
    scope.sort ?? null,
  ];
  const later = {
    categories: scope.categories,
    keywords: scope.keywords,
    modifiedAfter: scope.modifiedAfter,
    modifiedUntil: scope.modifiedUntil,
    modifiedBefore: scope.modifiedBefore,
    conditions: scope.conditions,
  };
  for (const [name, value] of Object.entries(later)) if (value !== undefined) fields.push([name, value]);
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url').slice(0, 12);
}

export function encodeCursor(position: SearchPosition, scope: CursorScope): string {
  const payload: unknown[] = [CURSOR_VERSION, scopeFingerprint(scope), position.order, position.key, position.identifier];
  const statistics = position.statistics;
  if (statistics !== undefined) payload.push([statistics.averageTitleTokens, statistics.averageBodyTokens, ...statistics.idf]);
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The position a cursor names, or a message saying why it cannot be used with this query (400). */
export function decodeCursor(text: string, scope: CursorScope): SearchPosition | string {
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text))
    return 'cursor is not a cursor this gateway issued (copy nextCursor or the next link as given)';
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return 'cursor is not a cursor this gateway issued (copy nextCursor or the next link as given)';
  }
  if (!Array.isArray(payload) || payload.length < 5 || payload.length > 6)
    return 'cursor is not a cursor this gateway issued (copy nextCursor or the next link as given)';
  const [version, fingerprint, order, key, identifier, statistics] = payload as unknown[];
  if (version !== CURSOR_VERSION) return 'cursor was issued by another version of the gateway: start again from the first page';
  if (fingerprint !== scopeFingerprint(scope)) return 'cursor was issued for another query: keep the filters and sort of the request that gave it';
  if (typeof order !== 'string' || !(ORDERS as readonly string[]).includes(order) || order !== orderOf(scope))
    return 'cursor is not a cursor this gateway issued';
  const keyOk =
    order === 'identifier' ? key === null : order === 'title' ? typeof key === 'string' : key === null || (typeof key === 'number' && Number.isFinite(key));
  if (!keyOk || typeof identifier !== 'string') return 'cursor is not a cursor this gateway issued';
  const position: SearchPosition = { order: order as ResultOrder, key: key as SearchPosition['key'], identifier };
  if (statistics !== undefined) {
    const numbers = Array.isArray(statistics) ? (statistics as unknown[]) : [];
    if (
      order !== 'relevance' ||
      numbers.length < 3 ||
      numbers.length > 2 + MAX_QUERY_TERMS ||
      !numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n > 0)
    ) {
      return 'cursor is not a cursor this gateway issued';
    }
    const [averageTitleTokens, averageBodyTokens, ...idf] = numbers as number[];
    position.statistics = { averageTitleTokens: averageTitleTokens!, averageBodyTokens: averageBodyTokens!, idf };
  }
  return position;
}

/** The order searchDatasets gives a query: relevance needs query terms to rank by. */
function orderOf(scope: CursorScope): ResultOrder {
  const hasTerms = parseQuery(scope.q ?? '').terms.length > 0;
  const sort = scope.sort ?? (hasTerms ? 'relevance' : 'identifier');
  return sort === 'relevance' && !hasTerms ? 'identifier' : sort;
}

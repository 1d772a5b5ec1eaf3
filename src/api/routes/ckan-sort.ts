/**
 * package_search's `sort` (Solr's `field dir[, field dir]`) → an order searchDatasets keeps.
 *
 *   score desc[, metadata_modified desc]   CKAN's default: relevance when there is a q; without
 *                                          one every score is equal, so newest change first
 *   metadata_modified desc | asc           by the metadata's last change
 *   title_string asc | desc                by title
 *   name asc | desc, id asc | desc         a stable order by dataset identifier, from which name and
 *                                          id derive (harvesters ask for `id asc` only to page stably;
 *                                          a UUID's own order means nothing)
 * A second key `id` or `name` (what harvesters add to break ties: `metadata_modified asc,id asc`)
 * is accepted: ties are always broken by identifier.
 *
 * searchDatasets orders in one direction per sort; the other is the same order reversed, which
 * the caller serves by reading the mirrored page (see `reversed`).
 */
import type { SearchSort } from '../../store/search.js';

export const DEFAULT_SORT = 'score desc, metadata_modified desc';

export interface SortPlan {
  sort: SearchSort;
  /** Serve searchDatasets' order backwards. */
  reversed: boolean;
}

type Direction = 'asc' | 'desc';

interface SortKey {
  field: string;
  direction: Direction;
}

const TIE_BREAKERS = new Set(['id', 'name']);

export const SUPPORTED_SORTS =
  'score desc[, metadata_modified desc], metadata_modified asc|desc, title_string asc|desc, name asc|desc, id asc|desc (each optionally followed by ", id asc" or ", name asc")';

/** The plan for a sort text, or a message saying why it cannot be served. */
export function planSort(text: string, hasQuery: boolean): SortPlan | { error: string } {
  const keys: SortKey[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_.]*)(?:\s+(asc|desc))?\s*$/i.exec(part);
    if (!match) return { error: `cannot read "${part.trim()}" as "field asc|desc"` };
    keys.push({ field: match[1]!, direction: (match[2]?.toLowerCase() ?? 'asc') as Direction });
  }
  const [first, ...rest] = keys;
  if (first === undefined) return { error: 'sort is empty' };

  if (first.field === 'score') {
    if (first.direction !== 'desc') return { error: 'score can only be sorted desc' };
    const [second, ...more] = rest;
    if (second !== undefined && !(second.field === 'metadata_modified' && second.direction === 'desc') && !TIE_BREAKERS.has(second.field)) {
      return unsupported(second);
    }
    const badTieBreaker = more.find((key) => !TIE_BREAKERS.has(key.field));
    if (badTieBreaker) return unsupported(badTieBreaker);
    return { sort: hasQuery ? 'relevance' : 'modified', reversed: false };
  }

  const badTieBreaker = rest.find((key) => !TIE_BREAKERS.has(key.field));
  if (badTieBreaker) return unsupported(badTieBreaker);
  switch (first.field) {
    case 'metadata_modified':
      // searchDatasets' `modified` is newest first.
      return { sort: 'modified', reversed: first.direction === 'asc' };
    case 'title_string':
      return { sort: 'title', reversed: first.direction === 'desc' };
    case 'name':
    case 'id':
      return { sort: 'identifier', reversed: first.direction === 'desc' };
    default:
      return unsupported(first);
  }
}

function unsupported(key: SortKey): { error: string } {
  return { error: `cannot sort by ${key.field} ${key.direction}; supported: ${SUPPORTED_SORTS}` };
}

/**
 * Querying the served catalogue: full text, filters, facets, sort and paging, over live
 * datasets. One function, used by every read API that filters (search, the DCAT catalogue, the
 * CKAN-compatible package_search), so they all agree on what a filter means.
 *
 * Filters (all optional, combined with AND):
 *   q           full text over title, description, keywords and publisher; Chinese works (a
 *               query is matched as a substring after the same normalisation as identity's
 *               fuzzy key: full/half width, 臺/台, no spaces or punctuation); several words
 *               separated by spaces must all match
 *   publisher   the publisher's name (record.publisher, else organization), exact after trimming
 *   category    服務分類 code (record.categoryCode), e.g. `E00`
 *   format      a distribution's format, case-insensitive (`CSV`, `json`)
 *   license     the record's licence text or URL, exact
 *   modifiedSince  UTC instant: datasets whose metadata changed at or after it
 */
import type { Db } from './database.js';
import type { NationalRecord } from '../model/record.js';
import { normaliseText } from '../identity/normalise.js';

export type SearchSort = 'relevance' | 'modified' | 'title' | 'identifier';

export interface SearchQuery {
  q?: string | undefined;
  publisher?: string | undefined;
  category?: string | undefined;
  format?: string | undefined;
  license?: string | undefined;
  modifiedSince?: string | undefined;
  /** relevance (default when q is given, else identifier), modified (newest first), title, identifier. */
  sort?: SearchSort | undefined;
  limit: number;
  offset: number;
  /** Count the values of publisher, category, format and licence over all matches. */
  facets?: boolean | undefined;
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface SearchFacets {
  publisher: FacetValue[];
  category: FacetValue[];
  format: FacetValue[];
  license: FacetValue[];
}

export interface SearchResult {
  /** Live datasets matching, before paging. */
  total: number;
  /** The page, in order. */
  identifiers: string[];
  facets?: SearchFacets;
}

/** At most this many values per facet, most frequent first. */
export const MAX_FACET_VALUES = 50;

interface Candidate {
  identifier: string;
  record: NationalRecord;
  modifiedAt: string;
  score: number;
}

/** The publisher a dataset is listed under: its publisher, else its organization. */
export function publisherOf(record: NationalRecord): string | undefined {
  const value = (record.publisher ?? record.organization)?.trim();
  return value ? value : undefined;
}

export function formatsOf(record: NationalRecord): string[] {
  const formats = new Set<string>();
  for (const d of record.distribution ?? []) if (typeof d.format === 'string' && d.format.trim() !== '') formats.add(d.format.trim().toUpperCase());
  return [...formats];
}

export function searchDatasets(db: Db, query: SearchQuery): SearchResult {
  const terms = (query.q ?? '')
    .split(/\s+/)
    .map((term) => normaliseText(term))
    .filter((term) => term !== '');
  const rows = (
    query.modifiedSince
      ? db.prepare('SELECT identifier, record, modified_at FROM datasets WHERE withdrawn_at IS NULL AND modified_at >= ?').raw().all(query.modifiedSince)
      : db.prepare('SELECT identifier, record, modified_at FROM datasets WHERE withdrawn_at IS NULL').raw().all()
  ) as Array<[string, string, string]>;

  const matches: Candidate[] = [];
  for (const [identifier, json, modifiedAt] of rows) {
    const record = JSON.parse(json) as NationalRecord;
    if (query.publisher !== undefined && publisherOf(record) !== query.publisher.trim()) continue;
    if (query.category !== undefined && record.categoryCode !== query.category.trim()) continue;
    if (query.license !== undefined && record.license !== query.license.trim() && record.licenseURL !== query.license.trim()) continue;
    if (query.format !== undefined && !formatsOf(record).includes(query.format.trim().toUpperCase())) continue;
    let score = 0;
    if (terms.length > 0) {
      const title = normaliseText(record.title);
      const rest = normaliseText([record.description ?? '', ...(record.keyword ?? []), publisherOf(record) ?? ''].join(' '));
      let all = true;
      for (const term of terms) {
        if (title.includes(term)) score += 2;
        else if (rest.includes(term)) score += 1;
        else {
          all = false;
          break;
        }
      }
      if (!all) continue;
    }
    matches.push({ identifier, record, modifiedAt, score });
  }

  const sort = query.sort ?? (terms.length > 0 ? 'relevance' : 'identifier');
  const byIdentifier = (a: Candidate, b: Candidate): number => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0);
  const compare: Record<SearchSort, (a: Candidate, b: Candidate) => number> = {
    relevance: (a, b) => b.score - a.score || byIdentifier(a, b),
    modified: (a, b) => (a.modifiedAt < b.modifiedAt ? 1 : a.modifiedAt > b.modifiedAt ? -1 : byIdentifier(a, b)),
    title: (a, b) => a.record.title.localeCompare(b.record.title, 'zh-Hant') || byIdentifier(a, b),
    identifier: byIdentifier,
  };
  matches.sort(compare[sort]);

  const result: SearchResult = {
    total: matches.length,
    identifiers: matches.slice(query.offset, query.offset + query.limit).map((m) => m.identifier),
  };
  if (query.facets) result.facets = countFacets(matches.map((m) => m.record));
  return result;
}

function countFacets(records: readonly NationalRecord[]): SearchFacets {
  const counters = { publisher: new Map<string, number>(), category: new Map<string, number>(), format: new Map<string, number>(), license: new Map<string, number>() };
  const add = (map: Map<string, number>, value: string | undefined): void => {
    if (value) map.set(value, (map.get(value) ?? 0) + 1);
  };
  for (const record of records) {
    add(counters.publisher, publisherOf(record));
    add(counters.category, record.categoryCode);
    add(counters.license, record.license);
    for (const format of formatsOf(record)) add(counters.format, format);
  }
  const top = (map: Map<string, number>): FacetValue[] =>
    [...map]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_FACET_VALUES)
      .map(([value, count]) => ({ value, count }));
  return { publisher: top(counters.publisher), category: top(counters.category), format: top(counters.format), license: top(counters.license) };
}

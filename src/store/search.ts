/**
 * Querying the served catalogue: full text, filters, facets, sort and paging, over live
 * datasets. One function, used by every read API that filters (search, the DCAT catalogue, the
 * CKAN-compatible package_search), so they all agree on what a filter means.
 *
 * Filters (all optional, combined with AND):
 *   q           full text over title, description, keywords and publisher; Chinese works. The
 *               query and the text are folded alike (full/half width, 臺/台 and the other
 *               variants of identity's fuzzy key, case; punctuation is a word break); several
 *               terms separated by spaces must all match. A CJK term matches where the text
 *               holds it as a substring (`公車` in `市區公車路線`, one character `車` too); a Latin
 *               or numeric term matches words starting with it (`youb` → YouBike); a term mixing
 *               both (`YouBike站`) needs each of its parts.
 *   publisher   the publisher's name (record.publisher, else organization), exact after trimming
 *   category    服務分類 code (record.categoryCode), e.g. `E00`
 *   format      a distribution's format, case-insensitive (`CSV`, `json`)
 *   license     the record's licence text or licence URL, exact (either one matches)
 *   modifiedSince  UTC instant: datasets whose metadata changed at or after it
 *
 * How (migration 4): an FTS5 index of the folded text (CJK as bigrams: search-text.ts), kept
 * current by triggers and refreshSearchIndex (search-index.ts); per-dataset columns held in
 * memory for filters, facets and sorts (search-snapshot.ts); relevance as BM25F over title and
 * body (search-match.ts); a page picked without sorting every match (search-order.ts). About
 * 11 ms for a query matching 30,000 of 100,000 datasets, facets included, on a 2-core machine
 * (test/bench/search-check.ts).
 */
import type { Db } from './database.js';
import { refreshSearchIndex } from './search-index.js';
import { matchText } from './search-match.js';
import { pageOf } from './search-order.js';
import { currentSnapshot, FORMAT_SLOTS, NONE, type Dictionary, type SearchSnapshot } from './search-snapshot.js';
import { parseQuery } from './search-text.js';

export { formatsOf, publisherOf } from './search-fields.js';

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

/** Title order as Taiwan reads it (the zh-Hant collation), then identifier for equal titles. */
const TITLE_COLLATOR = new Intl.Collator('zh-Hant');

export function searchDatasets(db: Db, query: SearchQuery): SearchResult {
  // Index what changed since the last refresh; never wait behind another process's write.
  refreshSearchIndex(db, { ifBusy: 'skip' });
  // One read transaction: the in-memory columns and the full-text index see the same state.
  return db.transaction(() => answer(db, query))();
}

/** The matching datasets, as positions into parallel arrays of docids and relevance scores. */
interface Matches {
  docids: Int32Array;
  scores: Float64Array | undefined;
}

function answer(db: Db, query: SearchQuery): SearchResult {
  const snapshot = currentSnapshot(db);
  const { terms } = parseQuery(query.q ?? '');
  const sort = query.sort ?? (terms.length > 0 ? 'relevance' : 'identifier');
  const candidates: Matches = terms.length > 0 ? matchText(db, snapshot, terms, sort === 'relevance') : { docids: liveDocids(snapshot), scores: undefined };
  const matches = applyFilters(snapshot, candidates, query);

  const offset = wholeNumber(query.offset);
  const limit = wholeNumber(query.limit);
  // Relevance without a query ranks every dataset alike: identifier order.
  const page =
    sort === 'identifier' || (sort === 'relevance' && !matches.scores)
      ? identifierPage(snapshot, matches.docids, offset, limit)
      : pageOf(matches.docids.length, offset, limit, comparator(snapshot, matches, sort)).map((position) => matches.docids[position]!);
  const result: SearchResult = {
    total: matches.docids.length,
    identifiers: page.map((docid) => snapshot.identifier[docid]!),
  };
  if (query.facets) result.facets = countFacets(snapshot, matches.docids);
  return result;
}

/** A paging number as a count: callers pass "everything" as a huge number, or Infinity. */
function wholeNumber(value: number): number {
  if (Number.isNaN(value) || value <= 0) return 0;
  return Number.isFinite(value) ? Math.floor(value) : Number.MAX_SAFE_INTEGER;
}

function liveDocids(snapshot: SearchSnapshot): Int32Array {
  const docids = new Int32Array(snapshot.liveCount);
  let n = 0;
  for (let docid = 0; docid < snapshot.size && n < docids.length; docid += 1) if (snapshot.live[docid] === 1) docids[n++] = docid;
  return docids.subarray(0, n);
}

/** The candidates that pass every filter given. */
function applyFilters(snapshot: SearchSnapshot, candidates: Matches, query: SearchQuery): Matches {
  const tests: Array<(docid: number) => boolean> = [];
  let impossible = false;
  const valueId = (dictionary: Dictionary, value: string): number => {
    const id = dictionary.find(value);
    if (id === undefined) impossible = true;
    return id ?? NONE;
  };
  if (query.publisher !== undefined) {
    const id = valueId(snapshot.publishers, query.publisher.trim());
    tests.push((docid) => snapshot.publisher[docid] === id);
  }
  if (query.category !== undefined) {
    const id = valueId(snapshot.categories, query.category.trim());
    tests.push((docid) => snapshot.category[docid] === id);
  }
  if (query.license !== undefined) {
    const id = valueId(snapshot.licenses, query.license.trim());
    tests.push((docid) => snapshot.license[docid] === id || snapshot.licenseUrl[docid] === id);
  }
  if (query.format !== undefined) {
    const id = valueId(snapshot.formatValues, query.format.trim().toUpperCase());
    tests.push((docid) => snapshot.hasFormat(docid, id));
  }
  if (query.modifiedSince !== undefined) {
    const since = query.modifiedSince;
    tests.push((docid) => snapshot.modifiedAt[docid]! >= since);
  }
  if (impossible) return { docids: new Int32Array(0), scores: candidates.scores ? new Float64Array(0) : undefined };
  if (tests.length === 0) return candidates;

  const docids = new Int32Array(candidates.docids.length);
  const scores = candidates.scores ? new Float64Array(candidates.docids.length) : undefined;
  let n = 0;
  for (let p = 0; p < candidates.docids.length; p += 1) {
    const docid = candidates.docids[p]!;
    if (!tests.every((test) => test(docid))) continue;
    docids[n] = docid;
    if (scores) scores[n] = candidates.scores![p]!;
    n += 1;
  }
  return { docids: docids.subarray(0, n), scores: scores?.subarray(0, n) };
}

/**
 * A page of `docids` in identifier order. A page reaching far into the matches (a client asking
 * for every identifier) is a walk along the snapshot's identifier order, linear in the
 * catalogue; a first page, a bounded heap over the matches' identifier ranks.
 */
function identifierPage(snapshot: SearchSnapshot, docids: Int32Array, offset: number, limit: number): number[] {
  const end = Math.min(docids.length, offset + limit);
  if (end <= offset) return [];
  const rank = snapshot.identifierRank;
  if (end * 4 < docids.length) return pageOf(docids.length, offset, limit, (a, b) => rank[docids[a]!]! - rank[docids[b]!]!).map((p) => docids[p]!);
  const member = new Uint8Array(snapshot.size);
  for (let p = 0; p < docids.length; p += 1) member[docids[p]!] = 1;
  const page: number[] = [];
  let seen = 0;
  for (const docid of snapshot.identifierOrder) {
    if (member[docid] !== 1) continue;
    if (seen >= offset) page.push(docid);
    seen += 1;
    if (seen === end) break;
  }
  return page;
}

/** Compares two positions of `matches`; every order ends on the identifier, so pages are stable. */
function comparator(snapshot: SearchSnapshot, matches: Matches, sort: Exclude<SearchSort, 'identifier'>): (a: number, b: number) => number {
  const { docids, scores } = matches;
  const rank = snapshot.identifierRank;
  const identifier = (a: number, b: number): number => rank[docids[a]!]! - rank[docids[b]!]!;
  switch (sort) {
    case 'relevance':
      return scores ? (a, b) => scores[b]! - scores[a]! || identifier(a, b) : identifier;
    case 'modified': {
      // The store writes every modified_at as a UTC instant in one form, so time order is string order.
      const time = snapshot.modifiedTime;
      return (a, b) => time[docids[b]!]! - time[docids[a]!]! || identifier(a, b);
    }
    case 'title':
      return (a, b) => TITLE_COLLATOR.compare(snapshot.title[docids[a]!]!, snapshot.title[docids[b]!]!) || identifier(a, b);
  }
}

function countFacets(snapshot: SearchSnapshot, docids: Int32Array): SearchFacets {
  const counts = {
    publisher: new Int32Array(snapshot.publishers.values.length),
    category: new Int32Array(snapshot.categories.values.length),
    license: new Int32Array(snapshot.licenses.values.length),
    format: new Int32Array(snapshot.formatValues.values.length),
  };
  tally(counts.publisher, snapshot.publisher, docids);
  tally(counts.category, snapshot.category, docids);
  tally(counts.license, snapshot.license, docids);
  tallyFormats(counts.format, snapshot, docids);
  return {
    publisher: topValues(counts.publisher, snapshot.publishers),
    category: topValues(counts.category, snapshot.categories),
    format: topValues(counts.format, snapshot.formatValues),
    license: topValues(counts.license, snapshot.licenses),
  };
}

function tallyFormats(counts: Int32Array, snapshot: SearchSnapshot, docids: Int32Array): void {
  const slots = snapshot.formatSlots;
  for (let p = 0; p < docids.length; p += 1) {
    const base = docids[p]! * FORMAT_SLOTS;
    for (let k = 0; k < FORMAT_SLOTS; k += 1) {
      const value = slots[base + k]!;
      if (value === NONE) break;
      counts[value] = counts[value]! + 1;
    }
  }
  // The few datasets with more formats than slots: those among the matches (docids ascend).
  for (const [docid, more] of snapshot.moreFormats) {
    if (!includesSorted(docids, docid)) continue;
    for (const value of more) counts[value] = counts[value]! + 1;
  }
}

function includesSorted(docids: Int32Array, docid: number): boolean {
  let low = 0;
  let high = docids.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const value = docids[mid]!;
    if (value === docid) return true;
    if (value < docid) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

/** Counts, per value id, the datasets of `docids` having it in `column`. */
function tally(counts: Int32Array, column: Int32Array, docids: Int32Array): void {
  for (let p = 0; p < docids.length; p += 1) {
    const value = column[docids[p]!]!;
    if (value !== NONE) counts[value] = counts[value]! + 1;
  }
}

/** The most frequent values, then in code-unit order of the value. */
function topValues(counts: Int32Array, dictionary: Dictionary): FacetValue[] {
  const present: FacetValue[] = [];
  for (let id = 0; id < counts.length; id += 1) if (counts[id]! > 0) present.push({ value: dictionary.values[id]!, count: counts[id]! });
  present.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return present.slice(0, MAX_FACET_VALUES);
}

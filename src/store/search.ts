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
 *   categories  服務分類 codes: any of them (GET /catalog?theme= names the categories of an EU theme)
 *   keywords    keywords (標籤, CKAN's tags): every one of them, exact after trimming
 *   modifiedSince / modifiedAfter    UTC instant: metadata changed at or after it / strictly after it
 *   modifiedUntil / modifiedBefore   UTC instant: metadata changed at or before it / strictly before it
 *               (Solr's `[X TO Y]` is since + until, `{X TO Y}` after + before)
 *   conditions  any number of one-field conditions, each "has any of these values" or, negated,
 *               "has none of them" (CKAN's fq: `res_format:(CSV OR JSON)`, `-tags:x`)
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
import { matchText, type RankingStatistics } from './search-match.js';
import { pageOf } from './search-order.js';
import { currentSnapshot, NONE, type Dictionary, type MultiValueColumn, type SearchSnapshot } from './search-snapshot.js';
import { parseQuery } from './search-text.js';

export { formatsOf, keywordsOf, publisherOf } from './search-fields.js';

export type SearchSort = 'relevance' | 'modified' | 'title' | 'identifier';

export interface SearchQuery {
  q?: string | undefined;
  publisher?: string | undefined;
  category?: string | undefined;
  format?: string | undefined;
  license?: string | undefined;
  /** 服務分類 codes: datasets having any of them ([] matches nothing). */
  categories?: readonly string[] | undefined;
  /** Keywords: datasets having every one of them, compared exactly after trimming. */
  keywords?: readonly string[] | undefined;
  /** UTC instant (the store's form): datasets whose metadata changed at or after it. */
  modifiedSince?: string | undefined;
  /** UTC instant: changed strictly after it. */
  modifiedAfter?: string | undefined;
  /** UTC instant: changed at or before it. */
  modifiedUntil?: string | undefined;
  /** UTC instant: changed strictly before it. */
  modifiedBefore?: string | undefined;
  /** Further conditions, all of which must hold. */
  conditions?: readonly FieldCondition[] | undefined;
  /** relevance (default when q is given, else identifier), modified (newest first), title, identifier. */
  sort?: SearchSort | undefined;
  limit: number;
  /** Skip this many matches first (after `after`, when both are given). */
  offset: number;
  /**
   * Keyset paging: only the matches ordered after this position (a previous page's `last`).
   * Unlike an offset, a dataset created or withdrawn meanwhile before the position shifts
   * nothing: every dataset listed throughout a walk, whose sort value did not change, is
   * seen exactly once.
   */
  after?: SearchPosition | undefined;
  /** Count the values of publisher, category, format and licence over all matches. */
  facets?: boolean | undefined;
}

/** A field a condition can test; values are compared as the single-valued filters compare them. */
export type SearchField = 'publisher' | 'category' | 'format' | 'license' | 'keyword';

/**
 * One condition on one field: the dataset has at least one of `anyOf` (no value: nothing
 * matches); negated, it has none of them (no value: everything matches).
 */
export interface FieldCondition {
  field: SearchField;
  anyOf: readonly string[];
  negated?: boolean | undefined;
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

/** The order a result is in: relevance without a query is identifier order. */
export type ResultOrder = 'relevance' | 'modified' | 'title' | 'identifier';

/**
 * Where a dataset stands in a result's order: its sort value (relevance score, modified time
 * as epoch ms or null when unreadable, title; null for identifier order) and its identifier,
 * which breaks ties.
 */
export interface SearchPosition {
  order: ResultOrder;
  key: number | string | null;
  identifier: string;
  /** Relevance order: the statistics the scores were computed with, kept for the next pages. */
  statistics?: RankingStatistics | undefined;
}

export type { RankingStatistics } from './search-match.js';

export interface SearchResult {
  /** Live datasets matching, before paging (and before `after`). */
  total: number;
  /** The page, in order. */
  identifiers: string[];
  /** The position of the page's last dataset when more matches follow it: the next page's `after`. */
  last?: SearchPosition;
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
  statistics?: RankingStatistics | undefined;
}

function answer(db: Db, query: SearchQuery): SearchResult {
  const snapshot = currentSnapshot(db);
  const { terms } = parseQuery(query.q ?? '');
  const sort = query.sort ?? (terms.length > 0 ? 'relevance' : 'identifier');
  // Relevance without a query ranks every dataset alike: identifier order.
  if (terms.length === 0 && (sort === 'identifier' || sort === 'relevance') && !query.facets && !filters(query)) return everyLive(snapshot, query);
  const candidates: Matches =
    terms.length > 0 ? matchText(db, snapshot, terms, sort === 'relevance', query.after?.statistics) : { docids: liveDocids(snapshot), scores: undefined };
  const matches = applyFilters(snapshot, candidates, query);

  const offset = wholeNumber(query.offset);
  const limit = wholeNumber(query.limit);
  // Relevance without a query ranks every dataset alike: identifier order.
  const order: ResultOrder = sort === 'relevance' && !matches.scores ? 'identifier' : sort;
  if (query.after !== undefined && query.after.order !== order) {
    throw new SearchPositionError(`the position is in ${query.after.order} order, the query in ${order} order`);
  }
  const remaining = query.after === undefined ? matches : following(snapshot, matches, query.after);
  const pagePositions =
    order === 'identifier'
      ? identifierPage(snapshot, remaining.docids, offset, limit)
      : pageOf(remaining.docids.length, offset, limit, comparator(snapshot, remaining, order));
  const page = pagePositions.map((position) => remaining.docids[position]!);
  const result: SearchResult = {
    total: matches.docids.length,
    identifiers: page.map((docid) => snapshot.identifier[docid]!),
  };
  const lastPosition = pagePositions.at(-1);
  if (lastPosition !== undefined && offset + page.length < remaining.docids.length) {
    result.last = positionOf(snapshot, remaining, lastPosition, order);
  }
  if (query.facets) result.facets = countFacets(snapshot, matches.docids);
  return result;
}

/** Whether the query filters at all (applyFilters has a test for it, or finds it impossible). */
function filters(query: SearchQuery): boolean {
  return (
    conditionsOf(query).length > 0 ||
    query.modifiedSince !== undefined ||
    query.modifiedAfter !== undefined ||
    query.modifiedUntil !== undefined ||
    query.modifiedBefore !== undefined
  );
}

/**
 * A page of the whole live catalogue in identifier order, without facets (a DCAT catalogue
 * page without filters): a walk along the snapshot's identifier order from the page's start,
 * skipping datasets not live. The general path lists every live docid first (100,000 of them) and picks
 * the page from that list; here a page costs its offset and its length. Same answer.
 */
function everyLive(snapshot: SearchSnapshot, query: SearchQuery): SearchResult {
  const order = snapshot.identifierOrder;
  const offset = wholeNumber(query.offset);
  const limit = wholeNumber(query.limit);
  if (query.after !== undefined && query.after.order !== 'identifier') {
    throw new SearchPositionError(`the position is in ${query.after.order} order, the query in identifier order`);
  }
  let n = query.after === undefined ? 0 : firstAfter(snapshot, query.after.identifier);
  let skipped = 0;
  const page: number[] = [];
  for (; n < order.length && page.length < limit; n += 1) {
    const docid = order[n]!;
    if (snapshot.live[docid] !== 1) continue;
    if (skipped < offset) skipped += 1;
    else page.push(docid);
  }
  const result: SearchResult = { total: snapshot.liveCount, identifiers: page.map((docid) => snapshot.identifier[docid]!) };
  const lastDocid = page.at(-1);
  if (lastDocid !== undefined) {
    // More follow when a live dataset comes after the page's last.
    while (n < order.length && snapshot.live[order[n]!] !== 1) n += 1;
    if (n < order.length) result.last = { order: 'identifier', key: null, identifier: snapshot.identifier[lastDocid]! };
  }
  return result;
}

/** The index in the identifier order of the first identifier after `identifier` (code-unit order, as afterTest compares). */
function firstAfter(snapshot: SearchSnapshot, identifier: string): number {
  const order = snapshot.identifierOrder;
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (snapshot.identifier[order[mid]!]! > identifier) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** A position that cannot be in this query's order (a cursor of another query). */
export class SearchPositionError extends Error {
  override readonly name = 'SearchPositionError';
}

/** Where the match at `position` of `matches` stands in `order`. */
function positionOf(snapshot: SearchSnapshot, matches: Matches, position: number, order: ResultOrder): SearchPosition {
  const docid = matches.docids[position]!;
  const identifier = snapshot.identifier[docid]!;
  switch (order) {
    case 'identifier':
      return { order, key: null, identifier };
    case 'relevance':
      return { order, key: matches.scores![position]!, identifier, statistics: matches.statistics };
    case 'modified': {
      const time = snapshot.modifiedTime[docid]!;
      return { order, key: Number.isFinite(time) ? time : null, identifier };
    }
    case 'title':
      return { order, key: snapshot.title[docid]!, identifier };
  }
}

/** The matches ordered strictly after `after` (by its sort value, then its identifier). */
function following(snapshot: SearchSnapshot, matches: Matches, after: SearchPosition): Matches {
  const comesAfter = afterTest(snapshot, matches, after);
  const docids = new Int32Array(matches.docids.length);
  const scores = matches.scores ? new Float64Array(matches.docids.length) : undefined;
  let n = 0;
  for (let p = 0; p < matches.docids.length; p += 1) {
    if (!comesAfter(p)) continue;
    docids[n] = matches.docids[p]!;
    if (scores) scores[n] = matches.scores![p]!;
    n += 1;
  }
  return { docids: docids.subarray(0, n), scores: scores?.subarray(0, n), statistics: matches.statistics };
}

function afterTest(snapshot: SearchSnapshot, matches: Matches, after: SearchPosition): (position: number) => boolean {
  // Identifiers compare as the snapshot orders them (code units), so a withdrawn position still works.
  const laterIdentifier = (position: number): boolean => snapshot.identifier[matches.docids[position]!]! > after.identifier;
  const { key } = after;
  switch (after.order) {
    case 'identifier':
      return laterIdentifier;
    case 'relevance': {
      const score = typeof key === 'number' ? key : Number.POSITIVE_INFINITY;
      return (p) => matches.scores![p]! < score || (matches.scores![p]! === score && laterIdentifier(p));
    }
    case 'modified': {
      // Newest first; an unreadable time (null) sorts last, as in the comparator.
      const time = typeof key === 'number' ? key : Number.NEGATIVE_INFINITY;
      return (p) => {
        const own = snapshot.modifiedTime[matches.docids[p]!]!;
        return own < time || (own === time && laterIdentifier(p));
      };
    }
    case 'title': {
      const title = typeof key === 'string' ? key : '';
      return (p) => {
        const compared = TITLE_COLLATOR.compare(snapshot.title[matches.docids[p]!]!, title);
        return compared > 0 || (compared === 0 && laterIdentifier(p));
      };
    }
  }
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
  for (const condition of conditionsOf(query)) {
    const test = conditionTest(snapshot, condition);
    if (test === 'never') impossible = true;
    else if (test !== 'always') tests.push(test);
  }
  // The store writes every modified_at as a UTC instant in one form, so time order is string order.
  const { modifiedSince: since, modifiedAfter: after, modifiedUntil: until, modifiedBefore: before } = query;
  if (since !== undefined) tests.push((docid) => snapshot.modifiedAt[docid]! >= since);
  if (after !== undefined) tests.push((docid) => snapshot.modifiedAt[docid]! > after);
  if (until !== undefined) tests.push((docid) => snapshot.modifiedAt[docid]! <= until);
  if (before !== undefined) tests.push((docid) => snapshot.modifiedAt[docid]! < before);
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
  return { docids: docids.subarray(0, n), scores: scores?.subarray(0, n), statistics: candidates.statistics };
}

/** Every value filter of a query as one-field conditions: the single-valued ones are conditions of one value. */
function conditionsOf(query: SearchQuery): FieldCondition[] {
  const conditions: FieldCondition[] = [];
  if (query.publisher !== undefined) conditions.push({ field: 'publisher', anyOf: [query.publisher] });
  if (query.category !== undefined) conditions.push({ field: 'category', anyOf: [query.category] });
  if (query.categories !== undefined) conditions.push({ field: 'category', anyOf: query.categories });
  if (query.license !== undefined) conditions.push({ field: 'license', anyOf: [query.license] });
  if (query.format !== undefined) conditions.push({ field: 'format', anyOf: [query.format] });
  for (const keyword of query.keywords ?? []) conditions.push({ field: 'keyword', anyOf: [keyword] });
  conditions.push(...(query.conditions ?? []));
  return conditions;
}

/** Values as the index holds them: trimmed; formats upper-case. */
function folded(field: SearchField, value: string): string {
  return field === 'format' ? value.trim().toUpperCase() : value.trim();
}

/**
 * A condition as a test of a docid, or 'always' / 'never' when it does not depend on the
 * dataset (no value of it was ever indexed). Values are looked up once, into a membership table
 * over the field's dictionary, so a test is a few array reads whatever the number of values.
 */
function conditionTest(snapshot: SearchSnapshot, condition: FieldCondition): ((docid: number) => boolean) | 'always' | 'never' {
  const dictionary = dictionaryOf(snapshot, condition.field);
  const member = new Uint8Array(dictionary.values.length);
  let found = 0;
  for (const value of condition.anyOf) {
    const id = dictionary.find(folded(condition.field, value));
    if (id !== undefined && member[id] === 0) {
      member[id] = 1;
      found += 1;
    }
  }
  if (found === 0) return condition.negated ? 'always' : 'never';
  const has = holderTest(snapshot, condition.field, member);
  return condition.negated ? (docid) => !has(docid) : has;
}

function dictionaryOf(snapshot: SearchSnapshot, field: SearchField): Dictionary {
  switch (field) {
    case 'publisher':
      return snapshot.publishers;
    case 'category':
      return snapshot.categories;
    case 'license':
      return snapshot.licenses;
    case 'format':
      return snapshot.formatValues;
    case 'keyword':
      return snapshot.keywordValues;
  }
}

/** Whether a dataset has a value marked in `member`. */
function holderTest(snapshot: SearchSnapshot, field: SearchField, member: Uint8Array): (docid: number) => boolean {
  const single = (column: Int32Array) => (docid: number) => {
    const value = column[docid]!;
    return value !== NONE && member[value] === 1;
  };
  switch (field) {
    case 'publisher':
      return single(snapshot.publisher);
    case 'category':
      return single(snapshot.category);
    case 'license': {
      // The licence text or the licence URL: they share one dictionary.
      const text = single(snapshot.license);
      const url = single(snapshot.licenseUrl);
      return (docid) => text(docid) || url(docid);
    }
    case 'format':
      return multiple(snapshot.formats, member);
    case 'keyword':
      return multiple(snapshot.keywords, member);
  }
}

function multiple(column: MultiValueColumn, member: Uint8Array): (docid: number) => boolean {
  const { slots, width, more } = column;
  return (docid) => {
    const base = docid * width;
    for (let k = 0; k < width; k += 1) {
      const value = slots[base + k]!;
      if (value === NONE) return false;
      if (member[value] === 1) return true;
    }
    const rest = more.get(docid);
    return rest !== undefined && rest.some((value) => member[value] === 1);
  };
}

/**
 * A page of `docids` in identifier order, as positions into `docids`. A page reaching far into
 * the matches (a client asking for every identifier) is a walk along the snapshot's identifier
 * order, linear in the catalogue; a first page, a bounded heap over the matches' identifier ranks.
 */
function identifierPage(snapshot: SearchSnapshot, docids: Int32Array, offset: number, limit: number): number[] {
  const end = Math.min(docids.length, offset + limit);
  if (end <= offset) return [];
  const rank = snapshot.identifierRank;
  if (end * 4 < docids.length) return pageOf(docids.length, offset, limit, (a, b) => rank[docids[a]!]! - rank[docids[b]!]!);
  // Position + 1 of each matching docid (0: not a match).
  const positionPlusOne = new Int32Array(snapshot.size);
  for (let p = 0; p < docids.length; p += 1) positionPlusOne[docids[p]!] = p + 1;
  const page: number[] = [];
  let seen = 0;
  for (const docid of snapshot.identifierOrder) {
    const position = positionPlusOne[docid]! - 1;
    if (position < 0) continue;
    if (seen >= offset) page.push(position);
    seen += 1;
    if (seen === end) break;
  }
  return page;
}

/** Compares two positions of `matches`; every order ends on the identifier, so pages are stable. */
function comparator(snapshot: SearchSnapshot, matches: Matches, sort: Exclude<ResultOrder, 'identifier'>): (a: number, b: number) => number {
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
  const { slots, width, more: moreFormats } = snapshot.formats;
  for (let p = 0; p < docids.length; p += 1) {
    const base = docids[p]! * width;
    for (let k = 0; k < width; k += 1) {
      const value = slots[base + k]!;
      if (value === NONE) break;
      counts[value] = counts[value]! + 1;
    }
  }
  // The few datasets with more formats than slots: those among the matches (docids ascend).
  for (const [docid, more] of moreFormats) {
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

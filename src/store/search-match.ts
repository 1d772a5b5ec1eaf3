/**
 * Full-text matching and relevance: which live datasets hold every query term, and how well.
 *
 * Relevance is BM25F (BM25 over weighted fields) with term presence per field: for each term,
 * a dataset scores idf × t·(k1 + 1) / (k1 + t), where t adds, for the title and the body
 * (description, keywords, publisher) that hold the term, the field's weight divided by its
 * length normalisation (1 − b + b · length / average length). The title weighs three times the
 * body, so a dataset named for the query ranks above one that mentions it.
 *
 * Why presence rather than FTS5's own bm25(): bm25() counts each term's occurrences row by row,
 * about 0.9 µs per matching dataset here, so ranking the 30,000 datasets that match 空氣品質 in
 * the 100,000 of the synthetic catalogue took 27 ms, past the search's whole budget. Per term
 * and field, the index gives the set of datasets holding it (one FTS5 query returning rowids:
 * the titles from an index of their own, the body with the other terms required too, so that
 * set stays within the matches); scoring those sets here costs a few milliseconds. In metadata the repeats of a term within one field say little
 * (a title names its subject once); the field it is in and the field's length say most.
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import type { SearchSnapshot } from './search-snapshot.js';
import type { QueryTerm } from './search-text.js';

/** BM25's usual constants: term-frequency saturation and the strength of length normalisation. */
const K1 = 1.2;
const B = 0.75;
const TITLE_WEIGHT = 3;
const BODY_WEIGHT = 1;

export interface TextMatches {
  /** Live datasets holding every term, ascending. */
  docids: Int32Array;
  /** Their relevance, position by position: higher is better. Absent when not asked for. */
  scores: Float64Array | undefined;
  /** The catalogue statistics the scores were computed with (with scores only). */
  statistics?: RankingStatistics;
}

/**
 * What relevance depends on besides a dataset's own text: the catalogue's mean title and body
 * lengths and each term's idf. A harvest changes them, and so every score; a paging cursor keeps
 * those of its first page, so a dataset that did not change scores the same on every page of a
 * walk and is neither skipped nor repeated.
 */
export interface RankingStatistics {
  averageTitleTokens: number;
  averageBodyTokens: number;
  /** Per query term, in query order. */
  idf: number[];
}

/**
 * The datasets matching every term, with their relevance when `scored`. `terms` must not be
 * empty. Unscored (results sorted by anything but relevance), it is one index query.
 */
export function matchText(db: Db, snapshot: SearchSnapshot, terms: readonly QueryTerm[], scored: boolean, frozen?: RankingStatistics): TextMatches {
  const statements = prepared(db);
  if (!scored) {
    const all = terms.map((term) => term.match).join(' AND ');
    return { docids: liveOnly(idList(statements.rowids.get(all) as string | null), snapshot.live), scores: undefined };
  }
  // Per term: the datasets holding it in their title, from the index of titles alone (a column
  // filter on the whole index costs as much as the body's query: migration 10), so the other
  // terms are not required there; and those holding it in their body with every other term
  // anywhere, so that set stays within the matches.
  const fields = terms.map((term, i) => {
    const others = terms.filter((_, j) => j !== i).map((t) => t.match);
    const rest = others.length > 0 ? ` AND (${others.join(' AND ')})` : '';
    return {
      title: idList(statements.titleRowids.get(term.match) as string | null),
      body: idList(statements.rowids.get(`{body} : (${term.match})${rest}`) as string | null),
    };
  });
  // The matches: a dataset holds every term in its title or its body. One that holds some term
  // in its body is in that term's body set only if it holds the others too; one that holds them
  // all in its title only is in every title set. So the intersection of the terms' unions is
  // exactly the matches.
  let matches = union(fields[0]!.title, fields[0]!.body);
  for (let i = 1; i < fields.length; i += 1) matches = intersection(matches, union(fields[i]!.title, fields[i]!.body));
  const docids = liveOnly(matches, snapshot.live);

  const statistics: RankingStatistics =
    frozen !== undefined && frozen.idf.length === terms.length
      ? frozen
      : {
          averageTitleTokens: snapshot.averageTitleTokens(),
          averageBodyTokens: snapshot.averageBodyTokens(),
          // One term alone: idf is the same for every match and cannot change the order.
          idf: terms.map((term) => (terms.length === 1 ? 1 : inverseDocumentFrequency(statements, snapshot, term))),
        };
  // Per match, which fields hold the term (a byte each), rather than a weight array and two
  // length-normalisation arrays of doubles: 30,000 matches made a megabyte of short-lived arrays
  // per query, which the process's RSS kept. The arithmetic is the same, in the same order.
  const scores = new Float64Array(docids.length);
  const holds = new Uint8Array(docids.length);
  const { titleTokens, bodyTokens } = snapshot;
  for (let i = 0; i < terms.length; i += 1) {
    const idf = statistics.idf[i]!;
    holds.fill(0);
    markHolders(holds, docids, fields[i]!.title, IN_TITLE);
    markHolders(holds, docids, fields[i]!.body, IN_BODY);
    for (let p = 0; p < docids.length; p += 1) {
      const held = holds[p]!;
      if (held === 0) continue;
      let t = 0;
      if ((held & IN_TITLE) !== 0) t = t + lengthNorm(titleTokens[docids[p]!]!, statistics.averageTitleTokens, TITLE_WEIGHT);
      if ((held & IN_BODY) !== 0) t = t + lengthNorm(bodyTokens[docids[p]!]!, statistics.averageBodyTokens, BODY_WEIGHT);
      if (t > 0) scores[p] = scores[p]! + (idf * t * (K1 + 1)) / (K1 + t);
    }
  }
  return { docids, scores, statistics };
}

const IN_TITLE = 1;
const IN_BODY = 2;

/** A field's weight over its length normalisation (1 − b + b · length / average). */
function lengthNorm(length: number, average: number, fieldWeight: number): number {
  return fieldWeight / (1 - B + (B * length) / average);
}

function liveOnly(docids: Int32Array, live: Uint8Array): Int32Array {
  let n = 0;
  for (let p = 0; p < docids.length; p += 1) {
    const docid = docids[p]!;
    if (live[docid] === 1) docids[n++] = docid;
  }
  return docids.subarray(0, n);
}

/** Marks `field` for each dataset of `holders` (ascending, like `docids`). */
function markHolders(holds: Uint8Array, docids: Int32Array, holders: Int32Array, field: number): void {
  let p = 0;
  for (let h = 0; h < holders.length; h += 1) {
    const docid = holders[h]!;
    while (p < docids.length && docids[p]! < docid) p += 1;
    if (p === docids.length) return;
    if (docids[p] === docid) holds[p] = holds[p]! | field;
  }
}

/**
 * ln(1 + (N − n + 0.5) / (n + 0.5)), n the live datasets holding the term anywhere. Counting
 * them walks the term's postings (about 3 ms for a term half the catalogue holds), so counts
 * are kept with the snapshot until the index changes.
 */
function inverseDocumentFrequency(statements: Statements, snapshot: SearchSnapshot, term: QueryTerm): number {
  let holders = snapshot.termCounts.get(term.match);
  if (holders === undefined) {
    holders = statements.count.get(term.match) as number;
    if (snapshot.termCounts.size >= MAX_CACHED_TERM_COUNTS) snapshot.termCounts.clear();
    snapshot.termCounts.set(term.match, holders);
  }
  const documents = Math.max(snapshot.liveCount, holders);
  return Math.log(1 + (documents - holders + 0.5) / (holders + 0.5));
}

/** Enough for the terms of a day's queries; memory stays small (a string and a number each). */
const MAX_CACHED_TERM_COUNTS = 10_000;

/** `1,5,9` (group_concat of rowids) as ascending unique integers. */
export function idList(list: string | null): Int32Array {
  if (list === null || list === '') return new Int32Array(0);
  let count = 1;
  for (let i = 0; i < list.length; i += 1) if (list.charCodeAt(i) === 44) count += 1;
  const ids = new Int32Array(count);
  let n = 0;
  let value = 0;
  for (let i = 0; i < list.length; i += 1) {
    const c = list.charCodeAt(i);
    if (c === 44) {
      ids[n++] = value;
      value = 0;
    } else {
      value = value * 10 + (c - 48);
    }
  }
  ids[n] = value;
  // FTS5 returns rowids in ascending order; should that ever change, sort rather than be wrong.
  for (let i = 1; i < ids.length; i += 1) {
    if (ids[i - 1]! >= ids[i]!) return uniqueSorted(ids.sort());
  }
  return ids;
}

function uniqueSorted(ids: Int32Array): Int32Array {
  let n = 0;
  for (let i = 0; i < ids.length; i += 1) if (i === 0 || ids[i] !== ids[i - 1]) ids[n++] = ids[i]!;
  return ids.subarray(0, n);
}

/** The datasets of both ascending lists, ascending. */
function intersection(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i += 1;
    else if (b[j]! < a[i]!) j += 1;
    else {
      out[n++] = a[i++]!;
      j += 1;
    }
  }
  return out.subarray(0, n);
}

/** The union of two ascending lists, ascending. */
function union(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    if (j === b.length || (i < a.length && a[i]! < b[j]!)) out[n++] = a[i++]!;
    else if (i === a.length || b[j]! < a[i]!) out[n++] = b[j++]!;
    else {
      out[n++] = a[i++]!;
      j += 1;
    }
  }
  return out.subarray(0, n);
}

type Statement = Database.Statement<unknown[]>;

interface Statements {
  rowids: Statement;
  titleRowids: Statement;
  count: Statement;
}

const cache = new WeakMap<Db, Statements>();

function prepared(db: Db): Statements {
  let statements = cache.get(db);
  if (statements) return statements;
  statements = {
    rowids: db.prepare('SELECT group_concat(rowid) FROM dataset_search WHERE dataset_search MATCH ?').pluck(),
    titleRowids: db.prepare('SELECT group_concat(rowid) FROM dataset_search_title WHERE dataset_search_title MATCH ?').pluck(),
    count: db.prepare('SELECT count(*) FROM dataset_search WHERE dataset_search MATCH ?').pluck(),
  };
  cache.set(db, statements);
  return statements;
}

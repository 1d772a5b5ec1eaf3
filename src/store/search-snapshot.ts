/**
 * The search index's per-dataset columns (search_docs) held in memory, column by column, per
 * database connection: what filters, facets, sorts and BM25 read for every matching dataset.
 *
 * Why in memory: a broad query matches tens of thousands of datasets (空氣品質 matches 30,000 of
 * the 100,000 of the synthetic catalogue), and counting four facets over them with SQL (a join
 * of the matches to a facet table, GROUP BY) costs 150–200 ms on a 2-core machine; over typed
 * arrays it is a few milliseconds. The columns are small (a few integers and three short
 * strings per dataset, keywords and formats as interned ids: about 12 MB for 100,000 datasets).
 *
 * Why it is always current: every refresh of the index writes its rows with a new `version`
 * (search-index.ts). Before each search the snapshot reads the highest version and, when it has
 * moved, applies just the rows written since (an index on version), whichever process wrote
 * them. The caller runs this and its index queries in one read transaction, so the columns and
 * the full-text index describe the same state.
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import { parseStoredJson } from './stored-json.js';

/** Values of one facet (or of several sharing one dictionary), interned to small integers. */
export class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  /** The id of a value, adding it. */
  intern(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  /** The id of a value, or undefined when no dataset ever had it. */
  find(value: string): number | undefined {
    return this.ids.get(value);
  }
}

/** No value: the dataset has none for this facet. */
export const NONE = -1;

/**
 * Formats kept in a row per dataset: most datasets have one to three distributions. A dataset
 * with more distinct formats keeps the rest in the column's overflow map. One row per dataset
 * (not an array object each) keeps counting the format facet over 30,000 matches to one pass
 * over memory.
 */
export const FORMAT_SLOTS = 4;

/** Keywords kept in a row per dataset: Taiwan's records have one to five; the rest overflow. */
export const KEYWORD_SLOTS = 4;

/**
 * Several interned values per dataset (its formats, its keywords): `width` value ids in a flat
 * row per docid, NONE after the last, and the values past `width` of the few datasets that have
 * more in `more`. About 4 bytes × width per dataset, and no object per dataset.
 */
export class MultiValueColumn {
  slots = new Int32Array(0);
  /** The values past `width`, by docid. */
  readonly more = new Map<number, Int32Array>();

  constructor(readonly width: number) {}

  /** Make room for docids below `capacity`. */
  grow(capacity: number): void {
    this.slots = resized(this.slots, capacity * this.width, NONE);
  }

  set(docid: number, ids: readonly number[]): void {
    const base = docid * this.width;
    for (let k = 0; k < this.width; k += 1) this.slots[base + k] = ids[k] ?? NONE;
    if (ids.length > this.width) this.more.set(docid, Int32Array.from(ids.slice(this.width)));
    else this.more.delete(docid);
  }

  /** Whether the dataset has this value. */
  has(docid: number, id: number): boolean {
    const base = docid * this.width;
    for (let k = 0; k < this.width; k += 1) {
      const value = this.slots[base + k]!;
      if (value === id) return true;
      if (value === NONE) return false;
    }
    return this.more.get(docid)?.includes(id) ?? false;
  }

  /** Calls `visit` with each of the dataset's values. */
  forEach(docid: number, visit: (id: number) => void): void {
    const base = docid * this.width;
    for (let k = 0; k < this.width; k += 1) {
      const value = this.slots[base + k]!;
      if (value === NONE) return;
      visit(value);
    }
    const more = this.more.get(docid);
    if (more) for (const value of more) visit(value);
  }
}

export class SearchSnapshot {
  /** The index version these columns reflect. */
  version = 0;
  /** One past the highest docid seen: the arrays are indexed by docid. */
  size = 0;
  liveCount = 0;
  titleTokenSum = 0;
  bodyTokenSum = 0;

  live = new Uint8Array(0);
  identifier: string[] = [];
  title: string[] = [];
  modifiedAt: string[] = [];
  /** modified_at as epoch milliseconds (−Infinity when unreadable), for sorting by numbers. */
  modifiedTime = new Float64Array(0);
  publisher = new Int32Array(0);
  category = new Int32Array(0);
  /** Licence text and licence URL share one dictionary: the licence filter accepts either. */
  license = new Int32Array(0);
  licenseUrl = new Int32Array(0);
  /** Each dataset's distribution formats (ids of `formatValues`). */
  readonly formats = new MultiValueColumn(FORMAT_SLOTS);
  /** Each dataset's keywords (ids of `keywordValues`). */
  readonly keywords = new MultiValueColumn(KEYWORD_SLOTS);
  /**
   * Live datasets having each keyword, by keyword id: the tag list is the keywords counted
   * here, without reading a record. Kept as rows are applied.
   */
  keywordCounts = new Int32Array(0);
  /**
   * Every keyword id in code-point order of the keyword (the order of SQLite's BINARY collation
   * over UTF-8, which the tag list always had). A keyword's id never changes, so newly interned
   * keywords are merged in by settle() and nothing else moves.
   */
  keywordOrder = new Int32Array(0);
  titleTokens = new Int32Array(0);
  bodyTokens = new Int32Array(0);

  /**
   * Every docid seen (live or not) in identifier order, and each docid's position in it: a
   * docid's identifier never changes, so new docids are merged in and nothing else moves. An
   * identifier-ordered page is a walk along it; identifier ties of other orders compare ranks.
   */
  identifierOrder = new Int32Array(0);
  identifierRank = new Int32Array(0);
  private readonly added: number[] = [];

  /** Datasets holding each query term (by its FTS5 expression), for idf; cleared on any change. */
  readonly termCounts = new Map<string, number>();

  readonly publishers = new Dictionary();
  readonly categories = new Dictionary();
  readonly licenses = new Dictionary();
  readonly formatValues = new Dictionary();
  readonly keywordValues = new Dictionary();

  /** Mean indexed title and body lengths over live datasets (at least 1), for BM25. */
  averageTitleTokens(): number {
    return this.liveCount > 0 ? Math.max(1, this.titleTokenSum / this.liveCount) : 1;
  }

  averageBodyTokens(): number {
    return this.liveCount > 0 ? Math.max(1, this.bodyTokenSum / this.liveCount) : 1;
  }

  /** Make room for docids below `size`. */
  grow(size: number): void {
    if (size <= this.live.length) {
      this.size = Math.max(this.size, size);
      return;
    }
    const capacity = Math.max(size, Math.ceil(this.live.length * 1.5), 1024);
    this.live = resized(this.live, capacity, 0);
    this.publisher = resized(this.publisher, capacity, NONE);
    this.category = resized(this.category, capacity, NONE);
    this.license = resized(this.license, capacity, NONE);
    this.licenseUrl = resized(this.licenseUrl, capacity, NONE);
    this.formats.grow(capacity);
    this.keywords.grow(capacity);
    this.titleTokens = resized(this.titleTokens, capacity, 0);
    this.bodyTokens = resized(this.bodyTokens, capacity, 0);
    this.identifierRank = resized(this.identifierRank, capacity, 0);
    this.modifiedTime = resized(this.modifiedTime, capacity, 0);
    this.size = size;
  }

  /** One search_docs row, as written by search-index.ts. */
  apply(row: DocRow): void {
    const docid = row[0];
    this.grow(docid + 1);
    if (this.live[docid] === 1) {
      this.liveCount -= 1;
      this.titleTokenSum -= this.titleTokens[docid]!;
      this.bodyTokenSum -= this.bodyTokens[docid]!;
      this.keywords.forEach(docid, (id) => {
        this.keywordCounts[id] = this.keywordCounts[id]! - 1;
      });
    }
    const live = row[2] === 1;
    this.live[docid] = live ? 1 : 0;
    if (this.identifier[docid] === undefined) this.added.push(docid);
    this.identifier[docid] = row[1];
    this.title[docid] = row[3];
    this.modifiedAt[docid] = row[4];
    const time = Date.parse(row[4]);
    this.modifiedTime[docid] = Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
    this.publisher[docid] = row[5] === null ? NONE : this.publishers.intern(row[5]);
    this.category[docid] = row[6] === null ? NONE : this.categories.intern(row[6]);
    this.license[docid] = row[7] === null ? NONE : this.licenses.intern(row[7]);
    this.licenseUrl[docid] = row[8] === null ? NONE : this.licenses.intern(row[8]);
    this.formats.set(docid, internAll(this.formatValues, row[9]));
    const keywords = internAll(this.keywordValues, row[12]);
    this.keywords.set(docid, keywords);
    if (this.keywordCounts.length < this.keywordValues.values.length) {
      this.keywordCounts = resized(this.keywordCounts, Math.max(this.keywordValues.values.length, this.keywordCounts.length * 2, 1024), 0);
    }
    this.titleTokens[docid] = row[10];
    this.bodyTokens[docid] = row[11];
    if (live) {
      this.liveCount += 1;
      this.titleTokenSum += row[10];
      this.bodyTokenSum += row[11];
      for (const id of keywords) this.keywordCounts[id] = this.keywordCounts[id]! + 1;
    }
  }

  /** Merge the docids and keywords applied since the last call into the identifier and keyword orders. */
  settle(): void {
    this.settleKeywords();
    if (this.added.length === 0) return;
    const byIdentifier = (a: number, b: number): number => {
      const x = this.identifier[a]!;
      const y = this.identifier[b]!;
      return x < y ? -1 : x > y ? 1 : 0;
    };
    const added = this.added.splice(0).sort(byIdentifier);
    const old = this.identifierOrder;
    const order = new Int32Array(old.length + added.length);
    let i = 0;
    let j = 0;
    for (let n = 0; n < order.length; n += 1) {
      order[n] = j === added.length || (i < old.length && byIdentifier(old[i]!, added[j]!) < 0) ? old[i++]! : added[j++]!;
    }
    for (let n = 0; n < order.length; n += 1) this.identifierRank[order[n]!] = n;
    this.identifierOrder = order;
  }

  private settleKeywords(): void {
    const old = this.keywordOrder;
    const count = this.keywordValues.values.length;
    if (old.length === count) return;
    const values = this.keywordValues.values;
    const added = Array.from({ length: count - old.length }, (_, n) => old.length + n).sort((a, b) => compareCodePoints(values[a]!, values[b]!));
    const order = new Int32Array(count);
    let i = 0;
    let j = 0;
    for (let n = 0; n < count; n += 1) {
      order[n] = j === added.length || (i < old.length && compareCodePoints(values[old[i]!]!, values[added[j]!]!) < 0) ? old[i++]! : added[j++]!;
    }
    this.keywordOrder = order;
  }
}

/**
 * Compares two strings by code point, as UTF-8 bytes compare. JavaScript's `<` compares UTF-16
 * code units, which puts a character beyond U+FFFF (a surrogate pair, 0xD800–0xDFFF) before
 * U+E000–U+FFFF; at the first differing unit both are shifted back into code-point order.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** The strings of a JSON array column, interned (anything else in it is ignored). */
function internAll(dictionary: Dictionary, json: string): number[] {
  const parsed = parseStoredJson(json);
  return Array.isArray(parsed) ? parsed.filter((value): value is string => typeof value === 'string').map((value) => dictionary.intern(value)) : [];
}

function resized<T extends Uint8Array | Int32Array | Float64Array>(array: T, capacity: number, fill: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}

/** docid, identifier, live, title, modified_at, publisher, category, license, license_url, formats, title_tokens, body_tokens, keywords */
type DocRow = [number, string, number, string, string, string | null, string | null, string | null, string | null, string, number, number, string];

const snapshots = new WeakMap<Db, SearchSnapshot>();

/**
 * The connection's snapshot, brought up to date with the index. Call it inside the read
 * transaction that also queries the full-text index.
 */
export function currentSnapshot(db: Db): SearchSnapshot {
  const statements = prepared(db);
  const latest = (statements.latestVersion.get() as number | null) ?? 0;
  let snapshot = snapshots.get(db);
  // A lower version than ours means the index was rebuilt from scratch: start again.
  if (!snapshot || latest < snapshot.version) {
    snapshot = new SearchSnapshot();
    snapshots.set(db, snapshot);
  }
  if (latest > snapshot.version) {
    // A first load reads the table in docid order, with room made for every docid at once; a
    // catch-up reads the rows written since, through the version index.
    const first = snapshot.version === 0;
    if (first) snapshot.grow(((statements.maxDocid.get() as number | null) ?? 0) + 1);
    const rows = (first ? statements.allDocs.iterate() : statements.docsSince.iterate(snapshot.version)) as IterableIterator<DocRow>;
    for (const row of rows) snapshot.apply(row);
    snapshot.settle();
    snapshot.termCounts.clear();
    snapshot.version = latest;
  }
  return snapshot;
}

type Statement = Database.Statement<unknown[]>;

interface Statements {
  latestVersion: Statement;
  maxDocid: Statement;
  allDocs: Statement;
  docsSince: Statement;
}

const statementCache = new WeakMap<Db, Statements>();

function prepared(db: Db): Statements {
  let statements = statementCache.get(db);
  if (statements) return statements;
  const columns = 'docid, identifier, live, title, modified_at, publisher, category, license, license_url, formats, title_tokens, body_tokens, keywords';
  statements = {
    latestVersion: db.prepare('SELECT max(version) FROM search_docs').pluck(),
    maxDocid: db.prepare('SELECT max(docid) FROM search_docs').pluck(),
    allDocs: db.prepare(`SELECT ${columns} FROM search_docs`).raw(),
    docsSince: db.prepare(`SELECT ${columns} FROM search_docs WHERE version > ?`).raw(),
  };
  statementCache.set(db, statements);
  return statements;
}

/**
 * Keeping the search index (migration 4; keywords column: migration 6) in step with the served catalogue.
 *
 * Triggers on dataset_entries (and on source_payloads, for datasets of one record served from
 * their payload) queue the identifier of every dataset whose served record, state or modified
 * instant changed into `search_pending`. refreshSearchIndex drains that queue: for each
 * identifier it reads the dataset through the `datasets` view and rewrites its full-text row
 * and its search_docs row, or retires them when the dataset is no longer live (withdrawn, merged
 * into another, gone). searchDatasets calls it before answering, so results are always current;
 * the harvester calls it after identity resolution, so a search seldom finds work to do.
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import type { NationalRecord } from '../model/record.js';
import { formatsOf, keywordsOf, publisherOf, searchBodyOf, text } from './search-fields.js';
import { indexText, tokenCount } from './search-text.js';
import { parseStoredJson } from './stored-json.js';

export interface RefreshOptions {
  /** Datasets per transaction: bounds memory and how long other writers wait. */
  batch?: number;
  /**
   * When another connection holds the write lock: `wait` (up to the connection's busy timeout)
   * or `skip` (index nothing now and return 0; searchDatasets does this so that a query never
   * waits behind a long write such as identity resolution in another process, and answers from
   * the index as it is).
   */
  ifBusy?: 'wait' | 'skip';
}

/**
 * After a refresh that indexed at least 1 % of the catalogue (and at least 1000 datasets: the
 * first indexing, a big harvest, a nightly one of a large catalogue), the full-text index is
 * merged into one b-tree. Each batch adds a segment and each update leaves a tombstone, and a
 * query reads every segment: merging 100,000 datasets takes about 2 s and makes a broad query
 * about 2 ms (15–20 %) faster. Smaller refreshes are left to FTS5's own incremental merging.
 */
export const OPTIMIZE_MIN = 1000;
export const OPTIMIZE_SHARE = 0.01;

/**
 * Index every queued dataset, `batch` per transaction. Returns how many datasets were
 * (re)indexed or removed from the index; 0, cheaply, when nothing was queued.
 */
export function refreshSearchIndex(db: Db, options: RefreshOptions = {}): number {
  const batch = Math.max(1, Math.floor(options.batch ?? 2000));
  const statements = prepared(db);
  if (statements.anyPending.get() === undefined) return 0;
  const write = <T>(run: () => T): T | undefined => (options.ifBusy === 'skip' ? unlessBusy(db, run) : run());
  let total = 0;
  for (;;) {
    const done = write(() => indexBatch(db, statements, batch));
    if (!done) break;
    total += done;
  }
  if (total >= OPTIMIZE_MIN && total >= OPTIMIZE_SHARE * (statements.liveDocs.get() as number))
    write(() => {
      statements.optimize.run();
      statements.optimizeTitles.run();
    });
  return total;
}

interface IndexedDocument {
  title: string;
  modifiedAt: string;
  publisher: string | null;
  category: string | null;
  license: string | null;
  licenseUrl: string | null;
  formats: string;
  /** JSON array of the keywords as filters compare them (search-fields.ts keywordsOf). */
  keywords: string;
  titleText: string;
  bodyText: string;
}

/** What the index holds of a record: the derived columns and the folded text. */
export function documentOf(record: NationalRecord, modifiedAt: string): IndexedDocument {
  const title = text(record.title) ?? '';
  return {
    title,
    modifiedAt,
    publisher: publisherOf(record) ?? null,
    category: nonEmpty(record.categoryCode),
    license: nonEmpty(record.license),
    licenseUrl: nonEmpty(record.licenseURL),
    formats: JSON.stringify(formatsOf(record)),
    keywords: JSON.stringify(keywordsOf(record)),
    titleText: indexText(title),
    bodyText: indexText(searchBodyOf(record)),
  };
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * One transaction: up to `batch` queued datasets indexed and unqueued. The full-text writes come
 * last, all together: FTS5 keeps a transaction's new terms in memory, but flushes them to a new
 * segment on disk whenever another statement opens a savepoint (search_docs' upsert with
 * RETURNING does), so interleaving the two wrote one tiny segment per dataset and merged them
 * again: the first index of 100,000 synthetic datasets took ~20 s, now ~13 s (loaded 2-core VM),
 * the upserts alone 7.7 s → 1.6 s.
 */
function indexBatch(db: Db, s: Statements, batch: number): number {
  return db
    .transaction((): number => {
      const identifiers = s.pending.all(batch) as string[];
      if (identifiers.length === 0) return 0;
      // Readers bring an in-memory copy up to date from the rows of later versions.
      const version = ((s.maxVersion.get() as number | null) ?? 0) + 1;
      const staleText: number[] = [];
      const newText: Array<{ docid: number; titleText: string; bodyText: string }> = [];
      for (const identifier of identifiers) {
        const dataset = s.dataset.get(identifier) as [string | null, string | null, string] | undefined;
        const existing = s.existing.get(identifier) as [number, number] | undefined;
        if (existing && existing[1] === 1) staleText.push(existing[0]);
        const record = dataset && dataset[1] === null ? parseRecord(dataset[0]) : undefined;
        if (record) {
          const doc = documentOf(record, dataset![2]);
          const docid = s.upsertDoc.get({
            identifier,
            version,
            title: doc.title,
            modified_at: doc.modifiedAt,
            publisher: doc.publisher,
            category: doc.category,
            license: doc.license,
            license_url: doc.licenseUrl,
            formats: doc.formats,
            keywords: doc.keywords,
            title_tokens: tokenCount(doc.titleText),
            body_tokens: tokenCount(doc.bodyText),
          }) as number;
          newText.push({ docid, titleText: doc.titleText, bodyText: doc.bodyText });
        } else if (existing) {
          s.retireDoc.run(version, existing[0]);
        }
        s.unqueue.run(identifier);
      }
      // A dataset's old text goes before its new text under the same docid.
      for (const docid of staleText) {
        s.deleteText.run(docid);
        s.deleteTitleText.run(docid);
      }
      for (const { docid, titleText, bodyText } of newText) {
        s.insertText.run(docid, titleText, bodyText);
        s.insertTitleText.run(docid, titleText);
      }
      return identifiers.length;
    })
    .immediate();
}

/** The served record, or undefined when there is none to index (a dangling payload, bad JSON). */
function parseRecord(json: string | null): NationalRecord | undefined {
  if (json === null) return undefined;
  try {
    const record = parseStoredJson(json);
    return record !== null && typeof record === 'object' && !Array.isArray(record) ? (record as NationalRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Run a write without waiting for another connection's lock: undefined when it is held. */
function unlessBusy<T>(db: Db, write: () => T): T | undefined {
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    return write();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // SQLITE_BUSY*: another writer; SQLITE_READONLY*: a read-only connection, which can only read;
    // SQLITE_FULL: a full disk, which must not stop searches (the queue waits for space).
    if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_FULL')) return undefined;
    throw err;
  } finally {
    db.pragma(`busy_timeout = ${Number(previous)}`);
  }
}

type Statement = Database.Statement<unknown[]>;

interface Statements {
  anyPending: Statement;
  pending: Statement;
  maxVersion: Statement;
  dataset: Statement;
  existing: Statement;
  deleteText: Statement;
  deleteTitleText: Statement;
  upsertDoc: Statement;
  insertText: Statement;
  insertTitleText: Statement;
  retireDoc: Statement;
  unqueue: Statement;
  optimize: Statement;
  optimizeTitles: Statement;
  liveDocs: Statement;
}

const cache = new WeakMap<Db, Statements>();

function prepared(db: Db): Statements {
  let statements = cache.get(db);
  if (statements) return statements;
  statements = {
    anyPending: db.prepare('SELECT 1 FROM search_pending LIMIT 1').pluck(),
    pending: db.prepare('SELECT identifier FROM search_pending LIMIT ?').pluck(),
    maxVersion: db.prepare('SELECT max(version) FROM search_docs').pluck(),
    dataset: db.prepare('SELECT record, withdrawn_at, modified_at FROM datasets WHERE identifier = ?').raw(),
    existing: db.prepare('SELECT docid, live FROM search_docs WHERE identifier = ?').raw(),
    deleteText: db.prepare('DELETE FROM dataset_search WHERE rowid = ?'),
    deleteTitleText: db.prepare('DELETE FROM dataset_search_title WHERE rowid = ?'),
    upsertDoc: db
      .prepare(
        `INSERT INTO search_docs (identifier, version, live, title, modified_at, publisher, category, license, license_url, formats, keywords, title_tokens, body_tokens)
         VALUES (@identifier, @version, 1, @title, @modified_at, @publisher, @category, @license, @license_url, @formats, @keywords, @title_tokens, @body_tokens)
         ON CONFLICT(identifier) DO UPDATE SET version = excluded.version, live = 1, title = excluded.title, modified_at = excluded.modified_at,
           publisher = excluded.publisher, category = excluded.category, license = excluded.license, license_url = excluded.license_url,
           formats = excluded.formats, keywords = excluded.keywords, title_tokens = excluded.title_tokens, body_tokens = excluded.body_tokens
         RETURNING docid`,
      )
      .pluck(),
    insertText: db.prepare('INSERT INTO dataset_search (rowid, title, body) VALUES (?, ?, ?)'),
    // Titles alone too (migration 10): relevance's question "which hold the term in their title".
    insertTitleText: db.prepare('INSERT INTO dataset_search_title (rowid, title) VALUES (?, ?)'),
    retireDoc: db.prepare(
      `UPDATE search_docs SET version = ?, live = 0, publisher = NULL, category = NULL, license = NULL, license_url = NULL, formats = '[]', keywords = '[]',
         title_tokens = 0, body_tokens = 0 WHERE docid = ?`,
    ),
    unqueue: db.prepare('DELETE FROM search_pending WHERE identifier = ?'),
    optimize: db.prepare("INSERT INTO dataset_search (dataset_search) VALUES ('optimize')"),
    optimizeTitles: db.prepare("INSERT INTO dataset_search_title (dataset_search_title) VALUES ('optimize')"),
    liveDocs: db.prepare('SELECT count(*) FROM search_docs WHERE live = 1').pluck(),
  };
  cache.set(db, statements);
  return statements;
}

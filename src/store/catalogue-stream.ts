/**
 * The whole live catalogue, one dataset at a time, in identifier order, for the exports.
 *
 * Rows are read in pages by keyset (`identifier > last ORDER BY identifier LIMIT n`), never with
 * one open better-sqlite3 iterator: an open iterator makes the connection busy for every other
 * statement, and an export to a slow client takes minutes while the API (and the harvester,
 * which shares the connection in `serve`) must keep working. Memory is one page of rows.
 *
 * There is no snapshot across pages (that would mean a transaction held open for the whole
 * download): a dataset changed during an export appears as it was when its page was read, and
 * never twice, since identifiers only move forward.
 */
import type { Db } from './database.js';
import type { NationalRecord } from '../model/record.js';
import { parseStoredJson } from './stored-json.js';

export interface StreamedDataset {
  /** The dataset's identifier in the catalogue (the one every API route answers to). */
  identifier: string;
  record: NationalRecord;
}

export interface CatalogueStreamOptions {
  /** Rows read per query; small enough to keep memory flat, large enough to amortise the query. */
  pageSize?: number;
  /** Told about a row whose stored record is not a JSON object: it is skipped, not fatal. */
  onUnreadable?: (identifier: string, error: Error) => void;
}

export const DEFAULT_PAGE_SIZE = 500;

/**
 * Live datasets (not withdrawn), in identifier order. Each page is read when the consumer asks
 * for its first row, so a consumer that stops early costs nothing more. The record's own
 * `identifier` is the dataset's: a dataset named `X~source` (its best record's identifier was
 * taken) is served under that name everywhere.
 */
export function* liveDatasetsInIdentifierOrder(db: Db, options: CatalogueStreamOptions = {}): Generator<StreamedDataset> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  const firstPage = db.prepare('SELECT identifier, record FROM datasets WHERE withdrawn_at IS NULL ORDER BY identifier LIMIT ?').raw();
  const nextPage = db.prepare('SELECT identifier, record FROM datasets WHERE withdrawn_at IS NULL AND identifier > ? ORDER BY identifier LIMIT ?').raw();

  let last: string | undefined;
  for (;;) {
    const rows = (last === undefined ? firstPage.all(pageSize) : nextPage.all(last, pageSize)) as Array<[string, string]>;
    for (const [identifier, json] of rows) {
      const record = readRecord(identifier, json, options.onUnreadable);
      if (record !== undefined) yield { identifier, record };
    }
    if (rows.length < pageSize) return;
    last = rows[rows.length - 1]![0];
  }
}

/** The time the live catalogue last changed (UTC instant), or undefined when it is empty. */
export function lastCatalogueChange(db: Db): string | undefined {
  const value = db.prepare('SELECT MAX(modified_at) FROM datasets WHERE withdrawn_at IS NULL').pluck().get() as string | null;
  return value ?? undefined;
}

function readRecord(identifier: string, json: string, onUnreadable: CatalogueStreamOptions['onUnreadable']): NationalRecord | undefined {
  try {
    const parsed: unknown = parseStoredJson(json);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the stored record is not a JSON object');
    return { ...(parsed as NationalRecord), identifier };
  } catch (error) {
    onUnreadable?.(identifier, error as Error);
    return undefined;
  }
}

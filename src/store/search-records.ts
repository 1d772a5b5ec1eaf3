/**
 * The served records of a page of search results, read in one statement (a page holds up to
 * 1000 identifiers). Through the `datasets` view, like every reader: a dataset of one record is
 * served from its payload.
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import type { NationalRecord } from '../model/record.js';
import { parseStoredJson } from './stored-json.js';

export interface PageRecord {
  record: NationalRecord;
  /** UTC instant its metadata last changed (the record's `modified`, else the gateway's change). */
  modifiedAt: string;
}

// Prepared once per connection: every search request reads its page through it.
const readPageByDb = new WeakMap<Db, Database.Statement<[string], [string, string, string]>>();

function readPageStatement(db: Db): Database.Statement<[string], [string, string, string]> {
  let statement = readPageByDb.get(db);
  if (!statement) {
    statement = db
      .prepare<[string], [string, string, string]>(
        'SELECT identifier, record, modified_at FROM datasets WHERE identifier IN (SELECT value FROM json_each(?)) AND record IS NOT NULL',
      )
      .raw();
    readPageByDb.set(db, statement);
  }
  return statement;
}

/** Records by identifier; an identifier with no dataset (gone since the search) is absent. */
export function pageRecords(db: Db, identifiers: readonly string[]): Map<string, PageRecord> {
  const records = new Map<string, PageRecord>();
  if (identifiers.length === 0) return records;
  const rows = readPageStatement(db).all(JSON.stringify(identifiers));
  for (const [identifier, json, modifiedAt] of rows) records.set(identifier, { record: parseStoredJson(json) as NationalRecord, modifiedAt });
  return records;
}

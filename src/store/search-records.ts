/**
 * The served records of a page of search results, read in one statement (a page holds up to
 * 1000 identifiers). Through the `datasets` view, like every reader: a dataset of one record is
 * served from its payload.
 */
import type { Db } from './database.js';
import type { NationalRecord } from '../model/record.js';
import { parseStoredJson } from './stored-json.js';

export interface PageRecord {
  record: NationalRecord;
  /** UTC instant its metadata last changed (the record's `modified`, else the gateway's change). */
  modifiedAt: string;
}

/** Records by identifier; an identifier with no dataset (gone since the search) is absent. */
export function pageRecords(db: Db, identifiers: readonly string[]): Map<string, PageRecord> {
  const records = new Map<string, PageRecord>();
  if (identifiers.length === 0) return records;
  const rows = db
    .prepare('SELECT identifier, record, modified_at FROM datasets WHERE identifier IN (SELECT value FROM json_each(?)) AND record IS NOT NULL')
    .raw()
    .all(JSON.stringify(identifiers)) as Array<[string, string, string]>;
  for (const [identifier, json, modifiedAt] of rows) records.set(identifier, { record: parseStoredJson(json) as NationalRecord, modifiedAt });
  return records;
}

import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import type { NationalRecord, ValidationIssue } from '../model/record.js';
import { parseStoredJson } from './stored-json.js';

/**
 * Read side of the served catalogue. Views and the API read through here and never write.
 * Withdrawn datasets are left out of lists and counts; a lookup by identifier still finds them.
 */
export interface DatasetEntry {
  identifier: string;
  sourceId: string;
  record: NationalRecord;
  issues: ValidationIssue[];
  modifiedAt: string;
  updatedAt: string;
  /** Set when its source stopped listing it: the dataset is gone from the catalogue. */
  withdrawnAt: string | null;
  /** Set when its records turned out to be another dataset's: that dataset's identifier. */
  mergedInto: string | null;
}

export interface IdentifierQuery {
  /** UTC instant: only datasets whose metadata changed at or after it. */
  modifiedSince?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /**
   * Keyset paging: only identifiers after this one. Unlike an offset, datasets created or
   * withdrawn meanwhile before it shift nothing, so a walk sees each lasting dataset once.
   */
  after?: string | undefined;
}

export function listIdentifiers(db: Db, query: IdentifierQuery): string[] {
  // LIMIT -1 is SQLite's "no limit", which keeps one statement for both cases.
  const limit = query.limit ?? -1;
  const offset = query.offset ?? 0;
  const conditions = ['withdrawn_at IS NULL'];
  const values: Array<string | number> = [];
  if (query.modifiedSince !== undefined) {
    conditions.push('modified_at >= ?');
    values.push(query.modifiedSince);
  }
  if (query.after !== undefined) {
    conditions.push('identifier > ?');
    values.push(query.after);
  }
  const sql = `SELECT identifier FROM datasets WHERE ${conditions.join(' AND ')} ORDER BY identifier LIMIT ? OFFSET ?`;
  return db
    .prepare(sql)
    .pluck()
    .all(...values, limit, offset) as string[];
}

/**
 * One dataset row as stored, its record and issues still JSON text: for a reader that may not
 * need them parsed (the gen-1 record route keeps its rendered answer while the text is the same).
 */
export interface StoredDataset {
  identifier: string;
  sourceId: string;
  recordJson: string;
  issuesJson: string;
  modifiedAt: string;
  updatedAt: string;
  withdrawnAt: string | null;
  mergedInto: string | null;
}

type StoredDatasetRow = [string, string, string | null, string, string, string, string | null, string | null];

// Prepared once per connection: preparing costs more than the indexed read itself (about 50 µs
// against 20 µs for one dataset), and every per-dataset request reads one.
const readDatasetByDb = new WeakMap<Db, Database.Statement<[string], StoredDatasetRow>>();

function readDatasetStatement(db: Db): Database.Statement<[string], StoredDatasetRow> {
  let statement = readDatasetByDb.get(db);
  if (!statement) {
    statement = db
      .prepare<[string], StoredDatasetRow>(
        'SELECT identifier, source_id, record, issues, modified_at, updated_at, withdrawn_at, merged_into FROM datasets WHERE identifier = ?',
      )
      .raw();
    readDatasetByDb.set(db, statement);
  }
  return statement;
}

export function getStoredDataset(db: Db, identifier: string): StoredDataset | undefined {
  const row = readDatasetStatement(db).get(identifier);
  // No record: a dataset entry whose member's payload row is gone (an older gateway stored a
  // native id with a lone surrogate, which reads back as U+FFFD and no longer names its payload).
  // There is nothing to serve: it answers as unknown.
  if (!row || row[2] === null) return undefined;
  return {
    identifier: row[0],
    sourceId: row[1],
    recordJson: row[2],
    issuesJson: row[3],
    modifiedAt: row[4],
    updatedAt: row[5],
    withdrawnAt: row[6],
    mergedInto: row[7],
  };
}

/** A dataset identifier equal to a looked-up one but for ASCII letter case. */
export interface CaseVariant {
  identifier: string;
  withdrawn: boolean;
  /** Absorbed into another dataset: its identifier redirects there. */
  absorbed: boolean;
}

const caseVariantsByDb = new WeakMap<Db, Database.Statement<[string], [string, number, number]>>();

/**
 * Datasets whose identifier equals this one ignoring ASCII case (SQLite NOCASE, by the index of
 * migration 8), the identifier itself included if stored; at most 10. For reads
 * in another case than the one a dataset is served under, and for naming new datasets so that no
 * two identifiers differ only in case (src/model/identifier.ts).
 */
export function datasetCaseVariants(db: Db, identifier: string): CaseVariant[] {
  let statement = caseVariantsByDb.get(db);
  if (!statement) {
    statement = db
      .prepare<[string], [string, number, number]>(
        `SELECT identifier, withdrawn_at IS NOT NULL, merged_into IS NOT NULL FROM dataset_entries
         WHERE identifier = ? COLLATE NOCASE ORDER BY identifier LIMIT 10`,
      )
      .raw();
    caseVariantsByDb.set(db, statement);
  }
  return statement.all(identifier).map(([id, withdrawn, absorbed]) => ({ identifier: id, withdrawn: withdrawn === 1, absorbed: absorbed === 1 }));
}

export function getDataset(db: Db, identifier: string): DatasetEntry | undefined {
  const stored = getStoredDataset(db, identifier);
  return stored === undefined ? undefined : parseStoredDataset(stored);
}

export function parseStoredDataset(stored: StoredDataset): DatasetEntry {
  return {
    identifier: stored.identifier,
    sourceId: stored.sourceId,
    record: parseStoredJson(stored.recordJson) as NationalRecord,
    issues: parseStoredJson(stored.issuesJson) as ValidationIssue[],
    modifiedAt: stored.modifiedAt,
    updatedAt: stored.updatedAt,
    withdrawnAt: stored.withdrawnAt,
    mergedInto: stored.mergedInto,
  };
}

export function countDatasets(db: Db): number {
  return db.prepare('SELECT COUNT(*) FROM datasets WHERE withdrawn_at IS NULL').pluck().get() as number;
}

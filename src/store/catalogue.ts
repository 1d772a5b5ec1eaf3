import type { Db } from './database.js';
import type { NationalRecord, ValidationIssue } from '../model/record.js';

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
  return db.prepare(sql).pluck().all(...values, limit, offset) as string[];
}

export function getDataset(db: Db, identifier: string): DatasetEntry | undefined {
  const row = db
    .prepare('SELECT identifier, source_id, record, issues, modified_at, updated_at, withdrawn_at, merged_into FROM datasets WHERE identifier = ?')
    .get(identifier) as
    | { identifier: string; source_id: string; record: string; issues: string; modified_at: string; updated_at: string; withdrawn_at: string | null; merged_into: string | null }
    | undefined;
  if (!row) return undefined;
  return {
    identifier: row.identifier,
    sourceId: row.source_id,
    record: JSON.parse(row.record) as NationalRecord,
    issues: JSON.parse(row.issues) as ValidationIssue[],
    modifiedAt: row.modified_at,
    updatedAt: row.updated_at,
    withdrawnAt: row.withdrawn_at,
    mergedInto: row.merged_into,
  };
}

export function countDatasets(db: Db): number {
  return db.prepare('SELECT COUNT(*) FROM datasets WHERE withdrawn_at IS NULL').pluck().get() as number;
}

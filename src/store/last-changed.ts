import type Database from 'better-sqlite3';
import type { Db } from './database.js';

/**
 * When served content last changed, for HTTP validators (Last-Modified). Both are one indexed
 * row, cheap enough to ask on every request.
 *
 * A dataset's `updated_at` moves only when what is served for it changes (identity resolution
 * compares content hashes), so it is the dataset document's modification time. The catalogue as
 * a whole changes exactly when a row is added to `changes` (created, updated, withdrawn,
 * reinstated; an absorbed dataset is recorded as withdrawn), so its newest row dates every list.
 */

interface Statements {
  datasetUpdatedAt: Database.Statement<[string], string | undefined>;
  catalogueChangedAt: Database.Statement<[], string | undefined>;
  datasetCreatedAt: Database.Statement<[string], string | undefined>;
  catalogueVersion: Database.Statement<[], number>;
}

const statementsByDb = new WeakMap<Db, Statements>();

function statements(db: Db): Statements {
  let prepared = statementsByDb.get(db);
  if (!prepared) {
    prepared = {
      datasetUpdatedAt: db
        .prepare<[string], string>('SELECT updated_at FROM dataset_entries WHERE identifier = ? AND withdrawn_at IS NULL AND merged_into IS NULL')
        .pluck(),
      // The newest row by id, not MAX(at): `at` has no index and the table only grows.
      catalogueChangedAt: db.prepare<[], string>('SELECT at FROM changes ORDER BY id DESC LIMIT 1').pluck(),
      datasetCreatedAt: db.prepare<[string], string>('SELECT created_at FROM dataset_entries WHERE identifier = ?').pluck(),
      catalogueVersion: db.prepare<[], number>('SELECT COALESCE(MAX(id), 0) FROM changes').pluck(),
    };
    statementsByDb.set(db, prepared);
  }
  return prepared;
}

/** UTC instant the live dataset's served content last changed; undefined when it is not served (unknown, withdrawn, absorbed). */
export function datasetUpdatedAt(db: Db, identifier: string): string | undefined {
  return statements(db).datasetUpdatedAt.get(identifier);
}

/** UTC instant of the catalogue's latest change; undefined when nothing was ever served. */
export function catalogueChangedAt(db: Db): string | undefined {
  return statements(db).catalogueChangedAt.get();
}

/** UTC instant the dataset first entered the served catalogue (its first harvest); undefined for an unknown identifier. */
export function datasetCreatedAt(db: Db, identifier: string): string | undefined {
  return statements(db).datasetCreatedAt.get(identifier);
}

/**
 * The id of the last change to the served catalogue (every dataset created, updated, withdrawn
 * or reinstated is one row of `changes`, in this process or another writing the same file):
 * equal versions mean nothing a cache holds changed.
 */
export function catalogueVersion(db: Db): number {
  return statements(db).catalogueVersion.get()!;
}

import type Database from 'better-sqlite3';
import type { Db } from './database.js';

/**
 * A token that changes whenever what this connection reads may have changed, for caches that
 * would otherwise re-read a row on every request to learn that it is the same.
 *
 * - `PRAGMA data_version` changes when any OTHER connection commits to the file, in this process
 *   or another (a CLI harvest beside `serve`): SQLite's own guarantee, cheap to ask (no table is
 *   read).
 * - `total_changes()` counts the rows THIS connection inserted, updated or deleted (triggers
 *   included), which data_version deliberately leaves out.
 *
 * Equal tokens mean no commit by another connection and no write by this one in between, so
 * every row reads as it did. (A write that leaves every byte as it was may not move the token;
 * it changes nothing to read either.) Read the token BEFORE the rows it vouches for: a commit
 * landing between the two then only makes the next comparison fail, never hides a change.
 */

interface Statements {
  dataVersion: Database.Statement<[], number>;
  ownChanges: Database.Statement<[], number>;
}

const statementsByDb = new WeakMap<Db, Statements>();

export function storeVersion(db: Db): string {
  let statements = statementsByDb.get(db);
  if (!statements) {
    statements = {
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      ownChanges: db.prepare<[], number>('SELECT total_changes()').pluck(),
    };
    statementsByDb.set(db, statements);
  }
  return `${statements.dataVersion.get()}:${statements.ownChanges.get()}`;
}

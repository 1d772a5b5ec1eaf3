import type Database from 'better-sqlite3';
import type { Db } from './database.js';

/** What happened to a dataset of the served catalogue: the base of the change feed. */
export type ChangeKind = 'created' | 'updated' | 'withdrawn' | 'reinstated';

export interface Change {
  id: number;
  identifier: string;
  sourceId: string;
  kind: ChangeKind;
  runId: number | null;
  at: string;
}

const insertChange = new WeakMap<Db, Database.Statement<unknown[]>>();

export function recordChange(db: Db, change: Omit<Change, 'id'>): void {
  // Called once per created or updated record in a page: prepare once per connection.
  let statement = insertChange.get(db);
  if (!statement) {
    statement = db.prepare('INSERT INTO changes (identifier, source_id, kind, run_id, at) VALUES (?, ?, ?, ?, ?)');
    insertChange.set(db, statement);
  }
  statement.run(change.identifier, change.sourceId, change.kind, change.runId, change.at);
}

/** Changes after `afterId`, oldest first. */
export function listChanges(db: Db, afterId = 0, limit = 1000): Change[] {
  const rows = db.prepare('SELECT id, identifier, source_id, kind, run_id, at FROM changes WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as Array<{
    id: number;
    identifier: string;
    source_id: string;
    kind: ChangeKind;
    run_id: number | null;
    at: string;
  }>;
  return rows.map((r) => ({ id: r.id, identifier: r.identifier, sourceId: r.source_id, kind: r.kind, runId: r.run_id, at: r.at }));
}

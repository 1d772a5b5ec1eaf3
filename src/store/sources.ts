import { redactCredentials } from '../model/redact-credentials.js';
import type { Db } from './database.js';
import type { SourceConfig } from '../config/types.js';
import { nowUtc } from './time.js';
import { markIdentityDirty } from './identity.js';

export interface SourceRow {
  id: string;
  name: string;
  type: string;
  url: string;
  priority: number;
  updated_at: string;
}

/**
 * Record the configured sources; a source dropped from the config keeps its row (its records and
 * runs refer to it). The URL is kept redacted: harvests read it from the configuration, and the
 * row is only shown (`sources`), so a key in it would only leak.
 */
export function syncSources(db: Db, sources: readonly SourceConfig[]): void {
  const upsert = db.prepare(
    `INSERT INTO sources (id, name, type, url, priority, updated_at)
     VALUES (@id, @name, @type, @url, @priority, @updated_at)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, type = excluded.type, url = excluded.url,
       priority = excluded.priority, updated_at = excluded.updated_at
     WHERE sources.name IS NOT excluded.name OR sources.type IS NOT excluded.type
        OR sources.url IS NOT excluded.url OR sources.priority IS NOT excluded.priority`,
  );
  const priorityOf = db.prepare('SELECT priority FROM sources WHERE id = ?').pluck();
  const now = nowUtc();
  db.transaction(() => {
    let reprioritised = false;
    for (const source of sources) {
      const before = priorityOf.get(source.id) as number | undefined;
      if (before !== undefined && before !== source.priority) reprioritised = true;
      upsert.run({ id: source.id, name: source.name, type: source.type, url: redactCredentials(source.url), priority: source.priority, updated_at: now });
    }
    // Priority decides which record's values a merged dataset serves: merge again.
    if (reprioritised) markIdentityDirty(db);
  })();
}

export function listSources(db: Db): SourceRow[] {
  return db.prepare('SELECT id, name, type, url, priority, updated_at FROM sources ORDER BY id').all() as SourceRow[];
}

/**
 * The source each pushing publisher's records belong to: `push:<org code>` (e.g.
 * `push:A41000000G`), type `push`. Pushed records are source records like harvested ones, so
 * identity resolution merges an agency's pushed record with the copies other sources harvest
 * (data.gov.tw's, a city portal's) and the provenance of each field names the push source.
 *
 * These rows are not in the configuration, and must outlive every start-up's syncSources: it only
 * upserts the configured sources and never deletes a row, and a configured source id cannot take
 * this form (config ids match ^[a-z0-9][a-z0-9._-]*$: no colon, no capitals), so neither can touch
 * a push source. The harvester and scheduler only ever run configured sources.
 */
import type { Db } from './database.js';
import { markIdentityDirty } from './identity.js';
import { nowUtc } from './time.js';

export const PUSH_SOURCE_TYPE = 'push';

/**
 * The merge rank of pushed records: above an agency's harvested platform (config/taiwan.json gives
 * cities 10, data.gov.tw 0), since a push is the publisher stating its own record.
 */
export const PUSH_SOURCE_PRIORITY = 20;

export function pushSourceId(orgCode: string): string {
  return `push:${orgCode}`;
}

/** Create the publisher's push source, or rename it; inside the caller's transaction if any. */
export function ensurePushSource(db: Db, orgCode: string, publisher: string): string {
  const id = pushSourceId(orgCode);
  const before = db.prepare('SELECT name, priority FROM sources WHERE id = ?').get(id) as { name: string; priority: number } | undefined;
  if (before === undefined) {
    db.prepare('INSERT INTO sources (id, name, type, url, priority, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      id,
      publisher,
      PUSH_SOURCE_TYPE,
      `urn:ogd-gateway:push:${orgCode}`,
      PUSH_SOURCE_PRIORITY,
      nowUtc(),
    );
  } else if (before.name !== publisher) {
    db.prepare('UPDATE sources SET name = ?, updated_at = ? WHERE id = ?').run(publisher, nowUtc(), id);
  }
  // A new source changes no dataset by itself; only its records do. A priority an older release
  // wrote differently is set right, and merged datasets are merged again under it.
  if (before !== undefined && before.priority !== PUSH_SOURCE_PRIORITY) {
    db.prepare('UPDATE sources SET priority = ? WHERE id = ?').run(PUSH_SOURCE_PRIORITY, id);
    markIdentityDirty(db);
  }
  return id;
}

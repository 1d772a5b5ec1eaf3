/**
 * Datasets that changed since an instant, withdrawn ones included: what GET /catalog lists with
 * include_withdrawn=true, so a DCAT harvester syncing by modified_since also learns deletions.
 *
 * "Changed" for a live dataset is what the catalogue's modified_since means everywhere
 * (modified_at: the record's own modified, else the gateway's change time); for a withdrawn or
 * merged-away one it is when the gateway withdrew it (updated_at moves then). Identifier order
 * with keyset paging (`after`), like the other lists: consistent while a harvest runs.
 */
import type { Db } from './database.js';

export interface ChangedDatasetsQuery {
  /** UTC instant; absent: every dataset ever served. */
  since?: string | undefined;
  after?: string | undefined;
  offset: number;
  limit: number;
}

export interface ChangedDataset {
  identifier: string;
  withdrawn: boolean;
  /** Merged into this dataset. */
  movedTo: string | null;
}

export interface ChangedDatasets {
  total: number;
  datasets: ChangedDataset[];
  /** More follow the page. */
  more: boolean;
}

const CHANGED = `(
  (withdrawn_at IS NULL AND merged_into IS NULL AND modified_at >= @since)
  OR ((withdrawn_at IS NOT NULL OR merged_into IS NOT NULL) AND updated_at >= @since))`;

export function listChangedDatasets(db: Db, query: ChangedDatasetsQuery): ChangedDatasets {
  const since = query.since ?? '';
  return db.transaction(() => {
    const total = db.prepare(`SELECT COUNT(*) FROM dataset_entries WHERE ${CHANGED}`).pluck().get({ since }) as number;
    const rows = db
      .prepare(
        `SELECT identifier, withdrawn_at IS NOT NULL OR merged_into IS NOT NULL, merged_into FROM dataset_entries
         WHERE ${CHANGED} AND identifier > @after ORDER BY identifier LIMIT @limit OFFSET @offset`,
      )
      .raw()
      .all({ since, after: query.after ?? '', limit: query.limit + 1, offset: query.offset }) as Array<[string, number, string | null]>;
    const more = rows.length > query.limit;
    const datasets = rows.slice(0, query.limit).map(([identifier, withdrawn, movedTo]) => ({ identifier, withdrawn: withdrawn === 1, movedTo }));
    return { total, datasets, more };
  })();
}

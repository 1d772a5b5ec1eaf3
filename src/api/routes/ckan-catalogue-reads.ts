/**
 * Reads of the served catalogue that the CKAN API needs and src/store/catalogue.ts does not
 * offer (yet): when each dataset was first harvested, the publisher facts of every live dataset
 * (for organizations), and a cheap version number of the catalogue (for caches).
 *
 * They are store reads and belong in src/store/catalogue.ts; they live here only because this
 * change was confined to the CKAN files. Moving them is a plain cut and paste: they use nothing
 * but the `datasets` view and the `changes` table, read-only.
 */
import type { Db } from '../../store/database.js';

/** UTC instant the dataset first entered the served catalogue (its first harvest); undefined for an unknown identifier. */
export function datasetCreatedAt(db: Db, identifier: string): string | undefined {
  return db.prepare('SELECT created_at FROM dataset_entries WHERE identifier = ?').pluck().get(identifier) as string | undefined;
}

/**
 * Grows with every change to the served catalogue (every dataset created, updated, withdrawn or
 * reinstated is one row of `changes`), so an equal version means nothing a cache holds changed.
 */
export function catalogueVersion(db: Db): number {
  return db.prepare('SELECT COALESCE(MAX(id), 0) FROM changes').pluck().get() as number;
}

export interface PublisherFacts {
  publisher: unknown;
  organization: unknown;
  publisherOrgCode: unknown;
  publisherOID: unknown;
  /** UTC instant of the dataset's first harvest. */
  createdAt: string;
}

/**
 * The publisher fields of every live dataset. SQLite extracts the four fields, so the records
 * are not parsed into JavaScript objects; values are as stored (the caller checks their types).
 */
export function livePublisherFacts(db: Db): PublisherFacts[] {
  const rows = db
    .prepare(
      `SELECT json_extract(record, '$.publisher'), json_extract(record, '$.organization'), json_extract(record, '$.publisherOrgCode'),
              json_extract(record, '$.publisherOID'), created_at
         FROM datasets WHERE withdrawn_at IS NULL`,
    )
    .raw()
    .all() as Array<[unknown, unknown, unknown, unknown, string]>;
  return rows.map(([publisher, organization, publisherOrgCode, publisherOID, createdAt]) => ({ publisher, organization, publisherOrgCode, publisherOID, createdAt }));
}

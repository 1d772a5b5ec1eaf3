/**
 * Reads of the served catalogue that the CKAN API needs and src/store/catalogue.ts does not
 * offer (yet): when each dataset was first harvested, the publisher facts of live datasets
 * (for organizations), and a cheap version number of the catalogue (for caches).
 *
 * They are store reads and belong in src/store/catalogue.ts; they live here only because this
 * change was confined to the CKAN files. Moving them is a plain cut and paste: they use nothing
 * but the `datasets` view, `dataset_entries` and the `changes` table, read-only.
 */
import type { Db } from '../../store/database.js';
import { parseStoredJson } from '../../store/stored-json.js';

/** UTC instant the dataset first entered the served catalogue (its first harvest); undefined for an unknown identifier. */
export function datasetCreatedAt(db: Db, identifier: string): string | undefined {
  return db.prepare('SELECT created_at FROM dataset_entries WHERE identifier = ?').pluck().get(identifier) as string | undefined;
}

/**
 * The id of the last change to the served catalogue (every dataset created, updated, withdrawn
 * or reinstated is one row of `changes`): equal versions mean nothing a cache holds changed.
 */
export function catalogueVersion(db: Db): number {
  return db.prepare('SELECT COALESCE(MAX(id), 0) FROM changes').pluck().get() as number;
}

export interface PublisherFacts {
  identifier: string;
  /** The record's fields as stored (the caller checks their types). */
  publisher: unknown;
  organization: unknown;
  publisherOrgCode: unknown;
  publisherOID: unknown;
  /** UTC instant of the dataset's first harvest. */
  createdAt: string;
}

// One json_extract with four paths parses each record once (four calls would parse it four
// times); the records stay in SQLite, not parsed into JavaScript objects. A record SQLite cannot
// parse (nested past its JSON depth limit of 1,000, stored before the door refused such records)
// would fail the whole statement: json_valid (which shares json_extract's parse) passes its text
// through instead, to read in JavaScript.
const FACTS_COLUMNS = `identifier,
  CASE WHEN json_valid(record) THEN json_extract(record, '$.publisher', '$.organization', '$.publisherOrgCode', '$.publisherOID') END,
  created_at,
  CASE WHEN json_valid(record) THEN NULL ELSE record END`;

type FactsRow = [string, string | null, string, string | null];

function factsOf([identifier, extracted, createdAt, unreadInSqlite]: FactsRow): PublisherFacts {
  // Lone surrogates in stored strings come back repaired (U+FFFD): they break the CKAN ids' UUIDs.
  const [publisher, organization, publisherOrgCode, publisherOID] = extracted !== null ? (parseStoredJson(extracted) as unknown[]) : factsInJavaScript(unreadInSqlite);
  return { identifier, publisher, organization, publisherOrgCode, publisherOID, createdAt };
}

function factsInJavaScript(recordJson: string | null): unknown[] {
  if (recordJson === null) return [];
  try {
    const record = parseStoredJson(recordJson) as Record<string, unknown> | null;
    return record !== null && typeof record === 'object' ? [record['publisher'], record['organization'], record['publisherOrgCode'], record['publisherOID']] : [];
  } catch {
    // Not JSON at all: a dataset with no publisher facts, as one whose record lacks them.
    return [];
  }
}

/** The publisher fields of every live dataset. */
export function livePublisherFacts(db: Db): PublisherFacts[] {
  const rows = db.prepare(`SELECT ${FACTS_COLUMNS} FROM datasets WHERE withdrawn_at IS NULL`).raw().all() as FactsRow[];
  return rows.map(factsOf);
}

/** The publisher fields of one dataset; undefined when it is not live (withdrawn, absorbed, unknown). */
export function livePublisherFactsOf(db: Db, identifier: string): PublisherFacts | undefined {
  const row = db.prepare(`SELECT ${FACTS_COLUMNS} FROM datasets WHERE identifier = ? AND withdrawn_at IS NULL`).raw().get(identifier) as FactsRow | undefined;
  return row === undefined ? undefined : factsOf(row);
}

/**
 * The publisher facts of live datasets, for the CKAN API's organizations (src/api/routes/
 * ckan-directory.ts): each dataset's publisher fields as its record stores them, and when it
 * was first harvested.
 */
import type { Db } from './database.js';
import { parseStoredJson } from './stored-json.js';

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
  const [publisher, organization, publisherOrgCode, publisherOID] =
    extracted !== null ? (parseStoredJson(extracted) as unknown[]) : factsInJavaScript(unreadInSqlite);
  return { identifier, publisher, organization, publisherOrgCode, publisherOID, createdAt };
}

function factsInJavaScript(recordJson: string | null): unknown[] {
  if (recordJson === null) return [];
  try {
    const record = parseStoredJson(recordJson) as Record<string, unknown> | null;
    return record !== null && typeof record === 'object'
      ? [record['publisher'], record['organization'], record['publisherOrgCode'], record['publisherOID']]
      : [];
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

/** The publisher fields of these datasets that are live (withdrawn, absorbed and unknown ones are left out). */
export function livePublisherFactsOf(db: Db, identifiers: readonly string[]): PublisherFacts[] {
  const statement = db.prepare(`SELECT ${FACTS_COLUMNS} FROM datasets WHERE identifier = ? AND withdrawn_at IS NULL`).raw();
  const facts: PublisherFacts[] = [];
  for (const identifier of identifiers) {
    const row = statement.get(identifier) as FactsRow | undefined;
    if (row !== undefined) facts.push(factsOf(row));
  }
  return facts;
}

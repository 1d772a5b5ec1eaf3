import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import type { NationalRecord, ValidationIssue } from '../model/record.js';
import { nowUtc } from './time.js';
import { recordRunErrors, type RunErrorRecord } from './runs.js';
import { markIdentityDirty, recordModifiedAt, replaceRecordKeys } from './identity.js';

/**
 * Bumped whenever mapping changes what a given payload becomes, so that the next harvest
 * re-maps every record instead of trusting hashes computed under the old mapping.
 * 2: text languages recorded (extensions.textLanguages), naive date-times read in the source's zone,
 * licence URLs as the source sent them (CKAN, DCAT-US), POD 1.0 contacts (issue 13).
 * 3: DCAT keeps every dct:spatial place whole in sourceExtras (an IRI too), for the DCAT views (issue 13).
 */
export const MAPPING_VERSION = 3;

/**
 * Content hash of a raw payload under the current mapping version and, when the source sets
 * them, its mapping settings (`timeZone`, `language`: a change of either re-maps its records).
 */
export function contentHash(payloadJson: string, mappingSettings = ''): string {
  const hash = createHash('sha256').update(`${MAPPING_VERSION}\n`);
  if (mappingSettings !== '') hash.update(`${mappingSettings}\n`);
  return hash.update(payloadJson).digest('base64url');
}

/** HTTP validators of a record's last answer, sent back as If-None-Match / If-Modified-Since. */
export interface HttpValidators {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

export interface MappedRecord {
  nativeId: string;
  payloadJson: string;
  contentHash: string;
  record: NationalRecord;
  issues: ValidationIssue[];
  validators?: HttpValidators | undefined;
}

export interface PageWriteResult {
  created: number;
  updated: number;
  reinstated: number;
}

/** What the store knows of one record of a source: its hash and validators. */
export interface StoredState {
  contentHash: string;
  validators: HttpValidators;
}

/** The stored state of each of these native ids of a source (absent: never seen). */
export function storedStates(db: Db, sourceId: string, nativeIds: readonly string[]): Map<string, StoredState> {
  const states = new Map<string, StoredState>();
  if (nativeIds.length === 0) return states;
  // json_each keeps this one statement whatever the page size (no variable-count limit).
  const rows = db
    .prepare(
      `SELECT native_id, content_hash, etag, last_modified FROM source_records
       WHERE source_id = ? AND native_id IN (SELECT value FROM json_each(?))`,
    )
    .all(sourceId, JSON.stringify(nativeIds)) as Array<{ native_id: string; content_hash: string; etag: string | null; last_modified: string | null }>;
  for (const row of rows) {
    states.set(row.native_id, {
      contentHash: row.content_hash,
      validators: { ...(row.etag ? { etag: row.etag } : {}), ...(row.last_modified ? { lastModified: row.last_modified } : {}) },
    });
  }
  return states;
}

export interface RecordPage {
  sourceId: string;
  priority: number;
  runId: number;
  /** Records whose payload is new or changed, already mapped. */
  changed: readonly MappedRecord[];
  /**
   * Native ids the source listed in this page whose stored copy stands: same hash, 304 Not
   * Modified, not re-fetched (incremental), or sent broken this time. Only their presence moves.
   */
  presentNativeIds: readonly string[];
  /** New validators for records that answered 200 with unchanged content. */
  refreshedValidators: ReadonlyArray<{ nativeId: string; validators: HttpValidators }>;
  /** The page's typed errors, committed with it. */
  errors: readonly RunErrorRecord[];
}

/**
 * Write one page, with its errors, in one transaction: either all of it lands or none of it
 * does, so a run killed mid-page leaves the previous state of those records intact.
 */
export function writeRecordPage(db: Db, page: RecordPage): PageWriteResult {
  const now = nowUtc();
  const statements = prepared(db);
  return db.transaction((): PageWriteResult => {
    const result: PageWriteResult = { created: 0, updated: 0, reinstated: 0 };
    const listedIds = JSON.stringify([...page.presentNativeIds, ...page.changed.map((r) => r.nativeId)]);

    statements.touchListed.run(now, page.runId, page.sourceId, listedIds);
    // Listed again after going missing or being withdrawn: identity resolution brings its dataset back.
    result.reinstated = statements.relist.run(page.sourceId, listedIds).changes;

    for (const { nativeId, validators } of page.refreshedValidators) {
      statements.setValidators.run(validators.etag ?? null, validators.lastModified ?? null, page.sourceId, nativeId);
    }

    for (const mapped of page.changed) {
      const previousJson = statements.previousRecord.get(page.sourceId, mapped.nativeId) as string | undefined;
      const existed = previousJson !== undefined;
      statements.upsertSourceRecord.run({
        source_id: page.sourceId,
        native_id: mapped.nativeId,
        identifier: mapped.record.identifier,
        content_hash: mapped.contentHash,
        etag: mapped.validators?.etag ?? null,
        last_modified: mapped.validators?.lastModified ?? null,
        title: mapped.record.title,
        modified_at: recordModifiedAt(mapped.record),
        now,
        run_id: page.runId,
      });
      statements.upsertPayload.run(page.sourceId, mapped.nativeId, mapped.payloadJson, JSON.stringify(mapped.record), JSON.stringify(mapped.issues));
      replaceRecordKeys(db, page.sourceId, mapped.nativeId, mapped.record, existed ? (JSON.parse(previousJson) as NationalRecord) : undefined);
      if (existed) result.updated += 1;
      else result.created += 1;
    }
    // Which dataset each record serves is decided once the run is over (src/identity/resolve.ts).
    if (page.changed.length > 0 || result.reinstated > 0) markIdentityDirty(db);
    recordRunErrors(db, page.runId, page.errors);
    return result;
  })();
}

type Statement = Database.Statement<unknown[]>;

interface Statements {
  touchListed: Statement;
  relist: Statement;
  setValidators: Statement;
  previousRecord: Statement;
  upsertSourceRecord: Statement;
  upsertPayload: Statement;
}

const cache = new WeakMap<Db, Statements>();

function prepared(db: Db): Statements {
  let statements = cache.get(db);
  if (statements) return statements;
  statements = {
    touchListed: db.prepare(
      `UPDATE source_records SET last_seen_at = ?, last_run_id = ?
       WHERE source_id = ? AND native_id IN (SELECT value FROM json_each(?))`,
    ),
    relist: db.prepare(
      `UPDATE source_records SET missing_since = NULL, withdrawn_at = NULL
       WHERE source_id = ? AND (missing_since IS NOT NULL OR withdrawn_at IS NOT NULL) AND native_id IN (SELECT value FROM json_each(?))`,
    ),
    setValidators: db.prepare('UPDATE source_records SET etag = ?, last_modified = ? WHERE source_id = ? AND native_id = ?'),
    previousRecord: db.prepare('SELECT record FROM source_payloads WHERE source_id = ? AND native_id = ?').pluck(),
    upsertSourceRecord: db.prepare(
      `INSERT INTO source_records (source_id, native_id, identifier, content_hash, title, modified_at,
         first_seen_at, last_seen_at, changed_at, last_run_id, etag, last_modified)
       VALUES (@source_id, @native_id, @identifier, @content_hash, @title, @modified_at, @now, @now, @now, @run_id, @etag, @last_modified)
       ON CONFLICT(source_id, native_id) DO UPDATE SET identifier = excluded.identifier, content_hash = excluded.content_hash,
         title = excluded.title, modified_at = excluded.modified_at,
         last_seen_at = excluded.last_seen_at, changed_at = excluded.changed_at, last_run_id = excluded.last_run_id,
         missing_since = NULL, withdrawn_at = NULL, etag = excluded.etag, last_modified = excluded.last_modified`,
    ),
    upsertPayload: db.prepare(
      `INSERT INTO source_payloads (source_id, native_id, payload, record, issues) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(source_id, native_id) DO UPDATE SET payload = excluded.payload, record = excluded.record, issues = excluded.issues`,
    ),
  };
  cache.set(db, statements);
  return statements;
}

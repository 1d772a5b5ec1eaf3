import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import type { NationalRecord, ValidationIssue } from '../model/record.js';
import { toUtcInstant } from '../model/dates.js';
import { nowUtc } from './time.js';
import { recordRunErrors, type RunErrorRecord } from './runs.js';
import { recordChange } from './changes.js';

/**
 * Bumped whenever mapping changes what a given payload becomes, so that the next harvest
 * re-maps every record instead of trusting hashes computed under the old mapping.
 */
export const MAPPING_VERSION = 1;

/** Content hash of a raw payload under the current mapping version. */
export function contentHash(payloadJson: string): string {
  return createHash('sha256').update(`${MAPPING_VERSION}\n`).update(payloadJson).digest('base64url');
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

    // Listed again: no longer missing, and back in the catalogue if it had been withdrawn.
    statements.touchListed.run(now, page.runId, page.sourceId, listedIds);
    const reinstated = statements.reinstateListed.all(now, page.sourceId, listedIds) as Array<{ identifier: string }>;
    for (const { identifier } of reinstated) recordChange(db, { identifier, sourceId: page.sourceId, kind: 'reinstated', runId: page.runId, at: now });
    result.reinstated = reinstated.length;

    for (const { nativeId, validators } of page.refreshedValidators) {
      statements.setValidators.run(validators.etag ?? null, validators.lastModified ?? null, page.sourceId, nativeId);
    }

    for (const mapped of page.changed) {
      const previous = statements.previousIdentifier.get(page.sourceId, mapped.nativeId) as { identifier: string } | undefined;
      const recordJson = JSON.stringify(mapped.record);
      const issuesJson = JSON.stringify(mapped.issues);
      statements.upsertSourceRecord.run({
        source_id: page.sourceId,
        native_id: mapped.nativeId,
        identifier: mapped.record.identifier,
        content_hash: mapped.contentHash,
        etag: mapped.validators?.etag ?? null,
        last_modified: mapped.validators?.lastModified ?? null,
        now,
        run_id: page.runId,
      });
      statements.upsertPayload.run(page.sourceId, mapped.nativeId, mapped.payloadJson, recordJson, issuesJson);
      if (previous && previous.identifier !== mapped.record.identifier) {
        // The publisher renumbered the record: the old identifier no longer comes from here.
        statements.dropOwnedDataset.run(previous.identifier, page.sourceId, mapped.nativeId);
      }
      const existed = statements.datasetExists.get(mapped.record.identifier) !== undefined;
      const written = statements.upsertDataset.run({
        identifier: mapped.record.identifier,
        source_id: page.sourceId,
        native_id: mapped.nativeId,
        priority: page.priority,
        title: mapped.record.title,
        modified_at: (mapped.record.modified && toUtcInstant(mapped.record.modified)) || now,
        record: recordJson,
        issues: issuesJson,
        now,
      });
      if (written.changes > 0) {
        recordChange(db, { identifier: mapped.record.identifier, sourceId: page.sourceId, kind: existed ? 'updated' : 'created', runId: page.runId, at: now });
      }
      if (previous) result.updated += 1;
      else result.created += 1;
    }
    recordRunErrors(db, page.runId, page.errors);
    return result;
  })();
}

type Statement = Database.Statement<unknown[]>;

interface Statements {
  touchListed: Statement;
  reinstateListed: Statement;
  setValidators: Statement;
  previousIdentifier: Statement;
  upsertSourceRecord: Statement;
  upsertPayload: Statement;
  dropOwnedDataset: Statement;
  datasetExists: Statement;
  upsertDataset: Statement;
}

const cache = new WeakMap<Db, Statements>();

function prepared(db: Db): Statements {
  let statements = cache.get(db);
  if (statements) return statements;
  statements = {
    touchListed: db.prepare(
      `UPDATE source_records SET last_seen_at = ?, last_run_id = ?, missing_since = NULL
       WHERE source_id = ? AND native_id IN (SELECT value FROM json_each(?))`,
    ),
    reinstateListed: db.prepare(
      `UPDATE datasets SET withdrawn_at = NULL, updated_at = ?
       WHERE source_id = ? AND withdrawn_at IS NOT NULL AND native_id IN (SELECT value FROM json_each(?))
       RETURNING identifier`,
    ),
    setValidators: db.prepare('UPDATE source_records SET etag = ?, last_modified = ? WHERE source_id = ? AND native_id = ?'),
    previousIdentifier: db.prepare('SELECT identifier FROM source_records WHERE source_id = ? AND native_id = ?'),
    upsertSourceRecord: db.prepare(
      `INSERT INTO source_records (source_id, native_id, identifier, content_hash,
         first_seen_at, last_seen_at, changed_at, last_run_id, etag, last_modified)
       VALUES (@source_id, @native_id, @identifier, @content_hash, @now, @now, @now, @run_id, @etag, @last_modified)
       ON CONFLICT(source_id, native_id) DO UPDATE SET identifier = excluded.identifier, content_hash = excluded.content_hash,
         last_seen_at = excluded.last_seen_at, changed_at = excluded.changed_at, last_run_id = excluded.last_run_id,
         missing_since = NULL, etag = excluded.etag, last_modified = excluded.last_modified`,
    ),
    upsertPayload: db.prepare(
      `INSERT INTO source_payloads (source_id, native_id, payload, record, issues) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(source_id, native_id) DO UPDATE SET payload = excluded.payload, record = excluded.record, issues = excluded.issues`,
    ),
    dropOwnedDataset: db.prepare('DELETE FROM datasets WHERE identifier = ? AND source_id = ? AND native_id = ?'),
    datasetExists: db.prepare('SELECT 1 FROM datasets WHERE identifier = ?'),
    // Until cross-source identity exists (issue 5), one identifier is one dataset: the record of
    // the highest-priority source wins; on a tie the source that has it keeps it.
    upsertDataset: db.prepare(
      `INSERT INTO datasets (identifier, source_id, native_id, priority, title, modified_at, record, issues, created_at, updated_at)
       VALUES (@identifier, @source_id, @native_id, @priority, @title, @modified_at, @record, @issues, @now, @now)
       ON CONFLICT(identifier) DO UPDATE SET source_id = excluded.source_id, native_id = excluded.native_id,
         priority = excluded.priority, title = excluded.title, modified_at = excluded.modified_at,
         record = excluded.record, issues = excluded.issues, updated_at = excluded.updated_at, withdrawn_at = NULL
       WHERE (datasets.source_id = excluded.source_id AND datasets.native_id = excluded.native_id)
          OR excluded.priority > datasets.priority`,
    ),
  };
  cache.set(db, statements);
  return statements;
}

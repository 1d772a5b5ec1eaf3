/**
 * The store side of pushed records. A pushed record is a source record of its publisher's push
 * source (push-sources.ts) whose native id is its identifier in canonical form (see
 * pushedNativeIdOf), written the way a harvest page writes a changed record (records.ts
 * writeRecordPage): narrow row with hash, title and modified;
 * payload with the mapped record and its issues; identity keys; identity marked dirty. It has no
 * run (last_run_id NULL): pushes are not runs, and push sources are never withdrawn for absence,
 * since withdrawMissing only runs after a harvest run of the source.
 *
 * Every function here runs inside the caller's transaction (src/push/push-service.ts opens one
 * IMMEDIATE transaction per call, so its checks and its writes see the same store).
 */
import type { Db } from './database.js';
import type { NationalRecord, ValidationIssue } from '../model/record.js';
import { identityKeys } from '../model/identity-keys.js';
import { markIdentityDirty, recordModifiedAt, replaceRecordKeys } from './identity.js';
import { withdrawDeleted } from './withdrawals.js';

/**
 * Gateway-assigned datasetIds (gen-2's platform id, which the v2 write API answers a POST with)
 * start above this. They are written into the record as data.gov.tw's datasetId is, so that
 * GET /api/v2/rest/dataset/{datasetId} finds the dataset the way it finds harvested ones
 * (src/store/datagovtw-ids.ts). data.gov.tw's own ids are six digits (about 180,000 datasets
 * after ten years): ten-digit ids from 9,000,000,001 cannot meet one for many lifetimes, and an id
 * some stored record already claims is skipped when assigning, so two datasets are never joined
 * by an id the gateway made up.
 */
export const PUSH_DATASET_ID_BASE = 9_000_000_000;

export interface PushedRecordState {
  contentHash: string;
  /** DELETE took it down; a POST may create it again. */
  withdrawn: boolean;
  /** The stored record's own `modified` as a UTC instant, when it has one. */
  modifiedAt: string | null;
  record: NationalRecord;
}

/**
 * The native id of the source's pushed record for this identifier (canonical form,
 * src/model/identifier.ts), if it has one. Pushes store the canonical form, which is found
 * exactly; a record an earlier version stored as the client wrote it (`a41000000g-000903`) is
 * found ignoring ASCII case, a live one first. That second look scans only this publisher's
 * records (the key is source_id, native_id) and only when the first finds none.
 */
export function pushedNativeIdOf(db: Db, sourceId: string, identifier: string): string | undefined {
  const exact = db.prepare('SELECT native_id FROM source_records WHERE source_id = ? AND native_id = ?').pluck().get(sourceId, identifier) as
    string | undefined;
  if (exact !== undefined) return exact;
  return db
    .prepare('SELECT native_id FROM source_records WHERE source_id = ? AND native_id = ? COLLATE NOCASE ORDER BY withdrawn_at IS NOT NULL, native_id LIMIT 1')
    .pluck()
    .get(sourceId, identifier) as string | undefined;
}

export function pushedRecordState(db: Db, sourceId: string, identifier: string): PushedRecordState | undefined {
  const row = db
    .prepare(
      `SELECT r.content_hash, r.withdrawn_at, r.modified_at, p.record FROM source_records r
       JOIN source_payloads p ON p.source_id = r.source_id AND p.native_id = r.native_id
       WHERE r.source_id = ? AND r.native_id = ?`,
    )
    .get(sourceId, identifier) as { content_hash: string; withdrawn_at: string | null; modified_at: string | null; record: string } | undefined;
  if (row === undefined) return undefined;
  return { contentHash: row.content_hash, withdrawn: row.withdrawn_at !== null, modifiedAt: row.modified_at, record: JSON.parse(row.record) as NationalRecord };
}

/** The datasetId the gateway gave this pushed identifier, if it gave one. */
export function pushDatasetIdOf(db: Db, sourceId: string, identifier: string): number | undefined {
  return db.prepare('SELECT dataset_id FROM push_dataset_ids WHERE source_id = ? AND identifier = ?').pluck().get(sourceId, identifier) as number | undefined;
}

/** Which pushed record a gateway datasetId names. */
export function pushedRecordOfDatasetId(db: Db, datasetId: number): { sourceId: string; identifier: string } | undefined {
  const row = db.prepare('SELECT source_id, identifier FROM push_dataset_ids WHERE dataset_id = ?').get(datasetId) as
    { source_id: string; identifier: string } | undefined;
  return row === undefined ? undefined : { sourceId: row.source_id, identifier: row.identifier };
}

/**
 * The identifier's datasetId, assigned now if it has none. It stays bound to the identifier for
 * good: a dataset deleted and created again keeps it.
 */
export function assignPushDatasetId(db: Db, sourceId: string, identifier: string, at: string): number {
  const existing = pushDatasetIdOf(db, sourceId, identifier);
  if (existing !== undefined) return existing;
  const highest = db.prepare('SELECT MAX(dataset_id) FROM push_dataset_ids').pluck().get() as number | null;
  let candidate = Math.max(highest ?? 0, PUSH_DATASET_ID_BASE) + 1;
  const claimed = db.prepare("SELECT 1 FROM record_keys WHERE kind = 'datasetId' AND value = ? LIMIT 1").pluck();
  while (claimed.get(dataGovTwIdKey(candidate)) !== undefined) candidate += 1;
  db.prepare('INSERT INTO push_dataset_ids (dataset_id, source_id, identifier, assigned_at) VALUES (?, ?, ?, ?)').run(candidate, sourceId, identifier, at);
  return candidate;
}

export interface PushedRecordWrite {
  sourceId: string;
  /** The record's key in its push source: its canonical identifier, or the form an earlier version stored it under (pushedNativeIdOf). */
  nativeId: string;
  payloadJson: string;
  contentHash: string;
  record: NationalRecord;
  issues: readonly ValidationIssue[];
}

/** Store a pushed record (new, changed, or brought back after a DELETE); identity is resolved later. */
export function writePushedRecord(db: Db, write: PushedRecordWrite, previous: NationalRecord | undefined, at: string): void {
  db.prepare(
    `INSERT INTO source_records (source_id, native_id, identifier, content_hash, title, modified_at, first_seen_at, last_seen_at, changed_at)
     VALUES (@source_id, @native_id, @identifier, @content_hash, @title, @modified_at, @at, @at, @at)
     ON CONFLICT(source_id, native_id) DO UPDATE SET identifier = excluded.identifier, content_hash = excluded.content_hash,
       title = excluded.title, modified_at = excluded.modified_at, last_seen_at = excluded.last_seen_at,
       changed_at = excluded.changed_at, missing_since = NULL, withdrawn_at = NULL`,
  ).run({
    source_id: write.sourceId,
    native_id: write.nativeId,
    identifier: write.record.identifier,
    content_hash: write.contentHash,
    title: write.record.title,
    modified_at: recordModifiedAt(write.record),
    at,
  });
  db.prepare(
    `INSERT INTO source_payloads (source_id, native_id, payload, record, issues) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(source_id, native_id) DO UPDATE SET payload = excluded.payload, record = excluded.record, issues = excluded.issues`,
  ).run(write.sourceId, write.nativeId, write.payloadJson, JSON.stringify(write.record), JSON.stringify(write.issues));
  replaceRecordKeys(db, write.sourceId, write.nativeId, write.record, previous);
  markIdentityDirty(db);
}

/** DELETE: withdrawn at once, no grace period (the publisher said so itself). */
export function withdrawPushedRecord(db: Db, sourceId: string, identifier: string): boolean {
  return withdrawDeleted(db, sourceId, [identifier]).length > 0;
}

/** The identity key a datasetId is stored under, asked of the identity module so the two agree. */
function dataGovTwIdKey(datasetId: number): string {
  const key = identityKeys({ identifier: '', title: '', extensions: { datasetId: String(datasetId) } }).find((k) => k.kind === 'datasetId');
  if (key === undefined) throw new Error(`no identity key for datasetId ${datasetId}`);
  return key.value;
}

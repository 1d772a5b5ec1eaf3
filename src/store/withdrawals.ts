import type { Db } from './database.js';
import { markIdentityDirty } from './identity.js';
import { nowUtc } from './time.js';

export interface WithdrawalOutcome {
  /** Records of the source this run did not list, newly or still missing. */
  missing: number;
  /** Native ids of the records withdrawn now: missing for longer than the grace period. */
  withdrawn: string[];
  /**
   * Set when the run listed so few of the source's records that marking the rest missing would
   * look like a platform glitch (an empty or truncated list served as success): nothing was marked.
   */
  refusedShare?: number;
}

/**
 * After a run that listed the whole source (status succeeded, and only then): mark what it did
 * not list as missing, and withdraw the records missing for longer than `graceMs`. Nothing is
 * deleted. Identity resolution then takes a withdrawn record out of its dataset; a dataset all
 * of whose records are withdrawn leaves the lists, its identifier answers 410, and the
 * withdrawal is recorded as a change. Listing a record again reinstates it (writeRecordPage).
 */
export function withdrawMissing(db: Db, sourceId: string, runId: number, graceMs: number, maxMissingShare = 1): WithdrawalOutcome {
  const now = nowUtc();
  const cutoff = new Date(Date.parse(now) - graceMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return db.transaction((): WithdrawalOutcome => {
    const { present, absent } = db
      .prepare(
        `SELECT SUM(last_run_id IS ?) AS present, SUM(last_run_id IS NOT ? AND missing_since IS NULL) AS absent
         FROM source_records WHERE source_id = ?`,
      )
      .get(runId, runId, sourceId) as { present: number | null; absent: number | null };
    const newlyMissing = absent ?? 0;
    const share = newlyMissing / Math.max(1, newlyMissing + (present ?? 0));
    if (newlyMissing > 0 && share > maxMissingShare) return { missing: newlyMissing, withdrawn: [], refusedShare: share };
    const marked = db
      .prepare(
        `UPDATE source_records SET missing_since = ?
         WHERE source_id = ? AND last_run_id IS NOT ? AND missing_since IS NULL`,
      )
      .run(now, sourceId, runId).changes;
    const missing = db.prepare('SELECT COUNT(*) FROM source_records WHERE source_id = ? AND missing_since IS NOT NULL').pluck().get(sourceId) as number;
    const withdrawn = db
      .prepare(
        `UPDATE source_records SET withdrawn_at = ?
         WHERE source_id = ? AND withdrawn_at IS NULL AND missing_since IS NOT NULL AND missing_since <= ?
         RETURNING native_id`,
      )
      .pluck()
      .all(now, sourceId, cutoff) as string[];
    if (marked > 0 || withdrawn.length > 0) markIdentityDirty(db);
    return { missing, withdrawn };
  })();
}

/**
 * Withdraw at once the records a source announced as deleted (OAI-PMH deleted headers, change
 * lists): no grace period, since the source said so itself. They are also marked missing, so
 * that listing them again later reinstates them like any other withdrawal. Returns their native ids.
 */
export function withdrawDeleted(db: Db, sourceId: string, nativeIds: readonly string[]): string[] {
  if (nativeIds.length === 0) return [];
  const now = nowUtc();
  return db.transaction((): string[] => {
    const withdrawn = db
      .prepare(
        `UPDATE source_records SET missing_since = COALESCE(missing_since, ?), withdrawn_at = ?
         WHERE source_id = ? AND withdrawn_at IS NULL AND native_id IN (SELECT value FROM json_each(?))
         RETURNING native_id`,
      )
      .pluck()
      .all(now, now, sourceId, JSON.stringify(nativeIds)) as string[];
    if (withdrawn.length > 0) markIdentityDirty(db);
    return withdrawn;
  })();
}

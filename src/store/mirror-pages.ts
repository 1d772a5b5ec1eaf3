/**
 * Applying one page of another gateway's change feed (src/mirror/sync.ts): the page's records
 * and the mirror's cursor in ONE transaction, so that a mirror killed at any point resumes
 * exactly after the last page it applied (never skipping a page, never applying one twice).
 *
 * Withdrawals are explicit (the feed says so), applied at once, and the withdrawn record loses
 * its identity keys: upstream it is gone (or merged into another dataset, which arrives as that
 * dataset's new record), and it must not be joined by a shared URL to a live mirrored record
 * here, where resolution could then name the live one after it.
 */
import type { Db } from './database.js';
import type { NationalRecord } from '../model/record.js';
import { identityKeys } from '../model/identity-keys.js';
import { writeRecordPage, type MappedRecord, type PageWriteResult } from './records.js';
import type { RunErrorRecord } from './runs.js';
import { withdrawDeleted } from './withdrawals.js';
import { CursorMovedError, cursorKey, fullWalkKey, setState, stateValue } from './mirror-sources.js';

export interface MirrorPageWrite {
  sourceId: string;
  priority: number;
  runId: number;
  /** The cursor the page was asked with: it must still be the stored one. */
  since: string | undefined;
  nextCursor: string;
  /** The page was the last of the walk (`more` false). */
  last: boolean;
  /** Records new or changed, mapped. */
  changed: readonly MappedRecord[];
  /** Mentioned, stored copy stands (same content, or rejected this time). */
  present: readonly string[];
  /** Withdrawn upstream. */
  withdrawn: readonly string[];
  errors: readonly RunErrorRecord[];
}

export interface MirrorPageResult extends PageWriteResult {
  /** Records withdrawn now: by the page, and at the end of a walk from the beginning, those it did not mention. */
  withdrawn: number;
}

/**
 * Apply one page and move the cursor, in one IMMEDIATE transaction (the inner writes are
 * savepoints of it). Throws CursorMovedError, writing nothing, when the stored cursor is not the
 * one the page was asked with.
 */
export function writeMirrorPage(db: Db, page: MirrorPageWrite): MirrorPageResult {
  return db
    .transaction((): MirrorPageResult => {
      const stored = stateValue(db, cursorKey(page.sourceId));
      if (stored !== page.since) throw new CursorMovedError(page.sourceId, page.since, stored);
      const written = writeRecordPage(db, {
        sourceId: page.sourceId,
        priority: page.priority,
        runId: page.runId,
        changed: page.changed,
        presentNativeIds: page.present,
        refreshedValidators: [],
        errors: page.errors,
      });
      let withdrawn = withdrawRecords(db, page.sourceId, page.withdrawn);
      if (page.last) {
        const fullWalk = stateValue(db, fullWalkKey(page.sourceId));
        if (fullWalk !== undefined) {
          withdrawn += withdrawUnmentioned(db, page.sourceId, Number(fullWalk));
          db.prepare('DELETE FROM store_state WHERE key = ?').run(fullWalkKey(page.sourceId));
        }
      }
      setState(db, cursorKey(page.sourceId), page.nextCursor);
      return { ...written, withdrawn };
    })
    .immediate();
}

/** What the store holds of these mirrored records: content hash, and whether it is withdrawn. */
export function mirroredStates(db: Db, sourceId: string, nativeIds: readonly string[]): Map<string, { contentHash: string; withdrawn: boolean }> {
  const states = new Map<string, { contentHash: string; withdrawn: boolean }>();
  if (nativeIds.length === 0) return states;
  const rows = db
    .prepare(
      `SELECT native_id, content_hash, withdrawn_at IS NOT NULL FROM source_records
       WHERE source_id = ? AND native_id IN (SELECT value FROM json_each(?))`,
    )
    .raw()
    .all(sourceId, JSON.stringify(nativeIds)) as Array<[string, string, number]>;
  for (const [nativeId, contentHash, withdrawn] of rows) states.set(nativeId, { contentHash, withdrawn: withdrawn === 1 });
  return states;
}

/**
 * Withdraw these records at once (missing and withdrawn: the upstream said so) and drop their
 * identity keys. Records not stored (a dataset created and withdrawn upstream before this mirror
 * ever saw it) are nothing to withdraw. Returns how many were withdrawn now.
 */
function withdrawRecords(db: Db, sourceId: string, nativeIds: readonly string[]): number {
  if (nativeIds.length === 0) return 0;
  // As a harvest withdraws what its source announced deleted; the identity keys go too.
  const withdrawn = withdrawDeleted(db, sourceId, nativeIds);
  dropIdentityKeys(db, sourceId, withdrawn);
  return withdrawn.length;
}

/**
 * At the end of a walk from the beginning: the mirrored records it did not mention are gone
 * upstream. Every record a page mentions gets the page's run as its last run (writeRecordPage),
 * and run ids only grow, so those of runs up to `afterRun` were not mentioned.
 */
function withdrawUnmentioned(db: Db, sourceId: string, afterRun: number): number {
  const unmentioned = db
    .prepare('SELECT native_id FROM source_records WHERE source_id = ? AND withdrawn_at IS NULL AND (last_run_id IS NULL OR last_run_id <= ?)')
    .pluck()
    .all(sourceId, afterRun) as string[];
  return withdrawRecords(db, sourceId, unmentioned);
}

/**
 * The key table has no index by record (migration 3): a record's keys are found by computing
 * them again from its stored record. A record that comes back is written as changed, which
 * writes its keys again (see sync.ts).
 */
function dropIdentityKeys(db: Db, sourceId: string, nativeIds: readonly string[]): void {
  if (nativeIds.length === 0) return;
  const recordOf = db.prepare('SELECT record FROM source_payloads WHERE source_id = ? AND native_id = ?').pluck();
  const deleteKey = db.prepare('DELETE FROM record_keys WHERE kind = ? AND value = ? AND source_id = ? AND native_id = ?');
  for (const nativeId of nativeIds) {
    const json = recordOf.get(sourceId, nativeId) as string | undefined;
    if (json === undefined) continue;
    for (const key of identityKeys(JSON.parse(json) as NationalRecord)) deleteKey.run(key.kind, key.value, sourceId, nativeId);
  }
}

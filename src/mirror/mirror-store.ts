/**
 * The store side of a mirror: its source row, its cursor in the upstream change feed, and the
 * page write that applies a page of changes and moves the cursor in ONE transaction, so that a
 * mirror killed at any point resumes exactly after the last page it applied (never skipping a
 * page, never applying one twice).
 *
 * The mirrored datasets are records of one source, `mirror-<host>`, native id = the upstream
 * dataset identifier. Withdrawals are explicit (the feed says so), applied at once, and the
 * withdrawn record loses its identity keys: upstream it is gone (or merged into another dataset,
 * which arrives as that dataset's new record), and it must not be joined by a shared URL to a
 * live mirrored record here, where resolution could then name the live one after it.
 */
import type { Db } from '../store/database.js';
import { StoreError } from '../store/database.js';
import type { NationalRecord } from '../model/record.js';
import { identityKeys } from '../model/identity-keys.js';
import { markIdentityDirty } from '../store/identity.js';
import { writeRecordPage, type MappedRecord, type PageWriteResult } from '../store/records.js';
import type { RunErrorRecord } from '../store/runs.js';
import { nowUtc } from '../store/time.js';
import { withdrawDeleted } from '../store/withdrawals.js';

/** The `sources.type` of a mirror: not a connector, so never scheduled by `serve` or run by `harvest`. */
export const MIRROR_SOURCE_TYPE = 'mirror';

export interface MirrorSource {
  id: string;
  url: string;
  priority: number;
  /** Where the next sync starts; undefined: from the beginning of the feed. */
  cursor: string | undefined;
  /**
   * Set while a walk from the beginning (first sync, --reset) has not reached the end: the
   * newest run id when it began, so the records that walk mentioned are those of later runs.
   */
  fullWalkAfterRun: number | undefined;
}

/** Another process applied a page since this one read the cursor: this page was not applied. */
export class CursorMovedError extends StoreError {
  constructor(
    readonly sourceId: string,
    readonly expected: string | undefined,
    readonly found: string | undefined,
  ) {
    super(`the cursor of ${sourceId} moved while this page was fetched (another mirror process of it?): expected ${expected ?? 'the beginning'}, found ${found ?? 'the beginning'}`);
    this.name = 'CursorMovedError';
  }
}

/** The id is a configured source's, not a mirror's. */
export class NotAMirrorError extends StoreError {
  constructor(
    readonly sourceId: string,
    readonly type: string,
  ) {
    super(`source ${sourceId} exists and is a ${type} source, not a mirror`);
    this.name = 'NotAMirrorError';
  }
}

const cursorKey = (sourceId: string): string => `mirror_cursor:${sourceId}`;
const fullWalkKey = (sourceId: string): string => `mirror_full_walk:${sourceId}`;

/**
 * The mirror's source row, created when absent (a first sync is a walk from the beginning).
 * `priority`, when given, replaces the stored one; a change re-merges at the next resolution,
 * as it does for configured sources.
 */
export function ensureMirrorSource(db: Db, options: { sourceId: string; url: string; priority?: number | undefined }): MirrorSource {
  return db
    .transaction((): MirrorSource => {
      const row = db.prepare('SELECT type, url, priority FROM sources WHERE id = ?').get(options.sourceId) as { type: string; url: string; priority: number } | undefined;
      const now = nowUtc();
      if (!row) {
        db.prepare('INSERT INTO sources (id, name, type, url, priority, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(
          options.sourceId,
          `Mirror of ${options.url}`,
          MIRROR_SOURCE_TYPE,
          options.url,
          options.priority ?? 0,
          now,
        );
        beginFullWalk(db, options.sourceId);
      } else {
        if (row.type !== MIRROR_SOURCE_TYPE) throw new NotAMirrorError(options.sourceId, row.type);
        const priority = options.priority ?? row.priority;
        if (row.url !== options.url || row.priority !== priority) {
          db.prepare('UPDATE sources SET name = ?, url = ?, priority = ?, updated_at = ? WHERE id = ?').run(`Mirror of ${options.url}`, options.url, priority, now, options.sourceId);
          // Priority decides which record's values a merged dataset serves: merge again.
          if (row.priority !== priority) markIdentityDirty(db);
        }
      }
      return readMirror(db, options.sourceId)!;
    })
    .immediate();
}

export function readMirror(db: Db, sourceId: string): MirrorSource | undefined {
  const row = db.prepare('SELECT id, url, priority FROM sources WHERE id = ? AND type = ?').get(sourceId, MIRROR_SOURCE_TYPE) as { id: string; url: string; priority: number } | undefined;
  if (!row) return undefined;
  const fullWalk = stateValue(db, fullWalkKey(sourceId));
  return { ...row, cursor: stateValue(db, cursorKey(sourceId)), fullWalkAfterRun: fullWalk === undefined ? undefined : Number(fullWalk) };
}

export function listMirrors(db: Db): MirrorSource[] {
  const ids = db.prepare('SELECT id FROM sources WHERE type = ? ORDER BY id').pluck().all(MIRROR_SOURCE_TYPE) as string[];
  return ids.map((id) => readMirror(db, id)!);
}

/**
 * Forget the cursor: the next sync walks the feed from the beginning, and once it reaches the end,
 * withdraws the mirrored records that walk did not mention (the upstream no longer has them: a
 * walk from the beginning names every live dataset). For an upstream whose database was replaced,
 * which then refuses the old cursor.
 */
export function resetMirror(db: Db, sourceId: string): void {
  db.transaction(() => {
    db.prepare('DELETE FROM store_state WHERE key = ?').run(cursorKey(sourceId));
    beginFullWalk(db, sourceId);
  }).immediate();
}

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

function beginFullWalk(db: Db, sourceId: string): void {
  const newestRun = db.prepare('SELECT COALESCE(MAX(id), 0) FROM runs').pluck().get() as number;
  setState(db, fullWalkKey(sourceId), String(newestRun));
}

function stateValue(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM store_state WHERE key = ?').pluck().get(key) as string | undefined) ?? undefined;
}

function setState(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO store_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

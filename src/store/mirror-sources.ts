/**
 * The store side of a mirror (src/mirror/sync.ts): its source row and its cursor in the upstream
 * change feed. The page write that applies a page of changes and moves the cursor in ONE
 * transaction is mirror-pages.ts.
 *
 * The mirrored datasets are records of one source, `mirror-<host>`, native id = the upstream
 * dataset identifier. Withdrawals are explicit (the feed says so), applied at once, and the
 * withdrawn record loses its identity keys: upstream it is gone (or merged into another dataset,
 * which arrives as that dataset's new record), and it must not be joined by a shared URL to a
 * live mirrored record here, where resolution could then name the live one after it.
 */
import type { Db } from './database.js';
import { StoreError } from './database.js';
import { markIdentityDirty } from './identity.js';
import { nowUtc } from './time.js';

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
    super(
      `the cursor of ${sourceId} moved while this page was fetched (another mirror process of it?): expected ${expected ?? 'the beginning'}, found ${found ?? 'the beginning'}`,
    );
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

export const cursorKey = (sourceId: string): string => `mirror_cursor:${sourceId}`;
export const fullWalkKey = (sourceId: string): string => `mirror_full_walk:${sourceId}`;

/**
 * The mirror's source row, created when absent (a first sync is a walk from the beginning).
 * `priority`, when given, replaces the stored one; a change re-merges at the next resolution,
 * as it does for configured sources.
 */
export function ensureMirrorSource(db: Db, options: { sourceId: string; url: string; priority?: number | undefined }): MirrorSource {
  return db
    .transaction((): MirrorSource => {
      const row = db.prepare('SELECT type, url, priority FROM sources WHERE id = ?').get(options.sourceId) as
        { type: string; url: string; priority: number } | undefined;
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
          db.prepare('UPDATE sources SET name = ?, url = ?, priority = ?, updated_at = ? WHERE id = ?').run(
            `Mirror of ${options.url}`,
            options.url,
            priority,
            now,
            options.sourceId,
          );
          // Priority decides which record's values a merged dataset serves: merge again.
          if (row.priority !== priority) markIdentityDirty(db);
        }
      }
      return readMirror(db, options.sourceId)!;
    })
    .immediate();
}

export function readMirror(db: Db, sourceId: string): MirrorSource | undefined {
  const row = db.prepare('SELECT id, url, priority FROM sources WHERE id = ? AND type = ?').get(sourceId, MIRROR_SOURCE_TYPE) as
    { id: string; url: string; priority: number } | undefined;
  if (!row) return undefined;
  const fullWalk = stateValue(db, fullWalkKey(sourceId));
  return { ...row, cursor: stateValue(db, cursorKey(sourceId)), fullWalkAfterRun: fullWalk === undefined ? undefined : Number(fullWalk) };
}

/** The mirror sources' ids, in order. */
export function listMirrorSourceIds(db: Db): string[] {
  return db.prepare('SELECT id FROM sources WHERE type = ? ORDER BY id').pluck().all(MIRROR_SOURCE_TYPE) as string[];
}

export function listMirrors(db: Db): MirrorSource[] {
  return listMirrorSourceIds(db).map((id) => readMirror(db, id)!);
}

/** How many of the mirror's records are live (not withdrawn): the datasets it holds. */
export function countLiveMirroredRecords(db: Db, sourceId: string): number {
  return db.prepare('SELECT COUNT(*) FROM source_records WHERE source_id = ? AND withdrawn_at IS NULL').pluck().get(sourceId) as number;
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

function beginFullWalk(db: Db, sourceId: string): void {
  const newestRun = db.prepare('SELECT COALESCE(MAX(id), 0) FROM runs').pluck().get() as number;
  setState(db, fullWalkKey(sourceId), String(newestRun));
}

export function stateValue(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM store_state WHERE key = ?').pluck().get(key) as string | undefined) ?? undefined;
}

export function setState(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO store_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

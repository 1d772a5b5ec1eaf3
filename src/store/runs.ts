import { randomUUID } from 'node:crypto';
import { redactCredentials, redactOptional } from '../model/redact-credentials.js';
import type { Db } from './database.js';
import { StoreError, type StoreUnavailableError } from './store-errors.js';
import { nowUtc } from './time.js';
import { toWellFormedString } from '../model/well-formed-string.js';

/**
 * Identifies this process among all that ever had its pid. Threads of one process share it
 * (adoptProcessToken): a run the harvest thread opened is this process's run for the API's thread too.
 */
let PROCESS_TOKEN: string = randomUUID();

/** This process's token, to hand to a worker thread that opens runs. */
export function processToken(): string {
  return PROCESS_TOKEN;
}

/** In a worker thread: take the token of the process that started it (before opening any run). */
export function adoptProcessToken(token: string): void {
  PROCESS_TOKEN = token;
}

/**
 * Runs of this process the store would not let it close (a full disk refused even that write),
 * with the reason: no longer live, so the next run of the source, or closeCrashedRuns, closes
 * them as failed with it. Another process closes them as crashed once this one has ended.
 */
const abandonedRuns = new Map<number, string>();

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';
export type FinalRunStatus = Exclude<RunStatus, 'queued' | 'running'>;

export interface RunCounts {
  pages: number;
  seen: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  flagged: number;
  withdrawn: number;
  errors: number;
}

export interface RunRow {
  id: number;
  source_id: string;
  status: RunStatus;
  incremental_since: string | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  pid: number | null;
  process_token: string | null;
  pages: number;
  records_seen: number;
  records_created: number;
  records_updated: number;
  records_unchanged: number;
  records_rejected: number;
  records_flagged: number;
  records_withdrawn: number;
  error_count: number;
  cancel_requested: number;
  message: string | null;
}

/** One typed, per-record (or per-run) failure, as stored and reported. */
export interface RunErrorRecord {
  sourceId: string;
  nativeId?: string | undefined;
  stage: string;
  field?: string | undefined;
  rule?: string | undefined;
  message: string;
}

export class SourceBusyError extends StoreError {
  constructor(
    readonly sourceId: string,
    readonly runId: number,
  ) {
    super(`source ${sourceId} is already being harvested (run ${runId})`);
    this.name = 'SourceBusyError';
  }
}

/**
 * Queue a run, refusing when the source already has a live queued or running one. The check and
 * the insert share one IMMEDIATE transaction, so two processes cannot both open a run of one
 * source; an open run of a process that has died is closed as failed on the way.
 */
export function queueRun(db: Db, sourceId: string): number {
  return db
    .transaction(() => {
      const open = db
        .prepare(`SELECT id, pid, process_token FROM runs WHERE source_id = ? AND status IN ('queued', 'running') ORDER BY id DESC LIMIT 1`)
        .get(sourceId) as RunOwner | undefined;
      if (open) {
        if (isRunLive(open)) throw new SourceBusyError(sourceId, open.id);
        closeRunAsCrashed(db, open.id);
      }
      const result = db
        .prepare(`INSERT INTO runs (source_id, status, queued_at, pid, process_token) VALUES (?, 'queued', ?, ?, ?)`)
        .run(sourceId, nowUtc(), process.pid, PROCESS_TOKEN);
      return Number(result.lastInsertRowid);
    })
    .immediate();
}

/** Move a queued run to running. False when it is no longer queued (it was cancelled meanwhile). */
export function markRunStarted(db: Db, runId: number, incrementalSince: string | null): boolean {
  const result = db
    .prepare(`UPDATE runs SET status = 'running', started_at = ?, incremental_since = ? WHERE id = ? AND status = 'queued'`)
    .run(nowUtc(), incrementalSince, runId);
  return result.changes === 1;
}

export interface RunOutcome {
  status: FinalRunStatus;
  counts: RunCounts;
  message: string | null;
}

/** The message is stored redacted (credentials in URLs become ***): the runs table is shown to anyone who runs `runs`. */
export function finishRun(db: Db, runId: number, outcome: RunOutcome): void {
  const { status, counts } = outcome;
  const message = redactOptional(outcome.message);
  db.prepare(
    `UPDATE runs SET status = ?, finished_at = ?, pages = ?, records_seen = ?, records_created = ?, records_updated = ?,
       records_unchanged = ?, records_rejected = ?, records_flagged = ?, records_withdrawn = ?, error_count = ?, message = ?
     WHERE id = ?`,
  ).run(
    status,
    nowUtc(),
    counts.pages,
    counts.seen,
    counts.created,
    counts.updated,
    counts.unchanged,
    counts.rejected,
    counts.flagged,
    counts.withdrawn,
    counts.errors,
    message,
    runId,
  );
}

/**
 * End a run the store failed under (full, read-only ...) as failed, with the store's message as
 * its reason and a run error (stage `store`, rule the SQLite code), when it is still open. When
 * the store refuses these writes too, the run is left open but no longer live: the next run of
 * its source or the next start closes it with the same reason (in this process; another one
 * closes it as crashed once this one has ended). False then.
 */
export function failRunOnStoreError(db: Db, run: { id: number; sourceId: string; counts?: RunCounts }, error: StoreUnavailableError): boolean {
  try {
    const status = db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(run.id) as RunStatus | undefined;
    if (status !== 'queued' && status !== 'running') return true;
    try {
      recordRunErrors(db, run.id, [{ sourceId: run.sourceId, stage: 'store', rule: error.code, message: error.message }]);
      if (run.counts) run.counts.errors += 1;
    } catch {
      // Refused as well: the run's reason says the same.
    }
    if (run.counts) finishRun(db, run.id, { status: 'failed', counts: run.counts, message: error.message });
    else closeOpenRun(db, run.id, error.message);
    return true;
  } catch {
    abandonedRuns.set(run.id, error.message);
    return false;
  }
}

export type CancelOutcome = 'cancelled' | 'requested' | 'not-open';

/**
 * Cancel a run from any process: a queued run is cancelled at once; a running one is flagged and
 * stops at its next page (the process running it polls the flag), keeping what it committed.
 */
export function requestCancel(db: Db, runId: number): CancelOutcome {
  return db
    .transaction((): CancelOutcome => {
      const run = db.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: RunStatus } | undefined;
      if (run?.status === 'queued') {
        db.prepare(`UPDATE runs SET status = 'cancelled', finished_at = ?, message = ? WHERE id = ?`).run(nowUtc(), 'cancelled before it started', runId);
        return 'cancelled';
      }
      if (run?.status === 'running') {
        db.prepare('UPDATE runs SET cancel_requested = 1 WHERE id = ?').run(runId);
        return 'requested';
      }
      return 'not-open';
    })
    .immediate();
}

export function isCancelRequested(db: Db, runId: number): boolean {
  return (db.prepare('SELECT cancel_requested FROM runs WHERE id = ?').pluck().get(runId) as number | undefined) === 1;
}

/** Messages are stored redacted, like a run's: an error quoting a source's URL must not keep its key. */
export function recordRunErrors(db: Db, runId: number, errors: readonly RunErrorRecord[]): void {
  if (errors.length === 0) return;
  const insert = db.prepare('INSERT INTO run_errors (run_id, source_id, native_id, stage, field, rule, message) VALUES (?, ?, ?, ?, ?, ?, ?)');
  // Errors quote what sources sent: a lone surrogate in an id or a message is written as U+FFFD
  // here, once (SQLite would write each as three), so the report names the record as the door did.
  const text = (value: string | null | undefined): string | null => (value === undefined || value === null ? null : toWellFormedString(value));
  db.transaction(() => {
    for (const e of errors)
      insert.run(runId, e.sourceId, text(e.nativeId), e.stage, text(e.field), e.rule ?? null, toWellFormedString(redactCredentials(e.message)));
  })();
}

/**
 * Close runs left queued or running by a process that no longer exists (a crash, kill -9): they
 * are failed runs. A run whose process is alive (a server beside this CLI) is left alone.
 */
export function closeCrashedRuns(db: Db): number {
  const open = db.prepare(`SELECT id, pid, process_token FROM runs WHERE status IN ('queued', 'running')`).all() as RunOwner[];
  let closed = 0;
  for (const run of open) {
    if (isRunLive(run)) continue;
    closeRunAsCrashed(db, run.id);
    closed += 1;
  }
  return closed;
}

/** Close these runs as failed if they are still open: their harvest thread ended (a crash) while the process goes on. */
export function closeAbandonedRuns(db: Db, runIds: readonly number[], message: string): number {
  const close = db.prepare(`UPDATE runs SET status = 'failed', finished_at = ?, message = ? WHERE id = ? AND status IN ('queued', 'running')`);
  let closed = 0;
  db.transaction(() => {
    for (const runId of runIds) closed += close.run(nowUtc(), message, runId).changes;
  })();
  return closed;
}

/**
 * Whether any source has a run open in a live process (this one or another): that run resolves
 * identity when it ends, so a store marked for resolution is its business, not a poll's.
 */
export function anyLiveRun(db: Db): boolean {
  const open = db.prepare(`SELECT id, pid, process_token FROM runs WHERE status IN ('queued', 'running')`).all() as RunOwner[];
  return open.some(isRunLive);
}

interface RunOwner {
  id: number;
  pid: number | null;
  process_token: string | null;
}

/** A run is live while the process that opened it runs: this one, or another that is still alive. */
function isRunLive(run: RunOwner): boolean {
  if (abandonedRuns.has(run.id)) return false;
  if (run.process_token === PROCESS_TOKEN) return true;
  if (run.pid === null || run.pid === process.pid) return false;
  return isProcessAlive(run.pid);
}

function closeRunAsCrashed(db: Db, runId: number): void {
  closeOpenRun(db, runId, abandonedRuns.get(runId) ?? 'the harvesting process ended before the run finished (crash or kill); closed as failed');
  abandonedRuns.delete(runId);
}

function closeOpenRun(db: Db, runId: number, message: string): void {
  db.prepare(`UPDATE runs SET status = 'failed', finished_at = ?, message = ? WHERE id = ? AND status IN ('queued', 'running')`).run(nowUtc(), message, runId);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lastRun(db: Db, sourceId: string): RunRow | undefined {
  return db.prepare('SELECT * FROM runs WHERE source_id = ? ORDER BY id DESC LIMIT 1').get(sourceId) as RunRow | undefined;
}

/** The newest succeeded run (listed to the end, every record fetched): the base of the next incremental run. */
export function lastSucceededRun(db: Db, sourceId: string): RunRow | undefined {
  return db.prepare(`SELECT * FROM runs WHERE source_id = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1`).get(sourceId) as RunRow | undefined;
}

export function listRuns(db: Db, sourceId?: string, limit = 20): RunRow[] {
  if (sourceId) {
    return db.prepare('SELECT * FROM runs WHERE source_id = ? ORDER BY id DESC LIMIT ?').all(sourceId, limit) as RunRow[];
  }
  return db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[];
}

export interface RunErrorGroup {
  stage: string;
  field: string | null;
  rule: string | null;
  count: number;
  example_native_id: string | null;
  example_message: string;
}

/** A run's errors grouped by cause, so a report of 3,000 failures reads as a handful of lines. */
export function runErrorGroups(db: Db, runId: number): RunErrorGroup[] {
  return db
    .prepare(
      `SELECT stage, field, rule, COUNT(*) AS count, MIN(native_id) AS example_native_id, MIN(message) AS example_message
       FROM run_errors WHERE run_id = ? GROUP BY stage, field, rule ORDER BY count DESC`,
    )
    .all(runId) as RunErrorGroup[];
}

export function runErrors(db: Db, runId: number): RunErrorRecord[] {
  const rows = db.prepare('SELECT source_id, native_id, stage, field, rule, message FROM run_errors WHERE run_id = ? ORDER BY id').all(runId) as Array<{
    source_id: string;
    native_id: string | null;
    stage: string;
    field: string | null;
    rule: string | null;
    message: string;
  }>;
  return rows.map((r) => ({
    sourceId: r.source_id,
    nativeId: r.native_id ?? undefined,
    stage: r.stage,
    field: r.field ?? undefined,
    rule: r.rule ?? undefined,
    message: r.message,
  }));
}

/**
 * Following another gateway's change feed into the local store.
 *
 * A sync walks the feed from the stored cursor to its end (`more` false), page by page. Each
 * page is applied with the cursor in one transaction (src/store/mirror-pages.ts), so a sync stopped at any
 * point (Ctrl-C, kill -9, an upstream that fails mid-walk) resumes after the last page it
 * applied. A sync that applies anything is a run of the mirror's source, as a harvest is: its
 * counts and typed errors are in the runs table, identity is resolved once at its end, and a
 * record the mapping rejects is an error of the run while the sync goes on. A page that breaks
 * the feed's contract ends the run as failed, keeping every page applied before it.
 *
 * An idle poll (no change, the cursor where it was) opens no run: following a quiet gateway
 * every minute does not fill the runs table. Except when the store is marked for resolution and
 * no live run will resolve it: a sync (or harvest) killed after its last page and before
 * resolution left records stored but not served, and this sync resolves them in a run of its own.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/contract/store.js';
import { HttpError, MalformedBodyError } from '../http/http-client.js';
import { emptyCounts, type RunProgress } from '../harvest/run.js';
import { DEFAULT_RECORD_LIMITS, type RecordLimits } from '../harvest/record-door.js';
import { SourceBusyError, type FinalRunStatus, type RunCounts } from '../store/runs.js';
import type { FeedClient } from './feed-client.js';
import { FeedPageError, type FeedPage } from './feed-page.js';
import { CursorMovedError } from '../store/mirror-sources.js';
import { storeErrorOf } from '../store/store-errors.js';
import { pageChanges } from './page-changes.js';
import { resolveAfterRun } from '../harvest/resolve-after-run.js';

/**
 * Test hook (test/mirror/crash.test.ts): the process kills itself (SIGKILL) right after its last
 * page commits, before resolution, as a kill -9 at that moment would. Never set in use.
 */
const KILL_AFTER_LAST_PAGE_FOR_TESTS = 'OGD_GATEWAY_TEST_KILL_AFTER_LAST_MIRROR_PAGE';

export interface MirrorSyncOptions {
  store: Store;
  sourceId: string;
  feed: FeedClient;
  log: Logger;
  signal?: AbortSignal | undefined;
  limits?: RecordLimits;
  onProgress?: ((progress: RunProgress) => void) | undefined;
}

/** idle: nothing new upstream, no run opened; busy: another process is syncing this mirror. */
export type MirrorSyncStatus = FinalRunStatus | 'idle' | 'busy';

export interface MirrorSyncSummary {
  sourceId: string;
  status: MirrorSyncStatus;
  /** The run, when one was opened. */
  runId: number | undefined;
  counts: RunCounts;
  /** The stored cursor when the sync ended. */
  cursor: string | undefined;
  message: string | null;
  durationMs: number;
}

/** Another page would revisit a cursor of this walk: the upstream is paging in a circle. */
const CURSOR_LOOP = 'cursor-loop';

export async function syncMirror(options: MirrorSyncOptions): Promise<MirrorSyncSummary> {
  const { store, sourceId, feed } = options;
  const limits = options.limits ?? DEFAULT_RECORD_LIMITS;
  const started = Date.now();
  const counts = emptyCounts();
  const mirror = await store.mirror.readMirror(sourceId);
  if (!mirror) throw new Error(`no mirror source "${sourceId}"`);
  let cursor = mirror.cursor;
  const summary = (status: MirrorSyncStatus, runId: number | undefined, message: string | null): MirrorSyncSummary => ({
    sourceId,
    status,
    runId,
    counts,
    cursor,
    message,
    durationMs: Date.now() - started,
  });
  const log = options.log.child({ source: sourceId });

  // The first page decides whether there is anything to do. Failing to read it is a failed run:
  // an operator looking at the mirror's runs must see that the upstream is not answering.
  let page: FeedPage | undefined;
  let firstError: unknown;
  try {
    page = await feed.page(cursor, options.signal);
  } catch (err) {
    if (options.signal?.aborted) return summary('cancelled', undefined, 'cancelled');
    firstError = err;
  }
  const leftUnresolved = (await store.identity.isIdentityDirty()) && !(await store.runs.anyLiveRun());
  if (page && page.changes.length === 0 && !page.more && page.nextCursor === cursor && mirror.fullWalkAfterRun === undefined && !leftUnresolved) {
    return summary('idle', undefined, null);
  }

  let runId: number;
  try {
    runId = await store.runs.queueRun(sourceId);
  } catch (err) {
    if (err instanceof SourceBusyError) {
      log.warn({ run: err.runId }, `${err.message}: this sync is skipped`);
      return summary('busy', undefined, err.message);
    }
    throw err;
  }
  await store.runs.markRunStarted(runId, null);
  // Another process may have synced between the first page and the run: start from where it left off.
  const latest = (await store.mirror.readMirror(sourceId)) ?? mirror;
  if (latest.cursor !== cursor) {
    cursor = latest.cursor;
    page = undefined;
    firstError = undefined;
  }
  const runLog = log.child({ run: runId });
  runLog.info({ cursor: cursor ?? null, feed: feed.feedUrl }, 'mirror sync started');

  // Cancelled by the caller (Ctrl-C) or by `ogd-gateway cancel RUN_ID` from any process.
  const cancel = new AbortController();
  const onCallerAbort = (): void => cancel.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.signal?.aborted) cancel.abort();

  let status: FinalRunStatus;
  let message: string | null = null;
  const cursorsOfWalk = new Set<string>(cursor === undefined ? [] : [cursor]);
  try {
    // What feed.page threw above: an Error (HttpError, FeedPageError ...), rethrown to be handled with the rest.
    if (firstError !== undefined) throw firstError as Error;
    page ??= await feed.page(cursor, cancel.signal);
    for (;;) {
      const current: FeedPage = page;
      if (current.nextCursor !== cursor && cursorsOfWalk.has(current.nextCursor)) {
        throw new FeedPageError(
          feed.pageUrl(cursor),
          CURSOR_LOOP,
          'result.nextCursor',
          `the cursor ${current.nextCursor} was already visited in this walk: the feed pages in a circle`,
        );
      }
      cursorsOfWalk.add(current.nextCursor);
      const changes = pageChanges(
        sourceId,
        current,
        await store.mirror.mirroredStates(
          sourceId,
          current.changes.map((c) => c.identifier),
        ),
        limits,
        counts,
      );
      const written = await store.mirror.writeMirrorPage({
        sourceId,
        priority: latest.priority,
        runId,
        since: cursor,
        nextCursor: current.nextCursor,
        last: !current.more,
        ...changes,
      });
      if (!current.more && process.env[KILL_AFTER_LAST_PAGE_FOR_TESTS] === '1') process.kill(process.pid, 'SIGKILL');
      cursor = current.nextCursor;
      counts.pages += 1;
      counts.created += written.created;
      counts.updated += written.updated;
      counts.withdrawn += written.withdrawn;
      options.onProgress?.({ ...counts, sourceId, elapsedMs: Date.now() - started });
      if (!current.more) break;
      if (!cancel.signal.aborted && (await store.runs.isCancelRequested(runId))) cancel.abort();
      if (cancel.signal.aborted) break;
      page = await feed.page(cursor, cancel.signal);
    }
    status = cancel.signal.aborted ? 'cancelled' : 'succeeded';
    if (status === 'cancelled') message = 'cancelled';
    else if (leftUnresolved) message = 'resolved the records an earlier run stored but did not resolve (it was killed or failed before resolution)';
  } catch (err) {
    if (cancel.signal.aborted) {
      status = 'cancelled';
      message = 'cancelled';
    } else {
      // The store refused a write (full disk, read-only file): the caller cannot go on mirroring into it.
      const storeError = storeErrorOf(err, store.location);
      if (storeError) {
        const closed = await store.runs.failRunOnStoreError({ id: runId, sourceId, counts }, storeError);
        runLog.error({ status: 'failed', counts, closed }, `mirror sync failed: ${storeError.message}`);
        throw storeError;
      }
      status = 'failed';
      const failure = describeFailure(err);
      message = failure.message;
      await store.runs.recordRunErrors(runId, [{ sourceId, stage: 'feed', ...failure }]);
      counts.errors += 1;
    }
  } finally {
    options.signal?.removeEventListener('abort', onCallerAbort);
  }

  // Collisions among mirrored records: two upstream datasets sharing a key, kept apart upstream too.
  await resolveAfterRun(
    store,
    sourceId,
    runId,
    counts,
    runLog,
    (c) => `mirrored datasets ${c.nativeIds.join(', ')} all claim ${c.kind} ${c.value}: kept as separate datasets, as upstream`,
  );
  await store.runs.finishRun(runId, { status, counts, message });
  const level = status === 'succeeded' ? 'info' : status === 'cancelled' ? 'warn' : 'error';
  runLog[level]({ status, counts, cursor: cursor ?? null, durationMs: Date.now() - started, reason: message ?? undefined }, 'mirror sync finished');
  return summary(status, runId, message);
}

/** The run error a failed sync is recorded and grouped under. */
function describeFailure(err: unknown): { rule: string; field?: string | undefined; nativeId?: string | undefined; message: string } {
  const message = (err as Error).message;
  if (err instanceof FeedPageError) return { rule: err.rule, field: err.field, nativeId: err.identifier, message };
  if (err instanceof HttpError) {
    // 400 is the upstream refusing the cursor (a database replaced, a cursor from another gateway).
    const hint =
      err.status === 400
        ? ' (if the upstream gateway refuses the stored cursor, `ogd-gateway mirror URL --reset` walks its feed again from the beginning)'
        : '';
    return { rule: err.kind === 'status' ? `http-${err.status}` : err.kind, message: `${message}${hint}` };
  }
  if (err instanceof MalformedBodyError) return { rule: 'malformed-json', message };
  if (err instanceof CursorMovedError) return { rule: 'cursor-moved', message };
  return { rule: 'error', message };
}

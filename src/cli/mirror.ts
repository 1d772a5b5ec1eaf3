/**
 * `ogd-gateway mirror URL`: follow another gateway's change feed into the local store, so one
 * gateway federates another (docs/mirroring.md).
 *
 *   mirror URL            sync to the end of the feed, then poll it every --interval seconds
 *                         until Ctrl-C or SIGTERM
 *   mirror URL --once     sync to the end and exit
 *   mirror URL --reset    forget the cursor: walk the feed from the beginning again, and
 *                         withdraw what that walk does not mention
 *   mirror                the mirrors of this store, with their cursors and last runs
 *
 * The first sync of a URL adds its source (`mirror-<host>`, kept in the database, not in the
 * configuration); naming the URL again resumes from the stored cursor.
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/types.js';
import { HttpClient } from '../http/http-client.js';
import { FeedClient } from '../mirror/feed-client.js';
import { followMirror } from '../mirror/follow.js';
import { NotAMirrorError } from '../store/mirror-sources.js';
import { syncMirror, type MirrorSyncSummary } from '../mirror/sync.js';
import { parseUpstream, UpstreamUrlError, type Upstream } from '../mirror/upstream.js';
import type { Store } from '../store/contract/store.js';
import { openGateway, type CommonOptions } from './context.js';
import { ProgressLine } from './progress.js';
import { cliOutput, writeErr, writeOut } from './output.js';

export interface MirrorOptions extends CommonOptions {
  url: string | undefined;
  once: boolean;
  reset: boolean;
  /** Seconds between polls when following; as given on the command line. */
  interval: string | undefined;
  priority: string | undefined;
  allowPrivateAddresses: boolean;
  json: boolean;
}

export const DEFAULT_INTERVAL_SECONDS = 60;

class UsageError extends Error {}

export async function mirror(options: MirrorOptions): Promise<number> {
  let settings: { upstream: Upstream; intervalMs: number; priority: number | undefined } | undefined;
  try {
    settings =
      options.url === undefined
        ? undefined
        : { upstream: parseUpstream(options.url), intervalMs: intervalMs(options.interval), priority: priority(options.priority) };
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof UpstreamUrlError)) throw err;
    writeErr(`ogd-gateway mirror: ${err.message}\n`);
    return 2;
  }
  const { config, store, log } = await openGateway(options, 'stderr');
  try {
    if (!settings) return await listing(store, options.json);
    const { upstream } = settings;
    if (config.sources.some((s) => s.id === upstream.sourceId)) {
      writeErr(`ogd-gateway mirror: "${upstream.sourceId}" is a configured source's id, not a mirror's: rename that source\n`);
      return 2;
    }
    try {
      await store.mirror.ensureMirrorSource({ sourceId: upstream.sourceId, url: upstream.baseUrl, priority: settings.priority });
    } catch (err) {
      if (!(err instanceof NotAMirrorError)) throw err;
      writeErr(`ogd-gateway mirror: ${err.message}\n`);
      return 2;
    }
    if (options.reset) {
      await store.mirror.resetMirror(upstream.sourceId);
      log.info({ source: upstream.sourceId }, 'mirror cursor reset: the next sync walks the feed from the beginning');
    }
    return await run(store, config, log, upstream, { ...options, intervalMs: settings.intervalMs });
  } finally {
    await store.close();
  }
}

async function run(store: Store, config: GatewayConfig, log: Logger, upstream: Upstream, options: MirrorOptions & { intervalMs: number }): Promise<number> {
  const http = new HttpClient({
    ...config.harvest,
    allowPrivateAddresses: config.harvest.allowPrivateAddresses || options.allowPrivateAddresses,
    userAgent: config.harvest.userAgent,
  });
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = new ProgressLine(cliOutput().stderr);
  const sync = {
    store,
    sourceId: upstream.sourceId,
    feed: new FeedClient(http, upstream.feedUrl),
    log,
    signal: stop.signal,
    onProgress: (p: Parameters<ProgressLine['update']>[0]) => progress.update(p),
  };
  try {
    if (options.once) {
      const summary = await syncMirror(sync);
      progress.done();
      writeOut(`${formatMirrorSummary(summary)}\n`);
      return summary.status === 'failed' || summary.status === 'cancelled' ? 1 : 0;
    }
    log.info({ source: upstream.sourceId, feed: upstream.feedUrl, intervalSeconds: options.intervalMs / 1000 }, 'following the change feed (Ctrl-C stops)');
    await followMirror({
      ...sync,
      intervalMs: options.intervalMs,
      onSync: (summary) => {
        progress.done();
        // An idle poll says nothing on stdout: a follower's output is the changes it applied.
        if (summary.status !== 'idle') writeOut(`${formatMirrorSummary(summary)}\n`);
      },
    });
    // Stopped by a signal: the normal way to end a follower.
    return 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await http.close();
  }
}

export function formatMirrorSummary(summary: MirrorSyncSummary): string {
  const cursor = summary.cursor === undefined ? 'the beginning' : summary.cursor;
  if (summary.status === 'idle') return `${summary.sourceId}: up to date (cursor ${cursor})`;
  if (summary.status === 'busy') return `${summary.sourceId}: SKIPPED (${summary.message ?? 'another process is syncing it'})`;
  const c = summary.counts;
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const head = `${summary.sourceId}: ${summary.status.toUpperCase()} (${summary.runId === undefined ? 'no run' : `run ${summary.runId}`}, ${seconds}s, cursor ${cursor})`;
  const body = `  ${c.pages} pages, ${c.seen} changes: ${c.created} new, ${c.updated} changed, ${c.unchanged} unchanged, ${c.rejected} rejected, ${c.flagged} kept with rule errors, ${c.withdrawn} withdrawn; ${c.errors} errors`;
  if (!summary.message) return `${head}\n${body}`;
  return `${head}\n${body}\n  ${summary.status === 'succeeded' ? 'note' : 'reason'}: ${summary.message}`;
}

async function listing(store: Store, json: boolean): Promise<number> {
  const rows = [];
  for (const m of await store.mirror.listMirrors()) {
    const run = await store.runs.lastRun(m.id);
    rows.push({
      id: m.id,
      url: m.url,
      priority: m.priority,
      cursor: m.cursor ?? null,
      walkingFromBeginning: m.fullWalkAfterRun !== undefined,
      datasets: await store.mirror.countLiveMirroredRecords(m.id),
      lastRun: run
        ? {
            id: run.id,
            status: run.status,
            startedAt: run.started_at,
            finishedAt: run.finished_at,
            changes: run.records_seen,
            errors: run.error_count,
            message: run.message,
          }
        : null,
    });
  }
  if (json) {
    writeOut(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) writeOut('no mirrors: `ogd-gateway mirror URL` adds one\n');
  for (const row of rows) {
    const run = row.lastRun
      ? `last run ${row.lastRun.id} ${row.lastRun.status} ${row.lastRun.finishedAt ?? row.lastRun.startedAt}, ${row.lastRun.changes} changes, ${row.lastRun.errors} errors`
      : 'never synced';
    writeOut(
      `${row.id}  ${row.url}  priority ${row.priority}\n  ${row.datasets} datasets; cursor ${row.cursor ?? '(the beginning)'}${row.walkingFromBeginning ? ', walking from the beginning' : ''}; ${run}\n`,
    );
  }
  return 0;
}

function intervalMs(value: string | undefined): number {
  if (value === undefined) return DEFAULT_INTERVAL_SECONDS * 1000;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(seconds) || seconds < 1 || seconds > 86_400) {
    throw new UsageError(`--interval must be a number of seconds from 1 to 86400, got "${value}"`);
  }
  return Math.round(seconds * 1000);
}

function priority(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || n < -1000 || n > 1000) throw new UsageError(`--priority must be an integer from -1000 to 1000, got "${value}"`);
  return n;
}

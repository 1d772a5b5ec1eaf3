import { setTimeout as sleep } from 'node:timers/promises';
import { syncMirror, type MirrorSyncOptions, type MirrorSyncSummary } from './sync.js';

export interface FollowOptions extends MirrorSyncOptions {
  /** Time between the end of one sync and the next poll. */
  intervalMs: number;
  /** Told after every sync, idle ones included. */
  onSync?: ((summary: MirrorSyncSummary) => void) | undefined;
}

/** Longest wait after failures in a row: an upstream that is down is asked again at least this often. */
const MAX_BACKOFF_MS = 15 * 60 * 1000;

/**
 * Sync, wait, sync again, until the signal aborts (Ctrl-C, SIGTERM), which also stops a sync in
 * the middle (it ends cancelled, keeping every page it applied). After a failed sync the wait
 * doubles, up to 15 minutes (or the interval, if longer), so an upstream that is down is not
 * asked every few seconds and does not fill the runs table with failed runs; a sync that
 * succeeds brings the wait back to the interval.
 */
export async function followMirror(options: FollowOptions): Promise<void> {
  let failures = 0;
  while (!options.signal?.aborted) {
    const summary = await syncMirror(options);
    options.onSync?.(summary);
    if (options.signal?.aborted) return;
    failures = summary.status === 'failed' ? failures + 1 : 0;
    const wait = failures === 0 ? options.intervalMs : Math.min(options.intervalMs * 2 ** failures, Math.max(MAX_BACKOFF_MS, options.intervalMs));
    await sleep(wait, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

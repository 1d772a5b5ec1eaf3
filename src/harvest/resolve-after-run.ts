import type { Logger } from 'pino';
import type { Store } from '../store/contract/store.js';
import { resolveIdentity, type ResolutionCollision } from '../identity/resolve.js';
import type { RunCounts } from '../store/runs.js';
import { resolutionHoldForTests } from './resolution-hold.js';

/**
 * Turn what a run stored into served datasets (src/identity/resolve.ts), when anything bearing
 * on identity changed, then index what changed, so the first search after a big run does not pay
 * for it. Shared by harvest runs (run.ts) and mirror syncs (src/mirror/sync.ts). A failure here
 * loses nothing: the records are stored and the store stays marked for resolution, which the
 * next run (or `serve` at start-up) does again.
 *
 * Collisions among this source's records (two of them claiming one identifier) are errors of the
 * run, reported once each; `describe` says what they mean for this kind of source.
 */
export async function resolveAfterRun(
  store: Store,
  sourceId: string,
  runId: number,
  counts: RunCounts,
  log: Logger,
  describe: (collision: ResolutionCollision) => string,
): Promise<void> {
  if (!(await store.identity.isIdentityDirty())) return;
  try {
    const holdForTests = resolutionHoldForTests();
    const outcome = await resolveIdentity(store, holdForTests ? { runId, whileLocked: holdForTests } : { runId });
    // One clash can surface under several keys (an identifier qualified by org code and by OID): report it once.
    const seen = new Set<string>();
    const collisions = outcome.collisions.filter((c) => {
      const id = c.nativeIds.join('\u0000');
      if (c.sourceId !== sourceId || seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    await store.runs.recordRunErrors(
      runId,
      collisions.map((c) => ({
        sourceId,
        nativeId: c.nativeIds[0],
        stage: 'identity',
        field: c.kind === 'agency' ? 'identifier' : c.kind,
        rule: 'duplicate-identifier',
        message: describe(c),
      })),
    );
    counts.errors += collisions.length;
    log.info({ ...outcome, collisions: outcome.collisions.length }, 'identity resolved');
    const indexed = await store.search.refreshSearchIndex();
    if (indexed > 0) log.info({ indexed }, 'search index refreshed');
  } catch (err) {
    await store.runs.recordRunErrors(runId, [
      { sourceId, stage: 'identity', rule: 'resolution-failed', message: `identity resolution failed: ${(err as Error).message}` },
    ]);
    counts.errors += 1;
    log.error({ err }, 'identity resolution failed; the records are stored and resolution will run again');
  }
}

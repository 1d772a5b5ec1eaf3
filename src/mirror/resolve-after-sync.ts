import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import { resolveIdentity } from '../identity/resolve.js';
import { isIdentityDirty } from '../store/identity.js';
import { recordRunErrors, type RunCounts } from '../store/runs.js';
import { refreshSearchIndex } from '../store/search-index.js';

/**
 * Turn what a sync stored into served datasets, as a harvest run does after it ends
 * (src/harvest/run.ts resolveAfterRun): identity resolution when anything bearing on it changed,
 * then the search index. A failure loses nothing: the records and the cursor are stored, the
 * store stays marked, and the next sync (or `serve` at start-up) resolves again.
 *
 * Collisions among the mirrored records (two upstream datasets sharing a URI, kept apart
 * upstream too) are errors of the run, reported once each.
 */
export function resolveAfterSync(db: Db, sourceId: string, runId: number, counts: RunCounts, log: Logger): void {
  if (!isIdentityDirty(db)) return;
  try {
    const outcome = resolveIdentity(db, { runId });
    const seen = new Set<string>();
    const collisions = outcome.collisions.filter((c) => {
      const id = c.nativeIds.join('\u0000');
      if (c.sourceId !== sourceId || seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    recordRunErrors(
      db,
      runId,
      collisions.map((c) => ({
        sourceId,
        nativeId: c.nativeIds[0],
        stage: 'identity',
        field: c.kind === 'agency' ? 'identifier' : c.kind,
        rule: 'duplicate-identifier',
        message: `mirrored datasets ${c.nativeIds.join(', ')} all claim ${c.kind} ${c.value}: kept as separate datasets, as upstream`,
      })),
    );
    counts.errors += collisions.length;
    log.info({ ...outcome, collisions: outcome.collisions.length }, 'identity resolved');
    const indexed = refreshSearchIndex(db);
    if (indexed > 0) log.info({ indexed }, 'search index refreshed');
  } catch (err) {
    recordRunErrors(db, runId, [{ sourceId, stage: 'identity', rule: 'resolution-failed', message: `identity resolution failed: ${(err as Error).message}` }]);
    counts.errors += 1;
    log.error({ err }, 'identity resolution failed; the records are stored and resolution will run again');
  }
}

/**
 * A synthetic served catalogue in a SQLite file, built through the real write path
 * (writeRecordPage, resolveIdentity, refreshSearchIndex) so that every table, trigger and index
 * is what a harvest leaves. Used by the serve bench; records are test/bench/synthetic-catalogue.ts.
 */
import { performance } from 'node:perf_hooks';
import { resolveIdentity } from '../../src/identity/resolve.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import { openDatabase } from '../../src/store/database.js';
import { contentHash, writeRecordPage, type MappedRecord } from '../../src/store/records.js';
import { queueRun } from '../../src/store/runs.js';
import { refreshSearchIndex } from '../../src/store/search-index.js';
import { syncSources } from '../../src/store/sources.js';
import { fileSource } from '../helpers/file-source.js';
import type { SourceConfig } from '../../src/config/types.js';
import { syntheticRecord } from './synthetic-catalogue.js';
import { progress, round } from './shared.js';

const PAGE = 1000;

/** The one source the synthetic catalogue belongs to. */
export const SOURCE: SourceConfig = fileSource('agency', 0, { url: 'file:///bench/agency', maxMissingShare: 0.5 });

export interface BuiltCatalogue {
  records: number;
  storeSeconds: number;
  resolveSeconds: number;
  indexSeconds: number;
}

/** Store records 1 … n as one source's, resolve identity and index them, in a new file at `path`. */
export async function buildSyntheticCatalogue(path: string, records: number): Promise<BuiltCatalogue> {
  const db = openDatabase(path);
  try {
    syncSources(db, [SOURCE]);
    const runId = queueRun(db, SOURCE.id);
    const start = performance.now();
    let page: MappedRecord[] = [];
    for (let i = 1; i <= records; i += 1) {
      const raw = syntheticRecord(i);
      const result = mapNationalRecord(raw);
      if (!result.ok) throw new Error(`synthetic record ${i} did not map`);
      const payloadJson = JSON.stringify(raw);
      page.push({ nativeId: `a${i}`, payloadJson, contentHash: contentHash(payloadJson), record: result.record, issues: result.issues });
      if (page.length === PAGE || i === records) {
        writeRecordPage(db, { sourceId: SOURCE.id, priority: 0, runId, changed: page, presentNativeIds: [], refreshedValidators: [], errors: [] });
        page = [];
        if (i % 20_000 === 0) progress(`catalogue: ${i} of ${records} records stored`);
      }
    }
    const stored = performance.now();
    await resolveIdentity(sqliteStoreOn(db));
    const resolved = performance.now();
    refreshSearchIndex(db);
    const indexed = performance.now();
    return {
      records,
      storeSeconds: round((stored - start) / 1000, 1),
      resolveSeconds: round((resolved - stored) / 1000, 1),
      indexSeconds: round((indexed - resolved) / 1000, 1),
    };
  } finally {
    db.close();
  }
}

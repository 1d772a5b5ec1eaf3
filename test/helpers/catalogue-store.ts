/**
 * A served catalogue in a temporary SQLite file, fed through the real write path the harvester
 * uses (writeRecordPage, resolveIdentity, withdrawals) without a platform to harvest: for tests
 * of readers and renderers that need datasets to change, merge and go.
 */
import type { Test } from 'tap';
import { join } from 'node:path';
import { resolveIdentity } from '../../src/identity/resolve.js';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import type { Db } from '../../src/store/database.js';
import type { Store } from '../../src/store/contract/store.js';
import { contentHash, type MappedRecord } from '../../src/store/records.js';
import { openStore, sqliteHandleOf } from '../../src/store/sqlite-store.js';
import { tempDir } from './gateway.js';
import { fileSource } from './file-source.js';

type Raw = Record<string, unknown>;

/** A gen-1 record with what DCAT-AP needs; `overrides` replace fields. */
export function record(identifier: string, overrides: Raw = {}): Raw {
  return {
    identifier,
    title: `資料集 ${identifier}`,
    description: '本資料集提供統計數據。',
    publisher: '國家發展委員會',
    modified: '2025-01-01 10:00:00',
    distribution: [{ resourceID: `${identifier}-001`, format: 'CSV', downloadURL: `https://data.example.gov.tw/${identifier}.csv` }],
    ...overrides,
  };
}

export interface CatalogueStore {
  store: Store;
  /** The SQLite handle under `store`, for tests that inspect the file. */
  db: Db;
  /**
   * Stores records of a source (`city`, priority 10, or `portal`, priority 0; native id =
   * identifier) as one page of a harvest run, then resolves identity unless told not to (a
   * harvest still running).
   */
  put(sourceId: string, records: readonly Raw[], resolve?: boolean): Promise<void>;
  /** The source announced these records deleted: withdrawn, then resolved. */
  withdraw(sourceId: string, nativeIds: readonly string[]): Promise<void>;
}

export async function catalogueStore(t: Test): Promise<CatalogueStore> {
  const { dir, cleanup } = tempDir();
  const store = await openStore(join(dir, 'catalog.db'));
  const db = sqliteHandleOf(store);
  t.teardown(async () => {
    await store.close();
    cleanup();
  });
  await store.sources.syncSources([fileSource('city', 10), fileSource('portal', 0)]);
  return {
    store,
    db,
    async put(sourceId, raws, resolve = true) {
      const changed: MappedRecord[] = raws.map((raw) => {
        const result = mapNationalRecord(raw);
        if (!result.ok) throw new Error(`fixture record did not map: ${JSON.stringify(result.issues)}`);
        const payloadJson = JSON.stringify(raw);
        return { nativeId: String(raw.identifier), payloadJson, contentHash: contentHash(payloadJson), record: result.record, issues: result.issues };
      });
      await store.records.writeRecordPage({
        sourceId,
        priority: 0,
        runId: await store.runs.queueRun(sourceId),
        changed,
        presentNativeIds: [],
        refreshedValidators: [],
        errors: [],
      });
      // Closed, so the next page of the source can queue its own run.
      db.prepare("UPDATE runs SET status = 'succeeded' WHERE source_id = ?").run(sourceId);
      if (resolve) await resolveIdentity(store);
    },
    async withdraw(sourceId, nativeIds) {
      await store.records.withdrawDeleted(sourceId, nativeIds);
      await resolveIdentity(store);
    },
  };
}

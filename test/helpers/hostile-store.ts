/**
 * A store already holding records the door now refuses (a lone surrogate in its strings, a value
 * nested 1,000 levels deep, 10,000 empty distributions), written straight through the store's
 * write path as an older gateway would have stored them, next to ordinary records. For tests
 * that every read path serves the others and answers something sane for these.
 */
import type { Test } from 'tap';
import { join } from 'node:path';
import { resolveIdentity } from '../../src/identity/resolve.js';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import type { NationalRecord } from '../../src/model/record.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { contentHash, writeRecordPage, type MappedRecord } from '../../src/store/records.js';
import { queueRun } from '../../src/store/runs.js';
import { syncSources } from '../../src/store/sources.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { record } from './catalogue-store.js';
import { tempDir } from './gateway.js';

type Raw = Record<string, unknown>;

/** `{"a":{"a":…}}` `depth` levels deep. */
export function nestedValue(depth: number): Raw {
  const root: Raw = {};
  let current = root;
  for (let level = 1; level < depth; level += 1) {
    const next: Raw = {};
    current['a'] = next;
    current = next;
  }
  return root;
}

/** The hostile records, by identifier; each one's raw payload and what its mapped record gets. */
export const HOSTILE = {
  /** Lone surrogates in the publisher, title, description, keywords and a distribution. */
  loneSurrogate: 'A41000000G-000901',
  /** A lone surrogate in the identifier itself (served in lists; no URL can name it). */
  loneSurrogateId: 'A41000000G-000902\ud800',
  /** An extension value nested 1,000 levels deep (past SQLite's JSON depth limit, with the record around it). */
  deep: 'A41000000G-000903',
  /** 10,000 empty distributions. */
  manyDistributions: 'A41000000G-000904',
} as const;

export const GOOD_IDS = ['A41000000G-000001', 'A41000000G-000002', 'A59000000G-000003'] as const;

interface Tampered {
  raw: Raw;
  tamper?: (record: NationalRecord) => void;
}

function hostileRecords(): Tampered[] {
  const deep = nestedValue(1000);
  return [
    {
      raw: record(HOSTILE.loneSurrogate, {
        publisher: '壞\ud800機關',
        title: '標題\udc00',
        description: '描述\ud800',
        keyword: ['關鍵\ud800字', '正常'],
        organization: '組織\udfff',
      }),
      tamper: (r) => {
        r.publisher = '壞\ud800機關';
        r.title = '標題\udc00';
        r.description = '描述\ud800';
        r.keyword = ['關鍵\ud800字', '正常'];
        r.organization = '組織\udfff';
        r.publisherOrgCode = 'A41000000G\ud800';
        if (r.distribution?.[0]) {
          r.distribution[0].resourceDescription = '資源\ud800';
          r.distribution[0].format = 'CSV\ud800';
        }
      },
    },
    {
      raw: record(HOSTILE.loneSurrogateId),
      tamper: (r) => {
        r.identifier = HOSTILE.loneSurrogateId;
      },
    },
    {
      raw: record(HOSTILE.deep, { viewCount: deep }),
      tamper: (r) => {
        r.extensions = { ...r.extensions, unknownKeys: { viewCount: deep } };
      },
    },
    {
      raw: record(HOSTILE.manyDistributions, { distribution: Array.from({ length: 10_000 }, () => ({})) }),
      tamper: (r) => {
        r.distribution = Array.from({ length: 10_000 }, () => ({}) as NonNullable<NationalRecord['distribution']>[number]);
      },
    },
  ];
}

function ordinaryRecords(): Tampered[] {
  return [
    { raw: record(GOOD_IDS[0], { publisherOrgCode: 'A41000000G', keyword: ['統計'] }) },
    { raw: record(GOOD_IDS[1], { publisherOrgCode: 'A41000000G', title: '另一個資料集' }) },
    { raw: record(GOOD_IDS[2], { publisher: '交通部', publisherOrgCode: 'A59000000G', title: '交通資料' }) },
  ];
}

/**
 * Maps each raw record as a harvest would (the mapping may already refuse some of these; the
 * record is then built from an ordinary one), applies the tampering to the mapped record, and
 * writes the page through writeRecordPage, then resolves identity.
 */
async function writeRecords(db: Db, sourceId: string, records: Tampered[]): Promise<void> {
  const changed: MappedRecord[] = records.map(({ raw, tamper }) => {
    let mapped = mapNationalRecord(raw);
    if (!mapped.ok) mapped = mapNationalRecord(record(String(raw['identifier'])));
    if (!mapped.ok) throw new Error(`fixture record did not map: ${JSON.stringify(mapped.issues)}`);
    tamper?.(mapped.record);
    const payloadJson = JSON.stringify(raw);
    return { nativeId: String(raw['identifier']), payloadJson, contentHash: contentHash(payloadJson), record: mapped.record, issues: mapped.issues };
  });
  writeRecordPage(db, { sourceId, priority: 0, runId: queueRun(db, sourceId), changed, presentNativeIds: [], refreshedValidators: [], errors: [] });
  db.prepare("UPDATE runs SET status = 'succeeded' WHERE source_id = ?").run(sourceId);
  await resolveIdentity(sqliteStoreOn(db));
}

/** A store file holding the ordinary and the hostile records; `reopen` gives a fresh connection (a restart). */
export async function hostileStore(t: Test): Promise<{ path: string; db: Db; reopen(): Db }> {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'catalog.db');
  const opened: Db[] = [];
  const open = (): Db => {
    const db = openDatabase(path);
    opened.push(db);
    return db;
  };
  t.teardown(() => {
    for (const db of opened) if (db.open) db.close();
    cleanup();
  });
  const db = open();
  syncSources(db, [
    {
      id: 'city',
      name: 'city',
      type: 'file',
      url: 'file:///test/city',
      schedule: '0 3 * * *',
      priority: 10,
      enabled: true,
      withdrawAfterHours: 72,
      maxMissingShare: 1,
      options: {},
    },
  ]);
  await writeRecords(db, 'city', [...ordinaryRecords(), ...hostileRecords()]);
  return { path, db, reopen: open };
}

/**
 * Identity resolution at catalogue scale (issue 5), run by `npm run bench:harvest` as a child
 * process of its own (so its memory is its own) and printing ONE JSON line on stdout.
 *
 * Usage: node identity-resolution.js RECORDS DUPLICATE_SHARE
 *
 * A fresh SQLite file gets two sources, stored through the real write path (writeRecordPage:
 * payloads, keys, signals): an agency platform with RECORDS × (1 − DUPLICATE_SHARE) synthetic
 * datasets, and a portal (data.gov.tw's role) holding copies of RECORDS × DUPLICATE_SHARE of
 * them in gen-2 spelling (台 for 臺, another description, a datasetId, the download URL in
 * another case and with tracking parameters). Then it times resolveIdentity:
 *   first      every cluster new: all datasets created, every copy merged into its original;
 *   unchanged  nothing changed since (resolution forced): the cost of reading and clustering;
 *   onePercent 1 % of the agency's records changed: the usual nightly case.
 * The first resolution must yield exactly RECORDS × (1 − DUPLICATE_SHARE) datasets.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveIdentity, type ResolutionOutcome } from '../../src/identity/resolve.js';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import type { Db } from '../../src/store/database.js';
import { openStore, sqliteHandleOf } from '../../src/store/sqlite-store.js';
import { markIdentityDirty } from '../../src/store/identity.js';
import { contentHash, writeRecordPage, type MappedRecord } from '../../src/store/records.js';
import { queueRun } from '../../src/store/runs.js';
import { syncSources } from '../../src/store/sources.js';
import type { SourceConfig } from '../../src/config/types.js';
import { fileSource } from '../helpers/file-source.js';
import { tempDir } from '../helpers/gateway.js';
import { syntheticRecord, type GenRecord } from './synthetic-catalogue.js';
import { progress, round } from './shared.js';

const PAGE = 1000;

export interface IdentityBenchResult {
  records: number;
  duplicateShare: number;
  datasets: number;
  /** Storing the records through writeRecordPage (not resolution): for scale. */
  storeSeconds: number;
  first: { seconds: number; created: number };
  unchanged: { seconds: number };
  onePercent: { seconds: number; updated: number };
  peakRssMB: number;
}

function source(id: string, priority: number): SourceConfig {
  return fileSource(id, priority, { url: `file:///bench/${id}`, maxMissingShare: 0.5 });
}

/** data.gov.tw's copy of an agency record: gen-2 keys and its own spellings. */
function portalCopy(original: GenRecord, i: number): GenRecord {
  const distributions = original.distribution as GenRecord[];
  return {
    datasetId: 500_000 + i,
    identifier: original.identifier,
    title: String(original.title).replaceAll('臺', '台'),
    description: `${String(original.title)}（轉載自機關平臺）`,
    publisherOID: original.publisherOID,
    license: '1',
    updateFrequency: original.accrualPeriodicity,
    modifiedDate: original.modified,
    distribution: distributions.map((d) => ({
      resourceFormat: d.format,
      resourceDownloadUrl: `${String(d.downloadURL ?? d.accessURL).replace('https://opendata.ndc.gov.tw', 'HTTP://OPENDATA.NDC.GOV.TW:80')}?utm_source=portal`,
    })),
  };
}

function mapped(nativeId: string, raw: GenRecord): MappedRecord {
  const result = mapNationalRecord(raw);
  if (!result.ok) throw new Error(`synthetic record ${nativeId} did not map: ${JSON.stringify(result.issues)}`);
  const payloadJson = JSON.stringify(raw);
  return { nativeId, payloadJson, contentHash: contentHash(payloadJson), record: result.record, issues: result.issues };
}

function store(db: Db, sourceId: string, runId: number, raws: Iterable<[string, GenRecord]>): void {
  let page: MappedRecord[] = [];
  const flush = (): void => {
    writeRecordPage(db, { sourceId, priority: 0, runId, changed: page, presentNativeIds: [], refreshedValidators: [], errors: [] });
    page = [];
  };
  for (const [nativeId, raw] of raws) {
    page.push(mapped(nativeId, raw));
    if (page.length === PAGE) flush();
  }
  if (page.length > 0) flush();
}

async function timed(run: () => Promise<ResolutionOutcome>): Promise<{ seconds: number; outcome: ResolutionOutcome }> {
  const start = performance.now();
  const outcome = await run();
  return { seconds: round((performance.now() - start) / 1000, 3), outcome };
}

export async function benchIdentity(records: number, duplicateShare: number, dir: string): Promise<IdentityBenchResult> {
  const unique = Math.round(records * (1 - duplicateShare));
  const copies = records - unique;
  const identityStore = await openStore(join(dir, 'identity.db'));
  // Records are stored through the SQLite write path directly: only resolution is timed.
  const db = sqliteHandleOf(identityStore);
  try {
    syncSources(db, [source('agency', 10), source('portal', 0)]);
    const storeStart = performance.now();
    const agencyRun = queueRun(db, 'agency');
    store(
      db,
      'agency',
      agencyRun,
      (function* () {
        for (let i = 1; i <= unique; i += 1) yield [`a${i}`, syntheticRecord(i)] as [string, GenRecord];
      })(),
    );
    const portalRun = queueRun(db, 'portal');
    // Copies of every (unique / copies)-th record, spread over the catalogue.
    const stride = unique / Math.max(1, copies);
    store(
      db,
      'portal',
      portalRun,
      (function* () {
        for (let n = 0; n < copies; n += 1) {
          const i = 1 + Math.floor(n * stride);
          yield [`p${i}`, portalCopy(syntheticRecord(i), i)] as [string, GenRecord];
        }
      })(),
    );
    const storeSeconds = round((performance.now() - storeStart) / 1000, 3);

    progress(`identity: ${records} records stored in ${storeSeconds} s; resolving`);
    const first = await timed(() => resolveIdentity(identityStore));
    if (first.outcome.datasets !== unique || first.outcome.created !== unique) {
      throw new Error(`expected ${unique} datasets from ${records} records, got ${first.outcome.datasets} (${first.outcome.created} created)`);
    }
    markIdentityDirty(db);
    const unchanged = await timed(() => resolveIdentity(identityStore));
    if (unchanged.outcome.created + unchanged.outcome.updated !== 0)
      throw new Error(`an unchanged resolution changed datasets: ${JSON.stringify(unchanged.outcome)}`);

    const changedCount = Math.max(1, Math.round(unique / 100));
    store(
      db,
      'agency',
      agencyRun,
      (function* () {
        for (let n = 0; n < changedCount; n += 1) {
          const i = 1 + ((n * 97) % unique);
          yield [`a${i}`, { ...syntheticRecord(i), notes: `修訂 ${n}` }] as [string, GenRecord];
        }
      })(),
    );
    const onePercent = await timed(() => resolveIdentity(identityStore));
    return {
      records,
      duplicateShare,
      datasets: first.outcome.datasets,
      storeSeconds,
      first: { seconds: first.seconds, created: first.outcome.created },
      unchanged: { seconds: unchanged.seconds },
      onePercent: { seconds: onePercent.seconds, updated: onePercent.outcome.updated },
      peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
    };
  } finally {
    await identityStore.close();
  }
}

if (process.argv[1]?.endsWith('identity-resolution.js')) {
  const records = Number(process.argv[2] ?? 100_000);
  const share = Number(process.argv[3] ?? 0.2);
  if (!Number.isInteger(records) || records < 10 || !(share >= 0 && share < 1)) {
    process.stderr.write('usage: identity-resolution.js RECORDS DUPLICATE_SHARE (e.g. 100000 0.2)\n');
    process.exit(2);
  }
  const { dir, cleanup } = tempDir('ogd-bench-identity-');
  try {
    process.stdout.write(`${JSON.stringify(await benchIdentity(records, share, dir))}\n`);
  } finally {
    cleanup();
  }
}

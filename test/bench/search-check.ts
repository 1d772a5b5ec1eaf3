/**
 * Search at catalogue scale (issue 6: p95 ≤ 20 ms for a Chinese query over 100,000 datasets on
 * a 2-core machine). Prints progress on stderr and ONE JSON document on stdout.
 *
 * Usage: node --expose-gc dist/test/bench/search-check.js [RECORDS] [DB_PATH]
 *
 * RECORDS synthetic datasets (default 100000; test/bench/synthetic-catalogue.ts) are stored
 * through the real write path (writeRecordPage, then resolveIdentity), so the search index is
 * fed by its triggers as in production. Then it times:
 *   refresh.first     the first refreshSearchIndex: every dataset indexed
 *   snapshot.cold     the first search of a new connection (in-memory columns loaded)
 *   queries           median / p95 / max of searchDatasets over TRIALS runs each (after warm-up),
 *                     Chinese and Latin queries, filters and sorts, with and without facets
 *   refresh.onePercent  1 % of the records changed: resolution, then the refresh, then a search
 * With DB_PATH, the database is kept there and reused by the next run when it already holds
 * RECORDS datasets (building 100,000 takes a few minutes).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveIdentity } from '../../src/identity/resolve.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { contentHash, writeRecordPage, type MappedRecord } from '../../src/store/records.js';
import { queueRun } from '../../src/store/runs.js';
import { refreshSearchIndex } from '../../src/store/search-index.js';
import { searchDatasets, type SearchQuery } from '../../src/store/search.js';
import { syncSources } from '../../src/store/sources.js';
import { tempDir } from '../helpers/gateway.js';
import { syntheticRecord, type GenRecord } from './synthetic-catalogue.js';
import { machine, median, progress, round } from './shared.js';
import { SOURCE } from './catalogue-db.js';

const PAGE = 1000;
const TRIALS = 60;
const WARM_UP = 5;

// The serve bench's synthetic catalogue source: the same catalogue either way.
const source = SOURCE;

/** What is measured: a name and the query (paging as a user's first page). */
const QUERIES: Array<[string, Omit<SearchQuery, 'limit' | 'offset' | 'facets'>]> = [
  ['zh 空氣品質 (30 % of the catalogue)', { q: '空氣品質' }],
  ['zh 公共自行車', { q: '公共自行車' }],
  ['zh 臺北市 交通事故 (two terms)', { q: '臺北市 交通事故' }],
  ['zh 台北市空氣品質月報 (narrow)', { q: '台北市空氣品質月報' }],
  ['zh 車 (one character)', { q: '車' }],
  ['zh 空氣品質 + format=CSV', { q: '空氣品質', format: 'csv' }],
  ['zh 空氣品質 sort=title', { q: '空氣品質', sort: 'title' }],
  ['zh 空氣品質 sort=modified', { q: '空氣品質', sort: 'modified' }],
  ['latin 110 (numbers, prefix)', { q: '110' }],
  ['latin youbike (no match)', { q: 'youbike' }],
  ['no q, all datasets by identifier', {}],
  ['no q, category=E00 sort=modified', { category: 'E00', sort: 'modified' }],
];

interface Figures {
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function measure(run: () => unknown): Figures {
  for (let i = 0; i < WARM_UP; i += 1) run();
  const times: number[] = [];
  for (let i = 0; i < TRIALS; i += 1) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { medianMs: round(median(times), 2), p95Ms: round(percentile(times, 0.95), 2), maxMs: round(times[times.length - 1]!, 2) };
}

function mapped(nativeId: string, raw: GenRecord): MappedRecord {
  const result = mapNationalRecord(raw);
  if (!result.ok) throw new Error(`synthetic record ${nativeId} did not map`);
  const payloadJson = JSON.stringify(raw);
  return { nativeId, payloadJson, contentHash: contentHash(payloadJson), record: result.record, issues: result.issues };
}

function store(db: Db, runId: number, raws: Iterable<[string, GenRecord]>): void {
  let page: MappedRecord[] = [];
  const flush = (): void => {
    writeRecordPage(db, { sourceId: source.id, priority: 0, runId, changed: page, presentNativeIds: [], refreshedValidators: [], errors: [] });
    page = [];
  };
  for (const [nativeId, raw] of raws) {
    page.push(mapped(nativeId, raw));
    if (page.length === PAGE) flush();
  }
  if (page.length > 0) flush();
}

function seconds(run: () => unknown): { seconds: number; value: unknown } {
  const start = performance.now();
  const value = run();
  return { seconds: round((performance.now() - start) / 1000, 3), value };
}

async function secondsAsync(run: () => Promise<unknown>): Promise<{ seconds: number; value: unknown }> {
  const start = performance.now();
  const value = await run();
  return { seconds: round((performance.now() - start) / 1000, 3), value };
}

export async function benchSearch(records: number, path: string): Promise<Record<string, unknown>> {
  const reuse = existsSync(path);
  let db = openDatabase(path);
  const live = db.prepare('SELECT count(*) FROM datasets WHERE withdrawn_at IS NULL').pluck().get() as number;
  const report: Record<string, unknown> = { records, machine: machine() };
  let runId: number;
  if (reuse && live === records) {
    progress(`search: reusing ${path} (${live} datasets)`);
    runId = db.prepare("SELECT max(id) FROM runs WHERE source_id = 'agency'").pluck().get() as number;
  } else {
    if (live !== 0) throw new Error(`${path} holds ${live} datasets, not ${records}: remove it first`);
    syncSources(db, [source]);
    runId = queueRun(db, source.id);
    const stored = seconds(() =>
      store(
        db,
        runId,
        (function* () {
          for (let i = 1; i <= records; i += 1) yield [`a${i}`, syntheticRecord(i)] as [string, GenRecord];
        })(),
      ),
    );
    progress(`search: ${records} records stored in ${stored.seconds} s; resolving identity`);
    const resolved = await secondsAsync(() => resolveIdentity(sqliteStoreOn(db)));
    progress(`search: resolved in ${resolved.seconds} s; indexing`);
    const first = seconds(() => refreshSearchIndex(db));
    if (first.value !== records) throw new Error(`the first refresh indexed ${String(first.value)} datasets, expected ${records}`);
    report.refresh = { first: { seconds: first.seconds, datasets: first.value } };
    progress(`search: first refresh of ${records} datasets in ${first.seconds} s`);
  }
  report.databaseMB = round(((db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number)) / 1e6, 1);

  // A new connection: its first search loads the in-memory columns.
  db.close();
  db = openDatabase(path);
  const cold = seconds(() => searchDatasets(db, { q: '空氣品質', limit: 20, offset: 0, facets: true }));
  report.snapshotColdSeconds = cold.seconds;

  // Every query a few times first: the timings are of a warmed process (JIT, caches), not of
  // the garbage the cold load left behind.
  for (let pass = 0; pass < 10; pass += 1) {
    for (const [, query] of QUERIES) searchDatasets(db, { ...query, limit: 20, offset: 0, facets: true });
  }
  // Run with --expose-gc to collect that garbage before timing, as a serving process long since has.
  (globalThis as { gc?: () => void }).gc?.();
  // The machine is shared: the load around the timings says how far to trust them.
  report.loadAverageBefore = loadavg().map((l) => round(l, 2));
  const queries: Record<string, unknown> = {};
  for (const [name, query] of QUERIES) {
    const total = searchDatasets(db, { ...query, limit: 20, offset: 0 }).total;
    queries[name] = {
      total,
      facets: measure(() => searchDatasets(db, { ...query, limit: 20, offset: 0, facets: true })),
      noFacets: measure(() => searchDatasets(db, { ...query, limit: 20, offset: 0, facets: false })),
    };
    progress(`search: ${name}: ${JSON.stringify(queries[name])}`);
  }
  queries['zh 空氣品質 page 500 (offset 10000)'] = { facets: measure(() => searchDatasets(db, { q: '空氣品質', limit: 20, offset: 10_000, facets: true })) };
  report.queries = queries;
  report.loadAverageAfter = loadavg().map((l) => round(l, 2));

  // The nightly case: 1 % of the records changed.
  const changed = Math.max(1, Math.round(records / 100));
  store(
    db,
    runId,
    (function* () {
      for (let n = 0; n < changed; n += 1) {
        const i = 1 + ((n * 97) % records);
        yield [`a${i}`, { ...syntheticRecord(i), title: `${String(syntheticRecord(i).title)}（修訂 ${n}）` }] as [string, GenRecord];
      }
    })(),
  );
  const resolution = await secondsAsync(() => resolveIdentity(sqliteStoreOn(db)));
  const refresh = seconds(() => refreshSearchIndex(db));
  const next = seconds(() => searchDatasets(db, { q: '修訂', limit: 20, offset: 0, facets: true }));
  report.onePercent = {
    changed,
    resolutionSeconds: resolution.seconds,
    refreshSeconds: refresh.seconds,
    refreshed: refresh.value,
    nextSearchSeconds: next.seconds,
    found: (next.value as { total: number }).total,
  };
  db.close();
  return report;
}

if (process.argv[1]?.endsWith('search-check.js')) {
  const records = Number(process.argv[2] ?? 100_000);
  if (!Number.isInteger(records) || records < 10 || records > 999_999) {
    process.stderr.write('usage: search-check.js [RECORDS (10…999999)] [DB_PATH]\n');
    process.exit(2);
  }
  const kept = process.argv[3];
  const { dir, cleanup } = tempDir('ogd-bench-search-');
  try {
    process.stdout.write(`${JSON.stringify(await benchSearch(records, kept ?? join(dir, 'search.db')), null, 2)}\n`);
  } finally {
    cleanup();
  }
}

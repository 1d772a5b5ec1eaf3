/**
 * `npm run bench`: throughput and latency of the gateway's hot paths, measured in one run and
 * printed as ONE JSON document on stdout (progress goes to stderr). See docs/benchmarks.md.
 *
 *   BENCH_RECORDS  synthetic records (default 5000, at most 999999)
 *   BENCH_TRIALS   trials per figure; each figure is the median over them (default 3)
 *
 * Figures: map (mapNationalRecord, records/s), views (toGen1Json and toDcatJsonLd, µs/record),
 * harvest.full and harvest.unchanged (the real Harvester against a synthetic platform in a
 * child process, datasets/s), harvest.fetchOnly (the same HTTP requests through the real
 * HttpClient with nothing else done, records/s), floor (JSON.parse + one-transaction bulk
 * insert into a plain SQLite table, records/s) and the harvest-to-floor ratios, and api
 * (latency of the real buildApi on the harvested database).
 *
 * Every figure except fetchOnly and api is preceded by one untimed warm-up trial (fetchOnly
 * runs after the harvests, api sends warm-up requests first), so the medians are steady state.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Agent, request } from 'undici';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { mapConcurrent } from '../../src/http/concurrency.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { HttpClient } from '../../src/http/http-client.js';
import type { RunSummary } from '../../src/harvest/run.js';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import type { NationalRecord } from '../../src/model/record.js';
import { openDatabase } from '../../src/store/database.js';
import { syncSources } from '../../src/store/sources.js';
import { toDcatJsonLd } from '../../src/views/dcat-jsonld.js';
import { toGen1Json } from '../../src/views/gen1.js';
import { prng, syntheticCatalogue, syntheticIdentifier } from './synthetic-catalogue.js';
import { tempDir } from '../helpers/gateway.js';
import { benchConfig, benchFloor, CONNECTOR_DEFAULTS, envInt, machine, median, progress, round, SOURCE_ID, startPlatform, type Platform } from './shared.js';
import { runBenchMain } from './child-lifetime.js';

const API_GET_REQUESTS = 1000;
const API_LIST_REQUESTS = 50;
const API_WARMUP_REQUESTS = 20;

const log = pino({ level: 'silent' });

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

/** Runs `body` once untimed (warm-up), then `trials` times; returns each trial's seconds. */
function timeTrials(trials: number, body: () => void): number[] {
  body();
  const seconds: number[] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    const start = performance.now();
    body();
    seconds.push((performance.now() - start) / 1000);
  }
  return seconds;
}

function benchMap(records: readonly unknown[], trials: number): { recordsPerSecond: number; trials: number[] } {
  let sink = 0;
  const seconds = timeTrials(trials, () => {
    for (const record of records) sink += mapNationalRecord(record).issues.length;
  });
  if (sink < 0) throw new Error('unreachable');
  const rates = seconds.map((s) => records.length / s);
  return { recordsPerSecond: Math.round(median(rates)), trials: rates.map((r) => Math.round(r)) };
}

function benchViews(mapped: readonly NationalRecord[], trials: number): Record<string, unknown> {
  let sink = 0;
  const gen1 = timeTrials(trials, () => {
    for (const record of mapped) sink += Object.keys(toGen1Json(record)).length;
  }).map((s) => (s * 1e6) / mapped.length);
  const dcat = timeTrials(trials, () => {
    for (const record of mapped) sink += Object.keys(toDcatJsonLd(record, { baseUrl: 'https://gateway.example.org' })).length;
  }).map((s) => (s * 1e6) / mapped.length);
  if (sink < 0) throw new Error('unreachable');
  return {
    gen1JsonUsPerRecord: round(median(gen1), 2),
    dcatJsonLdUsPerRecord: round(median(dcat), 2),
    trials: { gen1JsonUsPerRecord: gen1.map((v) => round(v, 2)), dcatJsonLdUsPerRecord: dcat.map((v) => round(v, 2)) },
  };
}

interface HarvestTrial {
  seconds: number;
  datasetsPerSecond: number;
  benchCpuMs: number;
  platformCpuMs: number;
}

async function timedRun(harvester: Harvester, platform: Platform, records: number, expect: 'created' | 'unchanged'): Promise<HarvestTrial> {
  const platformBefore = await platform.cpuMs();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const summary: RunSummary | undefined = await harvester.run(SOURCE_ID, { full: true });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const platformCpuMs = (await platform.cpuMs()) - platformBefore;
  if (!summary || summary.status !== 'succeeded' || summary.counts.seen !== records || summary.counts[expect] !== records) {
    throw new Error(`harvest (${expect}) did not do what the bench expects: ${JSON.stringify(summary)}`);
  }
  return { seconds, datasetsPerSecond: records / seconds, benchCpuMs: (cpu.user + cpu.system) / 1000, platformCpuMs };
}

function summariseHarvest(trials: readonly HarvestTrial[]): Record<string, unknown> {
  return {
    datasetsPerSecond: Math.round(median(trials.map((t) => t.datasetsPerSecond))),
    seconds: round(median(trials.map((t) => t.seconds)), 3),
    benchProcessCpuMs: Math.round(median(trials.map((t) => t.benchCpuMs))),
    platformProcessCpuMs: Math.round(median(trials.map((t) => t.platformCpuMs))),
    trials: trials.map((t) => Math.round(t.datasetsPerSecond)),
  };
}

/**
 * Full harvests, each into a fresh SQLite file, each followed by an unchanged re-run. Returns
 * the figures and the directory of the last trial's database (for the API), to be cleaned up.
 */
async function benchHarvest(
  platform: Platform,
  records: number,
  trials: number,
): Promise<{ full: HarvestTrial[]; unchanged: HarvestTrial[]; dbPath: string; cleanup: () => void }> {
  const full: HarvestTrial[] = [];
  const unchanged: HarvestTrial[] = [];
  let kept: { dbPath: string; cleanup: () => void } | undefined;
  // Trial -1 is an untimed warm-up (JIT, first connections, first file creation): the figures are steady state.
  for (let trial = -1; trial < trials; trial += 1) {
    const { dir, cleanup } = tempDir();
    try {
      const config = benchConfig(join(dir, 'catalog.db'), platform.url);
      const db = openDatabase(config.database.path);
      try {
        syncSources(db, config.sources);
        const harvester = new Harvester(sqliteStoreOn(db), config, log);
        const first = await timedRun(harvester, platform, records, 'created');
        const second = await timedRun(harvester, platform, records, 'unchanged');
        if (trial < 0) {
          progress(`harvest warm-up: full ${Math.round(first.datasetsPerSecond)}, unchanged ${Math.round(second.datasetsPerSecond)} datasets/s (not counted)`);
        } else {
          full.push(first);
          unchanged.push(second);
          progress(
            `harvest trial ${trial + 1}/${trials}: full ${Math.round(first.datasetsPerSecond)}, unchanged ${Math.round(second.datasetsPerSecond)} datasets/s`,
          );
        }
      } finally {
        db.close();
      }
    } catch (err) {
      cleanup();
      kept?.cleanup();
      throw err;
    }
    if (trial === trials - 1) kept = { dbPath: join(dir, 'catalog.db'), cleanup };
    else cleanup();
  }
  return { full, unchanged, ...kept! };
}

/** Only the HTTP part of a harvest: list, then every record through the real HttpClient, same concurrency, nothing else. */
async function benchFetchOnly(platform: Platform, records: number, trials: number): Promise<number[]> {
  const config = benchConfig(':memory:', platform.url);
  const rates: number[] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    const http = new HttpClient({ ...config.harvest, userAgent: config.harvest.userAgent });
    try {
      const start = performance.now();
      let fetched = 0;
      for (let offset = 0; ; offset += CONNECTOR_DEFAULTS.pageSize) {
        const { json } = await http.getJson(`${platform.url}/api/v1/rest/dataset?limit=${CONNECTOR_DEFAULTS.pageSize}&offset=${offset}`);
        const ids = (json as { result: string[] }).result;
        const bodies = await mapConcurrent(ids, CONNECTOR_DEFAULTS.concurrency, (id) =>
          http.getJson(`${platform.url}/api/v1/rest/dataset/${encodeURIComponent(id)}`),
        );
        fetched += bodies.length;
        if (ids.length < CONNECTOR_DEFAULTS.pageSize) break;
      }
      const seconds = (performance.now() - start) / 1000;
      if (fetched !== records) throw new Error(`fetch-only fetched ${fetched} of ${records} records`);
      rates.push(records / seconds);
    } finally {
      await http.close();
    }
  }
  return rates;
}

interface Latency {
  requests: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

function latency(samples: readonly number[]): Latency {
  return {
    requests: samples.length,
    medianMs: round(median(samples), 3),
    p95Ms: round(percentile(samples, 95), 3),
    maxMs: round(Math.max(...samples), 3),
  };
}

async function benchApi(dbPath: string, records: number): Promise<Record<string, unknown>> {
  const db = openDatabase(dbPath);
  // One client on purpose: the rate limit would cut the measurement short.
  const app = await buildApi({
    store: sqliteStoreOn(db),
    publicUrl: 'http://127.0.0.1',
    logger: log,
    http: { rateLimit: { max: 0, timeWindowMs: 60_000, allowList: [] } },
  });
  const agent = new Agent({ keepAliveTimeout: 60_000, connections: 1 });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const get = async (path: string): Promise<number> => {
      const start = performance.now();
      const res = await request(`${base}${path}`, { dispatcher: agent });
      const body = await res.body.text();
      const ms = performance.now() - start;
      if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}: ${body.slice(0, 200)}`);
      return ms;
    };
    const rand = prng(42);
    const randomPath = (): string => `/api/v1/rest/dataset/${syntheticIdentifier(1 + Math.floor(rand() * records))}`;

    for (let i = 0; i < API_WARMUP_REQUESTS; i += 1) await get(randomPath());
    const one: number[] = [];
    for (let i = 0; i < API_GET_REQUESTS; i += 1) one.push(await get(randomPath()));

    await get('/api/v1/rest/dataset');
    const list: number[] = [];
    for (let i = 0; i < API_LIST_REQUESTS; i += 1) list.push(await get('/api/v1/rest/dataset'));
    return { getDataset: latency(one), listAll: latency(list) };
  } finally {
    await agent.close();
    await app.close();
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Orchestration
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const records = envInt('BENCH_RECORDS', 5000, 999_999);
  const trials = envInt('BENCH_TRIALS', 3, 100);
  const began = performance.now();

  // The harvests come first, before this process holds the synthetic catalogue, so that the
  // peak RSS taken after them is the harvester's (the platform child builds its own copy).
  const rssBeforeHarvestMB = round(process.resourceUsage().maxRSS / 1024, 1);
  progress(`starting the platform process (${records} records)`);
  const platform = await startPlatform(records);
  let apiDb: { dbPath: string; cleanup: () => void } | undefined;
  process.once('SIGINT', () => {
    void platform.stop();
    apiDb?.cleanup();
    process.exit(130);
  });

  try {
    progress(`harvest: warm-up + ${trials} trials of full + unchanged`);
    const harvest = await benchHarvest(platform, records, trials);
    apiDb = { dbPath: harvest.dbPath, cleanup: harvest.cleanup };
    const peakRssMB = round(process.resourceUsage().maxRSS / 1024, 1);

    progress(`fetch only: ${trials} trials`);
    const fetchOnly = await benchFetchOnly(platform, records, trials);

    progress(`generating ${records} synthetic records in this process`);
    const catalogue = syntheticCatalogue(records);
    const recordJson = catalogue.map((record) => JSON.stringify(record));
    const jsonBytes = recordJson.reduce((sum, json) => sum + Buffer.byteLength(json), 0);
    const distributions = catalogue.reduce((sum, record) => sum + (record.distribution as unknown[]).length, 0);
    const results = catalogue.map((record) => mapNationalRecord(record));
    const mapped = results.flatMap((result) => (result.ok ? [result.record] : []));
    if (mapped.length !== records) throw new Error(`${records - mapped.length} synthetic records were rejected by the mapping`);
    const flagged = results.filter((result) => result.issues.some((issue) => issue.severity === 'error')).length;

    progress(`map: ${trials} trials`);
    const map = benchMap(catalogue, trials);

    progress(`views: ${trials} trials`);
    const views = benchViews(mapped, trials);

    progress(`floor: ${trials} trials`);
    const floor = benchFloor(recordJson, trials);

    progress(`api: ${API_GET_REQUESTS} record requests, ${API_LIST_REQUESTS} list requests`);
    const api = await benchApi(harvest.dbPath, records);

    const fullRate = median(harvest.full.map((t) => t.datasetsPerSecond));
    const unchangedRate = median(harvest.unchanged.map((t) => t.datasetsPerSecond));
    const floorRate = median(floor);

    const report = {
      benchmark: 'ogd-gateway',
      date: new Date().toISOString(),
      machine: machine(),
      parameters: {
        records,
        trials,
        statistic: 'median over trials',
        connector: { type: 'crossplatform', ...CONNECTOR_DEFAULTS },
        apiRequests: { getDataset: API_GET_REQUESTS, listAll: API_LIST_REQUESTS, warmup: API_WARMUP_REQUESTS },
      },
      catalogue: {
        records,
        distributions,
        flaggedRecords: flagged,
        meanRecordJsonBytes: Math.round(jsonBytes / records),
      },
      map: { unit: 'records/s', ...map },
      views: { unit: 'µs/record', ...views },
      harvest: {
        unit: 'datasets/s',
        full: summariseHarvest(harvest.full),
        unchanged: summariseHarvest(harvest.unchanged),
        fetchOnly: {
          recordsPerSecond: Math.round(median(fetchOnly)),
          trials: fetchOnly.map((r) => Math.round(r)),
        },
        peakRssMB,
        rssBeforeHarvestMB,
      },
      floor: { unit: 'records/s', recordsPerSecond: Math.round(floorRate), trials: floor.map((r) => Math.round(r)) },
      ratios: {
        fullToFloor: round(fullRate / floorRate, 4),
        unchangedToFloor: round(unchangedRate / floorRate, 4),
      },
      api: { unit: 'ms', ...api },
      durationSeconds: round((performance.now() - began) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await platform.stop();
    apiDb?.cleanup();
  }
}

runBenchMain('bench', main);

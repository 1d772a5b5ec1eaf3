/**
 * The harvesting process of `npm run bench:harvest` (test/bench/harvest.ts), one per catalogue
 * shape and size, so that its peak RSS is that shape's and size's alone.
 *
 * Usage: node harvest-worker.js PLATFORM_URL SHAPE RECORDS TRIALS WARMUPS [UNCHANGED_REPEATS]
 * (SHAPE: one of shared.ts's SHAPES, the API the platform child speaks and so the bench source's type)
 *
 * Each trial (warm-ups first, untimed) opens a FRESH SQLite file and runs the real Harvester
 * three times against the platform child. harvest.ts starts this process with the heap cap of
 * `serve`'s harvest thread (`--max-old-space-size` = harvest.heapLimitMB's default), which also
 * sets how soon V8 collects; the harvest runs on this process's main thread rather than in a
 * harvest thread so that the trials share one warmed-up JIT, as the runs of serve's long-lived
 * thread do (a thread per trial started every trial cold):
 *   1. full: the first run of the source (nothing stored, no base: lists and fetches everything;
 *      for CKAN, package_search pages carry the whole packages, so there is no package_show);
 *   2. unchanged: the next ordinary run, nothing having changed at the platform (incremental:
 *      asks what changed since the last run, which is nothing — `?modified=`, or CKAN's
 *      package_search with `fq=metadata_modified:[since TO *]` — then lists every identifier
 *      (CKAN: package_search with `fl=id`) and fetches nothing it already holds); it takes about
 *      a second at 100,000 records, short enough for this VM's noise to swing one run by 20 %, so
 *      it runs UNCHANGED_REPEATS times (bench:harvest: 5) and the trial keeps the run of median rate;
 *   3. fullReharvest: a `full: true` run on the same database (every record fetched again, every
 *      hash matches, only presence moves).
 * (RUN_KINDS: the csw, oai-pmh and DCAT shapes run 1 and 3 only.)
 * Every run is checked against what it must have done (counts, and the records the platform
 * sent whole: all of them exactly once, or none for the unchanged run), so a figure never comes
 * from a run that did something else.
 * Prints ONE JSON line on stdout: every timed run's figures and `process.resourceUsage().maxRSS`.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Harvester, type HarvestRunner } from '../../src/harvest/harvester.js';
import type { RunSummary } from '../../src/harvest/run.js';
import { openDatabase } from '../../src/store/database.js';
import { syncSources } from '../../src/store/sources.js';
import { tempDir } from '../helpers/gateway.js';
import { benchConfig, platformStats, progress, round, SHAPES, SOURCE_ID, type PlatformStats, type Shape } from './shared.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { runChildMain } from './child-lifetime.js';

export type RunKind = 'full' | 'unchanged' | 'fullReharvest';

/**
 * The runs of a trial, per shape. The csw, oai-pmh and DCAT shapes skip the unchanged run: the
 * DCAT and CSW connectors are not incremental by default (every run reads everything, as the
 * full re-harvest does), and the OAI-PMH platform implements no `from`.
 */
export const RUN_KINDS: Readonly<Record<Shape, readonly RunKind[]>> = {
  crossplatform: ['full', 'unchanged', 'fullReharvest'],
  ckan: ['full', 'unchanged', 'fullReharvest'],
  csw: ['full', 'fullReharvest'],
  'oai-pmh': ['full', 'fullReharvest'],
  'dcat-turtle': ['full', 'fullReharvest'],
  'dcat-rdfxml': ['full', 'fullReharvest'],
};

export interface TimedRun {
  seconds: number;
  datasetsPerSecond: number;
  /** CPU (user + system) of this harvesting process during the run. */
  harvesterCpuMs: number;
  platformCpuMs: number;
  /** Record requests (`GET /dataset/{id}`, package_show) and listing requests (`GET /dataset?…`, package_search) the platform answered during the run. */
  recordRequests: number;
  listRequests: number;
  /** Records the platform sent whole during the run, by either kind of request. */
  recordsServed: number;
  /** Records the run kept but flagged (a rule of the standard broken). */
  flagged: number;
  /** The unchanged run repeated: every repeat's datasets/s (this run is the one of median rate). */
  repeatRates?: number[];
}

export interface WorkerResult {
  shape: Shape;
  records: number;
  trials: Record<RunKind, TimedRun[]>;
  /** `process.resourceUsage().maxRSS` of this process after every trial, MB. */
  peakRssMB: number;
  /** The same before the first harvest (Node and the loaded modules), MB. */
  rssBeforeHarvestMB: number;
  /** Size of the SQLite file plus its WAL after the last trial's runs, MB. */
  databaseMB: number;
}

const log = pino({ level: 'silent' });

/** Whether the run's summary says it did what a run of this kind must do. */
function summaryAsExpected(summary: RunSummary | undefined, records: number, kind: RunKind): summary is RunSummary {
  const c = summary?.counts;
  if (summary?.status !== 'succeeded' || c?.seen !== records || c.errors !== 0) return false;
  if (kind === 'full') return summary.incrementalSince === null && c.created === records;
  const incremental = kind === 'unchanged';
  return c.unchanged === records && c.created === 0 && c.updated === 0 && (summary.incrementalSince !== null) === incremental;
}

/**
 * What the platform sent must match the run: full runs get every record whole exactly once (a
 * retry or a duplicate page would show); the unchanged run none at all — neither a record
 * request nor a package in an answer (CKAN's modified-since query must come back empty).
 */
function trafficProblem(delta: PlatformStats, records: number, kind: RunKind): string | undefined {
  if (kind !== 'unchanged') return delta.recordsServed === records ? undefined : `the platform sent ${delta.recordsServed} of ${records} records whole`;
  if (delta.recordRequests !== 0) return `the unchanged incremental run fetched ${delta.recordRequests} records`;
  if (delta.recordsServed !== 0) return `the unchanged incremental run was sent ${delta.recordsServed} records whole`;
  return undefined;
}

async function timed(harvester: HarvestRunner, platformUrl: string, records: number, kind: RunKind): Promise<TimedRun> {
  const before = await platformStats(platformUrl);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const summary: RunSummary | undefined = await harvester.run(SOURCE_ID, kind === 'fullReharvest' ? { full: true } : {});
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await platformStats(platformUrl);
  const delta: PlatformStats = {
    cpuMs: after.cpuMs - before.cpuMs,
    recordRequests: after.recordRequests - before.recordRequests,
    listRequests: after.listRequests - before.listRequests,
    recordsServed: after.recordsServed - before.recordsServed,
  };
  if (!summaryAsExpected(summary, records, kind)) throw new Error(`harvest (${kind}) did not do what the bench expects: ${JSON.stringify(summary)}`);
  const problem = trafficProblem(delta, records, kind);
  if (problem !== undefined) throw new Error(`harvest (${kind}): ${problem}`);
  return {
    seconds,
    datasetsPerSecond: records / seconds,
    harvesterCpuMs: (cpu.user + cpu.system) / 1000,
    platformCpuMs: delta.cpuMs,
    recordRequests: delta.recordRequests,
    listRequests: delta.listRequests,
    recordsServed: delta.recordsServed,
    flagged: summary.counts.flagged,
  };
}

/** The unchanged run `repeats` times in a row (each asks what changed since the one before): the run of median rate, with every rate. */
async function timedRepeats(harvester: HarvestRunner, platformUrl: string, records: number, repeats: number): Promise<TimedRun> {
  const runs: TimedRun[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) runs.push(await timed(harvester, platformUrl, records, 'unchanged'));
  if (repeats === 1) return runs[0]!;
  const byRate = [...runs].sort((a, b) => a.datasetsPerSecond - b.datasetsPerSecond);
  return { ...byRate[Math.floor((repeats - 1) / 2)]!, repeatRates: runs.map((run) => Math.round(run.datasetsPerSecond)) };
}

function fileMB(path: string): number {
  try {
    return statSync(path).size / 1024 / 1024;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const [platformUrl, shapeArg, recordsArg, trialsArg, warmupsArg, repeatsArg] = process.argv.slice(2);
  const shape = SHAPES.find((s) => s === shapeArg);
  const records = Number(recordsArg);
  const trials = Number(trialsArg);
  const warmups = Number(warmupsArg ?? 0);
  const unchangedRepeats = Number(repeatsArg ?? 1);
  if (!platformUrl || !shape || !(records > 0) || !(trials > 0) || !(warmups >= 0) || !Number.isInteger(unchangedRepeats) || !(unchangedRepeats >= 1)) {
    throw new Error(`usage: harvest-worker.js PLATFORM_URL ${SHAPES.join('|')} RECORDS TRIALS WARMUPS [UNCHANGED_REPEATS]`);
  }
  const rssBeforeHarvestMB = round(process.resourceUsage().maxRSS / 1024, 1);
  const result: WorkerResult['trials'] = { full: [], unchanged: [], fullReharvest: [] };
  let databaseMB = 0;
  for (let trial = -warmups; trial < trials; trial += 1) {
    const { dir, cleanup } = tempDir('ogd-bench-');
    try {
      const config = benchConfig(join(dir, 'catalog.db'), platformUrl, shape);
      const db = openDatabase(config.database.path);
      try {
        syncSources(db, config.sources);
        const harvester = new Harvester(sqliteStoreOn(db), config, log);
        const runs: Partial<Record<RunKind, TimedRun>> = {};
        for (const kind of RUN_KINDS[shape]) {
          runs[kind] =
            kind === 'unchanged' ? await timedRepeats(harvester, platformUrl, records, unchangedRepeats) : await timed(harvester, platformUrl, records, kind);
        }
        const rates = `${(Object.entries(runs) as Array<[RunKind, TimedRun]>).map(([kind, run]) => `${kind} ${Math.round(run.datasetsPerSecond)}`).join(', ')} datasets/s`;
        if (trial < 0) {
          progress(`${shape} ${records}: warm-up: ${rates} (not counted)`);
        } else {
          progress(`${shape} ${records}: trial ${trial + 1}/${trials}: ${rates}`);
          for (const kind of Object.keys(runs) as RunKind[]) result[kind].push(runs[kind]!);
        }
        databaseMB = fileMB(config.database.path) + fileMB(`${config.database.path}-wal`);
      } finally {
        db.close();
      }
    } finally {
      cleanup();
    }
  }
  const output: WorkerResult = {
    shape,
    records,
    trials: result,
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
    rssBeforeHarvestMB,
    databaseMB: round(databaseMB, 1),
  };
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(output)}\n`, () => resolve()));
}

runChildMain('harvest worker', main);

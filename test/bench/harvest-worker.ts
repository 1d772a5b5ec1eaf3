/**
 * The harvesting process of `npm run bench:harvest` (test/bench/harvest.ts), one per catalogue
 * size, so that its peak RSS is that size's alone.
 *
 * Usage: node harvest-worker.js PLATFORM_URL RECORDS TRIALS WARMUPS
 *
 * Each trial (warm-ups first, untimed) opens a FRESH SQLite file and runs the real Harvester
 * three times against the platform child:
 *   1. full: the first run of the source (nothing stored, no base: lists and fetches everything);
 *   2. unchanged: the next ordinary run, nothing having changed at the platform (incremental:
 *      lists `?modified=` changes, then every identifier, fetches nothing it already holds);
 *   3. fullReharvest: a `full: true` run on the same database (every record fetched again, every
 *      hash matches, only presence moves).
 * Prints ONE JSON line on stdout: every timed run's figures and `process.resourceUsage().maxRSS`.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Harvester } from '../../src/harvest/harvester.js';
import type { RunSummary } from '../../src/harvest/run.js';
import { openDatabase } from '../../src/store/database.js';
import { syncSources } from '../../src/store/sources.js';
import { tempDir } from '../helpers/gateway.js';
import { benchConfig, platformStats, progress, round, SOURCE_ID } from './shared.js';

export type RunKind = 'full' | 'unchanged' | 'fullReharvest';

export interface TimedRun {
  seconds: number;
  datasetsPerSecond: number;
  /** CPU (user + system) of this harvesting process during the run. */
  harvesterCpuMs: number;
  platformCpuMs: number;
  /** Record requests (`GET /dataset/{id}`) and listing requests the platform answered during the run. */
  recordRequests: number;
  listRequests: number;
}

export interface WorkerResult {
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

async function timed(harvester: Harvester, platformUrl: string, records: number, kind: RunKind): Promise<TimedRun> {
  const before = await platformStats(platformUrl);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const summary: RunSummary | undefined = await harvester.run(SOURCE_ID, kind === 'fullReharvest' ? { full: true } : {});
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await platformStats(platformUrl);
  const recordRequests = after.recordRequests - before.recordRequests;
  const c = summary?.counts;
  const expected =
    summary?.status === 'succeeded' &&
    c?.seen === records &&
    c.errors === 0 &&
    (kind === 'full'
      ? summary.incrementalSince === null && c.created === records
      : c.unchanged === records && c.created === 0 && c.updated === 0 && (kind === 'unchanged' ? summary.incrementalSince !== null : summary.incrementalSince === null));
  if (!expected) throw new Error(`harvest (${kind}) did not do what the bench expects: ${JSON.stringify(summary)}`);
  if (kind === 'unchanged' && recordRequests !== 0) throw new Error(`the unchanged incremental run fetched ${recordRequests} records`);
  return {
    seconds,
    datasetsPerSecond: records / seconds,
    harvesterCpuMs: (cpu.user + cpu.system) / 1000,
    platformCpuMs: after.cpuMs - before.cpuMs,
    recordRequests,
    listRequests: after.listRequests - before.listRequests,
  };
}

function fileMB(path: string): number {
  try {
    return statSync(path).size / 1024 / 1024;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const [platformUrl, recordsArg, trialsArg, warmupsArg] = process.argv.slice(2);
  const records = Number(recordsArg);
  const trials = Number(trialsArg);
  const warmups = Number(warmupsArg ?? 0);
  if (!platformUrl || !(records > 0) || !(trials > 0) || !(warmups >= 0)) {
    throw new Error('usage: harvest-worker.js PLATFORM_URL RECORDS TRIALS WARMUPS');
  }
  const rssBeforeHarvestMB = round(process.resourceUsage().maxRSS / 1024, 1);
  const result: WorkerResult['trials'] = { full: [], unchanged: [], fullReharvest: [] };
  let databaseMB = 0;
  for (let trial = -warmups; trial < trials; trial += 1) {
    const { dir, cleanup } = tempDir('ogd-bench-');
    try {
      const config = benchConfig(join(dir, 'catalog.db'), platformUrl);
      const db = openDatabase(config.database.path);
      try {
        syncSources(db, config.sources);
        const harvester = new Harvester(db, config, log);
        const runs: Record<RunKind, TimedRun> = {
          full: await timed(harvester, platformUrl, records, 'full'),
          unchanged: await timed(harvester, platformUrl, records, 'unchanged'),
          fullReharvest: await timed(harvester, platformUrl, records, 'fullReharvest'),
        };
        const rates = `full ${Math.round(runs.full.datasetsPerSecond)}, unchanged ${Math.round(runs.unchanged.datasetsPerSecond)}, full re-harvest ${Math.round(runs.fullReharvest.datasetsPerSecond)} datasets/s`;
        if (trial < 0) {
          progress(`${records}: warm-up: ${rates} (not counted)`);
        } else {
          progress(`${records}: trial ${trial + 1}/${trials}: ${rates}`);
          for (const kind of Object.keys(runs) as RunKind[]) result[kind].push(runs[kind]);
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
    records,
    trials: result,
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
    rssBeforeHarvestMB,
    databaseMB: round(databaseMB, 1),
  };
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(output)}\n`, () => resolve()));
}

// The orchestrator holds our stdin: if it dies, so do we.
process.stdin.on('end', () => process.exit(1));
process.stdin.on('error', () => process.exit(1));
process.stdin.resume();

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`harvest worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

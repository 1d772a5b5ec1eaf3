/**
 * `npm run bench:harvest`: the harvester at catalogue scale (issue 3), printed as ONE JSON
 * document on stdout (progress goes to stderr). See docs/benchmarks.md.
 *
 * For each catalogue size, a platform child process (platform-process.ts) serves the synthetic
 * catalogue on loopback, and a SEPARATE harvesting child process (harvest-worker.ts) measures,
 * per trial on a fresh SQLite file: the full harvest, the next ordinary (incremental) run with
 * nothing changed, and a `full: true` re-harvest; then reports its own peak RSS. This process
 * then measures the floor (JSON.parse + one-transaction bulk insert of the same records, no
 * mapping, no HTTP) and compares.
 *
 *   BENCH_SIZES    catalogue sizes, comma-separated (default 10000,100000; each at most 999999)
 *   BENCH_TRIALS   timed trials per size, one number or one per size (default 3,3)
 *   BENCH_WARMUPS  untimed warm-up trials per size, likewise (default 1,0)
 *
 * Each figure is the median over that size's trials.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { syntheticRecord } from './synthetic-catalogue.js';
import type { RunKind, TimedRun, WorkerResult } from './harvest-worker.js';
import { benchFloor, CONNECTOR_DEFAULTS, machine, median, progress, round, startPlatform, type Platform } from './shared.js';

const TARGETS = {
  fullDatasetsPerSecond: 5000,
  unchangedDatasetsPerSecond: 20000,
  peakRssMB: 300,
  /** Peak RSS of the largest size at most this much above (or below) the smallest's. */
  rssSpread: 0.2,
};
const FLOOR_TRIALS = 3;

const here = dirname(fileURLToPath(import.meta.url));

/** A comma-separated list of integers; with `count`, one value (for all) or at least `count`. */
function envList(name: string, fallback: readonly number[], count: number | undefined, min: number, max: number): number[] {
  const raw = process.env[name];
  const values = raw === undefined || raw === '' ? [...fallback] : raw.split(',').map((part) => Number(part.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < min || v > max)) {
    throw new Error(`${name} must be integers from ${min} to ${max}, comma-separated, got "${raw}"`);
  }
  if (count === undefined) return values;
  if (values.length === 1) return Array.from({ length: count }, () => values[0]!);
  if (values.length < count) throw new Error(`${name} needs one value or ${count} (one per size), got "${raw}"`);
  return values.slice(0, count);
}

/** Run the harvesting child for one size; resolves with what it printed. */
async function runWorker(platformUrl: string, records: number, trials: number, warmups: number, track: (child: ChildProcess | undefined) => void): Promise<WorkerResult> {
  const child = spawn(process.execPath, [join(here, 'harvest-worker.js'), platformUrl, String(records), String(trials), String(warmups)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  track(child);
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => resolve(signal ? -1 : status));
  });
  track(undefined);
  if (code !== 0) throw new Error(`the harvesting process for ${records} records exited with ${code}`);
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as WorkerResult;
}

function summarise(runs: readonly TimedRun[]): Record<string, unknown> {
  return {
    datasetsPerSecond: Math.round(median(runs.map((r) => r.datasetsPerSecond))),
    seconds: round(median(runs.map((r) => r.seconds)), 3),
    harvesterCpuMs: Math.round(median(runs.map((r) => r.harvesterCpuMs))),
    platformCpuMs: Math.round(median(runs.map((r) => r.platformCpuMs))),
    recordRequests: median(runs.map((r) => r.recordRequests)),
    listRequests: median(runs.map((r) => r.listRequests)),
    trials: runs.map((r) => Math.round(r.datasetsPerSecond)),
  };
}

/** The size's records as JSON (what the floor parses and stores), and what the catalogue is like. */
function catalogueJson(records: number): { json: string[]; stats: Record<string, number> } {
  const json: string[] = new Array<string>(records);
  let bytes = 0;
  let distributions = 0;
  for (let i = 1; i <= records; i += 1) {
    const record = syntheticRecord(i);
    distributions += (record.distribution as unknown[]).length;
    const text = JSON.stringify(record);
    bytes += Buffer.byteLength(text);
    json[i - 1] = text;
  }
  return { json, stats: { records, distributions, meanRecordJsonBytes: Math.round(bytes / records) } };
}

async function main(): Promise<void> {
  const began = performance.now();
  const sizes = envList('BENCH_SIZES', [10_000, 100_000], undefined, 1, 999_999);
  const trials = envList('BENCH_TRIALS', [3, 3], sizes.length, 1, 100);
  const warmups = envList('BENCH_WARMUPS', [1, 0], sizes.length, 0, 10);

  let platform: Platform | undefined;
  let worker: ChildProcess | undefined;
  process.once('SIGINT', () => {
    if (worker) worker.kill('SIGKILL');
    void platform?.stop().finally(() => process.exit(130));
  });

  const perSize: Array<{ records: number; worker: WorkerResult; floor: number[]; catalogue: Record<string, number> }> = [];
  for (const [index, records] of sizes.entries()) {
    progress(`${records}: starting the platform process`);
    platform = await startPlatform(records);
    let result: WorkerResult;
    try {
      progress(`${records}: harvesting process: ${warmups[index]} warm-up + ${trials[index]} trials of full, unchanged, full re-harvest`);
      result = await runWorker(platform.url, records, trials[index]!, warmups[index]!, (child) => (worker = child));
    } finally {
      await platform.stop();
      platform = undefined;
    }
    progress(`${records}: floor: generating the records, then ${FLOOR_TRIALS} trials`);
    const { json, stats } = catalogueJson(records);
    const floor = benchFloor(json, FLOOR_TRIALS);
    perSize.push({ records, worker: result, floor, catalogue: stats });
  }

  const sizeReports: Record<string, unknown> = {};
  for (const { records, worker: w, floor, catalogue } of perSize) {
    const rate = (kind: RunKind): number => median(w.trials[kind].map((r) => r.datasetsPerSecond));
    const floorRate = median(floor);
    sizeReports[String(records)] = {
      catalogue,
      trials: w.trials.full.length,
      full: summarise(w.trials.full),
      unchanged: summarise(w.trials.unchanged),
      fullReharvest: summarise(w.trials.fullReharvest),
      peakRssMB: w.peakRssMB,
      rssBeforeHarvestMB: w.rssBeforeHarvestMB,
      databaseMB: w.databaseMB,
      floor: { recordsPerSecond: Math.round(floorRate), trials: floor.map((r) => Math.round(r)) },
      ratios: {
        fullToFloor: round(rate('full') / floorRate, 4),
        unchangedToFloor: round(rate('unchanged') / floorRate, 4),
        fullReharvestToFloor: round(rate('fullReharvest') / floorRate, 4),
      },
    };
  }

  const byRate = (kind: RunKind): Record<string, number> =>
    Object.fromEntries(perSize.map(({ records, worker: w }) => [String(records), Math.round(median(w.trials[kind].map((r) => r.datasetsPerSecond)))]));
  const full = byRate('full');
  const unchanged = byRate('unchanged');
  const rss = Object.fromEntries(perSize.map(({ records, worker: w }) => [String(records), w.peakRssMB]));
  const smallest = perSize[0]!.worker.peakRssMB;
  const largest = perSize[perSize.length - 1]!.worker.peakRssMB;
  const spread = round((largest - smallest) / smallest, 3);

  const report = {
    benchmark: 'ogd-gateway harvest',
    date: new Date().toISOString(),
    machine: machine(),
    parameters: {
      sizes,
      trials,
      warmups,
      floorTrials: FLOOR_TRIALS,
      statistic: 'median over trials',
      connector: { type: 'crossplatform', ...CONNECTOR_DEFAULTS },
      runs: {
        full: 'first run into a fresh SQLite file: lists and fetches every record',
        unchanged: 'the next ordinary run, nothing changed: incremental, lists ?modified= then every identifier, fetches none',
        fullReharvest: 'a full: true run on the same database: every record fetched again, every hash matches',
      },
    },
    sizes: sizeReports,
    targets: {
      fullHarvest: { target: `>= ${TARGETS.fullDatasetsPerSecond} datasets/s`, datasetsPerSecond: full, met: Object.values(full).every((v) => v >= TARGETS.fullDatasetsPerSecond) },
      unchangedReharvest: {
        target: `>= ${TARGETS.unchangedDatasetsPerSecond} datasets/s`,
        datasetsPerSecond: unchanged,
        met: Object.values(unchanged).every((v) => v >= TARGETS.unchangedDatasetsPerSecond),
      },
      peakRss: { target: `<= ${TARGETS.peakRssMB} MB`, peakRssMB: rss, met: Object.values(rss).every((v) => v <= TARGETS.peakRssMB) },
      rssSpread: {
        target: `largest size's peak RSS within ${TARGETS.rssSpread * 100} % of the smallest's`,
        spread,
        met: perSize.length > 1 && Math.abs(spread) <= TARGETS.rssSpread,
      },
    },
    durationSeconds: round((performance.now() - began) / 1000, 1),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:harvest failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

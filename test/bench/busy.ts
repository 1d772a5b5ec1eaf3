/**
 * `npm run bench:busy`: reading while a big harvest runs (issue 15: "record GET p99 while a 100k
 * full harvest and its identity resolution run in the same `serve`: ≤ 50 ms, and ≥ 50 % of the
 * idle req/s"). Prints ONE JSON document on stdout (progress on stderr). See docs/benchmarks.md.
 *
 * One real `serve` (`node dist/src/cli.js serve --config …`, a child process, LOG_LEVEL=warn, rate
 * limit off) on a fresh store, with two sources it harvests at start-up (runOnStart):
 *
 *   small  a gated platform child (hostile-platform.ts) of BENCH_BUSY_SMALL records of 2
 *          distributions each, released at once: the records autocannon reads;
 *   big    the synthetic cross-platform catalogue of BENCH_BUSY_RECORDS records (platform-process.ts,
 *          the catalogue of bench:harvest, connector defaults), gated: its first request is held
 *          until the idle phase is measured. A first run on a fresh store fetches every record.
 *
 * Phases, autocannon (10 connections) on GET /api/v1/rest/dataset/{id} of the small records in
 * turn throughout (every answer's latency and time recorded, so each window is cut exactly):
 *
 *   warm-up  BENCH_BUSY_WARMUP_SECONDS, not counted (the first requests compile the route's schemas)
 *   idle     BENCH_BUSY_IDLE_SECONDS, nothing else going on
 *   busy     the big platform released, until serve's run of it has finished: its fetching and
 *            storing, its identity resolution and the search indexing after it, all in serve's
 *            harvest thread. Cut into parts by what the store shows (a read-only connection of
 *            this process, polled):
 *              harvest     release → every record of the big source stored (pages committed)
 *              resolution  → the resolution's transaction committed (the change feed grew)
 *              indexing    → the run finished (the search index refresh, and the run's end)
 *
 * The figures count only what a run that did the whole job produced: the bench fails unless the
 * big run succeeded with every record seen and created and no error, the platform sent each
 * record once, every dataset of both sources is served afterwards, and every read answered 200.
 *
 *   BENCH_BUSY_RECORDS          records of the big source (default 100000)
 *   BENCH_BUSY_SMALL            records of the small source, autocannon's ids (default 1000)
 *   BENCH_BUSY_IDLE_SECONDS     idle window (default 10)
 *   BENCH_BUSY_WARMUP_SECONDS   warm-up before it (default 3)
 *   BENCH_BUSY_CONNECTIONS      autocannon's connections (default 10)
 *   BENCH_BUSY_SERVE_NODE_ARGS  extra node arguments for serve, e.g. "--cpu-prof --cpu-prof-dir=prof"
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { countDatasets } from '../../src/store/catalogue.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { lastRun, type RunRow } from '../../src/store/runs.js';
import { freePort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/gateway.js';
import { benchIdentifier, HARVEST_ORG_CODE } from './hostile-records.js';
import { load, machineCpuMs, percentile, processCpuMs, processPeakRssMB, sleep, startGatedPlatform, startServe, waitFor } from './serve-child.js';
import { envInt, machine, median, platformHeld, platformStats, progress, round, startPlatform, stopChild } from './shared.js';
import { runBenchMain, withStopOnSignal } from './child-lifetime.js';

const TARGET_P99_MS = 50;
const TARGET_SHARE_OF_IDLE = 0.5;
const SMALL = 'small';
const BIG = 'big';
const RUN_LIMIT_MS = 60 * 60_000;

// ---------------------------------------------------------------------------------------------
// Windows of answers
// ---------------------------------------------------------------------------------------------

/** Every answer autocannon got: when (performance.now()) and how long it took, ms. */
class Answers {
  readonly at: number[] = [];
  readonly latencyMs: number[] = [];
  notOk = 0;

  record(at: number, latencyMs: number, statusCode: number): void {
    this.at.push(at);
    this.latencyMs.push(latencyMs);
    if (statusCode !== 200) this.notOk += 1;
  }

  /** The answers that came within [from, to): how many per second, and their latencies. */
  window(from: number, to: number): WindowFigures {
    const latencies: number[] = [];
    for (let i = 0; i < this.at.length; i += 1) if (this.at[i]! >= from && this.at[i]! < to) latencies.push(this.latencyMs[i]!);
    latencies.sort((a, b) => a - b);
    const seconds = (to - from) / 1000;
    return {
      seconds: round(seconds, 2),
      requests: latencies.length,
      requestsPerSecond: Math.round(latencies.length / seconds),
      latencyMs: {
        p50: round(latencies.length > 0 ? median(latencies) : Number.NaN, 2),
        p99: round(percentile(latencies, 0.99), 2),
        max: round(latencies[latencies.length - 1] ?? Number.NaN, 2),
      },
      over50ms: latencies.filter((ms) => ms > TARGET_P99_MS).length,
    };
  }
}

interface WindowFigures {
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  over50ms: number;
}

// ---------------------------------------------------------------------------------------------
// Who used the 2 cores
// ---------------------------------------------------------------------------------------------

interface CpuReading {
  at: number;
  serveMs: number | undefined;
  benchMs: number;
  platformMs: number;
  machine: { busyMs: number; totalMs: number } | undefined;
}

async function readCpu(servePid: number | undefined, platformUrl: string): Promise<CpuReading> {
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    serveMs: processCpuMs(servePid),
    benchMs: (usage.user + usage.system) / 1000,
    platformMs: (await platformStats(platformUrl)).cpuMs,
    machine: machineCpuMs(),
  };
}

/**
 * Cores' worth of CPU each party used between two readings: serve (all its threads), this process
 * (autocannon, the watching), the big platform child, and the machine as a whole; `others` is
 * what the machine spent beyond those (other users of a shared machine, the small platform).
 */
function coresUsed(from: CpuReading, to: CpuReading): Record<string, number | undefined> {
  const seconds = (to.at - from.at) / 1000;
  const cores = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : round(ms / 1000 / seconds, 2));
  const serve = to.serveMs !== undefined && from.serveMs !== undefined ? to.serveMs - from.serveMs : undefined;
  const machine = to.machine && from.machine ? to.machine.busyMs - from.machine.busyMs : undefined;
  const bench = to.benchMs - from.benchMs;
  const platform = to.platformMs - from.platformMs;
  return {
    serve: cores(serve),
    benchAutocannon: cores(bench),
    bigPlatform: cores(platform),
    machine: cores(machine),
    others: serve !== undefined && machine !== undefined ? cores(Math.max(0, machine - serve - bench - platform)) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Watching the big run through the store
// ---------------------------------------------------------------------------------------------

/** When each part of the big run ended (performance.now()); a part the run never reached is undefined. */
interface RunMarks {
  stored?: number;
  resolved?: number;
  finished: number;
  run: RunRow | undefined;
}

const isLive = (run: RunRow | undefined): boolean => run === undefined || run.status === 'queued' || run.status === 'running';

/**
 * Follow the big run to its end. Cheap questions first (the platform's counter, over HTTP), the
 * store only for the short moments that need it, so the watching costs the measured CPU little.
 */
async function watchBigRun(db: Db, platformUrl: string, records: number, serve: ChildProcess): Promise<RunMarks> {
  const until = performance.now() + RUN_LIMIT_MS;
  const alive = (): void => {
    if (serve.exitCode !== null || serve.signalCode !== null) throw new Error(`serve exited (${serve.signalCode ?? serve.exitCode}) during the big run`);
    if (performance.now() > until) throw new Error('the big run did not finish within the bench limit');
  };
  const storedRecords = db.prepare('SELECT COUNT(*) FROM source_records WHERE source_id = ?').pluck();
  // The change feed's newest row: resolution writes its `created` changes in its one transaction.
  const lastChange = db.prepare('SELECT COALESCE(MAX(id), 0) FROM changes').pluck();
  const changesBefore = lastChange.get() as number;
  const marks: Partial<RunMarks> = {};

  while (isLive(lastRun(db, BIG)) && (await platformStats(platformUrl)).recordsServed < records) {
    alive();
    await sleep(250);
  }
  while (isLive(lastRun(db, BIG)) && (storedRecords.get(BIG) as number) < records) {
    alive();
    await sleep(50);
  }
  if ((storedRecords.get(BIG) as number) >= records) marks.stored = performance.now();
  while (isLive(lastRun(db, BIG)) && (lastChange.get() as number) === changesBefore) {
    alive();
    await sleep(50);
  }
  if ((lastChange.get() as number) !== changesBefore) marks.resolved = performance.now();
  let run = lastRun(db, BIG);
  while (isLive(run)) {
    alive();
    await sleep(50);
    run = lastRun(db, BIG);
  }
  return { ...marks, finished: performance.now(), run };
}

/** Why the big run is not one a figure may come from; undefined when it did the whole job. */
function runProblem(run: RunRow | undefined, records: number): string | undefined {
  if (run === undefined) return 'no run of the big source';
  if (run.status !== 'succeeded') return `the big run ended ${run.status}: ${run.message ?? ''}`;
  if (run.incremental_since !== null) return `the big run was incremental (since ${run.incremental_since})`;
  if (run.records_seen !== records || run.records_created !== records)
    return `the big run saw ${run.records_seen} and created ${run.records_created} of ${records} records`;
  if (run.error_count !== 0) return `the big run recorded ${run.error_count} errors`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The bench
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = performance.now();
  const records = envInt('BENCH_BUSY_RECORDS', 100_000, 999_999);
  const small = envInt('BENCH_BUSY_SMALL', 1000, 99_999);
  const idleSeconds = envInt('BENCH_BUSY_IDLE_SECONDS', 10, 600);
  const warmupSeconds = envInt('BENCH_BUSY_WARMUP_SECONDS', 3, 600, 0);
  const connections = envInt('BENCH_BUSY_CONNECTIONS', 10, 1000);
  const loadAverageAtStart = os.loadavg().map((l) => round(l, 2));

  const { dir, cleanup } = tempDir('ogd-bench-busy-');
  /** How to stop each child process, serve first. */
  const stops: Array<() => Promise<void>> = [];
  let db: Db | undefined;
  const stopAll = async (): Promise<void> => {
    db?.close();
    db = undefined;
    await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
    cleanup();
  };
  await withStopOnSignal(stopAll, async () => {
    progress(`busy: platforms (${small} small records; ${records} synthetic cross-platform records, gated)`);
    const smallPlatform = await startGatedPlatform({ orgCode: HARVEST_ORG_CODE, groups: [{ from: 1, count: small, distributions: 2 }] });
    stops.push(() => stopChild(smallPlatform.child));
    await smallPlatform.release();
    const bigPlatform = await startPlatform(records, 'crossplatform', { gated: true });
    stops.push(() => bigPlatform.stop());

    const dbPath = join(dir, 'catalog.db');
    const configFile = join(dir, 'gateway.json');
    const config = {
      server: { host: '127.0.0.1', rateLimit: { max: 0 } },
      database: { path: dbPath },
      // runOnStart: the store is fresh, so serve harvests both sources at start; the big platform
      // holds its first request until released. timeoutMs: the held request must outlast the idle phase.
      harvest: { allowPrivateAddresses: true, runOnStart: true, timeoutMs: 600_000 },
      sources: [
        { id: SMALL, name: 'Small platform (the records read)', type: 'crossplatform', url: smallPlatform.url, schedule: '0 3 * * *' },
        { id: BIG, name: 'Synthetic platform', type: 'crossplatform', url: bigPlatform.url, schedule: '0 3 * * *' },
      ],
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    progress(`busy: serve on ${base}`);
    const serve = startServe(configFile, port, dbPath, process.env.BENCH_BUSY_SERVE_NODE_ARGS);
    stops.unshift(() => stopChild(serve));
    await waitFor('serve to answer /healthz', async () => (await request(`${base}/healthz`)).statusCode === 200, serve);
    db = openDatabase(dbPath, { readonly: true });
    const store = db;
    await waitFor('the small source to be harvested', async () => lastRun(store, SMALL)?.status === 'succeeded', serve, 120_000);
    await waitFor("the big source's run to wait at the platform's gate", async () => (await platformHeld(bigPlatform.url)) > 0, serve);
    const smallServed = countDatasets(store);
    if (smallServed !== small) throw new Error(`${smallServed} datasets served after the small harvest, not ${small}`);

    const paths = Array.from({ length: small }, (_, n) => `/api/v1/rest/dataset/${benchIdentifier(HARVEST_ORG_CODE, n + 1)}`);
    const answers = new Answers();
    const onResponse = answers.record.bind(answers);
    if (warmupSeconds > 0) {
      progress(`busy: warm-up (${warmupSeconds} s)`);
      await load(base, paths, warmupSeconds, { connections });
    }

    progress(`busy: idle, autocannon ${connections} connections (${idleSeconds} s)`);
    const idleCpu = await readCpu(serve.pid, bigPlatform.url);
    const idleFrom = performance.now();
    const idleLoad = await load(base, paths, idleSeconds, { connections, onResponse });
    const idle = answers.window(idleFrom, performance.now());
    const idleCores = coresUsed(idleCpu, await readCpu(serve.pid, bigPlatform.url));

    progress(`busy: the big platform released; autocannon until serve's run of ${records} records has finished`);
    const busyCpu = await readCpu(serve.pid, bigPlatform.url);
    const released = performance.now();
    await bigPlatform.release();
    const watching = watchBigRun(store, bigPlatform.url, records, serve);
    const busyLoad = await load(base, paths, watching, { connections, onResponse });
    const marks = await watching;
    const busyCores = coresUsed(busyCpu, await readCpu(serve.pid, bigPlatform.url));
    const platformAfter = await platformStats(bigPlatform.url);

    const problem = runProblem(marks.run, records);
    if (problem !== undefined) throw new Error(problem);
    if (platformAfter.recordsServed !== records) throw new Error(`the big platform sent ${platformAfter.recordsServed} of ${records} records whole`);
    const servedAfter = countDatasets(store);
    if (servedAfter !== small + records) throw new Error(`${servedAfter} datasets served after the big run, not ${small + records}`);
    if (answers.notOk > 0 || idleLoad.non2xx + idleLoad.errors + busyLoad.non2xx + busyLoad.errors > 0)
      throw new Error(`reads that did not answer 200: ${answers.notOk} (idle ${JSON.stringify(idleLoad)}, busy ${JSON.stringify(busyLoad)})`);

    const busy = answers.window(released, marks.finished);
    const parts =
      marks.stored !== undefined && marks.resolved !== undefined
        ? {
            harvest: answers.window(released, marks.stored),
            resolution: answers.window(marks.stored, marks.resolved),
            indexing: answers.window(marks.resolved, marks.finished),
          }
        : undefined;
    const busySeconds = (marks.finished - released) / 1000;
    const servePeakRssMB = processPeakRssMB(serve.pid);
    const run = marks.run!;
    db.close();
    db = undefined;

    const share = busy.requestsPerSecond / idle.requestsPerSecond;
    const report = {
      benchmark: 'ogd-gateway reading while a big harvest runs',
      command: 'npm run --silent bench:busy',
      date: new Date().toISOString(),
      machine: { ...machine(), loadAverageAtStart, loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)) },
      settings: {
        bigRecords: records,
        bigSource: 'synthetic cross-platform catalogue (platform-process.ts), connector defaults (pageSize 1000, concurrency 4), first run on a fresh store',
        smallRecords: small,
        autocannon: { connections, paths: 'GET /api/v1/rest/dataset/{id} of the small records, in turn', warmupSeconds, idleSeconds },
        serve: 'node dist/src/cli.js serve (real), LOG_LEVEL=warn, rate limit off, harvest.runOnStart true, harvest.timeoutMs 600000',
        coresUsed:
          'CPU per party over the window in cores (2 on this machine): serve (all threads, /proc), this process (autocannon), the big platform child, the machine (/proc/stat), others = machine − those',
        windows:
          "cut from every answer autocannon got (time and latency), by the marks below; each `autocannon` object is autocannon's own summary of its whole run, which for busy goes on until autocannon hears the run has finished",
      },
      idle: { ...idle, coresUsed: idleCores, autocannon: idleLoad },
      busy: {
        ...busy,
        autocannon: busyLoad,
        shareOfIdleRequestsPerSecond: round(share, 3),
        coresUsed: busyCores,
        parts,
        partsMeasuredBy:
          'harvest: release → every record of the big source in source_records; resolution: → the change feed grew (the resolution committed); indexing: → the run finished (search index refresh, run end); polled every 50 ms',
      },
      bigRun: {
        status: run.status,
        recordsSeen: run.records_seen,
        created: run.records_created,
        flagged: run.records_flagged,
        errors: run.error_count,
        platformRecordsSent: platformAfter.recordsServed,
        seconds: round(busySeconds, 1),
        datasetsPerSecond: Math.round(records / busySeconds),
        harvestSeconds: marks.stored !== undefined ? round((marks.stored - released) / 1000, 1) : undefined,
        harvestDatasetsPerSecond: marks.stored !== undefined ? Math.round(records / ((marks.stored - released) / 1000)) : undefined,
        resolutionSeconds: marks.stored !== undefined && marks.resolved !== undefined ? round((marks.resolved - marks.stored) / 1000, 1) : undefined,
        indexingSeconds: marks.resolved !== undefined ? round((marks.finished - marks.resolved) / 1000, 1) : undefined,
      },
      datasetsServedAfter: servedAfter,
      servePeakRssMB,
      target: { busyP99Ms: TARGET_P99_MS, busyShareOfIdleRequestsPerSecond: TARGET_SHARE_OF_IDLE },
      met: {
        busyP99: busy.latencyMs.p99 <= TARGET_P99_MS,
        busyRequestsPerSecond: share >= TARGET_SHARE_OF_IDLE,
      },
      durationSeconds: round((performance.now() - began) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  });
}

runBenchMain('bench:busy', main);

/**
 * `npm run bench:hostile`: the API's latency while `serve` works on hostile-sized records
 * (issue 12: "API p99 while a record with 10,000 distributions is harvested and while 100 such
 * pushes arrive; target: the event loop never blocks for more than 100 ms"). Prints ONE JSON
 * document on stdout (progress on stderr). See docs/benchmarks.md.
 *
 * Everything runs through the real `serve` (`node dist/src/cli.js serve --config …`, a child
 * process with PORT, DATABASE_PATH and LOG_LEVEL=warn) on a fresh store, against two loopback
 * platform children (hostile-platform.ts) that hold their listing until the bench releases it:
 *
 *   idle            the probe alone, `serve` up, its start-up harvests waiting on the gates
 *   harvest         platform A released: K records of 10,000 distributions (plus S small ones),
 *                   harvested by serve's harvest thread, until all are served
 *   autocannonIdle  autocannon (10 connections) on GET /api/v1/rest/dataset/{id} of the small records
 *   harvestUnderLoad platform B released (K more heavy records) with the same autocannon load
 *   pushes          a push key issued with the CLI, then P POSTs of a 10,000-distribution record,
 *                   C in flight at a time
 *
 * Throughout, a probe in a worker thread (latency-probe.ts) sends GET /api/v1/rest/dataset one
 * request at a time, every ~10 ms, and records each latency: from outside the process, a latency
 * far above the idle one is the time serve's event loop (or the machine) did not answer.
 *
 *   BENCH_HOSTILE_RECORDS        heavy records per harvest (default 20)
 *   BENCH_HOSTILE_DISTRIBUTIONS  distributions per heavy record (default 10000, the gateway's cap)
 *   BENCH_HOSTILE_SMALL          small records harvested with the first platform, autocannon's ids (default 200)
 *   BENCH_HOSTILE_PUSHES         pushes (default 100; 0 skips the phase)
 *   BENCH_HOSTILE_PUSH_CONCURRENCY  pushes in flight (default 4)
 *   BENCH_HOSTILE_IDLE_SECONDS   idle probe window (default 3)
 *   BENCH_HOSTILE_LOAD_SECONDS   autocannonIdle window (default 5; 0 skips it and harvestUnderLoad)
 *   BENCH_HOSTILE_INTERVAL_MS    probe's pause between requests (default 10)
 *   BENCH_HOSTILE_SERVE_NODE_ARGS  extra node arguments for serve, e.g. "--cpu-prof --cpu-prof-dir=prof"
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { openDatabase } from '../../src/store/database.js';
import { listRuns } from '../../src/store/runs.js';
import { freePort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/gateway.js';
import { benchIdentifier, benchRecord, HARVEST_ORG_CODE, PUSH_ORG_CODE } from './hostile-records.js';
import type { ProbeMessage, ProbeWindow } from './latency-probe.js';
import { load, percentile, processCpuMs, processPeakRssMB, runCli, sleep, startGatedPlatform, startServe, waitFor, type LoadFigures } from './serve-child.js';
import { envInt, machine, median, progress, round, stopChild } from './shared.js';
import { runBenchMain, withStopOnSignal } from './child-lifetime.js';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET_MAX_STALL_MS = 100;
const CONNECTIONS = 10;
/** Serials of the records: heavy ones of platform A, small ones of A, heavy ones of platform B. */
const SERIALS = { heavyA: 1, smallA: 100_001, heavyB: 200_001 };
const WAIT_LIMIT_MS = 10 * 60_000;

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

interface ProbeFigures {
  count: number;
  failures: number;
  p50: number;
  p99: number;
  max: number;
  over100ms: number;
  windowMs: number;
  probeThreadMaxDelayMs: number;
}

function probeFigures(window: ProbeWindow): ProbeFigures {
  const sorted = [...window.latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    failures: window.failures,
    p50: round(median(sorted.length > 0 ? sorted : [Number.NaN]), 2),
    p99: round(percentile(sorted, 0.99), 2),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, 2),
    over100ms: sorted.filter((ms) => ms > TARGET_MAX_STALL_MS).length,
    windowMs: Math.round(window.durationMs),
    probeThreadMaxDelayMs: round(window.probeMaxDelayMs, 1),
  };
}

// ---------------------------------------------------------------------------------------------
// The child processes and the probe
// ---------------------------------------------------------------------------------------------

class Probe {
  private readonly worker: Worker;
  private count = -1;
  private countWaiters: Array<() => void> = [];
  private windowWaiter: ((window: ProbeWindow) => void) | undefined;

  constructor(
    url: string,
    intervalMs: number,
    private readonly serve: ChildProcess,
  ) {
    this.worker = new Worker(join(here, 'latency-probe.js'), { workerData: { url, intervalMs } });
    this.worker.on('message', (message: ProbeMessage) => {
      if (message.type === 'count') {
        this.count = message.count;
        for (const wake of this.countWaiters.splice(0)) wake();
      } else if (message.type === 'window') {
        this.windowWaiter?.(message.window);
        this.windowWaiter = undefined;
      }
    });
    this.worker.on('error', (err) => progress(`probe failed: ${err.message}`));
  }

  begin(label: string): void {
    this.worker.postMessage({ type: 'window', label });
  }

  end(): Promise<ProbeWindow> {
    return new Promise((resolve) => {
      this.windowWaiter = resolve;
      this.worker.postMessage({ type: 'end' });
    });
  }

  /** Resolves when GET /api/v1/rest/dataset has listed at least `n` identifiers; rejects if serve has exited. */
  async served(n: number, limitMs = WAIT_LIMIT_MS): Promise<void> {
    const until = performance.now() + limitMs;
    while (this.count < n) {
      if (this.serve.exitCode !== null || this.serve.signalCode !== null)
        throw new Error(`serve exited (${this.serve.signalCode ?? this.serve.exitCode}) with ${this.count} of ${n} datasets served`);
      if (performance.now() > until) throw new Error(`timed out waiting for ${n} datasets to be served (${this.count} are)`);
      await new Promise<void>((resolve) => {
        this.countWaiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

interface PushFigures {
  count: number;
  statuses: Record<string, number>;
  durationMs: number;
  pushesPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  bodyBytes: number;
}

async function push(base: string, key: string, bodies: readonly Buffer[], inFlight: number): Promise<PushFigures> {
  const dispatcher = new Agent({ connections: inFlight, keepAliveTimeout: 60_000 });
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let next = 0;
  const began = performance.now();
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const start = performance.now();
      let status: string;
      try {
        const res = await request(`${base}/api/v1/rest/dataset`, {
          method: 'POST',
          dispatcher,
          headers: { authorization: key, 'content-type': 'application/json' },
          body,
        });
        const text = await res.body.text();
        status = String(res.statusCode);
        if (res.statusCode !== 201 && statuses[status] === undefined) progress(`push answered ${status}: ${text.slice(0, 300)}`);
      } catch (err) {
        status = `error: ${(err as Error).message}`;
      }
      latencies.push(performance.now() - start);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const durationMs = performance.now() - began;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return {
    count: bodies.length,
    statuses,
    durationMs: Math.round(durationMs),
    pushesPerSecond: round(bodies.length / (durationMs / 1000), 1),
    latencyMs: { p50: round(median(latencies), 1), p99: round(percentile(latencies, 0.99), 1), max: round(latencies[latencies.length - 1]!, 1) },
    bodyBytes: bodies[0]?.length ?? 0,
  };
}

async function issueKey(configFile: string, dbPath: string): Promise<string> {
  const out = await runCli(['keys', 'issue', '--publisher', '壓力測試機關', '--org-code', PUSH_ORG_CODE, '--json', '--config', configFile], dbPath, 'keys');
  return (JSON.parse(out) as { key: string }).key;
}

// ---------------------------------------------------------------------------------------------
// The bench
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = performance.now();
  const heavy = envInt('BENCH_HOSTILE_RECORDS', 20, 999);
  const distributions = envInt('BENCH_HOSTILE_DISTRIBUTIONS', 10_000, 10_000);
  const small = envInt('BENCH_HOSTILE_SMALL', 200, 99_999, 1);
  const pushes = envInt('BENCH_HOSTILE_PUSHES', 100, 99_999, 0);
  const inFlight = envInt('BENCH_HOSTILE_PUSH_CONCURRENCY', 4, 64);
  const idleSeconds = envInt('BENCH_HOSTILE_IDLE_SECONDS', 3, 600);
  const loadSeconds = envInt('BENCH_HOSTILE_LOAD_SECONDS', 5, 600, 0);
  const intervalMs = envInt('BENCH_HOSTILE_INTERVAL_MS', 10, 1000, 0);
  const loadAverageAtStart = os.loadavg().map((l) => round(l, 2));

  const { dir, cleanup } = tempDir('ogd-bench-hostile-');
  const children: ChildProcess[] = [];
  let probe: Probe | undefined;
  const stopAll = async (): Promise<void> => {
    await probe?.stop().catch(() => undefined);
    await Promise.all(children.map((child) => stopChild(child).catch(() => undefined)));
    cleanup();
  };
  await withStopOnSignal(stopAll, async () => {
    progress(`hostile: platforms (${heavy} records of ${distributions} distributions each, + ${small} small; then ${heavy} more)`);
    const platformA = await startGatedPlatform({
      orgCode: HARVEST_ORG_CODE,
      groups: [
        { from: SERIALS.heavyA, count: heavy, distributions },
        { from: SERIALS.smallA, count: small, distributions: 2 },
      ],
    });
    children.push(platformA.child);
    const platformB =
      loadSeconds > 0 ? await startGatedPlatform({ orgCode: HARVEST_ORG_CODE, groups: [{ from: SERIALS.heavyB, count: heavy, distributions }] }) : undefined;
    if (platformB) children.push(platformB.child);

    const dbPath = join(dir, 'catalog.db');
    const configFile = join(dir, 'gateway.json');
    const source = (id: string, url: string): Record<string, unknown> => ({
      id,
      name: `Hostile platform ${id}`,
      type: 'crossplatform',
      url,
      schedule: '0 3 * * *',
    });
    const config = {
      server: { host: '127.0.0.1', rateLimit: { max: 0 } },
      database: { path: dbPath },
      // runOnStart: the store is fresh, so serve harvests both sources at start; the platforms hold
      // their listing until released. timeoutMs: the held listing must outlast the phases before it.
      harvest: { allowPrivateAddresses: true, runOnStart: true, timeoutMs: 600_000 },
      sources: [source('hostile-a', platformA.url), ...(platformB ? [source('hostile-b', platformB.url)] : [])],
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    progress(`hostile: serve on ${base}`);
    const serve = startServe(configFile, port, dbPath, process.env.BENCH_HOSTILE_SERVE_NODE_ARGS);
    children.unshift(serve);
    await waitFor('serve to answer /healthz', async () => (await request(`${base}/healthz`)).statusCode === 200, serve);
    await waitFor('the start-up harvest to ask platform A for its list', async () => (await platformA.state()).held > 0, serve);

    probe = new Probe(`${base}/api/v1/rest/dataset`, intervalMs, serve);
    await probe.served(0, 30_000);
    await sleep(1000); // warm-up: first requests compile the route's schemas

    progress(`hostile: idle (${idleSeconds} s)`);
    probe.begin('idle');
    await sleep(idleSeconds * 1000);
    const idle = probeFigures(await probe.end());

    progress('hostile: harvest (platform A released)');
    const cpuBeforeHarvest = processCpuMs(serve.pid);
    const platformCpuBefore = (await platformA.state()).cpuMs;
    probe.begin('harvest');
    const harvestStart = performance.now();
    await platformA.release();
    await probe.served(heavy + small);
    const harvestMs = performance.now() - harvestStart;
    const harvestProbe = probeFigures(await probe.end());
    const cpuAfterHarvest = processCpuMs(serve.pid);
    const platformCpuAfter = (await platformA.state()).cpuMs;

    let autocannonIdle: { load: LoadFigures; probe: ProbeFigures } | undefined;
    let harvestUnderLoad: { records: number; durationMs: number; load: LoadFigures; probe: ProbeFigures } | undefined;
    if (platformB) {
      const smallPaths = Array.from({ length: small }, (_, n) => `/api/v1/rest/dataset/${benchIdentifier(HARVEST_ORG_CODE, SERIALS.smallA + n)}`);
      progress(`hostile: autocannon, ${CONNECTIONS} connections, no harvest (${loadSeconds} s)`);
      probe.begin('autocannonIdle');
      const idleLoad = await load(base, smallPaths, loadSeconds, { connections: CONNECTIONS });
      autocannonIdle = { load: idleLoad, probe: probeFigures(await probe.end()) };

      progress('hostile: harvest under autocannon load (platform B released)');
      probe.begin('harvestUnderLoad');
      const start = performance.now();
      await platformB.release();
      // The probe's window closes when the records are served, before autocannon is stopped and reports.
      const done = probe.served(2 * heavy + small).then(async () => ({ durationMs: performance.now() - start, window: await probe!.end() }));
      const loaded = await load(base, smallPaths, done, { connections: CONNECTIONS });
      const { durationMs, window } = await done;
      harvestUnderLoad = { records: heavy, durationMs: Math.round(durationMs), load: loaded, probe: probeFigures(window) };
    }

    let pushPhase: (PushFigures & { servedAfterMs: number | undefined; probe: ProbeFigures }) | undefined;
    if (pushes > 0) {
      progress('hostile: issuing a push key with the CLI');
      const key = await issueKey(configFile, dbPath);
      progress(`hostile: serialising ${pushes} push bodies`);
      const bodies = Array.from({ length: pushes }, (_, n) => Buffer.from(JSON.stringify(benchRecord(benchIdentifier(PUSH_ORG_CODE, n + 1), distributions))));
      const servedBefore = heavy + small + (platformB ? heavy : 0);
      await sleep(500);
      progress(`hostile: ${pushes} pushes, ${inFlight} in flight`);
      probe.begin('pushes');
      const figures = await push(base, key, bodies, inFlight);
      const pushProbe = probeFigures(await probe.end());
      const answered = performance.now();
      let servedAfterMs: number | undefined;
      if ((figures.statuses['201'] ?? 0) === pushes) {
        await probe.served(servedBefore + pushes, 120_000);
        servedAfterMs = Math.round(performance.now() - answered);
      }
      pushPhase = { ...figures, servedAfterMs, probe: pushProbe };
    }

    const servePeakRssMB = processPeakRssMB(serve.pid);
    await probe.stop();
    probe = undefined;
    await stopChild(serve);

    const db = openDatabase(dbPath, { readonly: true });
    const runs = listRuns(db).map((run) => ({
      source: run.source_id,
      status: run.status,
      startedAt: run.started_at,
      finishedAt: run.finished_at,
      seconds: run.started_at && run.finished_at ? round((Date.parse(run.finished_at) - Date.parse(run.started_at)) / 1000, 1) : undefined,
      recordsSeen: run.records_seen,
      created: run.records_created,
      flagged: run.records_flagged,
      rejected: run.records_rejected,
      errors: run.error_count,
    }));
    db.close();

    const met = {
      harvest: harvestProbe.max <= TARGET_MAX_STALL_MS,
      harvestUnderLoad: harvestUnderLoad ? harvestUnderLoad.probe.max <= TARGET_MAX_STALL_MS : undefined,
      pushes: pushPhase ? pushPhase.probe.max <= TARGET_MAX_STALL_MS : undefined,
    };
    const report = {
      benchmark: 'ogd-gateway hostile load',
      command: 'npm run --silent bench:hostile',
      date: new Date().toISOString(),
      machine: { ...machine(), loadAverageAtStart, loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)) },
      settings: {
        heavyRecordsPerHarvest: heavy,
        distributionsPerRecord: distributions,
        heavyRecordBytes: Buffer.byteLength(JSON.stringify({ success: true, result: benchRecord(benchIdentifier(HARVEST_ORG_CODE, 1), distributions) })),
        smallRecords: small,
        pushes,
        pushesInFlight: inFlight,
        idleSeconds,
        autocannon: { connections: CONNECTIONS, idleSeconds: loadSeconds, paths: 'GET /api/v1/rest/dataset/{id} of the small records, in turn' },
        probe: { request: 'GET /api/v1/rest/dataset', oneAtATime: true, pauseMs: intervalMs, thread: 'a worker thread of the bench process' },
        serve: 'node dist/src/cli.js serve (real), LOG_LEVEL=warn, rate limit off, harvest.runOnStart true, harvest.timeoutMs 600000',
      },
      idle,
      harvest: {
        records: heavy,
        smallRecords: small,
        durationMs: Math.round(harvestMs),
        serveCpuMs: cpuBeforeHarvest !== undefined && cpuAfterHarvest !== undefined ? cpuAfterHarvest - cpuBeforeHarvest : undefined,
        platformCpuMs: Math.round(platformCpuAfter - platformCpuBefore),
        probe: harvestProbe,
      },
      autocannonIdle,
      harvestUnderLoad,
      pushes: pushPhase,
      runs,
      servePeakRssMB,
      target: { maxStallMs: TARGET_MAX_STALL_MS, reading: 'probe max latency (one request at a time, ~every 10 ms) within the window' },
      met,
      durationSeconds: round((performance.now() - began) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  });
}

runBenchMain('bench:hostile', main);

/**
 * `npm run bench:harvest`: the harvester at catalogue scale (issue 3), printed as ONE JSON
 * document on stdout (progress goes to stderr). See docs/benchmarks.md.
 *
 * The synthetic catalogue comes in two shapes: the cross-platform spec's (one listing of
 * identifiers, then one request per record: synthetic-catalogue.ts) and CKAN's (package_search
 * pages carrying whole packages: synthetic-ckan.ts), both built from the same records. For
 * each size and each shape, a platform child process (platform-process.ts) serves the
 * catalogue on loopback in that shape, and a SEPARATE harvesting child process
 * (harvest-worker.ts) measures, per trial on a fresh SQLite file: the full harvest, the next
 * ordinary (incremental) run with nothing changed, and a `full: true` re-harvest; then reports
 * its own peak RSS, so each (shape, size) has its own. This process then measures the floor
 * once per size (JSON.parse + one-transaction bulk insert of the gen-1 records, no mapping, no
 * HTTP) and compares every shape with it. The targets are evaluated per shape. Last, the
 * identity-resolution bench (identity-resolution.ts, issue 5) runs in a child of its own.
 *
 * Issue 15 adds paged XML shapes (csw: GetRecords with csw:Record; oai-pmh: ListRecords with
 * resumptionToken, oai_dc; synthetic-xml-records.ts), compared with the floor like the others but
 * at sizes of their own, and two DCAT shapes (dcat-turtle, dcat-rdfxml: the whole catalogue as ONE
 * DCAT-AP document, synthetic-dcat.ts). A DCAT shape is compared not with the floor but with a
 * streaming parse of the same document (dcat-parse.ts: n3's StreamParser, rdfxml-streaming-parser)
 * in a child of its own, in the same run, at two document sizes, so that both the rate ratio and
 * whether the harvesting child's peak RSS stays flat as the file grows are visible.
 *
 *   BENCH_SIZES    sizes of the crossplatform and ckan shapes, comma-separated (default 10000,100000; each at most 999999)
 *   BENCH_XML_SIZES  sizes of the csw and oai-pmh shapes (default 10000; 3 trials after 1 warm-up each)
 *   BENCH_DCAT_SIZES datasets in the DCAT document (default 5181,20724: issue 15's national file and 4×;
 *                  3 trials after 1 warm-up each, the parse likewise)
 *   BENCH_SHAPES   catalogue shapes, comma-separated (default all: crossplatform,ckan,csw,oai-pmh,dcat-turtle,dcat-rdfxml)
 *   BENCH_TRIALS   timed trials per size, one number or one per size (default 3,3)
 *   BENCH_WARMUPS  untimed warm-up trials per size, likewise (default 1,0)
 *   BENCH_UNCHANGED_REPEATS  runs of the unchanged re-harvest per trial, the one of median rate
 *                  counted (default 5; about a second each at 100k, where one run is noisy)
 *   BENCH_IDENTITY_RECORDS  records of the identity-resolution bench (default 100000; 0 skips it)
 *
 * Each figure is the median over that size's trials.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { syntheticRecord } from './synthetic-catalogue.js';
import { syntheticPackage } from './synthetic-ckan.js';
import type { RunKind, TimedRun, WorkerResult } from './harvest-worker.js';
import type { IdentityBenchResult } from './identity-resolution.js';
import type { ParseResult } from './dcat-parse.js';
import { DCAT_PATHS } from './synthetic-dcat.js';
import { DEFAULT_HARVEST_HEAP_LIMIT_MB } from '../../src/config/load.js';
import {
  benchFloor,
  CONNECTORS,
  DCAT_SHAPES,
  machine,
  median,
  progress,
  round,
  SHAPES,
  startPlatform,
  XML_SHAPES,
  type Platform,
  type Shape,
} from './shared.js';
import { runBenchMain } from './child-lifetime.js';

const TARGETS = {
  fullDatasetsPerSecond: 5000,
  unchangedDatasetsPerSecond: 20000,
  peakRssMB: 300,
  /** Peak RSS of the largest size at most this much above (or below) the smallest's. */
  rssSpread: 0.2,
  /** Issue 5: identity resolution of 100,000 records with 20 % duplicates. */
  identitySeconds: 10,
  /** Issue 15: a DCAT file's full harvest at least this share of the streaming parse rate of the same file. */
  dcatToParse: 0.3,
  dcatPeakRssMB: 200,
};
/** Trials (after one untimed warm-up) of the csw, oai-pmh and DCAT shapes, and of the DCAT parse. */
const DOCUMENT_TRIALS = 3;
const FLOOR_TRIALS = 3;
const IDENTITY_DUPLICATE_SHARE = 0.2;

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

/** BENCH_SHAPES: known shapes, each once, in the order given. */
function envShapes(): Shape[] {
  const raw = process.env.BENCH_SHAPES;
  if (raw === undefined || raw === '') return [...SHAPES];
  const names = [...new Set(raw.split(',').map((part) => part.trim()))];
  const unknown = names.filter((name) => !SHAPES.some((shape) => shape === name));
  if (unknown.length > 0 || names.length === 0) throw new Error(`BENCH_SHAPES must be some of ${SHAPES.join(',')}, got "${raw}"`);
  return names as Shape[];
}

/**
 * Run a bench child (a script beside this one) to its end and parse the JSON of its last stdout
 * line. Its stdin is a pipe this process holds: a child that watches it dies with us.
 */
async function runJsonChild<T>(
  script: string,
  args: readonly string[],
  what: string,
  track: (child: ChildProcess | undefined) => void,
  nodeOptions: readonly string[] = [],
): Promise<T> {
  const child = spawn(process.execPath, [...nodeOptions, join(here, script), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  track(child);
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => resolve(signal ? -1 : status));
  });
  track(undefined);
  if (code !== 0) throw new Error(`${what} exited with ${code}`);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
}

/** Run the harvesting child for one shape and size; resolves with what it printed. */
function runWorker(
  platformUrl: string,
  shape: Shape,
  records: number,
  trials: number,
  warmups: number,
  unchangedRepeats: number,
  track: (child: ChildProcess | undefined) => void,
): Promise<WorkerResult> {
  const args = [platformUrl, shape, String(records), String(trials), String(warmups), String(unchangedRepeats)];
  // The heap cap of serve's harvest thread (src/harvest/harvest-thread.ts), so the peak RSS is the one serve's harvests have.
  const heapCap = [`--max-old-space-size=${DEFAULT_HARVEST_HEAP_LIMIT_MB}`];
  return runJsonChild<WorkerResult>('harvest-worker.js', args, `the harvesting process for ${shape} ${records} records`, track, heapCap);
}

function summarise(runs: readonly TimedRun[]): Record<string, unknown> | undefined {
  if (runs.length === 0) return undefined;
  return {
    datasetsPerSecond: Math.round(median(runs.map((r) => r.datasetsPerSecond))),
    seconds: round(median(runs.map((r) => r.seconds)), 3),
    harvesterCpuMs: Math.round(median(runs.map((r) => r.harvesterCpuMs))),
    platformCpuMs: Math.round(median(runs.map((r) => r.platformCpuMs))),
    recordRequests: median(runs.map((r) => r.recordRequests)),
    listRequests: median(runs.map((r) => r.listRequests)),
    recordsServed: median(runs.map((r) => r.recordsServed)),
    flagged: median(runs.map((r) => r.flagged)),
    trials: runs.map((r) => Math.round(r.datasetsPerSecond)),
    ...(runs.some((r) => r.repeatRates) ? { repeatsPerTrial: runs.map((r) => r.repeatRates ?? [Math.round(r.datasetsPerSecond)]) } : {}),
  };
}

/** The size's gen-1 records as JSON (what the floor parses and stores), and what they are like. */
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

/** What the CKAN packages are like (they are not kept: the floor parses the gen-1 records). */
function ckanCatalogueStats(records: number): Record<string, number> {
  let bytes = 0;
  let distributions = 0;
  for (let i = 1; i <= records; i += 1) {
    const pkg = syntheticPackage(i);
    distributions += (pkg.resources as unknown[]).length;
    bytes += Buffer.byteLength(JSON.stringify(pkg));
  }
  return { records, distributions, meanRecordJsonBytes: Math.round(bytes / records) };
}

interface ShapeRun {
  shape: Shape;
  records: number;
  worker: WorkerResult;
  catalogue: Record<string, number>;
}

interface SizeRun {
  records: number;
  floor: number[];
  shapes: ShapeRun[];
}

const rateOf = (w: WorkerResult, kind: RunKind): number => median(w.trials[kind].map((r) => r.datasetsPerSecond));
const hasRuns = (w: WorkerResult, kind: RunKind): boolean => w.trials[kind].length > 0;

/** One shape at one size, against that size's floor. */
function shapeReport({ worker: w, catalogue }: ShapeRun, floorRate: number): Record<string, unknown> {
  return {
    catalogue,
    trials: w.trials.full.length,
    full: summarise(w.trials.full),
    unchanged: summarise(w.trials.unchanged) ?? 'not run for this shape',
    fullReharvest: summarise(w.trials.fullReharvest),
    peakRssMB: w.peakRssMB,
    rssBeforeHarvestMB: w.rssBeforeHarvestMB,
    databaseMB: w.databaseMB,
    ratios: {
      fullToFloor: round(rateOf(w, 'full') / floorRate, 4),
      ...(hasRuns(w, 'unchanged') ? { unchangedToFloor: round(rateOf(w, 'unchanged') / floorRate, 4) } : {}),
      fullReharvestToFloor: round(rateOf(w, 'fullReharvest') / floorRate, 4),
    },
  };
}

/** The targets for one shape, over its runs from the smallest size to the largest. */
function shapeTargets(runs: readonly ShapeRun[]): Record<string, unknown> {
  const bySize = (value: (w: WorkerResult) => number): Record<string, number> =>
    Object.fromEntries(runs.map(({ records, worker }) => [String(records), value(worker)]));
  const full = bySize((w) => Math.round(rateOf(w, 'full')));
  const unchanged = bySize((w) => (hasRuns(w, 'unchanged') ? Math.round(rateOf(w, 'unchanged')) : Number.NaN));
  const rss = bySize((w) => w.peakRssMB);
  const smallest = runs[0]!.worker.peakRssMB;
  const largest = runs[runs.length - 1]!.worker.peakRssMB;
  const spread = round((largest - smallest) / smallest, 3);
  return {
    fullHarvest: {
      target: `>= ${TARGETS.fullDatasetsPerSecond} datasets/s`,
      datasetsPerSecond: full,
      met: Object.values(full).every((v) => v >= TARGETS.fullDatasetsPerSecond),
    },
    unchangedReharvest: runs.every(({ worker }) => hasRuns(worker, 'unchanged'))
      ? {
          target: `>= ${TARGETS.unchangedDatasetsPerSecond} datasets/s`,
          datasetsPerSecond: unchanged,
          met: Object.values(unchanged).every((v) => v >= TARGETS.unchangedDatasetsPerSecond),
        }
      : 'not run for this shape',
    peakRss: { target: `<= ${TARGETS.peakRssMB} MB`, peakRssMB: rss, met: Object.values(rss).every((v) => v <= TARGETS.peakRssMB) },
    rssSpread: {
      target: `largest size's peak RSS within ${TARGETS.rssSpread * 100} % of the smallest's`,
      spread,
      met: runs.length > 1 && Math.abs(spread) <= TARGETS.rssSpread,
    },
  };
}

/** What each run of each shape does, for the report. */
const RUNS: Readonly<Record<Shape, Record<RunKind, string>>> = {
  crossplatform: {
    full: 'first run into a fresh SQLite file: lists and fetches every record',
    unchanged: 'the next ordinary run, nothing changed: incremental, lists ?modified= then every identifier, fetches none',
    fullReharvest: 'a full: true run on the same database: every record fetched again, every hash matches',
  },
  ckan: {
    full: 'first run into a fresh SQLite file: pages package_search, whole packages, no package_show',
    unchanged:
      'the next ordinary run, nothing changed: incremental, package_search fq=metadata_modified:[since TO *] (empty), then every id with fl=id, no package_show',
    fullReharvest: 'a full: true run on the same database: every package paged again, every hash matches',
  },
  csw: {
    full: 'first run into a fresh SQLite file: GetRecords pages of 100 csw:Record (the connector default), nextRecord to the end',
    unchanged: 'not run (the CSW connector is not incremental by default)',
    fullReharvest: 'a full: true run on the same database: every page read again, every hash matches',
  },
  'oai-pmh': {
    full: 'first run into a fresh SQLite file: ListRecords oai_dc, pages of 100 along resumptionToken',
    unchanged: 'not run (the bench platform implements no from)',
    fullReharvest: 'a full: true run on the same database: every page read again, every hash matches',
  },
  'dcat-turtle': {
    full: 'first run into a fresh SQLite file: GET the one Turtle document, every dataset a record',
    unchanged: 'not run (DCAT has no incremental harvest: every run reads the whole document)',
    fullReharvest: 'a full: true run on the same database: the document read again, every hash matches',
  },
  'dcat-rdfxml': {
    full: 'first run into a fresh SQLite file: GET the one RDF/XML document, every dataset a record',
    unchanged: 'not run (DCAT has no incremental harvest: every run reads the whole document)',
    fullReharvest: 'a full: true run on the same database: the document read again, every hash matches',
  },
};

/** One DCAT shape at one document size: the harvest and the streaming parse of the same document. */
interface DcatRun {
  shape: Shape;
  datasets: number;
  worker: WorkerResult;
  parse: ParseResult;
}

function dcatReport({ worker: w, parse, datasets }: DcatRun): Record<string, unknown> {
  const parseSeconds = median(parse.seconds);
  const parseRate = datasets / parseSeconds;
  return {
    document: {
      datasets,
      bytes: parse.bytes,
      MB: round(parse.bytes / 1024 / 1024, 1),
      triples: parse.quads,
      triplesPerDataset: round(parse.quads / datasets, 1),
    },
    parse: {
      parser: parse.parser,
      seconds: parseSeconds,
      datasetsPerSecond: Math.round(parseRate),
      triplesPerSecond: Math.round(parse.quads / parseSeconds),
      trials: parse.seconds,
      peakRssMB: parse.peakRssMB,
    },
    trials: w.trials.full.length,
    full: summarise(w.trials.full),
    fullReharvest: summarise(w.trials.fullReharvest),
    peakRssMB: w.peakRssMB,
    rssBeforeHarvestMB: w.rssBeforeHarvestMB,
    databaseMB: w.databaseMB,
    ratios: {
      fullToParse: round(rateOf(w, 'full') / parseRate, 4),
      fullReharvestToParse: round(rateOf(w, 'fullReharvest') / parseRate, 4),
    },
  };
}

/** Issue 15's DCAT row for one shape, over its document sizes from the smallest to the largest. */
function dcatTargets(runs: readonly DcatRun[]): Record<string, unknown> {
  const bySize = (value: (run: DcatRun) => number): Record<string, number> => Object.fromEntries(runs.map((run) => [String(run.datasets), value(run)]));
  const ratio = bySize((run) => round(rateOf(run.worker, 'full') / (run.datasets / median(run.parse.seconds)), 3));
  const rss = bySize((run) => run.worker.peakRssMB);
  const smallest = runs[0]!.worker.peakRssMB;
  const spread = round((runs[runs.length - 1]!.worker.peakRssMB - smallest) / smallest, 3);
  return {
    fullToParse: {
      target: `full harvest >= ${TARGETS.dcatToParse} x the streaming parse rate of the same document`,
      ratio,
      met: Object.values(ratio).every((v) => v >= TARGETS.dcatToParse),
    },
    peakRss: { target: `<= ${TARGETS.dcatPeakRssMB} MB`, peakRssMB: rss, met: Object.values(rss).every((v) => v <= TARGETS.dcatPeakRssMB) },
    rssFlat: {
      target: `largest document's peak RSS within ${TARGETS.rssSpread * 100} % of the smallest's`,
      spread,
      met: runs.length > 1 && Math.abs(spread) <= TARGETS.rssSpread,
    },
  };
}

async function main(): Promise<void> {
  const began = performance.now();
  const sizes = envList('BENCH_SIZES', [10_000, 100_000], undefined, 1, 999_999);
  const xmlSizes = envList('BENCH_XML_SIZES', [10_000], undefined, 1, 999_999);
  const dcatSizes = envList('BENCH_DCAT_SIZES', [5181, 20_724], undefined, 1, 999_999);
  const shapes = envShapes();
  const jsonShapes = shapes.filter((shape) => !XML_SHAPES.includes(shape) && !DCAT_SHAPES.includes(shape));
  const xmlShapes = shapes.filter((shape) => XML_SHAPES.includes(shape));
  const dcatShapes = shapes.filter((shape) => DCAT_SHAPES.includes(shape));
  const trials = envList('BENCH_TRIALS', [3, 3], sizes.length, 1, 100);
  const warmups = envList('BENCH_WARMUPS', [1, 0], sizes.length, 0, 10);
  const unchangedRepeats = envList('BENCH_UNCHANGED_REPEATS', [5], 1, 1, 99)[0]!;

  let platform: Platform | undefined;
  let worker: ChildProcess | undefined;
  process.once('SIGINT', () => {
    if (worker) worker.kill('SIGKILL');
    void platform?.stop().finally(() => process.exit(130));
  });

  /** Every (size, shapes, trials, warm-ups) compared with the floor: the JSON shapes' sizes, then the XML shapes'. */
  const floorJobs = new Map<number, { shapes: Shape[]; trials: Map<Shape, [number, number]> }>();
  const addJob = (records: number, shape: Shape, shapeTrials: number, shapeWarmups: number): void => {
    const job = floorJobs.get(records) ?? { shapes: [] as Shape[], trials: new Map<Shape, [number, number]>() };
    job.shapes.push(shape);
    job.trials.set(shape, [shapeTrials, shapeWarmups]);
    floorJobs.set(records, job);
  };
  for (const [index, records] of sizes.entries()) for (const shape of jsonShapes) addJob(records, shape, trials[index]!, warmups[index]!);
  for (const records of xmlSizes) for (const shape of xmlShapes) addJob(records, shape, DOCUMENT_TRIALS, 1);

  const perSize: SizeRun[] = [];
  for (const [records, job] of floorJobs) {
    const harvested: Array<{ shape: Shape; worker: WorkerResult }> = [];
    for (const shape of job.shapes) {
      const [shapeTrials, shapeWarmups] = job.trials.get(shape)!;
      progress(`${shape} ${records}: starting the platform process`);
      platform = await startPlatform(records, shape);
      let result: WorkerResult;
      try {
        progress(`${shape} ${records}: harvesting process: ${shapeWarmups} warm-up + ${shapeTrials} trials`);
        result = await runWorker(platform.url, shape, records, shapeTrials, shapeWarmups, unchangedRepeats, (child) => (worker = child));
      } finally {
        await platform.stop();
        platform = undefined;
      }
      harvested.push({ shape, worker: result });
    }
    // Generated only now, so that this process does not hold them while a harvest runs.
    progress(`${records}: floor: generating the records, then ${FLOOR_TRIALS} trials`);
    const { json, stats } = catalogueJson(records);
    const floor = benchFloor(json, FLOOR_TRIALS);
    const shapeRuns = harvested.map(({ shape, worker: w }) => ({
      shape,
      records,
      worker: w,
      catalogue: shape === 'ckan' ? ckanCatalogueStats(records) : stats,
    }));
    perSize.push({ records, floor, shapes: shapeRuns });
  }

  const dcatRuns: DcatRun[] = [];
  for (const datasets of dcatSizes) {
    for (const shape of dcatShapes) {
      progress(`${shape} ${datasets}: starting the platform process (it builds the document)`);
      platform = await startPlatform(datasets, shape);
      try {
        const syntax = shape === 'dcat-turtle' ? 'turtle' : 'rdfxml';
        progress(`${shape} ${datasets}: streaming parse of the document in a process of its own: 1 warm-up + ${DOCUMENT_TRIALS} trials`);
        const parse = await runJsonChild<ParseResult>(
          'dcat-parse.js',
          [`${platform.url}${DCAT_PATHS[syntax]}`, syntax, String(DOCUMENT_TRIALS)],
          `the parse process for ${shape} ${datasets}`,
          (child) => (worker = child),
        );
        progress(
          `${shape} ${datasets}: parse ${parse.seconds.join(', ')} s (${parse.quads} triples); harvesting process: 1 warm-up + ${DOCUMENT_TRIALS} trials`,
        );
        const result = await runWorker(platform.url, shape, datasets, DOCUMENT_TRIALS, 1, unchangedRepeats, (child) => (worker = child));
        dcatRuns.push({ shape, datasets, worker: result, parse });
      } finally {
        await platform.stop();
        platform = undefined;
      }
    }
  }

  const identityRecords = envList('BENCH_IDENTITY_RECORDS', [100_000], 1, 0, 999_999)[0]!;
  let identity: IdentityBenchResult | undefined;
  if (identityRecords > 0) {
    progress(`identity: ${identityRecords} records, ${IDENTITY_DUPLICATE_SHARE * 100} % duplicates, in a process of its own`);
    identity = await runIdentityBench(identityRecords, (child) => (worker = child));
  }

  const sizeReports: Record<string, unknown> = {};
  for (const { records, floor, shapes: runs } of perSize) {
    const floorRate = median(floor);
    sizeReports[String(records)] = {
      floor: { recordsPerSecond: Math.round(floorRate), trials: floor.map((r) => Math.round(r)) },
      shapes: Object.fromEntries(runs.map((run) => [run.shape, shapeReport(run, floorRate)])),
    };
  }
  const runsOf = (shape: Shape): ShapeRun[] => perSize.flatMap((size) => size.shapes.filter((run) => run.shape === shape));
  const dcatRunsOf = (shape: Shape): DcatRun[] => dcatRuns.filter((run) => run.shape === shape);

  const report = {
    benchmark: 'ogd-gateway harvest',
    date: new Date().toISOString(),
    machine: machine(),
    parameters: {
      sizes,
      xmlSizes,
      dcatSizes,
      shapes,
      documentTrials: `${DOCUMENT_TRIALS} after 1 warm-up (csw, oai-pmh, DCAT shapes and the DCAT parse)`,
      trials,
      warmups,
      unchangedRepeats,
      floorTrials: FLOOR_TRIALS,
      statistic: 'median over trials',
      floor: 'once per size: JSON.parse + one-transaction insert of the gen-1 records, whatever the shape',
      connectors: Object.fromEntries(shapes.map((shape) => [shape, CONNECTORS[shape]])),
      runs: Object.fromEntries(shapes.map((shape) => [shape, RUNS[shape]])),
    },
    sizes: sizeReports,
    dcat: Object.fromEntries(dcatShapes.map((shape) => [shape, Object.fromEntries(dcatRunsOf(shape).map((run) => [String(run.datasets), dcatReport(run)]))])),
    identity: identity ?? 'skipped (BENCH_IDENTITY_RECORDS=0)',
    targets: {
      ...Object.fromEntries([...jsonShapes, ...xmlShapes].map((shape) => [shape, shapeTargets(runsOf(shape))])),
      ...Object.fromEntries(dcatShapes.map((shape) => [shape, dcatTargets(dcatRunsOf(shape))])),
      ...(identity
        ? {
            identityResolution: {
              target: `first resolution of ${identityRecords} records with ${IDENTITY_DUPLICATE_SHARE * 100} % duplicates <= ${TARGETS.identitySeconds} s`,
              seconds: identity.first.seconds,
              met: identity.first.seconds <= TARGETS.identitySeconds,
            },
          }
        : {}),
    },
    durationSeconds: round((performance.now() - began) / 1000, 1),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

/** The identity-resolution bench (identity-resolution.ts) in a child process; resolves with what it printed. */
function runIdentityBench(records: number, track: (child: ChildProcess | undefined) => void): Promise<IdentityBenchResult> {
  return runJsonChild<IdentityBenchResult>(
    'identity-resolution.js',
    [String(records), String(IDENTITY_DUPLICATE_SHARE)],
    'the identity-resolution process',
    track,
  );
}

runBenchMain('bench:harvest', main);

/**
 * `npm run bench:serve`: the read API at catalogue scale (issue 6), printed as ONE JSON document
 * on stdout (progress on stderr). See docs/benchmarks.md.
 *
 * A synthetic catalogue of BENCH_SERVE_RECORDS datasets (default 100,000) is built through the
 * real write path (catalogue-db.ts), then the API runs in a child process (serve-process.ts) and
 * autocannon loads it from this process on loopback:
 *   record     GET /api/v1/rest/dataset/{id}, ids spread over the catalogue
 *   catalogue  GET /catalog?page=N&pageSize=100 (DCAT-AP JSON-LD), pages spread over the first 100
 *   baseline   a bare node:http child (baseline-process.ts) answering one record's exact bytes
 *   catalogue baseline   the same, answering one catalogue page's exact bytes (about 570 KB)
 * The catalogue rows are loaded twice: by autocannon, which decodes every response body into a
 * string (for 570 KB of UTF-8 Chinese that costs more than the API's answer from its page cache,
 * so it measured itself), and by discarding-load.ts, an undici client that counts the body's
 * bytes and drops them: the catalogue's figure is that one's, and each is also a share of its
 * baseline as the record's is.
 * and, sequentially (one request at a time, so latency is the server's, not a queue's):
 *   search     GET /api/search?q=空氣品質 and other Chinese queries: median and p95
 *   export     GET /export/catalog.csv streamed to nowhere; the API process's peak RSS after it
 *
 *   BENCH_SERVE_RECORDS      catalogue size (default 100000)
 *   BENCH_SERVE_SECONDS      seconds of load per autocannon run (default 10)
 *   BENCH_SERVE_CONNECTIONS  concurrent connections (default 10)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { request } from 'undici';
import { tempDir } from '../helpers/gateway.js';
import { buildSyntheticCatalogue } from './catalogue-db.js';
import { discardingLoad } from './discarding-load.js';
import { envInt, machine, median, progress, round } from './shared.js';
import { runBenchMain } from './child-lifetime.js';
import { syntheticIdentifier } from './synthetic-catalogue.js';

const here = dirname(fileURLToPath(import.meta.url));
const TARGETS = { recordShareOfBaseline: 0.5, catalogueRequestsPerSecond: 1000, searchP95Ms: 20, exportPeakRssMB: 300 };
const SEARCH_QUERIES = ['空氣品質', '公共自行車', '臺北市 交通事故', '人口統計'];
const SEARCH_REQUESTS = 200;

/** Fork a bench child and wait for its `{ port }` message. */
async function startChild(script: string, args: string[], first?: unknown): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(here, script), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.once('message', (message) => resolve((message as { port: number }).port));
    if (first !== undefined) child.send(first as object);
  });
  return { child, port };
}

function askRss(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve((message as { maxRssMB: number }).maxRssMB));
    child.send('rss');
  });
}

interface LoadFigures {
  requestsPerSecond: number;
  latencyMs: { median: number; p90: number; p99: number };
  non2xx: number;
  errors: number;
}

/** autocannon over `paths` (taken in turn), for BENCH_SERVE_SECONDS. */
async function load(port: number, paths: readonly string[], seconds: number, connections: number): Promise<LoadFigures> {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => {
          const path = paths[next % paths.length]!;
          next += 1;
          return { ...req, path };
        },
      },
    ],
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { median: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99 },
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function sequentialLatency(port: number, path: string, requests: number): Promise<{ medianMs: number; p95Ms: number; maxMs: number; total: number }> {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < requests + 10; i += 1) {
    const start = performance.now();
    const res = await request(`http://127.0.0.1:${port}${path}`);
    const body = (await res.body.json()) as { result?: { total?: number } };
    if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}`);
    if (i >= 10) times.push(performance.now() - start);
    total = body.result?.total ?? 0;
  }
  times.sort((a, b) => a - b);
  return { medianMs: round(median(times), 2), p95Ms: round(times[Math.ceil(0.95 * times.length) - 1]!, 2), maxMs: round(times[times.length - 1]!, 2), total };
}

async function main(): Promise<void> {
  const began = performance.now();
  const records = envInt('BENCH_SERVE_RECORDS', 100_000, 999_999, 100);
  const seconds = envInt('BENCH_SERVE_SECONDS', 10, 600);
  const connections = envInt('BENCH_SERVE_CONNECTIONS', 10, 1000);
  const { dir, cleanup } = tempDir('ogd-bench-serve-');
  const children: ChildProcess[] = [];
  try {
    progress(`serve: building a catalogue of ${records} datasets`);
    const built = await buildSyntheticCatalogue(join(dir, 'catalog.db'), records);
    progress(`serve: built (${JSON.stringify(built)}); starting the API process`);
    const api = await startChild('serve-process.js', [join(dir, 'catalog.db')]);
    children.push(api.child);
    const rssIdle = await askRss(api.child);

    const sample = syntheticIdentifier(Math.ceil(records / 2));
    const recordResponse = await request(`http://127.0.0.1:${api.port}/api/v1/rest/dataset/${sample}`);
    const recordBody = Buffer.from(await recordResponse.body.arrayBuffer());
    if (recordResponse.statusCode !== 200) throw new Error(`the sample record answered ${recordResponse.statusCode}`);
    const baseline = await startChild('baseline-process.js', [], { body: recordBody.toString('base64'), contentType: 'application/json; charset=utf-8' });
    children.push(baseline.child);

    const recordPaths = Array.from({ length: 1000 }, (_, n) => `/api/v1/rest/dataset/${syntheticIdentifier(1 + ((n * 7919) % records))}`);
    const cataloguePaths = Array.from({ length: 100 }, (_, n) => `/catalog?page=${1 + n}&pageSize=100`);
    progress('serve: baseline');
    const baselineLoad = await load(baseline.port, ['/'], seconds, connections);
    progress('serve: one record');
    const recordLoad = await load(api.port, recordPaths, seconds, connections);
    // Pages of 560 KB: autocannon's decoding of each body bounds its figure (discarding-load.ts);
    // the row's figure comes from a client that counts the bytes, autocannon's is kept beside it.
    progress('serve: catalogue pages (autocannon)');
    const catalogueAutocannon = await load(api.port, cataloguePaths, seconds, connections);
    progress('serve: catalogue pages (bytes counted, not decoded)');
    const catalogueLoad = await discardingLoad(`http://127.0.0.1:${api.port}`, cataloguePaths, seconds, connections);

    // After the catalogue's load, so that fetching the page warms nothing the load measured.
    const pageResponse = await request(`http://127.0.0.1:${api.port}${cataloguePaths[0]!}`);
    const pageBody = Buffer.from(await pageResponse.body.arrayBuffer());
    if (pageResponse.statusCode !== 200) throw new Error(`the sample catalogue page answered ${pageResponse.statusCode}`);
    const pageBaseline = await startChild('baseline-process.js', [], { body: pageBody.toString('base64'), contentType: 'application/ld+json; charset=utf-8' });
    children.push(pageBaseline.child);
    progress('serve: catalogue baseline');
    const pageBaselineLoad = await discardingLoad(`http://127.0.0.1:${pageBaseline.port}`, ['/'], seconds, connections);
    const pageBaselineAutocannon = await load(pageBaseline.port, ['/'], seconds, connections);

    progress('serve: search, one request at a time');
    const search: Record<string, unknown> = {};
    for (const q of SEARCH_QUERIES) search[q] = await sequentialLatency(api.port, `/api/search?q=${encodeURIComponent(q)}&limit=20`, SEARCH_REQUESTS);
    const searchP95 = Math.max(...Object.values(search).map((s) => (s as { p95Ms: number }).p95Ms));

    progress('serve: export of the whole catalogue (CSV)');
    const exportStart = performance.now();
    const exported = await request(`http://127.0.0.1:${api.port}/export/catalog.csv`);
    let bytes = 0;
    for await (const chunk of exported.body) bytes += (chunk as Buffer).length;
    const exportSeconds = round((performance.now() - exportStart) / 1000, 2);
    const rssAfterExport = await askRss(api.child);

    const recordShare = round(recordLoad.requestsPerSecond / baselineLoad.requestsPerSecond, 3);
    const report = {
      benchmark: 'ogd-gateway serve',
      date: new Date().toISOString(),
      machine: machine(),
      parameters: {
        records,
        secondsPerLoad: seconds,
        connections,
        searchRequestsPerQuery: SEARCH_REQUESTS,
        tool: 'autocannon (load; the catalogue page: an undici client counting body bytes, discarding-load.ts), undici (sequential latency)',
      },
      catalogue: built,
      baseline: baselineLoad,
      record: { ...recordLoad, shareOfBaseline: recordShare },
      cataloguePage: {
        ...catalogueLoad,
        pageBytes: pageBody.length,
        baseline: pageBaselineLoad,
        shareOfBaseline: round(catalogueLoad.requestsPerSecond / pageBaselineLoad.requestsPerSecond, 3),
        autocannon: {
          ...catalogueAutocannon,
          baseline: pageBaselineAutocannon,
          shareOfBaseline: round(catalogueAutocannon.requestsPerSecond / pageBaselineAutocannon.requestsPerSecond, 3),
        },
      },
      search,
      export: { status: exported.statusCode, megabytes: round(bytes / 1e6, 1), seconds: exportSeconds, apiPeakRssMB: rssAfterExport, apiRssBeforeMB: rssIdle },
      targets: {
        record: {
          target: `>= ${TARGETS.recordShareOfBaseline * 100} % of the baseline's req/s`,
          share: recordShare,
          met: recordShare >= TARGETS.recordShareOfBaseline,
        },
        cataloguePage: {
          target: `>= ${TARGETS.catalogueRequestsPerSecond} req/s`,
          requestsPerSecond: catalogueLoad.requestsPerSecond,
          met: catalogueLoad.requestsPerSecond >= TARGETS.catalogueRequestsPerSecond,
        },
        search: { target: `p95 <= ${TARGETS.searchP95Ms} ms`, worstP95Ms: searchP95, met: searchP95 <= TARGETS.searchP95Ms },
        export: { target: `peak RSS <= ${TARGETS.exportPeakRssMB} MB`, apiPeakRssMB: rssAfterExport, met: rssAfterExport <= TARGETS.exportPeakRssMB },
      },
      durationSeconds: round((performance.now() - began) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const child of children) child.kill();
    cleanup();
  }
}

runBenchMain('bench:serve', main);

/**
 * What the benchmarks share (`npm run bench`: test/bench/run.ts, `npm run bench:harvest`:
 * test/bench/harvest.ts, and `npm run bench:busy`: test/bench/busy.ts): statistics, the platform child process (in either catalogue shape:
 * the cross-platform spec's or CKAN's), the bench source's configuration per shape and the
 * floor (JSON.parse + bulk insert, no mapping, no HTTP).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { parseConfig } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/types.js';
import { tempDir } from '../helpers/gateway.js';

export const SOURCE_ID = 'bench';
/** The crossplatform connector's defaults (connectors/crossplatform.ts), which the bench source uses. */
export const CONNECTOR_DEFAULTS = { pageSize: 1000, concurrency: 4 };

/** The API the platform child speaks, and so the connector the bench source uses. */
export type Shape = 'crossplatform' | 'ckan' | 'csw' | 'oai-pmh' | 'dcat-turtle' | 'dcat-rdfxml';
export const SHAPES: readonly Shape[] = ['crossplatform', 'ckan', 'csw', 'oai-pmh', 'dcat-turtle', 'dcat-rdfxml'];
/** The shapes that serve the whole catalogue as one DCAT document (measured against a streaming parse of it). */
export const DCAT_SHAPES: readonly Shape[] = ['dcat-turtle', 'dcat-rdfxml'];
/** Paged XML shapes (their own sizes: they are slower per record than the JSON ones). */
export const XML_SHAPES: readonly Shape[] = ['csw', 'oai-pmh'];

/**
 * The DCAT bench source's response cap: the default (50 MB) is smaller than the larger bench
 * document (about 75 MB of RDF/XML at 20,724 datasets), as it would be for a big national file.
 */
export const DCAT_HTTP = { maxResponseBytes: 512 * 1024 * 1024 };

/**
 * The CKAN bench source's options: full pages of 1000 (CKAN's default rows_max) rather than the
 * connector's cautious default of 100, as one would configure a site known to allow it.
 */
export const CKAN_OPTIONS = { pageSize: 1000 };

/** Per shape, the connector and the options in effect (the bench's plus the connector's defaults), for the report. */
export const CONNECTORS: Readonly<Record<Shape, Record<string, unknown>>> = {
  crossplatform: { type: 'crossplatform', ...CONNECTOR_DEFAULTS },
  // connectors/ckan.ts's defaults for the rest.
  ckan: { type: 'ckan', ...CKAN_OPTIONS, idPageSize: 1000, concurrency: 4, incremental: true, listAllOnIncremental: true },
  // connectors/csw.ts's and oai-pmh.ts's defaults: 100 records a request (the platform's OAI pages are 100 too).
  csw: { type: 'csw', url: '/csw', outputSchema: 'dc', pageSize: 100, incremental: false },
  'oai-pmh': { type: 'oai-pmh', url: '/oai', metadataPrefix: 'oai_dc', incremental: true },
  'dcat-turtle': { type: 'dcat', url: '/catalog.ttl', http: DCAT_HTTP },
  'dcat-rdfxml': { type: 'dcat', url: '/catalog.rdf', http: DCAT_HTTP },
};

/** The bench source's connector type, path below the platform's URL and options, per shape. */
const SOURCES: Readonly<Record<Shape, { type: string; path: string; options?: Record<string, unknown> }>> = {
  crossplatform: { type: 'crossplatform', path: '' },
  ckan: { type: 'ckan', path: '', options: CKAN_OPTIONS },
  csw: { type: 'csw', path: '/csw' },
  'oai-pmh': { type: 'oai-pmh', path: '/oai' },
  'dcat-turtle': { type: 'dcat', path: '/catalog.ttl', options: { http: DCAT_HTTP } },
  'dcat-rdfxml': { type: 'dcat', path: '/catalog.rdf', options: { http: DCAT_HTTP } },
};

const here = dirname(fileURLToPath(import.meta.url));

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function envInt(name: string, fallback: number, max: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryMB: Math.round(os.totalmem() / 1024 / 1024),
  };
}

// ---------------------------------------------------------------------------------------------
// The platform child process
// ---------------------------------------------------------------------------------------------

export interface PlatformStats {
  /** CPU time the platform process has used so far, ms. */
  cpuMs: number;
  /** Requests for one record by id answered so far: `GET /dataset/{id}`, CKAN's package_show. */
  recordRequests: number;
  /** Listing requests answered so far: `GET /dataset?…`, CKAN's package_search. */
  listRequests: number;
  /** Records sent whole so far, by either kind of request (not ids alone). */
  recordsServed: number;
}

/** What the platform child reports at `/__bench/cpu`. */
export async function platformStats(url: string): Promise<PlatformStats> {
  const res = await request(`${url}/__bench/cpu`);
  const usage = (await res.body.json()) as { userUs: number; systemUs: number; recordRequests: number; listRequests: number; recordsServed: number };
  return {
    cpuMs: (usage.userUs + usage.systemUs) / 1000,
    recordRequests: usage.recordRequests,
    listRequests: usage.listRequests,
    recordsServed: usage.recordsServed,
  };
}

/** Requests a gated platform child holds at its gate, unanswered (`/__bench/cpu`'s `held`). */
export async function platformHeld(url: string): Promise<number> {
  const res = await request(`${url}/__bench/cpu`);
  return ((await res.body.json()) as { held: number }).held;
}

export interface Platform {
  url: string;
  /** CPU time the platform process has used so far, ms. */
  cpuMs(): Promise<number>;
  /** Answer the requests held at the gate, and every later one at once (a gated platform; a no-op otherwise). */
  release(): Promise<void>;
  stop(): Promise<void>;
}

/** Spawn a compiled script of this folder with Node; its first stdout line is returned with the child. */
export async function spawnWithFirstLine(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; line: string }> {
  const child: ChildProcess = spawn(process.execPath, [join(here, script), ...args], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string): void => {
      lines.close();
      reject(new Error(`${script} did not start: ${why}`));
    };
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? code}`));
    lines.once('line', (first) => {
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      lines.close();
      resolve(first);
    });
  });
  return { child, line };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** `gated`: the platform holds every API request until `release()` (platform-process.ts). */
export async function startPlatform(records: number, shape: Shape = 'crossplatform', options: { gated?: boolean } = {}): Promise<Platform> {
  const { child, line } = await spawnWithFirstLine('platform-process.js', [String(records), shape, ...(options.gated ? ['gated'] : [])]);
  const port = Number(line.trim());
  if (!Number.isInteger(port) || port <= 0) {
    await stopChild(child);
    throw new Error(`the platform process printed "${line}" instead of its port`);
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async cpuMs() {
      return (await platformStats(url)).cpuMs;
    },
    async release() {
      await (await request(`${url}/__bench/release`)).body.text();
    },
    stop: () => stopChild(child),
  };
}

// ---------------------------------------------------------------------------------------------
// The bench source and the floor
// ---------------------------------------------------------------------------------------------

export function benchConfig(dbPath: string, platformUrl: string, shape: Shape = 'crossplatform'): GatewayConfig {
  const { type, path, options } = SOURCES[shape];
  const source = { id: SOURCE_ID, name: 'Synthetic platform', type, url: `${platformUrl}${path}`, schedule: '0 3 * * *' };
  return parseConfig(
    {
      database: { path: dbPath },
      harvest: { allowPrivateAddresses: true },
      sources: [options ? { ...source, options } : source],
    },
    'bench config',
  );
}

/**
 * The floor: JSON.parse of every record's JSON plus an insert of (identifier, json) into a plain
 * table, all in one transaction, with the gateway's pragmas. One untimed warm-up trial first.
 * Returns records/s per trial.
 */
export function benchFloor(recordJson: readonly string[], trials: number): number[] {
  const rates: number[] = [];
  for (let trial = -1; trial < trials; trial += 1) {
    const { dir, cleanup } = tempDir();
    try {
      const db = new Database(join(dir, 'floor.db'));
      try {
        // The gateway's own pragmas (src/store/database.ts), so the floor pays the same durability.
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.exec('CREATE TABLE records (identifier TEXT PRIMARY KEY, payload TEXT NOT NULL)');
        const insert = db.prepare('INSERT INTO records (identifier, payload) VALUES (?, ?)');
        const start = performance.now();
        db.transaction(() => {
          for (const json of recordJson) {
            const record = JSON.parse(json) as { identifier: string };
            insert.run(record.identifier, json);
          }
        })();
        const seconds = (performance.now() - start) / 1000;
        const stored = db.prepare('SELECT COUNT(*) FROM records').pluck().get() as number;
        if (stored !== recordJson.length) throw new Error(`floor stored ${stored} of ${recordJson.length}`);
        if (trial >= 0) rates.push(recordJson.length / seconds);
      } finally {
        db.close();
      }
    } finally {
      cleanup();
    }
  }
  return rates;
}

/**
 * What the benchmarks that drive a real `serve` child process share (`npm run bench:hostile`:
 * hostile.ts, `npm run bench:busy`: busy.ts): starting `serve` on a config file, waiting on it,
 * its CPU time and peak memory from /proc, the gated platform of bench records
 * (hostile-platform.ts), and autocannon load on a list of paths.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { request } from 'undici';
import type { HostilePlatformSpec } from './hostile-platform.js';
import { round, spawnWithFirstLine } from './shared.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', '..', 'src', 'cli.js');

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The value at quantile `p` of ascending `sorted` (nearest rank); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Lines of a child's output, prefixed, to our stderr (our stdout is the JSON document only). */
export function forward(stream: NodeJS.ReadableStream, prefix: string): void {
  createInterface({ input: stream }).on('line', (line) => process.stderr.write(`[${prefix}] ${line}\n`));
}

/**
 * `node dist/src/cli.js serve --config <configFile>` with PORT, DATABASE_PATH and LOG_LEVEL=warn.
 * `nodeArgs`: extra node arguments, e.g. "--cpu-prof --cpu-prof-dir=prof" (not allowed in NODE_OPTIONS).
 */
export function startServe(configFile: string, port: number, dbPath: string, nodeArgs = ''): ChildProcess {
  const args = nodeArgs.split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...args, CLI, 'serve', '--config', configFile], {
    env: { ...process.env, PORT: String(port), DATABASE_PATH: dbPath, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  forward(child.stdout!, 'serve');
  forward(child.stderr!, 'serve');
  return child;
}

/** `node dist/src/cli.js <args>` with DATABASE_PATH: resolves to its stdout; rejects unless it exits 0. */
export async function runCli(args: readonly string[], dbPath: string, label: string): Promise<string> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, DATABASE_PATH: dbPath, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  forward(child.stderr!, label);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${label} exited with ${code}`);
  return out;
}

/** Resolves when `check` does; rejects when `child` exits first or after `limitMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, limitMs = 60_000, pollMs = 100): Promise<void> {
  const until = performance.now() + limitMs;
  while (performance.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`serve exited (${child.signalCode ?? child.exitCode}) while waiting for ${what}`);
    if (await check().catch(() => false)) return;
    await sleep(pollMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The process's CPU time (user + system, all its threads), ms; undefined off Linux. */
export function processCpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** CPU time the whole machine has spent busy (every core, every process) and its cores' total time, ms; undefined off Linux. */
export function machineCpuMs(): { busyMs: number; totalMs: number } | undefined {
  try {
    // The first line of /proc/stat: cpu user nice system idle iowait irq softirq steal …, in clock ticks (10 ms).
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((sum, n) => sum + n, 0);
    return { busyMs: (total - ticks[3]! - ticks[4]!) * 10, totalMs: total * 10 };
  } catch {
    return undefined;
  }
}

/** The process's peak resident memory (VmHWM), MB; undefined off Linux. */
export function processPeakRssMB(pid: number | undefined): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? round(Number(match[1]) / 1024, 1) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The gated platform of bench records (hostile-platform.ts)
// ---------------------------------------------------------------------------------------------

export interface GatedPlatform {
  url: string;
  child: ChildProcess;
  state(): Promise<{ held: number; released: boolean; listRequests: number; recordRequests: number; cpuMs: number }>;
  release(): Promise<void>;
}

export async function startGatedPlatform(spec: HostilePlatformSpec): Promise<GatedPlatform> {
  const { child, line } = await spawnWithFirstLine('hostile-platform.js', [JSON.stringify(spec)]);
  const url = `http://127.0.0.1:${Number(line.trim())}`;
  return {
    url,
    child,
    async state() {
      const res = await request(`${url}/__bench/state`);
      return (await res.body.json()) as Awaited<ReturnType<GatedPlatform['state']>>;
    },
    async release() {
      await (await request(`${url}/__bench/release`)).body.text();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

export interface LoadFigures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
}

export interface LoadOptions {
  connections: number;
  /** Told of every answer: when it came (performance.now() of this process) and its latency, ms. */
  onResponse?: (at: number, latencyMs: number, statusCode: number) => void;
}

/** autocannon on `paths` (taken in turn) until `until` settles, or for `until` seconds. */
export async function load(base: string, paths: readonly string[], until: Promise<unknown> | number, options: LoadOptions): Promise<LoadFigures> {
  let next = 0;
  const began = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections: options.connections,
        // Long enough for any harvest; stopped when it is over.
        duration: typeof until === 'number' ? until : 3600,
        requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }],
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    const onResponse = options.onResponse;
    if (onResponse) instance.on('response', (_client, statusCode, _bytes, responseTime) => onResponse(performance.now(), responseTime, statusCode));
    if (typeof until !== 'number') until.finally(() => instance.stop()).catch(() => undefined);
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: round((performance.now() - began) / 1000, 1),
  };
}

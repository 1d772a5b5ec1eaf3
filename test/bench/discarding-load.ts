/**
 * A load generator that counts a response's bytes without decoding them, for the bench rows whose
 * answers are large. autocannon 8 appends every response body to a string
 * (lib/pipelinedRequestsQueue.js `req.body += data`), so for a DCAT catalogue page of 560 KB of
 * UTF-8 Chinese it spends more CPU decoding than the API spends answering: on the 2-core VM a
 * bare node:http server sending those bytes reached the same ~410 req/s as the API
 * (docs/benchmarks.md, "Issue 15: serve targets"), so the figure measured autocannon.
 *
 * `connections` undici Clients (one keep-alive connection each, no pipelining) each send the
 * next path as soon as the previous answer ended, for `seconds`; the body's bytes are counted and
 * dropped through undici's dispatch handler, never gathered or decoded.
 */
import { performance } from 'node:perf_hooks';
import { Client, type Dispatcher } from 'undici';
import { round } from './shared.js';

export interface DiscardingLoadFigures {
  requestsPerSecond: number;
  latencyMs: { median: number; p90: number; p99: number };
  /** Bytes of body received per second, MB/s. */
  bodyMBPerSecond: number;
  non2xx: number;
  errors: number;
}

/** One GET whose body is counted and dropped; resolves with its status and body length. */
function discardingGet(client: Client, path: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let bytes = 0;
    // The handler shape Client.dispatch itself takes (undici wraps the newer one only in interceptors).
    const handler: Dispatcher.DispatchHandler = {
      onConnect: () => undefined,
      onHeaders: (statusCode) => {
        status = statusCode;
        return true;
      },
      onData: (chunk) => {
        bytes += chunk.length;
        return true;
      },
      onComplete: () => resolve({ status, bytes }),
      onError: (err) => reject(err),
    };
    client.dispatch({ path, method: 'GET', headers: { 'accept-encoding': 'identity' } }, handler);
  });
}

function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

/** GET `paths` in turn over `connections` connections for `seconds`. */
export async function discardingLoad(origin: string, paths: readonly string[], seconds: number, connections: number): Promise<DiscardingLoadFigures> {
  const clients = Array.from({ length: connections }, () => new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 }));
  const latencies: number[] = [];
  let next = 0;
  let non2xx = 0;
  let errors = 0;
  let bytes = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < until) {
          const path = paths[next % paths.length]!;
          next += 1;
          const sent = performance.now();
          try {
            const answer = await discardingGet(client, path);
            latencies.push(performance.now() - sent);
            bytes += answer.bytes;
            if (answer.status < 200 || answer.status > 299) non2xx += 1;
          } catch {
            errors += 1;
          }
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: Math.round(latencies.length / elapsed),
    latencyMs: { median: round(percentile(latencies, 0.5), 2), p90: round(percentile(latencies, 0.9), 2), p99: round(percentile(latencies, 0.99), 2) },
    bodyMBPerSecond: round(bytes / elapsed / 1024 / 1024, 1),
    non2xx,
    errors,
  };
}

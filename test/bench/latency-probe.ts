/**
 * The latency probe of `npm run bench:hostile`, in a WORKER THREAD so that what the bench's main
 * thread does meanwhile (pushing 1.4 MB bodies, autocannon) never delays it: its event loop only
 * sends one request, waits for the whole answer, records the time, sleeps `intervalMs`, and again.
 *
 * A served API answers `GET /api/v1/rest/dataset` in about a millisecond; an answer that takes far
 * longer waited for the server's event loop (or, on a loaded machine, for a core). The probe runs
 * from start to end; the bench marks windows (`{ type: 'window', label }` … `{ type: 'end' }`) and
 * gets back each window's samples and the probe thread's own worst event-loop delay (so a stall of
 * the client is not blamed on the server). It also posts `{ type: 'count', count }` whenever the
 * number of identifiers served changes: the bench waits on it for harvested and pushed records.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';

export interface ProbeSettings {
  url: string;
  intervalMs: number;
}

export type ProbeCommand = { type: 'window'; label: string } | { type: 'end' } | { type: 'stop' };

export interface ProbeWindow {
  label: string;
  /** Latency of each request of the window, in the order sent, ms. */
  latenciesMs: number[];
  /** Requests that failed or answered other than 200. */
  failures: number;
  /** The window's length, ms. */
  durationMs: number;
  /** The probe thread's own worst event-loop delay in the window, ms. */
  probeMaxDelayMs: number;
}

export type ProbeMessage = { type: 'count'; count: number } | { type: 'window'; window: ProbeWindow } | { type: 'stopped' };

const settings = workerData as ProbeSettings;
const port = parentPort!;
const dispatcher = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();

let window: { label: string; latenciesMs: number[]; failures: number; startedAt: number } | undefined;
let stopping = false;
let lastCount = -1;

port.on('message', (command: ProbeCommand) => {
  if (command.type === 'window') {
    window = { label: command.label, latenciesMs: [], failures: 0, startedAt: performance.now() };
    delay.reset();
  } else if (command.type === 'end') {
    const ended = window;
    window = undefined;
    if (ended) {
      port.postMessage({
        type: 'window',
        window: {
          label: ended.label,
          latenciesMs: ended.latenciesMs,
          failures: ended.failures,
          durationMs: performance.now() - ended.startedAt,
          probeMaxDelayMs: delay.max / 1e6,
        },
      } satisfies ProbeMessage);
    }
  } else {
    stopping = true;
  }
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

while (!stopping) {
  const current = window;
  const start = performance.now();
  let ok: boolean;
  try {
    const res = await request(settings.url, { dispatcher });
    const body = (await res.body.json()) as { result?: unknown };
    ok = res.statusCode === 200;
    const count = Array.isArray(body.result) ? body.result.length : -1;
    if (ok && count !== lastCount) {
      lastCount = count;
      port.postMessage({ type: 'count', count } satisfies ProbeMessage);
    }
  } catch {
    ok = false;
  }
  const ms = performance.now() - start;
  // Only a request sent and answered within one window counts for it.
  if (current !== undefined && current === window) {
    if (ok) current.latenciesMs.push(ms);
    else current.failures += 1;
  }
  await sleep(settings.intervalMs);
}
await dispatcher.close();
port.postMessage({ type: 'stopped' } satisfies ProbeMessage);

/**
 * The worker thread that runs `serve`'s harvests (started by harvest-thread.ts), so that what a
 * run does with each record (parsing, the door, mapping, validating, hashing, writing, and the
 * identity resolution after it) is never done on the event loop that answers API requests.
 *
 * It holds its own connection to the store's file (WAL: the API's readers see each page when it
 * commits) and one Harvester, so the per-host politeness limits are shared by all of the
 * process's runs, as they were when harvests ran on the API's thread. It logs to the same stdout.
 *
 * Messages in: `run` (one run of a source), `cancel` (abort that run), `shutdown` (cancel every
 * run, wait for them, close the connection, end). Out: `queued` (the run's id), `progress`,
 * `done` (the summary, or null when the source was busy), `failed` (the run could not be started).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { GatewayConfig } from '../config/types.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/sqlite-store.js';
import { adoptProcessToken } from '../store/runs.js';
import { Harvester } from './harvester.js';
import { holdResolutionsForTests, type ResolutionGate } from './resolution-hold.js';
import type { RunProgress, RunSummary } from './run.js';

export interface HarvestWorkerData {
  config: GatewayConfig;
  /** The process's run token (runs.ts): runs this thread opens are the process's. */
  processToken: string;
  /** Test hook (resolution-hold.ts): hold each resolution after a run at this gate. Never set in use. */
  resolutionGateForTests?: ResolutionGate | undefined;
}

export type HarvestRequest =
  { type: 'run'; id: number; sourceId: string; full: boolean; progress: boolean } | { type: 'cancel'; id: number } | { type: 'shutdown' };

export type HarvestReply =
  | { type: 'queued'; id: number; runId: number }
  | { type: 'progress'; id: number; progress: RunProgress }
  | { type: 'done'; id: number; summary: RunSummary | null }
  | { type: 'failed'; id: number; error: { name: string; message: string; stack?: string | undefined } }
  | { type: 'closed' };

const port = parentPort;
if (port === null) throw new Error('harvest-worker.js runs in a worker thread: src/harvest/harvest-thread.ts starts it');

const data = workerData as HarvestWorkerData;
adoptProcessToken(data.processToken);
holdResolutionsForTests(data.resolutionGateForTests);
const log = createLogger(data.config.log.level, 'stdout').child({ thread: 'harvest' });
// Requests posted meanwhile wait in the port until the listener below is added; a store that cannot
// be opened ends the thread with its error, and harvest-thread.ts closes the runs it was asked for.
const store = await openStore(data.config.database.path);
const harvester = new Harvester(store, data.config, log);
const cancels = new Map<number, AbortController>();

port.on('message', (request: HarvestRequest) => {
  if (request.type === 'cancel') {
    cancels.get(request.id)?.abort();
    return;
  }
  if (request.type === 'shutdown') {
    void harvester
      .shutdown()
      .then(() => store.close())
      .finally(() => {
        log.flush();
        port.postMessage({ type: 'closed' } satisfies HarvestReply);
        port.close();
      });
    return;
  }
  const { id, sourceId, full } = request;
  const cancel = new AbortController();
  cancels.set(id, cancel);
  harvester
    .run(sourceId, {
      full,
      signal: cancel.signal,
      onQueued: (runId) => port.postMessage({ type: 'queued', id, runId } satisfies HarvestReply),
      onProgress: request.progress ? (progress) => port.postMessage({ type: 'progress', id, progress } satisfies HarvestReply) : undefined,
    })
    .then(
      (summary) => port.postMessage({ type: 'done', id, summary: summary ?? null } satisfies HarvestReply),
      (err: unknown) => {
        const error = err as Error;
        port.postMessage({ type: 'failed', id, error: { name: error.name, message: error.message, stack: error.stack } } satisfies HarvestReply);
      },
    )
    .finally(() => cancels.delete(id));
});

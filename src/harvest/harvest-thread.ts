/**
 * `serve`'s harvests, run in a worker thread (harvest-worker.ts) instead of on the API's event
 * loop. A run spends its time on records, each linear in its size but many of them (a page of
 * 1,000, a record of 10,000 distributions, the identity resolution of 100,000 datasets after the
 * run): on the API's thread every request waited for each of those slices, so one hostile record
 * once froze the whole API for 40 s. In the thread, the API only ever waits for SQLite's write lock
 * when it writes itself (a push), and reads never wait (WAL).
 *
 * Same contract as Harvester (HarvestRunner): the scheduler and the start-up harvest call `run`,
 * shutdown cancels every run after its current page. The thread starts with the first run and
 * stays for the next ones; it holds the process open only while a run goes on. If it dies (out
 * of memory, a bug), the runs it had open are closed as failed, each caller's `run` rejects, and
 * the next run starts a new thread.
 */
import type { Worker } from 'node:worker_threads';
import { endWorker, startWorker } from '../worker-thread.js';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/types.js';
import type { Store } from '../store/contract/store.js';
import { processToken } from '../store/runs.js';
import type { HarvestRunner, RunRequest } from './harvester.js';
import type { RunSummary } from './run.js';
import type { HarvestReply, HarvestRequest, HarvestWorkerData } from './harvest-worker.js';
import type { ResolutionGate } from './resolution-hold.js';

/** Test hooks, never set in use. */
export interface HarvestThreadTestHooks {
  /** Hold each resolution after a run at this gate until the test releases it (resolution-hold.ts). */
  resolutionGate?: ResolutionGate;
}

/** How long `shutdown` waits for the runs to stop after their current page before ending the thread. */
const SHUTDOWN_GRACE_MS = 30_000;

interface PendingRun {
  sourceId: string;
  request: RunRequest;
  runId?: number;
  resolve: (summary: RunSummary | undefined) => void;
  reject: (err: Error) => void;
  detach: () => void;
}

export class HarvestThread implements HarvestRunner {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, PendingRun>();
  private nextId = 1;
  private stopped = false;

  /** `store`: the API's, used only to close the runs of a thread that died. */
  constructor(
    private readonly config: GatewayConfig,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly testHooks: HarvestThreadTestHooks = {},
  ) {}

  run(sourceId: string, request: RunRequest = {}): Promise<RunSummary | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    let worker: Worker;
    try {
      worker = this.worker ?? this.start();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => this.post({ type: 'cancel', id });
      request.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { sourceId, request, resolve, reject, detach: () => request.signal?.removeEventListener('abort', onAbort) });
      worker.ref();
      this.post({ type: 'run', id, sourceId, full: request.full ?? false, progress: request.onProgress !== undefined });
      if (request.signal?.aborted) onAbort();
    });
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    if (worker === undefined) return;
    await endWorker(worker, { type: 'shutdown' } satisfies HarvestRequest, SHUTDOWN_GRACE_MS, () =>
      this.log.warn({ runs: this.pending.size }, 'harvest thread did not stop in time; ending it'),
    );
  }

  private post(request: HarvestRequest): void {
    this.worker?.postMessage(request);
  }

  private start(): Worker {
    const workerData: HarvestWorkerData = { config: this.config, processToken: processToken(), resolutionGateForTests: this.testHooks.resolutionGate };
    // The cap also makes V8 collect sooner: see DEFAULT_HARVEST_HEAP_LIMIT_MB (src/config/load.ts).
    const worker: Worker = startWorker<HarvestReply>(
      new URL('./harvest-worker.js', import.meta.url),
      workerData,
      'harvest thread',
      { message: (reply) => this.answer(worker, reply), ended: (err) => this.died(worker, err) },
      { maxOldGenerationSizeMb: this.config.harvest.heapLimitMB },
    );
    this.worker = worker;
    return worker;
  }

  private answer(worker: Worker, reply: HarvestReply): void {
    if (reply.type === 'closed') return;
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    switch (reply.type) {
      case 'queued':
        pending.runId = reply.runId;
        pending.request.onQueued?.(reply.runId);
        return;
      case 'progress':
        pending.request.onProgress?.(reply.progress);
        return;
      case 'done':
        this.settle(worker, reply.id);
        pending.resolve(reply.summary ?? undefined);
        return;
      case 'failed':
        this.settle(worker, reply.id);
        pending.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, stack: reply.error.stack }));
        return;
    }
  }

  private settle(worker: Worker, id: number): void {
    this.pending.get(id)?.detach();
    this.pending.delete(id);
    // An idle thread does not keep a process alive that has nothing else to do.
    if (this.pending.size === 0) worker.unref();
  }

  private died(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const lost = [...this.pending.values()];
    this.pending.clear();
    if (lost.length === 0) return;
    const runIds = lost.flatMap((run) => (run.runId === undefined ? [] : [run.runId]));
    const outOfMemory = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    const message = outOfMemory
      ? `the harvest thread ran out of its ${this.config.harvest.heapLimitMB} MiB heap (harvest.heapLimitMB) before the run finished; closed as failed: raise harvest.heapLimitMB, or lower harvest.maxConcurrentRuns`
      : `the harvest thread ended before the run finished (${err.message}); closed as failed`;
    this.log.error({ err, sources: lost.map((run) => run.sourceId), runs: runIds }, 'the harvest thread ended during runs');
    // The callers hear of it once their runs are closed: a caller that looks at the run sees it failed.
    void this.store.runs
      .closeAbandonedRuns(runIds, message)
      .catch((closeErr: unknown) => this.log.error({ err: closeErr, runs: runIds }, 'could not close the runs of the harvest thread that ended'))
      .finally(() => {
        for (const run of lost) {
          run.detach();
          run.reject(err);
        }
      });
  }
}

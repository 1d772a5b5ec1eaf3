import type { Logger } from 'pino';
import { createConnector, httpLimitsFor } from '../../connectors/index.js';
import type { GatewayConfig, SourceConfig } from '../config/types.js';
import type { Store } from '../store/contract/store.js';
import { SourceBusyError } from '../store/runs.js';
import { storeErrorOf } from '../store/store-errors.js';
import { HttpClient } from '../http/http-client.js';
import { emptyCounts, runHarvest, type RunProgress, type RunSummary } from './run.js';
import { Slots } from './slots.js';

export interface RunRequest {
  full?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Told the run's id once it is queued. */
  onQueued?: (runId: number) => void;
}

/** What runs harvests: a Harvester in this thread, or the harvest thread of `serve` (harvest-thread.ts). */
export interface HarvestRunner {
  run(sourceId: string, request?: RunRequest): Promise<RunSummary | undefined>;
  /** Stop every queued and running run (each ends cancelled after its current page) and wait for them. */
  shutdown(): Promise<void>;
}

/**
 * Runs harvests of the configured sources. Never two runs of one source at once (in this
 * process through the `active` map, across processes through the runs table), and at most
 * `harvest.maxConcurrentRuns` runs at once: the others wait as 'queued'.
 */
export class Harvester implements HarvestRunner {
  private readonly active = new Map<string, Promise<RunSummary | undefined>>();
  private readonly slots: Slots;
  /** Aborted at shutdown: every queued and running run of this process stops. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly config: GatewayConfig,
    private readonly log: Logger,
  ) {
    this.slots = new Slots(config.harvest.maxConcurrentRuns);
  }

  source(id: string): SourceConfig | undefined {
    return this.config.sources.find((s) => s.id === id);
  }

  isRunning(sourceId: string): boolean {
    return this.active.has(sourceId);
  }

  /** Harvest one source now. Resolves to undefined when a run of it is already queued or going on. */
  async run(sourceId: string, request: RunRequest = {}): Promise<RunSummary | undefined> {
    const source = this.source(sourceId);
    if (!source) throw new Error(`unknown source "${sourceId}"`);
    if (this.active.has(sourceId)) {
      this.log.warn({ source: sourceId }, 'a run of this source is still queued or going on; this one is skipped');
      return undefined;
    }
    const running = this.queueAndRun(source, request);
    this.active.set(sourceId, running);
    try {
      return await running;
    } finally {
      this.active.delete(sourceId);
    }
  }

  /** Stop every queued and running run (each ends cancelled after its current page) and wait for them. */
  async shutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.active.values()]);
  }

  private async queueAndRun(source: SourceConfig, request: RunRequest): Promise<RunSummary | undefined> {
    const signal = request.signal ? AbortSignal.any([request.signal, this.stopping.signal]) : this.stopping.signal;
    let runId: number;
    try {
      runId = await this.store.runs.queueRun(source.id);
    } catch (err) {
      if (err instanceof SourceBusyError) {
        this.log.warn({ source: source.id, run: err.runId }, err.message);
        return undefined;
      }
      // Store errors arrive classified (StoreUnavailableError) from the store's boundary.
      throw err;
    }
    request.onQueued?.(runId);
    const queuedAt = Date.now();
    const release = await this.slots.acquire(signal);
    if (!release) {
      const counts = emptyCounts();
      await this.store.runs.finishRun(runId, { status: 'cancelled', counts, message: 'cancelled while queued' });
      return {
        runId,
        sourceId: source.id,
        status: 'cancelled',
        counts,
        incrementalSince: null,
        message: 'cancelled while queued',
        durationMs: Date.now() - queuedAt,
      };
    }
    const http = new HttpClient({ ...httpLimitsFor(source, this.config.harvest), userAgent: this.config.harvest.userAgent });
    try {
      return await runHarvest({
        store: this.store,
        runId,
        source,
        connector: createConnector(source),
        http,
        log: this.log,
        signal,
        full: request.full,
        onProgress: request.onProgress,
      });
    } catch (err) {
      // The store failed outside the pages (starting the run, withdrawals, resolution, its end):
      // close the run failed, or leave it for the next start, so it does not block the source.
      const storeError = storeErrorOf(err, this.store.location);
      if (storeError) await this.store.runs.failRunOnStoreError({ id: runId, sourceId: source.id }, storeError);
      throw storeError ?? err;
    } finally {
      release();
      await http.close();
    }
  }
}

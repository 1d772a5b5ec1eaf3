import type { Logger } from 'pino';
import { createConnector, httpLimitsFor } from '../../connectors/index.js';
import type { GatewayConfig, SourceConfig } from '../config/types.js';
import type { Db } from '../store/database.js';
import { SourceBusyError } from '../store/runs.js';
import { HttpClient } from './http-client.js';
import { runHarvest, type RunProgress, type RunSummary } from './run.js';

export interface RunRequest {
  full?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

/**
 * Runs harvests of the configured sources, never two of one source at once: in this
 * process through the `active` map, across processes through the runs table (startRun).
 */
export class Harvester {
  private readonly active = new Map<string, Promise<RunSummary>>();

  constructor(
    private readonly db: Db,
    private readonly config: GatewayConfig,
    private readonly log: Logger,
  ) {}

  source(id: string): SourceConfig | undefined {
    return this.config.sources.find((s) => s.id === id);
  }

  isRunning(sourceId: string): boolean {
    return this.active.has(sourceId);
  }

  /** Harvest one source now. Resolves to undefined when a run of it is already going on. */
  async run(sourceId: string, request: RunRequest = {}): Promise<RunSummary | undefined> {
    const source = this.source(sourceId);
    if (!source) throw new Error(`unknown source "${sourceId}"`);
    if (this.active.has(sourceId)) {
      this.log.warn({ source: sourceId }, 'a run of this source is still going on; this one is skipped');
      return undefined;
    }
    const running = this.execute(source, request);
    this.active.set(sourceId, running);
    try {
      return await running;
    } catch (err) {
      if (err instanceof SourceBusyError) {
        this.log.warn({ source: sourceId, run: err.runId }, err.message);
        return undefined;
      }
      throw err;
    } finally {
      this.active.delete(sourceId);
    }
  }

  /** Wait for every run in flight (used at shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.active.values()]);
  }

  private async execute(source: SourceConfig, request: RunRequest): Promise<RunSummary> {
    const http = new HttpClient({ ...httpLimitsFor(source, this.config.harvest), userAgent: this.config.harvest.userAgent });
    try {
      return await runHarvest({
        db: this.db,
        source,
        connector: createConnector(source),
        http,
        log: this.log,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.full ? { full: true } : {}),
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      });
    } finally {
      await http.close();
    }
  }
}

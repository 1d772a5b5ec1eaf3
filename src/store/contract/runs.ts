import type { CancelOutcome, RunCounts, RunErrorGroup, RunErrorRecord, RunOutcome, RunRow } from '../runs.js';
import type { StoreUnavailableError } from '../store-errors.js';

/**
 * Harvest runs: at most one live (queued or running) run per source, across every process that
 * shares the store; a run left open by a dead process is recognised by its process token.
 */
export interface RunStore {
  /** Opens a queued run; rejects with SourceBusyError when the source already has a live run. */
  queueRun(sourceId: string): Promise<number>;
  /** False when the run was cancelled (or closed) before it could start. */
  markRunStarted(runId: number, incrementalSince: string | null): Promise<boolean>;
  finishRun(runId: number, outcome: RunOutcome): Promise<void>;
  /** Ends the run `failed` naming the store's trouble; false when even that write was refused. */
  failRunOnStoreError(run: { id: number; sourceId: string; counts?: RunCounts }, error: StoreUnavailableError): Promise<boolean>;
  requestCancel(runId: number): Promise<CancelOutcome>;
  isCancelRequested(runId: number): Promise<boolean>;
  recordRunErrors(runId: number, errors: readonly RunErrorRecord[]): Promise<void>;
  /** Closes, as failed, live runs whose process is gone; the number closed. */
  closeCrashedRuns(): Promise<number>;
  closeAbandonedRuns(runIds: readonly number[], message: string): Promise<number>;
  anyLiveRun(): Promise<boolean>;
  lastRun(sourceId: string): Promise<RunRow | undefined>;
  lastSucceededRun(sourceId: string): Promise<RunRow | undefined>;
  /** Newest first; every source's when `sourceId` is undefined. */
  listRuns(sourceId?: string, limit?: number): Promise<RunRow[]>;
  runErrorGroups(runId: number): Promise<RunErrorGroup[]>;
  runErrors(runId: number): Promise<RunErrorRecord[]>;
}

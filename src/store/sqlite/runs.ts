import type { RunStore } from '../contract/runs.js';
import {
  anyLiveRun,
  closeAbandonedRuns,
  closeCrashedRuns,
  failRunOnStoreError,
  finishRun,
  isCancelRequested,
  lastRun,
  lastSucceededRun,
  listRuns,
  markRunStarted,
  queueRun,
  recordRunErrors,
  requestCancel,
  runErrorGroups,
  runErrors,
} from '../runs.js';
import type { SqliteConnection } from './connection.js';

export function sqliteRuns(connection: SqliteConnection): RunStore {
  return {
    queueRun: connection.call(queueRun),
    markRunStarted: connection.call(markRunStarted),
    finishRun: connection.call(finishRun),
    failRunOnStoreError: connection.call(failRunOnStoreError),
    requestCancel: connection.call(requestCancel),
    isCancelRequested: connection.call(isCancelRequested),
    recordRunErrors: connection.call(recordRunErrors),
    closeCrashedRuns: connection.call(closeCrashedRuns),
    closeAbandonedRuns: connection.call(closeAbandonedRuns),
    anyLiveRun: connection.call(anyLiveRun),
    lastRun: connection.call(lastRun),
    lastSucceededRun: connection.call(lastSucceededRun),
    listRuns: connection.call(listRuns),
    runErrorGroups: connection.call(runErrorGroups),
    runErrors: connection.call(runErrors),
  };
}

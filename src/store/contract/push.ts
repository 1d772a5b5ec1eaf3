import type { NationalRecord } from '../../model/record.js';
import type { PushedRecordState, PushedRecordWrite } from '../push-records.js';

/**
 * Agency pushes: records of the source `push:<org code>` (push-sources.ts, push-records.ts).
 * Each push call is one transaction (`inPushTransaction`): the caller (src/push/push-service.ts)
 * decides between its reads and its writes whether to refuse the call, so the decisions stay
 * with the push rules and the store only guarantees that checks and writes see one state.
 */
export interface PushStore {
  ensurePushSource(orgCode: string, publisher: string): Promise<string>;
  /** The pushed record stored under this native id of the source (see PushTransaction.pushedNativeIdOf). */
  pushedRecordState(sourceId: string, nativeId: string): Promise<PushedRecordState | undefined>;
  /**
   * Runs `work` in one write transaction taken at once (IMMEDIATE in SQLite: two processes
   * cannot both create one dataset), with the connection to itself: committed when `work`
   * resolves, rolled back when it rejects (a refusal writes nothing, not even the key's last
   * use). `work` uses only the transaction it is handed, never the store (that would wait for it).
   */
  inPushTransaction<T>(work: (tx: PushTransaction) => Promise<T>): Promise<T>;
}

/** The reads and writes of one push call, inside its transaction (PushStore.inPushTransaction). */
export interface PushTransaction {
  /** The native id of the source's pushed record for this canonical identifier, if it has one. */
  pushedNativeIdOf(sourceId: string, identifier: string): Promise<string | undefined>;
  pushedRecordState(sourceId: string, nativeId: string): Promise<PushedRecordState | undefined>;
  /** The datasetId the gateway gave this pushed record, if it gave one. */
  pushDatasetIdOf(sourceId: string, nativeId: string): Promise<number | undefined>;
  /** Which pushed record a gateway datasetId names. */
  pushedRecordOfDatasetId(datasetId: number): Promise<{ sourceId: string; identifier: string } | undefined>;
  /** The record's datasetId, assigned now if it has none (bound to it for good). */
  assignPushDatasetId(sourceId: string, nativeId: string, at: string): Promise<number>;
  /** Stores a pushed record (new, changed, or back after a DELETE) and marks identity dirty. */
  writePushedRecord(write: PushedRecordWrite, previous: NationalRecord | undefined, at: string): Promise<void>;
  /** DELETE: withdrawn at once; false when it was not live. */
  withdrawPushedRecord(sourceId: string, nativeId: string): Promise<boolean>;
  /** The key's last accepted write. */
  touchApiKey(id: string, at: string): Promise<void>;
}

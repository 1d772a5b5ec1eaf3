import type { PageWriteResult, RecordPage, StoredState } from '../records.js';
import type { WithdrawalOutcome } from '../withdrawals.js';

/** Harvested source records: one page of a run written at once, presence, withdrawals. */
export interface RecordStore {
  /** What is stored for these records of the source (content hash, validators), by native id. */
  storedStates(sourceId: string, nativeIds: readonly string[]): Promise<Map<string, StoredState>>;
  /** One page in one transaction: records, payloads, identity keys, presence and errors. */
  writeRecordPage(page: RecordPage): Promise<PageWriteResult>;
  /** After a run that listed everything: marks the unlisted missing, withdraws the long-missing. */
  withdrawMissing(sourceId: string, runId: number, graceMs: number, maxMissingShare?: number): Promise<WithdrawalOutcome>;
  /** A protocol's own deletions (OAI-PMH, change lists): withdrawn at once; the ids withdrawn. */
  withdrawDeleted(sourceId: string, nativeIds: readonly string[]): Promise<string[]>;
}

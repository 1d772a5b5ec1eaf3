import type { DatasetExplanation, CandidatePair } from '../identity-explain.js';
import type { IdentityOverride, OverrideKind, RecordRef } from '../identity.js';

/**
 * Cross-source identity: what resolution reads and writes (src/identity/resolve.ts asks the
 * store for its inputs and hands it the results), operator decisions, explanations.
 * (The resolution session is defined by the identity area: see below.)
 */
export interface IdentityStore {
  /** Something bearing on identity changed since the last resolution (or one crashed). */
  markIdentityDirty(): Promise<void>;
  isIdentityDirty(): Promise<boolean>;
  listOverrides(): Promise<IdentityOverride[]>;
  saveOverride(kind: OverrideKind, a: RecordRef, b: RecordRef, note?: string): Promise<void>;
  removeOverride(id: number): Promise<boolean>;
  recordExists(ref: RecordRef): Promise<boolean>;
  datasetMembers(datasetId: string): Promise<RecordRef[]>;
  explainDataset(identifier: string): Promise<DatasetExplanation | undefined>;
  listCandidates(limit?: number, offset?: number): Promise<CandidatePair[]>;
}

import type { DatasetExplanation, CandidatePair } from '../identity-explain.js';
import type { IdentityOverride, MemberTable, OverrideKind, RecordRef, StoredMember } from '../identity.js';
import type { DatasetIndex, DatasetState, DatasetUpsert, MemberPayload, MembershipMove, ResolutionCandidate } from '../dataset-writes.js';
import type { Change } from '../changes.js';
import type { IdentityKeyKind } from '../../model/identity-keys.js';
import type { KeyGroup, KeyGroupFilter, OverridePair } from '../identity.js';

export type { KeyGroupFilter, OverridePair };

/**
 * Cross-source identity: what resolution reads and writes (src/identity/resolve.ts asks the
 * store for its inputs and hands it the results), operator decisions, explanations.
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
  /**
   * Runs one identity resolution's `work` as a single transaction that no other writer can
   * interleave with (SQLite: BEGIN IMMEDIATE): everything written through the session is
   * committed together when `work` resolves, and nothing of it when it rejects. Records stored
   * before identity existed get their keys first (once per store), outside that transaction.
   * The work uses only the session, never the store (whose calls wait until it ends).
   */
  resolveExclusively<T>(work: (session: ResolutionSession) => Promise<T>): Promise<T>;
}

/**
 * What one identity resolution reads and writes, inside its transaction. Records are named by
 * member number (the row id of the member table, stable for the length of the session).
 *
 * Reads come whole where resolution needs everything (member table, key groups) and in batches
 * elsewhere: resolution works through the clusters a hundred at a time, asking for their
 * members, dataset states and payloads, then handing over their writes, so that a catalogue of
 * 100,000 records costs about a thousand round trips, not one per record.
 */
export interface ResolutionSession {
  /** Every source record's clustering facts (source, listed, previous dataset, identifier), by member number. */
  memberTable(): Promise<MemberTable>;
  /** The groups of two or more records sharing a key of this kind, in value order. */
  keyGroups(kind: IdentityKeyKind, filter?: KeyGroupFilter): Promise<KeyGroup[]>;
  /** Corroboration signals of these records (identity/keys.ts), computed from their stored records. */
  signals(members: Iterable<number>): Promise<Map<number, string[]>>;
  /** The veto keys (identity/keys.ts vetoKeyOf) of these records. */
  vetoKeys(members: ReadonlySet<number>): Promise<Map<number, string[]>>;
  /** The operator's overrides between records that are both stored. */
  overridePairs(): Promise<OverridePair[]>;
  /** What writing a dataset needs of each of these records, in the order asked (undefined: gone). */
  memberDetails(members: readonly number[]): Promise<Array<StoredMember | undefined>>;
  /** Every stored dataset's identifier, creation time and whether it is absorbed or live. */
  datasetIndex(): Promise<DatasetIndex>;
  /** The stored state of these datasets (absent: no such dataset). */
  datasetStates(identifiers: readonly string[]): Promise<Map<string, DatasetState>>;
  /** The stored records and mapping notes of these members, in the order asked (undefined: no readable payload). */
  payloadsOf(members: readonly RecordRef[]): Promise<Array<MemberPayload | undefined>>;
  /** Records that now belong to another dataset. */
  writeMembership(moves: readonly MembershipMove[]): Promise<void>;
  /** Datasets written anew (created, merged again, withdrawn or reinstated). */
  upsertDatasets(datasets: readonly DatasetUpsert[], now: string): Promise<void>;
  /** Datasets whose records turned out to be another's: they redirect to it and leave the lists. */
  absorbDatasets(absorptions: ReadonlyArray<{ identifier: string; into: string }>, now: string): Promise<void>;
  /** Live datasets no cluster holds any more: withdrawn. */
  orphanDatasets(identifiers: readonly string[], now: string): Promise<void>;
  /** Entries of the change feed, in order. */
  recordChanges(changes: ReadonlyArray<Omit<Change, 'id'>>): Promise<void>;
  /** The candidate pairs (cross-source look-alikes not joined) replace the previous ones. */
  replaceCandidates(candidates: readonly ResolutionCandidate[]): Promise<void>;
  /** Identity is resolved: the dirty flag is cleared (with the rest of the session's writes). */
  clearIdentityDirty(): Promise<void>;
}

import type { IdentityStore, ResolutionSession } from '../contract/identity.js';
import type { IdentityKeyKind } from '../../model/identity-keys.js';
import type { KeyGroupFilter } from '../identity.js';
import {
  backfillRecordKeys,
  clearIdentityDirty,
  datasetMembers,
  isIdentityDirty,
  keyGroupsOf,
  listOverrides,
  loadMemberTable,
  markIdentityDirty,
  needsKeyBackfill,
  overridePairsOf,
  recordExists,
  removeOverride,
  rowidReader,
  saveOverride,
  signalsOf,
  storedMembers,
  vetoKeysOf,
} from '../identity.js';
import { explainDataset, listCandidates } from '../identity-explain.js';
import {
  absorbDatasets,
  datasetIndex,
  datasetStates,
  orphanDatasets,
  payloadsOf,
  recordChanges,
  replaceCandidates,
  upsertDatasets,
  writeMembership,
} from '../dataset-writes.js';
import type { SqliteConnection } from './connection.js';

export function sqliteIdentity(connection: SqliteConnection): IdentityStore {
  const backfillKeysIfNeeded = connection.call((db) => {
    if (needsKeyBackfill(db)) backfillRecordKeys(db);
  });
  return {
    markIdentityDirty: connection.call(markIdentityDirty),
    isIdentityDirty: connection.call(isIdentityDirty),
    listOverrides: connection.call(listOverrides),
    saveOverride: connection.call(saveOverride),
    removeOverride: connection.call(removeOverride),
    recordExists: connection.call(recordExists),
    datasetMembers: connection.call(datasetMembers),
    explainDataset: connection.call(explainDataset),
    listCandidates: connection.call(listCandidates),
    resolveExclusively: async (work) => {
      // Records stored before identity keys existed get them first, once per store, outside the
      // resolution's transaction (a second caller finds nothing left to do).
      await backfillKeysIfNeeded();
      return connection.transaction('BEGIN IMMEDIATE', (session) => work(resolutionSession(session)));
    },
  };
}

/**
 * The session on the connection inside the resolution's transaction: each method runs its
 * statements at once (a settled promise), so a batch costs one turn of the event loop.
 */
function resolutionSession(session: SqliteConnection): ResolutionSession {
  const rowidOf = rowidReader(session.db);
  return {
    memberTable: session.call(loadMemberTable),
    keyGroups: session.call((handle, kind: IdentityKeyKind, filter?: KeyGroupFilter) => [...keyGroupsOf(handle, kind, rowidOf, filter)]),
    signals: session.call(signalsOf),
    vetoKeys: session.call(vetoKeysOf),
    overridePairs: session.call(overridePairsOf),
    memberDetails: session.call(storedMembers),
    datasetIndex: session.call(datasetIndex),
    datasetStates: session.call(datasetStates),
    payloadsOf: session.call(payloadsOf),
    writeMembership: session.call(writeMembership),
    upsertDatasets: session.call(upsertDatasets),
    absorbDatasets: session.call(absorbDatasets),
    orphanDatasets: session.call(orphanDatasets),
    recordChanges: session.call(recordChanges),
    replaceCandidates: session.call(replaceCandidates),
    clearIdentityDirty: session.call(clearIdentityDirty),
  };
}

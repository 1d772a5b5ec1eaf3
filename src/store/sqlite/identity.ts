import type { IdentityStore, ResolutionSession } from '../contract/identity.js';
import type { Db } from '../database.js';
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
    resolveExclusively: (work) =>
      connection.exclusive(async (db) => {
        if (needsKeyBackfill(db)) backfillRecordKeys(db);
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(resolutionSession(db));
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }),
  };
}

/**
 * The session on the connection inside the resolution's transaction: each method runs its
 * statements at once (a settled promise), so a batch costs one turn of the event loop.
 */
function resolutionSession(db: Db): ResolutionSession {
  const rowidOf = rowidReader(db);
  const now =
    <A extends unknown[], R>(fn: (db: Db, ...args: A) => R) =>
    (...args: A): Promise<R> => {
      try {
        return Promise.resolve(fn(db, ...args));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    };
  return {
    memberTable: now(loadMemberTable),
    keyGroups: now((handle, kind, filter) => [...keyGroupsOf(handle, kind, rowidOf, filter)]),
    signals: now(signalsOf),
    vetoKeys: now(vetoKeysOf),
    overridePairs: now(overridePairsOf),
    memberDetails: now(storedMembers),
    datasetIndex: now(datasetIndex),
    datasetStates: now(datasetStates),
    payloadsOf: now(payloadsOf),
    writeMembership: now(writeMembership),
    upsertDatasets: now(upsertDatasets),
    absorbDatasets: now(absorbDatasets),
    orphanDatasets: now(orphanDatasets),
    recordChanges: now(recordChanges),
    replaceCandidates: now(replaceCandidates),
    clearIdentityDirty: now(clearIdentityDirty),
  };
}

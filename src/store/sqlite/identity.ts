import type { IdentityStore } from '../contract/identity.js';
import { datasetMembers, isIdentityDirty, listOverrides, markIdentityDirty, recordExists, removeOverride, saveOverride } from '../identity.js';
import { explainDataset, listCandidates } from '../identity-explain.js';
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
  };
}

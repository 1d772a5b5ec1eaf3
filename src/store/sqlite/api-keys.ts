import type { ApiKeyStore } from '../contract/api-keys.js';
import { findApiKey, insertApiKey, listApiKeys, revokeApiKey, touchApiKey } from '../api-keys.js';
import type { SqliteConnection } from './connection.js';

export function sqliteApiKeys(connection: SqliteConnection): ApiKeyStore {
  return {
    insertApiKey: connection.call(insertApiKey),
    findApiKey: connection.call(findApiKey),
    listApiKeys: connection.call(listApiKeys),
    revokeApiKey: connection.call(revokeApiKey),
    touchApiKey: connection.call(touchApiKey),
  };
}

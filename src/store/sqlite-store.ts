/**
 * The embedded default: the store contract (contract/store.ts) on one SQLite file.
 *
 * `openStore` opens (creating and migrating) the file as `openDatabase` does; each area of the
 * contract is implemented in sqlite/<area>.ts over the same connection. Each process and each
 * worker thread opens its own store on the same file (WAL: readers see each commit).
 */
import type { Store } from './contract/store.js';
import { openDatabase, schemaVersion, type Db } from './database.js';
import { SqliteConnection } from './sqlite/connection.js';
import { sqliteApiKeys } from './sqlite/api-keys.js';
import { sqliteCatalogue } from './sqlite/catalogue.js';
import { sqliteChanges } from './sqlite/changes.js';
import { sqliteIdentity } from './sqlite/identity.js';
import { sqliteMirror } from './sqlite/mirror.js';
import { sqlitePush } from './sqlite/push.js';
import { sqliteRecords } from './sqlite/records.js';
import { sqliteRuns } from './sqlite/runs.js';
import { sqliteSearch } from './sqlite/search.js';
import { sqliteSources } from './sqlite/sources.js';

export interface OpenStoreOptions {
  /** Open an existing file for reading only (no migration, no WAL switch). */
  readonly?: boolean;
  /** Where the test hook OGD_TEST_MAX_PAGE_COUNT is read (database.ts): the process's environment unless given. */
  env?: NodeJS.ProcessEnv;
}

/** Opens the store at `path` (`:memory:` for a throwaway one). Rejects with StoreUnavailableError naming the file. */
export async function openStore(path: string, options: OpenStoreOptions = {}): Promise<Store> {
  return sqliteStoreOn(openDatabase(path, options), path);
}

/**
 * The store over an open handle (tests that set up a file by hand). One handle has one store:
 * asked again, the same store is answered, so every caller of the handle waits on the same
 * connection (a session never sees another's statement inside its transaction).
 */
export function sqliteStoreOn(db: Db, location: string = db.name): Store {
  const existing = storeOfHandle.get(db);
  if (existing) return existing;
  const connection = new SqliteConnection(db, location);
  const store: Store = {
    location,
    reopenable: !db.memory,
    sources: sqliteSources(connection),
    runs: sqliteRuns(connection),
    records: sqliteRecords(connection),
    identity: sqliteIdentity(connection),
    catalogue: sqliteCatalogue(connection),
    search: sqliteSearch(connection),
    changes: sqliteChanges(connection),
    push: sqlitePush(connection),
    apiKeys: sqliteApiKeys(connection),
    mirror: sqliteMirror(connection),
    schemaVersion: connection.call(schemaVersion),
    close: async () => connection.close(),
  };
  connections.set(store, connection);
  storeOfHandle.set(db, store);
  return store;
}

const connections = new WeakMap<Store, SqliteConnection>();
const storeOfHandle = new WeakMap<Db, Store>();

/**
 * Tests and benchmarks only: the SQLite handle under a store opened here, to set up or inspect
 * a file in ways the contract does not offer. Production code never calls this (test/architecture
 * asserts no better-sqlite3 type leaves src/store).
 */
export function sqliteHandleOf(store: Store): Db {
  const connection = connections.get(store);
  if (!connection) throw new TypeError(`the store ${store.location} is not a SQLite store`);
  return connection.db;
}

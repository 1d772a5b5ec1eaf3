import type { SourceStore } from '../contract/sources.js';
import { listSources, syncSources } from '../sources.js';
import type { SqliteConnection } from './connection.js';

export function sqliteSources(connection: SqliteConnection): SourceStore {
  return { syncSources: connection.call(syncSources), listSources: connection.call(listSources) };
}

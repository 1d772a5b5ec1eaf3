import type { SearchStore } from '../contract/search.js';
import { searchDatasets } from '../search.js';
import { refreshSearchIndex } from '../search-index.js';
import { pageRecords } from '../search-records.js';
import type { SqliteConnection } from './connection.js';

export function sqliteSearch(connection: SqliteConnection): SearchStore {
  return {
    searchDatasets: connection.call(searchDatasets),
    refreshSearchIndex: connection.call(refreshSearchIndex),
    pageRecords: connection.call(pageRecords),
  };
}

import type { SearchQuery, SearchResult } from '../search.js';
import type { RefreshOptions } from '../search-index.js';
import type { PageRecord } from '../search-records.js';

/** Full-text and facet search over the served catalogue. */
export interface SearchStore {
  searchDatasets(query: SearchQuery): Promise<SearchResult>;
  /** Brings the search index up to the catalogue; the number of documents written. */
  refreshSearchIndex(options?: RefreshOptions): Promise<number>;
  pageRecords(identifiers: readonly string[]): Promise<Map<string, PageRecord>>;
}

import type { CaseVariant, DatasetEntry, IdentifierQuery, StoredDataset } from '../catalogue.js';
import type { CatalogueStreamOptions, StreamedDataset } from '../catalogue-stream.js';
import type { CataloguePageEntry } from '../catalogue-page.js';
import type { ChangedDatasets, ChangedDatasetsQuery } from '../changed-datasets.js';
import type { KeywordCount, KeywordPage } from '../keywords.js';
import type { PublisherFacts } from '../publisher-facts.js';
import type { SearchStore } from './search.js';
import type { ChangeFeedStore } from './changes.js';

/** The served catalogue (datasets as identity resolution left them): the read side. */
export interface CatalogueStore {
  listIdentifiers(query: IdentifierQuery): Promise<string[]>;
  getStoredDataset(identifier: string): Promise<StoredDataset | undefined>;
  getDataset(identifier: string): Promise<DatasetEntry | undefined>;
  /** Datasets whose identifier folds to the same (src/model/identifier.ts). */
  datasetCaseVariants(identifier: string): Promise<CaseVariant[]>;
  countDatasets(): Promise<number>;
  /** The whole live catalogue in identifier order, read in pages (no connection held between them). */
  liveDatasetsInIdentifierOrder(options?: CatalogueStreamOptions): AsyncIterable<StreamedDataset>;
  lastCatalogueChange(): Promise<string | undefined>;
  /** One page's datasets in one snapshot, with the caller's renderings reused (catalogue-page.ts). */
  readCataloguePage<T>(
    identifiers: readonly string[],
    renderedFor: (identifier: string, stamp: string) => T | undefined,
  ): Promise<Array<CataloguePageEntry<T>>>;
  datasetUpdatedAt(identifier: string): Promise<string | undefined>;
  catalogueChangedAt(): Promise<string | undefined>;
  listChangedDatasets(query: ChangedDatasetsQuery): Promise<ChangedDatasets>;
  keywordCounts(page?: KeywordPage): Promise<KeywordCount[]>;
  listKeywords(page?: KeywordPage): Promise<string[]>;
  datasetsWithKeyword(keyword: string, page?: KeywordPage): Promise<{ total: number; identifiers: string[] }>;
  identifiersWithKeyword(keyword: string, page?: KeywordPage): Promise<string[]>;
  datasetsWithDataGovTwId(datasetId: string): Promise<string[]>;
  /** Changes whenever anything served may have changed: a validator for caches and ETags. */
  storeVersion(): Promise<string>;
  /** UTC instant the dataset first entered the served catalogue; undefined for an unknown identifier. */
  datasetCreatedAt(identifier: string): Promise<string | undefined>;
  /** The id of the last change to the served catalogue (0 for none): equal versions mean nothing served changed. */
  catalogueVersion(): Promise<number>;
  /** The publisher fields of every live dataset (the CKAN organizations). */
  livePublisherFacts(): Promise<PublisherFacts[]>;
  /** The publisher fields of those of these datasets that are live. */
  livePublisherFactsOf(identifiers: readonly string[]): Promise<PublisherFacts[]>;
  /**
   * Runs `work` on one consistent state of the catalogue: every read through `reads` sees the
   * same committed data, even while another process or thread commits (a CKAN action's total,
   * page and names agree). Calls to the store itself made meanwhile wait until `work` settles:
   * `work` must read through `reads` only, and do no slow work (it holds the connection).
   */
  readSnapshot<T>(work: (reads: CatalogueReads) => Promise<T>): Promise<T>;
}

/** The catalogue's read interfaces, bound to one read snapshot (CatalogueStore.readSnapshot). */
export interface CatalogueReads {
  readonly catalogue: Omit<CatalogueStore, 'readSnapshot' | 'liveDatasetsInIdentifierOrder'>;
  readonly search: SearchStore;
  readonly changes: ChangeFeedStore;
}

import type { CaseVariant, DatasetEntry, IdentifierQuery, StoredDataset } from '../catalogue.js';
import type { CatalogueStreamOptions, StreamedDataset } from '../catalogue-stream.js';
import type { CataloguePageEntry } from '../catalogue-page.js';
import type { ChangedDatasets, ChangedDatasetsQuery } from '../changed-datasets.js';
import type { KeywordCount, KeywordPage } from '../keywords.js';

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
  readCataloguePage<T>(identifiers: readonly string[], renderedFor: (identifier: string, stamp: string) => T | undefined): Promise<Array<CataloguePageEntry<T>>>;
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
}

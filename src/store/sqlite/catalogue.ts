import type { CatalogueStore } from '../contract/catalogue.js';
import { countDatasets, datasetCaseVariants, getDataset, getStoredDataset, listIdentifiers } from '../catalogue.js';
import { CataloguePageReader } from '../catalogue-page.js';
import { lastCatalogueChange, liveDatasetsInIdentifierOrder, type CatalogueStreamOptions, type StreamedDataset } from '../catalogue-stream.js';
import { listChangedDatasets } from '../changed-datasets.js';
import { storeVersion } from '../data-version.js';
import { datasetsWithDataGovTwId } from '../datagovtw-ids.js';
import { datasetsWithKeyword, identifiersWithKeyword, keywordCounts, listKeywords } from '../keywords.js';
import { catalogueChangedAt, datasetUpdatedAt } from '../last-changed.js';
import type { SqliteConnection } from './connection.js';

export function sqliteCatalogue(connection: SqliteConnection): CatalogueStore {
  let pageReader: CataloguePageReader | undefined;
  return {
    listIdentifiers: connection.call(listIdentifiers),
    getStoredDataset: connection.call(getStoredDataset),
    getDataset: connection.call(getDataset),
    datasetCaseVariants: connection.call(datasetCaseVariants),
    countDatasets: connection.call(countDatasets),
    liveDatasetsInIdentifierOrder: (options?: CatalogueStreamOptions) => pagesOf(connection, options),
    lastCatalogueChange: connection.call(lastCatalogueChange),
    readCataloguePage: connection.call((db, identifiers, renderedFor) => {
      pageReader ??= new CataloguePageReader(db);
      return pageReader.read(identifiers, renderedFor);
    }) as CatalogueStore['readCataloguePage'],
    datasetUpdatedAt: connection.call(datasetUpdatedAt),
    catalogueChangedAt: connection.call(catalogueChangedAt),
    listChangedDatasets: connection.call(listChangedDatasets),
    keywordCounts: connection.call(keywordCounts),
    listKeywords: connection.call(listKeywords),
    datasetsWithKeyword: connection.call(datasetsWithKeyword),
    identifiersWithKeyword: connection.call(identifiersWithKeyword),
    datasetsWithDataGovTwId: connection.call(datasetsWithDataGovTwId),
    storeVersion: connection.call(storeVersion),
  };
}

/**
 * The synchronous keyset walk of catalogue-stream.ts, driven one page at a time: the generator
 * holds no statement open between pages, so the connection serves others while a slow client
 * reads (each step goes through the connection like any call).
 */
async function* pagesOf(connection: SqliteConnection, options: CatalogueStreamOptions | undefined): AsyncGenerator<StreamedDataset> {
  let walk: Generator<StreamedDataset> | undefined;
  const next = connection.call((db) => {
    walk ??= liveDatasetsInIdentifierOrder(db, options);
    return walk.next();
  });
  for (;;) {
    const step = await next();
    if (step.done) return;
    yield step.value;
  }
}

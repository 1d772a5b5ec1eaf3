import type { CatalogueReads, CatalogueStore } from '../contract/catalogue.js';
import { countDatasets, datasetCaseVariants, getDataset, getStoredDataset, listIdentifiers } from '../catalogue.js';
import { CataloguePageReader } from '../catalogue-page.js';
import { lastCatalogueChange, liveDatasetsInIdentifierOrder, type CatalogueStreamOptions, type StreamedDataset } from '../catalogue-stream.js';
import { listChangedDatasets } from '../changed-datasets.js';
import { storeVersion } from '../data-version.js';
import { datasetsWithDataGovTwId } from '../datagovtw-ids.js';
import { datasetsWithKeyword, identifiersWithKeyword, keywordCounts, listKeywords } from '../keywords.js';
import { catalogueChangedAt, catalogueVersion, datasetCreatedAt, datasetUpdatedAt } from '../last-changed.js';
import { livePublisherFacts, livePublisherFactsOf } from '../publisher-facts.js';
import { DEFAULT_PAGE_SIZE } from '../catalogue-stream.js';
import { SqliteConnection } from './connection.js';
import { sqliteSearch } from './search.js';
import { sqliteChanges } from './changes.js';

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
    datasetCreatedAt: connection.call(datasetCreatedAt),
    catalogueVersion: connection.call(catalogueVersion),
    livePublisherFacts: connection.call(livePublisherFacts),
    livePublisherFactsOf: connection.call(livePublisherFactsOf),
    readSnapshot: <T>(work: (reads: CatalogueReads) => Promise<T>) => readSnapshot(connection, work),
  };
}

/** A read transaction across the work's awaits: every read of `reads` sees one committed state. */
function readSnapshot<T>(connection: SqliteConnection, work: (reads: CatalogueReads) => Promise<T>): Promise<T> {
  return connection.transaction('BEGIN', (session) =>
    work({ catalogue: sqliteCatalogue(session), search: sqliteSearch(session), changes: sqliteChanges(session) }),
  );
}

/**
 * The synchronous keyset walk of catalogue-stream.ts, driven one page at a time: the generator
 * holds no statement open between pages, so the connection serves others while a slow client
 * reads. Each call through the connection takes a page's worth of datasets (one await per page,
 * not per dataset); the walk reads its next page only when asked for a row of it.
 */
async function* pagesOf(connection: SqliteConnection, options: CatalogueStreamOptions | undefined): AsyncGenerator<StreamedDataset> {
  const pageSize = options?.pageSize ?? DEFAULT_PAGE_SIZE;
  // An invalid size: the walk's first step throws its RangeError.
  const batch = Number.isSafeInteger(pageSize) && pageSize > 0 ? pageSize : 1;
  let walk: Generator<StreamedDataset> | undefined;
  const next = connection.call((db): { datasets: StreamedDataset[]; done: boolean } => {
    walk ??= liveDatasetsInIdentifierOrder(db, options);
    const datasets: StreamedDataset[] = [];
    while (datasets.length < batch) {
      const step = walk.next();
      if (step.done) return { datasets, done: true };
      datasets.push(step.value);
    }
    return { datasets, done: false };
  });
  for (;;) {
    const { datasets, done } = await next();
    yield* datasets;
    if (done) return;
  }
}

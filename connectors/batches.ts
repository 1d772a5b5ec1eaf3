import type { RecordPage } from './connector.js';

/**
 * A source's page size is a request, not a promise: a platform that ignores `limit` answers one
 * "page" with every identifier it has (a million, seen). Records fetched one by one for such a
 * listing are yielded in batches of at most this many, so each batch is committed before the next
 * is fetched: memory stays bounded, and a crash loses one batch, not the run.
 */
export const MAX_FETCH_BATCH = 1000;

/** `items` in consecutive slices of at most `size` (at least one item each; none for no items). */
export function* inBatches<T>(items: readonly T[], size: number): Generator<T[]> {
  const step = Math.max(1, Math.floor(size));
  for (let start = 0; start < items.length; start += step) yield items.slice(start, start + step);
}

/** The batch size for a connector asking `pageSize` at a time: what it asked, never over MAX_FETCH_BATCH. */
export function fetchBatchSize(pageSize: number): number {
  return Math.min(pageSize, MAX_FETCH_BATCH);
}

/**
 * A page the connector read whole (a CKAN search page, a CSW or OAI-PMH response, a DCAT file)
 * may hold more records than is wise to map and commit at once: the harvest run commits it in
 * parts of at most `size` records (and `size` unchanged ids), each its own transaction. The
 * failures and deletions go with the first part.
 */
export function* boundedPages(page: RecordPage, size: number = MAX_FETCH_BATCH): Generator<RecordPage> {
  if (page.records.length <= size && page.unchanged.length <= size) {
    yield page;
    return;
  }
  const parts = Math.max(Math.ceil(page.records.length / size), Math.ceil(page.unchanged.length / size));
  for (let part = 0; part < parts; part += 1) {
    const from = part * size;
    yield {
      records: page.records.slice(from, from + size),
      unchanged: page.unchanged.slice(from, from + size),
      ...(part === 0 && page.deleted !== undefined ? { deleted: page.deleted } : {}),
      failures: part === 0 ? page.failures : [],
    };
  }
}

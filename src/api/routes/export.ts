import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import type { StreamedDataset } from '../../store/catalogue-stream.js';
import { exportCsvHeader, exportCsvRows } from '../../views/export-csv.js';
import { CATALOGUE_DATASET_SEPARATOR, CATALOGUE_DOCUMENT_CLOSING, catalogueDatasetJson, catalogueDocumentOpening } from '../../views/export-jsonld.js';

/**
 * The whole live catalogue in one download:
 *   GET /export/catalog.csv      data.gov.tw's export columns (全部資料集清單), UTF-8 with BOM
 *   GET /export/catalog.jsonld   one DCAT-AP JSON-LD document: a dcat:Catalog with every dataset
 *
 * Both stream: datasets are read from SQLite a page at a time (src/store/catalogue-stream.ts) and
 * written as they come, so memory stays flat however big the catalogue, and a slow client only
 * slows its own download. A HEAD request gets the headers without the catalogue being read.
 */

/**
 * Datasets read per store call and rendered per chunk. Small on purpose: what a chunk holds (its
 * parsed records, its text) must die young. A chunk of 200 CSV rows is a string of about 250,000
 * characters, which V8 allocates outside the young generation, and 500 parsed records outlive
 * several scavenges while they are rendered; either way the garbage reaches the old generation,
 * which V8 lets grow by about 100 MB between full collections. At 50 (about 60,000 characters
 * of CSV) the whole-catalogue export of 100,000 datasets stays within a few MB of the process's
 * size before it, and takes no longer (docs/benchmarks.md, "Issue 15: serve targets").
 */
const DATASETS_PER_CHUNK = 50;
/** The JSON-LD nodes are about five times a CSV row: fewer per chunk, for the same reason. */
const JSONLD_DATASETS_PER_CHUNK = 10;

const CSV_TYPE = 'text/csv; charset=utf-8; header=present';
const JSONLD_TYPE = 'application/ld+json; charset=utf-8';

export function exportRoutes(app: FastifyInstance, store: Store, publicUrl: string): void {
  app.get(
    '/export/catalog.csv',
    {
      schema: {
        tags: ['export'],
        operationId: 'exportCatalogCsv',
        summary: '全部資料集清單: the whole catalogue as CSV, in the columns of data.gov.tw’s export',
        description:
          'Every live dataset, one row each, in identifier order, in the columns of data.gov.tw’s whole-catalogue export (資料集識別碼, 資料集名稱, 服務分類 as its Chinese label, …) followed by 提供機關聯絡人電子郵件, 關鍵字 and 資料集編號 (the gateway identifier). Resources are `;`-separated parallel columns (檔案格式, 資料下載網址, 編碼格式, 資料資源描述, 主要欄位說明). UTF-8 with a byte-order mark, CRLF line ends, RFC 4180 quoting: a cell holding CR, LF, `"` or `,` is quoted (a lone LF too), and values beginning with = + - @ are written as they are (no spreadsheet-formula escaping). Streamed, as an attachment.',
        response: {
          200: {
            description: 'The catalogue as CSV (text/csv), streamed.',
            headers: { 'content-disposition': { type: 'string', description: 'attachment; filename="ogd-gateway-catalog-YYYYMMDD.csv" (Taipei date)' } },
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (request, reply) => streamDownload(request, reply, CSV_TYPE, 'csv', () => csvChunks(store, request.log)),
  );

  app.get(
    '/export/catalog.jsonld',
    {
      schema: {
        tags: ['export'],
        operationId: 'exportCatalogJsonLd',
        summary: 'The whole catalogue as one DCAT-AP JSON-LD document',
        description:
          'A `dcat:Catalog` (`{publicUrl}/catalog`) whose `dcat:dataset` holds every live dataset in identifier order, each as `/dataset/{identifier}.jsonld` describes it. The @context is inline. Streamed, as an attachment.',
        response: {
          200: {
            description: 'DCAT-AP JSON-LD (application/ld+json), streamed.',
            headers: { 'content-disposition': { type: 'string', description: 'attachment; filename="ogd-gateway-catalog-YYYYMMDD.jsonld" (Taipei date)' } },
            content: { 'application/ld+json': { schema: { type: 'object', additionalProperties: true } } },
          },
        },
      },
    },
    async (request, reply) => streamDownload(request, reply, JSONLD_TYPE, 'jsonld', () => jsonLdChunks(store, publicUrl, request.log)),
  );
}

function streamDownload(
  request: FastifyRequest,
  reply: FastifyReply,
  contentType: string,
  extension: string,
  chunks: () => AsyncGenerator<string>,
): FastifyReply {
  reply.type(contentType).header('content-disposition', `attachment; filename="ogd-gateway-catalog-${taipeiDateStamp(new Date())}.${extension}"`);
  // Fastify's HEAD handling would drain a stream to discard it, reading the whole catalogue for nothing.
  if (request.method === 'HEAD') return reply.send(Readable.from([]));
  return reply.send(Readable.from(chunks(), { objectMode: false }));
}

async function* csvChunks(store: Store, log: FastifyBaseLogger): AsyncGenerator<string> {
  yield exportCsvHeader();
  const datasets = store.catalogue.liveDatasetsInIdentifierOrder({ pageSize: DATASETS_PER_CHUNK, onUnreadable: unreadableReporter(log) });
  for await (const batch of batches(datasets, DATASETS_PER_CHUNK)) {
    yield exportCsvRows(batch);
    await nextTurn();
  }
}

async function* jsonLdChunks(store: Store, publicUrl: string, log: FastifyBaseLogger): AsyncGenerator<string> {
  const options = { baseUrl: publicUrl, modified: await store.catalogue.lastCatalogueChange() };
  yield catalogueDocumentOpening(options);
  let first = true;
  const datasets = store.catalogue.liveDatasetsInIdentifierOrder({ pageSize: DATASETS_PER_CHUNK, onUnreadable: unreadableReporter(log) });
  for await (const batch of batches(datasets, JSONLD_DATASETS_PER_CHUNK)) {
    const nodes = batch.map((dataset) => catalogueDatasetJson(dataset.record, options)).join(CATALOGUE_DATASET_SEPARATOR);
    yield first ? nodes : CATALOGUE_DATASET_SEPARATOR + nodes;
    first = false;
    await nextTurn();
  }
  yield CATALOGUE_DOCUMENT_CLOSING;
}

async function* batches(datasets: AsyncIterable<StreamedDataset>, size: number): AsyncGenerator<StreamedDataset[]> {
  let batch: StreamedDataset[] = [];
  for await (const dataset of datasets) {
    batch.push(dataset);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** A stored record that is not JSON is a bug of the store's: the export goes on without it, and says so. */
function unreadableReporter(log: FastifyBaseLogger): (identifier: string, error: Error) => void {
  return (identifier, error) => log.error({ err: error, identifier }, 'export: a stored record could not be read; left out of the export');
}

/** `YYYYMMDD` of the Taipei calendar day, as data.gov.tw names its export files. */
function taipeiDateStamp(now: Date): string {
  const taipei = new Date(now.getTime() + 8 * 60 * 60 * 1000);
  return taipei.toISOString().slice(0, 10).replace(/-/g, '');
}

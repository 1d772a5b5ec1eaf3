/**
 * The whole catalogue as one DCAT-AP JSON-LD document: a dcat:Catalog whose dcat:dataset holds
 * every dataset, each built by the per-dataset view (src/views/dcat-jsonld.ts), so that a
 * dataset reads the same in the export as at /dataset/{identifier}.jsonld.
 *
 * The document is written in three parts (opening, one dataset node at a time, closing) so that
 * it can be streamed: joined, they are one JSON object. The @context is inline (no remote context
 * is ever needed to read it).
 */
import { DCAT_AP_TW_CONTEXT, toDcatDatasetNode } from './dcat-jsonld.js';
import type { JsonLdNode } from './json-ld-node.js';
import { catalogueDescription } from './dcat-catalog.js';
import type { NationalRecord } from '../model/record.js';

export interface CatalogueDocumentOptions {
  /** Public base URL of the gateway: the catalogue is `{baseUrl}/catalog`, datasets `{baseUrl}/dataset/{identifier}`. */
  baseUrl: string;
  /** UTC instant the catalogue last changed; absent for an empty catalogue. */
  modified?: string | undefined;
}

const DATASETS_PROPERTY = 'dcat:dataset';

/** Everything up to and including the `[` that opens the catalogue's dataset list. */
export function catalogueDocumentOpening(options: CatalogueDocumentOptions): string {
  const catalogue: JsonLdNode = {
    '@context': DCAT_AP_TW_CONTEXT,
    // The same resource, described the same way, as GET /catalog describes page by page.
    ...catalogueDescription(options.baseUrl),
    'dct:language': 'http://publications.europa.eu/resource/authority/language/ZHO',
  };
  if (options.modified !== undefined) catalogue['dct:modified'] = { '@value': options.modified, '@type': 'xsd:dateTime' };
  const json = JSON.stringify(catalogue);
  return `${json.slice(0, -1)},${JSON.stringify(DATASETS_PROPERTY)}:[`;
}

/** One dataset node of the list (no separator). */
export function catalogueDatasetJson(record: NationalRecord, options: CatalogueDocumentOptions): string {
  return JSON.stringify(toDcatDatasetNode(record, { baseUrl: options.baseUrl }));
}

/** Separates two dataset nodes. */
export const CATALOGUE_DATASET_SEPARATOR = ',';

/** Closes the dataset list and the catalogue. */
export const CATALOGUE_DOCUMENT_CLOSING = ']}';

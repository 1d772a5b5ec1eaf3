/**
 * The whole catalogue as one DCAT-AP JSON-LD document: a dcat:Catalog whose dcat:dataset holds
 * every dataset, each built by the per-dataset view (src/views/dcat-jsonld.ts), so that a
 * dataset reads the same in the export as at /dataset/{identifier}.jsonld.
 *
 * The document is written in three parts (opening, one dataset node at a time, closing) so that
 * it can be streamed: joined, they are one JSON object. The @context is inline (no remote context
 * is ever needed to read it).
 */
import { DCAT_AP_TW_CONTEXT, toDcatDatasetNode, type JsonLdNode } from './dcat-jsonld.js';
import type { NationalRecord } from '../model/record.js';

export interface CatalogueDocumentOptions {
  /** Public base URL of the gateway: the catalogue is `{baseUrl}/catalog`, datasets `{baseUrl}/dataset/{identifier}`. */
  baseUrl: string;
  /** UTC instant the catalogue last changed; absent for an empty catalogue. */
  modified?: string | undefined;
}

/** The catalogue's own description. The gateway has no configured operator name, so it names itself. */
const CATALOGUE_TITLE = [
  { '@value': 'ogd-gateway 政府開放資料聯合目錄', '@language': 'zh-Hant' },
  { '@value': 'ogd-gateway federated open government data catalogue', '@language': 'en' },
];
const CATALOGUE_DESCRIPTION = [
  {
    '@value': '臺灣各開放資料平臺之資料集詮釋資料，經 ogd-gateway 彙整、去除重複並對應至資料集詮釋資料標準規範。',
    '@language': 'zh-Hant',
  },
  {
    '@value': "Dataset metadata harvested from Taiwan's open-data platforms by ogd-gateway, de-duplicated across sources and mapped to the national metadata standard.",
    '@language': 'en',
  },
];

const DATASETS_PROPERTY = 'dcat:dataset';

/** Everything up to and including the `[` that opens the catalogue's dataset list. */
export function catalogueDocumentOpening(options: CatalogueDocumentOptions): string {
  const root = `${options.baseUrl.trim().replace(/\/+$/, '')}/`;
  const catalogue: JsonLdNode = {
    '@context': DCAT_AP_TW_CONTEXT,
    '@id': `${root}catalog`,
    '@type': 'dcat:Catalog',
    'dct:title': CATALOGUE_TITLE,
    'dct:description': CATALOGUE_DESCRIPTION,
    // No operator is configured: the gateway itself, at its root, is the publisher.
    'dct:publisher': { '@id': root, '@type': 'foaf:Agent', 'foaf:name': 'ogd-gateway' },
    'foaf:homepage': { '@id': root },
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

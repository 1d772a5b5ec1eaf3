/**
 * The whole catalogue as one DCAT-AP JSON-LD document: a dcat:Catalog whose dcat:dataset holds
 * every dataset, each built by the per-dataset view (src/views/dcat-jsonld.ts), so that a
 * dataset reads the same in the export as at /dataset/{identifier}.jsonld.
 *
 * The document is written in three parts (opening, one dataset node at a time, closing) so that
 * it can be streamed: joined, they are one JSON object. The @context is inline (no remote context
 * is ever needed to read it).
 */
import { DCAT_AP_TW_CONTEXT, SERVICE_CATEGORY_SCHEME, toDcatDatasetNode, type JsonLdNode } from './dcat-jsonld.js';
import { catalogIri } from './dcat-catalog.js';
import type { NationalRecord } from '../model/record.js';

export interface CatalogueDocumentOptions {
  /** Public base URL of the gateway: the catalogue is `{baseUrl}/catalog`, datasets `{baseUrl}/dataset/{identifier}`. */
  baseUrl: string;
  /** UTC instant the catalogue last changed; absent for an empty catalogue. */
  modified?: string | undefined;
}

/**
 * The catalogue's own description, as /catalog gives it (src/views/dcat-catalog.ts keeps its copy
 * private). The gateway has no configured operator name, so it names itself.
 */
const CATALOGUE_TITLE = [
  { '@value': 'ogd-gateway 政府開放資料聯合目錄', '@language': 'zh-Hant' },
  { '@value': 'ogd-gateway federated open government data catalogue', '@language': 'en' },
];
const CATALOGUE_DESCRIPTION = [
  {
    '@value': '彙整臺灣各政府資料開放平臺的資料集詮釋資料，依資料集詮釋資料標準規範整理，同一資料集只列一次，以 DCAT-AP 3 提供。',
    '@language': 'zh-Hant',
  },
  {
    '@value':
      "Dataset metadata harvested from Taiwan's open government data platforms, mapped to the national metadata standard, each dataset listed once however many platforms publish it, served as DCAT-AP 3.",
    '@language': 'en',
  },
];
const SERVICE_CATEGORY_TITLE = [
  { '@value': '服務分類', '@language': 'zh-Hant' },
  { '@value': 'Service categories of the Taiwan national metadata standard', '@language': 'en' },
];

const DATASETS_PROPERTY = 'dcat:dataset';

/** Everything up to and including the `[` that opens the catalogue's dataset list. */
export function catalogueDocumentOpening(options: CatalogueDocumentOptions): string {
  const root = `${options.baseUrl.trim().replace(/\/+$/, '')}/`;
  const catalogue: JsonLdNode = {
    '@context': DCAT_AP_TW_CONTEXT,
    // The same resource as GET /catalog describes page by page.
    '@id': catalogIri(options.baseUrl),
    '@type': 'dcat:Catalog',
    'dct:title': CATALOGUE_TITLE,
    'dct:description': CATALOGUE_DESCRIPTION,
    // No operator is configured: the gateway itself, at its root, is the publisher.
    'dct:publisher': { '@id': root, '@type': 'foaf:Agent', 'foaf:name': 'ogd-gateway' },
    'foaf:homepage': { '@id': root },
    'dcat:themeTaxonomy': { '@id': SERVICE_CATEGORY_SCHEME.scheme, '@type': 'skos:ConceptScheme', 'dct:title': SERVICE_CATEGORY_TITLE },
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

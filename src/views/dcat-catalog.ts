/**
 * One page of the federated catalogue as a DCAT-AP 3 dcat:Catalog in JSON-LD.
 *
 * The catalogue node describes the whole catalogue (title, publisher, latest change); its
 * dcat:dataset lists the datasets of this page only, each the full node the per-dataset view
 * builds (./dcat-jsonld.ts), so a dataset reads the same in the catalogue and on its own.
 * Paging is Hydra's (https://www.w3.org/ns/hydra/core): the catalogue has a
 * hydra:PartialCollectionView, the page, with links to the first, last, next and previous pages
 * and the number of datasets matched.
 *
 * Like the per-dataset view, the document is built as plain objects under one inline context,
 * so nothing has to be fetched to read it.
 */
import type { NationalRecord } from '../model/record.js';
import { DCAT_AP_TW_CONTEXT, SERVICE_CATEGORY_SCHEME, toDcatDatasetNode } from './dcat-jsonld.js';
import type { JsonLdNode } from './json-ld-node.js';

export const HYDRA = 'http://www.w3.org/ns/hydra/core#';

/** The per-dataset context plus Hydra, for the paging links. */
export const DCAT_CATALOG_CONTEXT: Readonly<JsonLdNode> = Object.freeze({ ...DCAT_AP_TW_CONTEXT, hydra: HYDRA });

/** Absolute URLs of this page and its neighbours (the route knows the request; the view does not). */
export interface CatalogPageLinks {
  /** This page: the hydra:PartialCollectionView's IRI. */
  self: string;
  first: string;
  last: string;
  next?: string | undefined;
  previous?: string | undefined;
}

export interface CatalogPage {
  /** The datasets of this page, in order. */
  records: readonly NationalRecord[];
  /** Datasets matched by the request's filters, over all pages. */
  totalItems: number;
  /** The latest change of any live dataset of the catalogue (UTC ISO 8601); absent when it is empty. */
  modified?: string | undefined;
  links: CatalogPageLinks;
}

export interface DcatCatalogOptions {
  /** Public base URL of the gateway, e.g. `https://gateway.example.org`. */
  baseUrl: string;
}

const TITLE = [
  { '@value': 'ogd-gateway 政府開放資料聯合目錄', '@language': 'zh-Hant' },
  { '@value': 'ogd-gateway federated open government data catalogue', '@language': 'en' },
];

const DESCRIPTION = [
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

/**
 * The catalogue IRI, `{baseUrl}/catalog`: the resource, whatever page or syntax is asked for.
 * The gateway's root, `{baseUrl}/`, is its homepage (a web page: foaf:homepage names a
 * document). The publisher (no operator is configured: the gateway itself) is an agent, so it
 * has an IRI of its own, `{baseUrl}/#publisher`: were it the homepage's, the graph would say
 * the web page is a foaf:Agent with a name.
 */
export function catalogIri(baseUrl: string): string {
  return `${gatewayRoot(baseUrl)}catalog`;
}

/** The catalogue's publisher, the gateway as an agent: not its homepage, the root page. */
export function publisherIri(baseUrl: string): string {
  return `${gatewayRoot(baseUrl)}#publisher`;
}

function gatewayRoot(baseUrl: string): string {
  return `${baseUrl.trim().replace(/\/+$/, '')}/`;
}

/** A self-contained JSON-LD document (context inlined): the catalogue with one page of datasets. */
export function toDcatCatalog(page: CatalogPage, options: DcatCatalogOptions): JsonLdNode {
  return catalogNode(page, options, datasetNodes(page, options));
}

/**
 * The same graph as toDcatCatalog, as separate self-contained documents: the catalogue, whose
 * dcat:dataset names each dataset by IRI, then one document per dataset. Their RDF merge is
 * toDcatCatalog's graph; converting them one by one lets a long page be turned into triples
 * without holding the event loop for the whole page. A dataset node without an IRI (its
 * identifier could not make one) stays embedded in the catalogue, the only way to link it.
 */
export function toDcatCatalogDocuments(page: CatalogPage, options: DcatCatalogOptions): JsonLdNode[] {
  const documents: JsonLdNode[] = [];
  const references = datasetNodes(page, options).map((node) => {
    if (typeof node['@id'] !== 'string') return node;
    documents.push({ '@context': DCAT_CATALOG_CONTEXT, ...node });
    return { '@id': node['@id'] };
  });
  return [catalogNode(page, options, references), ...documents];
}

/** A page without its datasets: what the catalogue node says around them. */
export type CatalogPageFrame = Omit<CatalogPage, 'records'>;

/**
 * toDcatCatalog's JSON text around its datasets: `before`, then each dataset's JSON
 * (dcatCatalogDatasetJson) joined by commas, then `after` is, byte for byte,
 * JSON.stringify(toDcatCatalog(page)) for a page of those datasets. A page can so be assembled
 * from dataset texts serialised once and kept (src/api/dataset-fragment-cache.ts).
 *
 * Written the way JSON.stringify writes an object, member by member in insertion order and
 * leaving out undefined members, so the order of the catalogue node is decided in one place
 * (catalogNode) for both.
 */
export function dcatCatalogJsonFrame(frame: CatalogPageFrame, options: DcatCatalogOptions): { before: string; after: string } {
  const node = catalogNode({ ...frame, records: [] }, options, []);
  let before = '{';
  let after = '';
  let separator = '';
  let datasetsWritten = false;
  for (const [key, value] of Object.entries(node)) {
    if (value === undefined) continue;
    const member = `${separator}${JSON.stringify(key)}:`;
    separator = ',';
    if (key === 'dcat:dataset') {
      before += `${member}[`;
      after = ']';
      datasetsWritten = true;
    } else if (datasetsWritten) {
      after += member + JSON.stringify(value);
    } else {
      before += member + JSON.stringify(value);
    }
  }
  return { before, after: `${after}}` };
}

/** One dataset's JSON text as it stands in the catalogue's dcat:dataset. */
export function dcatCatalogDatasetJson(record: NationalRecord, options: DcatCatalogOptions): string {
  return JSON.stringify(toDcatDatasetNode(record, { baseUrl: options.baseUrl }));
}

function datasetNodes(page: CatalogPage, options: DcatCatalogOptions): JsonLdNode[] {
  return page.records.map((record) => toDcatDatasetNode(record, { baseUrl: options.baseUrl }));
}

/**
 * The catalogue's own description (no @context, no datasets): the same resource whether a page
 * of /catalog or the whole-catalogue export (export-jsonld.ts) describes it.
 */
export function catalogueDescription(baseUrl: string): JsonLdNode {
  const root = gatewayRoot(baseUrl);
  return {
    '@id': catalogIri(baseUrl),
    '@type': 'dcat:Catalog',
    'dct:title': TITLE,
    'dct:description': DESCRIPTION,
    // ApiOptions names no operator: the gateway itself, a neutral agent, is the publisher.
    'dct:publisher': { '@id': publisherIri(baseUrl), '@type': 'foaf:Agent', 'foaf:name': 'ogd-gateway' },
    'foaf:homepage': { '@id': root },
    'dcat:themeTaxonomy': { '@id': SERVICE_CATEGORY_SCHEME.scheme, '@type': 'skos:ConceptScheme', 'dct:title': SERVICE_CATEGORY_TITLE },
  };
}

function catalogNode(page: CatalogPage, options: DcatCatalogOptions, datasets: JsonLdNode[]): JsonLdNode {
  const catalog: JsonLdNode = { '@context': DCAT_CATALOG_CONTEXT, ...catalogueDescription(options.baseUrl) };
  if (page.modified !== undefined) catalog['dct:modified'] = { '@value': page.modified, '@type': 'xsd:dateTime' };
  catalog['dcat:dataset'] = datasets;
  catalog['hydra:view'] = pageView(page);
  return catalog;
}

function pageView(page: CatalogPage): JsonLdNode {
  const { links } = page;
  const view: JsonLdNode = {
    '@id': links.self,
    '@type': 'hydra:PartialCollectionView',
    'hydra:first': { '@id': links.first },
    'hydra:last': { '@id': links.last },
  };
  if (links.next !== undefined) view['hydra:next'] = { '@id': links.next };
  if (links.previous !== undefined) view['hydra:previous'] = { '@id': links.previous };
  view['hydra:totalItems'] = page.totalItems;
  return view;
}

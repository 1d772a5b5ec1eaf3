/**
 * GET /catalog?include_withdrawn=true[&modified_since=…]: the datasets changed since the instant,
 * withdrawn and merged-away ones included and marked (src/views/dcat-withdrawn.ts), in
 * identifier order with keyset paging. The cross-platform spec's and DCAT's modified filters
 * cannot tell a harvester what was deleted; this listing can, in the syntax it already reads.
 * (The exact feed for mirrors is GET /api/changes.)
 *
 * Rendered whole through toDcatCatalog (not from cached fragments as the live pages are): such
 * listings are read by syncing harvesters, a few times a day, not at volume.
 */
import type { CatalogueStore } from '../../store/contract/catalogue.js';
import type { NationalRecord } from '../../model/record.js';
import { toDcatCatalog, toDcatCatalogDocuments, type CatalogPage, type CatalogPageFrame } from '../../views/dcat-catalog.js';
import type { JsonLdNode } from '../../views/json-ld-node.js';
import { markWithdrawn } from '../../views/dcat-withdrawn.js';
import { encodeCursor } from '../search-cursor.js';
import { pageLinks, withdrawnListingScope, type CatalogQueryString, type CatalogRequest } from './catalog-query.js';
import { renderRdf, type Negotiated } from './rdf-negotiation.js';

export interface ListingAnswer {
  body: Buffer;
  contentType: string;
  links: CatalogPageFrame['links'];
}

export async function renderListingWithWithdrawn(
  catalogue: CatalogueStore,
  negotiated: Negotiated,
  request: CatalogRequest,
  query: CatalogQueryString,
  where: { publicUrl: string; path: string; modified: string | undefined },
): Promise<ListingAnswer> {
  const { pageSize, page, after } = request;
  const found = await catalogue.listChangedDatasets({
    since: request.filters.modifiedSince,
    after: after?.identifier,
    offset: after === undefined ? (page - 1) * pageSize : 0,
    limit: pageSize,
  });
  const last = found.datasets.at(-1);
  const nextCursor =
    found.more && last !== undefined
      ? encodeCursor({ order: 'identifier', key: null, identifier: last.identifier }, withdrawnListingScope(request.filters))
      : undefined;
  const links = pageLinks(where.publicUrl, where.path, query, request, found.total, nextCursor);

  // Each dataset's last served record; the movedTo of those withdrawn, by identifier.
  const records: NationalRecord[] = [];
  const withdrawn = new Map<string, string | null>();
  for (const dataset of found.datasets) {
    const entry = await catalogue.getDataset(dataset.identifier);
    if (entry === undefined) continue;
    records.push(entry.record);
    if (dataset.withdrawn) withdrawn.set(String(entry.record.identifier ?? dataset.identifier), dataset.movedTo);
  }
  const catalogPage: CatalogPage = { records, totalItems: found.total, modified: where.modified, links };
  const options = { baseUrl: where.publicUrl };
  const mark = (node: JsonLdNode): JsonLdNode => {
    const identifier = node['dct:identifier'];
    return typeof identifier === 'string' && withdrawn.has(identifier) ? markWithdrawn(node, withdrawn.get(identifier)!, where.publicUrl) : node;
  };
  const { body, contentType } = await renderRdf(negotiated, {
    jsonLd: () => {
      const document = toDcatCatalog(catalogPage, options);
      const datasets = document['dcat:dataset'];
      if (Array.isArray(datasets)) document['dcat:dataset'] = datasets.map((node) => mark(node as JsonLdNode));
      return document;
    },
    graphDocuments: () => toDcatCatalogDocuments(catalogPage, options).map(mark),
  });
  return { body: Buffer.from(body), contentType, links };
}

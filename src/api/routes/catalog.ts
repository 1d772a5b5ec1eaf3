import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.js';
import { getDataset } from '../../store/catalogue.js';
import { searchDatasets, type SearchResult } from '../../store/search.js';
import type { NationalRecord } from '../../model/record.js';
import { toDcatCatalog, toDcatCatalogDocuments } from '../../views/dcat-catalog.js';
import { ERROR_CODES, specError, specErrorSchema } from '../errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, pageLinks, readCatalogQuery, type CatalogQueryString } from './catalog-query.js';
import { addVary, negotiate, notAcceptable, RDF_REPRESENTATIONS, rdfResponseContent, renderRdf, type RdfRepresentation } from './rdf-negotiation.js';
import { ResponseCache } from '../response-cache.js';
import { strongEtag } from '../http-caching.js';
import { encodeCursor, MAX_CURSOR_LENGTH } from '../search-cursor.js';

/**
 * The federated catalogue as DCAT-AP 3, one page at a time:
 *   GET /catalog                 syntax by Accept (JSON-LD by default)
 *   GET /catalog.jsonld|.ttl|.rdf|.nt   syntax by suffix
 * Filters and paging go through searchDatasets, like every other read API that filters.
 */
const OPERATION_IDS: Record<RdfRepresentation['syntax'], string> = {
  jsonld: 'getCatalogJsonLd',
  turtle: 'getCatalogTurtle',
  rdfxml: 'getCatalogRdfXml',
  ntriples: 'getCatalogNTriples',
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

const querystringSchema = {
  type: 'object',
  properties: {
    page: { type: 'integer', minimum: 1, maximum: MAX_PAGE, description: 'Page number, from 1 (the default); not with `cursor`.' },
    cursor: {
      type: 'string',
      maxLength: MAX_CURSOR_LENGTH,
      description:
        'Where a next link (hydra:next, Link rel="next") starts: the page after the previous one, with the same filters. Opaque. Following next links sees every dataset listed throughout the walk exactly once, even while a harvest changes the catalogue; page numbers do not.',
    },
    pageSize: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Datasets per page (1–${MAX_PAGE_SIZE}).` },
    q: { type: 'string', maxLength: 500, description: 'Full text over title, description, keywords and publisher; Chinese works (e.g. 公車). Several words separated by spaces must all match.' },
    publisher: { type: 'string', maxLength: 500, description: "The publisher's name (提供機關), exact." },
    category: { type: 'string', maxLength: 100, description: '服務分類 code (e.g. `A00`) or its name (交通及通訊).' },
    theme: {
      type: 'string',
      maxLength: 500,
      description:
        'A dcat:theme IRI of the gateway\'s 服務分類 scheme (`https://ogd-gateway.example/ns/service-category/A00`). EU data themes (IRI or code) answer 400: no mapping from 服務分類 to them exists yet.',
    },
    format: { type: 'string', maxLength: 100, description: 'A distribution format, case-insensitive (`CSV`).' },
    license: { type: 'string', maxLength: 2000, description: "The record's licence name or URL, exact." },
    modified_since: {
      type: 'string',
      maxLength: 100,
      description: 'Datasets whose metadata changed at or after this time: RFC 3339, or Taipei local `YYYY-MM-DD[ hh:mm:ss]`.',
      examples: ['2021-08-01T00:00:00+08:00'],
    },
  },
} as const;

export function catalogRoutes(app: FastifyInstance, db: Db, publicUrl: string): void {
  const cache = new ResponseCache(db);
  registerCatalogRoute(app, db, publicUrl, undefined, cache);
  for (const representation of RDF_REPRESENTATIONS) registerCatalogRoute(app, db, publicUrl, representation, cache);
}

/** `fixed`: the representation a suffixed path names; undefined for /catalog, which negotiates. */
function registerCatalogRoute(app: FastifyInstance, db: Db, publicUrl: string, fixed: RdfRepresentation | undefined, cache: ResponseCache): void {
  const path = `/catalog${fixed?.suffix ?? ''}`;
  app.get<{ Querystring: CatalogQueryString }>(
    path,
    {
      schema: {
        tags: ['catalog'],
        operationId: fixed === undefined ? 'getCatalog' : OPERATION_IDS[fixed.syntax],
        summary: fixed === undefined ? 'The federated catalogue as a DCAT-AP 3 dcat:Catalog, syntax by Accept' : `The federated catalogue as a DCAT-AP 3 dcat:Catalog in ${fixed.label}`,
        description: [
          fixed === undefined
            ? 'The syntax follows Accept: `application/ld+json` (also for `*/*`, `application/json` and no Accept), `text/turtle`, `application/rdf+xml`, `application/n-triples`; anything else is 406. The response varies by Accept. The suffixed paths (`/catalog.jsonld`, `.ttl`, `.rdf`, `.nt`) name the syntax and ignore Accept.'
            : `Always ${fixed.label} (${fixed.mediaType}), whatever Accept says.`,
          'The catalogue node carries title, description, publisher (the gateway), the latest dataset change (`dct:modified`) and, as `dcat:dataset`, the full DCAT-AP nodes of this page\'s datasets. Its `hydra:view` (a `hydra:PartialCollectionView`) links the first, last, next and previous pages (absolute URLs keeping the filters) and gives `hydra:totalItems`, the datasets matched. Withdrawn datasets are not listed.',
        ].join(' '),
        querystring: querystringSchema,
        response: {
          200: {
            description: 'One page of the catalogue.',
            content: rdfResponseContent(fixed === undefined ? RDF_REPRESENTATIONS : [fixed]),
          },
          400: { description: 'A parameter is malformed, or theme names an EU data theme (ER0210).', ...specErrorSchema },
          ...(fixed === undefined ? { 406: { description: 'Accept names no syntax offered (ER0210).', ...specErrorSchema } } : {}),
        },
      },
    },
    async (request, reply) => {
      if (fixed === undefined) addVary(reply, 'Accept');
      const negotiated = fixed === undefined ? negotiate(request.headers.accept) : { representation: fixed, mediaType: fixed.mediaType };
      if (negotiated === undefined) return reply.code(406).send(notAcceptable(request.headers.accept));

      const catalogRequest = readCatalogQuery(request.query);
      if (typeof catalogRequest === 'string') return reply.code(400).send(specError(ERROR_CODES.badParameter, catalogRequest));

      // A page is rebuilt only when the catalogue changed since it was last rendered.
      const cacheKey = `${negotiated.mediaType}\u0000${request.url}`;
      const { hit, version } = cache.lookup(cacheKey);
      if (hit !== undefined) return reply.headers({ ...hit.headers, etag: hit.etag }).type(hit.contentType).send(hit.body);

      const { page, pageSize, filters, after } = catalogRequest;
      const found: SearchResult = catalogRequest.matchesNothing
        ? { total: 0, identifiers: [] }
        : searchDatasets(db, { ...filters, limit: pageSize, offset: after === undefined ? (page - 1) * pageSize : 0, after });
      const nextCursor = found.last === undefined ? undefined : encodeCursor(found.last, filters);
      const links = pageLinks(publicUrl, path, request.query, catalogRequest, found.total, nextCursor);
      const headers = { link: linkHeader(links) };

      const catalogPage = { records: recordsOf(db, found.identifiers), totalItems: found.total, modified: latestChange(db), links };
      const options = { baseUrl: publicUrl };
      const { body, contentType } = await renderRdf(negotiated, {
        jsonLd: () => toDcatCatalog(catalogPage, options),
        graphDocuments: () => toDcatCatalogDocuments(catalogPage, options),
      });
      const etag = strongEtag(contentType, body);
      cache.store(cacheKey, version, { body, contentType, etag, headers });
      return reply.headers({ ...headers, etag }).type(contentType).send(body);
    },
  );
}

/** The page's records; one withdrawn since the search (another process harvesting) is left out. */
function recordsOf(db: Db, identifiers: readonly string[]): NationalRecord[] {
  const records: NationalRecord[] = [];
  for (const identifier of identifiers) {
    const entry = getDataset(db, identifier);
    if (entry !== undefined && entry.withdrawnAt === null && entry.mergedInto === null) records.push(entry.record);
  }
  return records;
}

/** When the catalogue last changed: the newest change of a live dataset, whatever the filters. */
function latestChange(db: Db): string | undefined {
  const [newest] = searchDatasets(db, { sort: 'modified', limit: 1, offset: 0 }).identifiers;
  const modifiedAt = newest === undefined ? undefined : getDataset(db, newest)?.modifiedAt;
  return modifiedAt !== undefined && ISO_INSTANT.test(modifiedAt) ? modifiedAt : undefined;
}

/** The paging links as an HTTP Link header (RFC 8288) too, for clients that do not parse the body. */
function linkHeader(links: ReturnType<typeof pageLinks>): string {
  const relations: Array<[string, string | undefined]> = [
    ['first', links.first],
    ['prev', links.previous],
    ['next', links.next],
    ['last', links.last],
  ];
  return relations
    .filter((relation): relation is [string, string] => relation[1] !== undefined)
    .map(([rel, url]) => `<${url}>; rel="${rel}"`)
    .join(', ');
}

import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import type { CatalogueStore } from '../../store/contract/catalogue.js';
import type { SearchResult } from '../../store/search.js';
import type { NationalRecord } from '../../model/record.js';
import { toDcatCatalog, toDcatCatalogDocuments, type CatalogPage, type CatalogPageFrame } from '../../views/dcat-catalog.js';
import { ERROR_CODES } from '../errors.js';
import { specError, specErrorSchema } from '../../views/spec-error.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, pageLinks, readCatalogQuery, type CatalogQueryString } from './catalog-query.js';
import {
  addVary,
  negotiate,
  notAcceptable,
  RDF_REPRESENTATIONS,
  rdfResponseContent,
  renderRdf,
  type Negotiated,
  type RdfRepresentation,
} from './rdf-negotiation.js';
import { DEFAULT_RESPONSE_CACHE_LIMITS, ResponseCache, type ResponseCacheLimits } from '../response-cache.js';
import { DatasetFragmentCache } from '../dataset-fragment-cache.js';
import { CatalogJsonLdPages } from '../catalog-jsonld-page.js';
import { strongEtag } from '../http-caching.js';
import { encodeCursor, MAX_CURSOR_LENGTH } from '../search-cursor.js';
import { renderListingWithWithdrawn } from './catalog-withdrawn.js';

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
    q: {
      type: 'string',
      maxLength: 500,
      description: 'Full text over title, description, keywords and publisher; Chinese works (e.g. 公車). Several words separated by spaces must all match.',
    },
    publisher: { type: 'string', maxLength: 500, description: "The publisher's name (提供機關), exact." },
    category: { type: 'string', maxLength: 100, description: '服務分類 code (e.g. `A00`) or its name (交通及通訊).' },
    theme: {
      type: 'string',
      maxLength: 500,
      description:
        "A dcat:theme the DCAT views publish: an EU data theme, as its IRI (`http://publications.europa.eu/resource/authority/data-theme/TRAN`, http or https) or its code (`TRAN`, any case), selecting the datasets whose 服務分類 maps to it (mappings/service-category-eu-data-theme.json); or a concept of the gateway's 服務分類 scheme (`https://ogd-gateway.example/ns/service-category/A00`). An unknown EU code is a 400.",
    },
    format: { type: 'string', maxLength: 100, description: 'A distribution format, case-insensitive (`CSV`).' },
    license: { type: 'string', maxLength: 2000, description: "The record's licence name or URL, exact." },
    modified_since: {
      type: 'string',
      maxLength: 100,
      description: 'Datasets whose metadata changed at or after this time: RFC 3339, or Taipei local `YYYY-MM-DD[ hh:mm:ss]`.',
      examples: ['2021-08-01T00:00:00+08:00'],
    },
    include_withdrawn: {
      type: 'boolean',
      default: false,
      description:
        'Also list withdrawn and merged-away datasets changed (withdrawn) since `modified_since`, each its last node marked `adms:status` <http://purl.org/adms/status/Withdrawn> (and `dct:isReplacedBy` the dataset it was merged into), in identifier order: how a DCAT harvester syncing by date learns deletions. Combines with `modified_since` only. (Mirrors: GET /api/changes.)',
    },
  },
} as const;

/**
 * What the catalogue routes keep between requests, within one byte budget (`cacheLimits`):
 * whole rendered pages first (a hit is sent as it is), per-dataset JSON-LD fragments in what
 * the pages leave (a page not cached is assembled from them). Pages live until the catalogue
 * changes; fragments until their dataset does.
 */
interface CatalogServing {
  pages: ResponseCache;
  jsonLd: CatalogJsonLdPages;
  latest: LatestChange;
}

export function catalogRoutes(app: FastifyInstance, store: Store, publicUrl: string, cacheLimits: ResponseCacheLimits = DEFAULT_RESPONSE_CACHE_LIMITS): void {
  // The fragments' budget is what the pages leave; the pages shrink the fragments as they grow.
  let pages: ResponseCache | undefined;
  const fragments = new DatasetFragmentCache(() => pages?.spareBytes() ?? 0);
  pages = new ResponseCache(store.catalogue, cacheLimits, fragments);
  const serving: CatalogServing = {
    pages,
    jsonLd: new CatalogJsonLdPages(store.catalogue, fragments, { baseUrl: publicUrl }),
    latest: new LatestChange(store),
  };
  registerCatalogRoute(app, store, publicUrl, undefined, serving);
  for (const representation of RDF_REPRESENTATIONS) registerCatalogRoute(app, store, publicUrl, representation, serving);
}

/** `fixed`: the representation a suffixed path names; undefined for /catalog, which negotiates. */
function registerCatalogRoute(app: FastifyInstance, store: Store, publicUrl: string, fixed: RdfRepresentation | undefined, serving: CatalogServing): void {
  const { pages: cache, latest } = serving;
  const path = `/catalog${fixed?.suffix ?? ''}`;
  app.get<{ Querystring: CatalogQueryString }>(
    path,
    {
      schema: {
        tags: ['catalog'],
        operationId: fixed === undefined ? 'getCatalog' : OPERATION_IDS[fixed.syntax],
        summary:
          fixed === undefined
            ? 'The federated catalogue as a DCAT-AP 3 dcat:Catalog, syntax by Accept'
            : `The federated catalogue as a DCAT-AP 3 dcat:Catalog in ${fixed.label}`,
        description: [
          fixed === undefined
            ? 'The syntax follows Accept: `application/ld+json` (also for `*/*`, `application/json` and no Accept), `text/turtle`, `application/rdf+xml`, `application/n-triples`; anything else is 406. The response varies by Accept. The suffixed paths (`/catalog.jsonld`, `.ttl`, `.rdf`, `.nt`) name the syntax and ignore Accept.'
            : `Always ${fixed.label} (${fixed.mediaType}), whatever Accept says.`,
          "The catalogue node carries title, description, publisher (the gateway), the latest dataset change (`dct:modified`) and, as `dcat:dataset`, the full DCAT-AP nodes of this page's datasets. Its `hydra:view` (a `hydra:PartialCollectionView`) links the first, last, next and previous pages (absolute URLs keeping the filters) and gives `hydra:totalItems`, the datasets matched. Withdrawn datasets are not listed.",
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

      // A page is rebuilt only when the catalogue changed since it was last rendered. Looked up
      // before the parameters are read: only an answer to valid parameters is ever cached, and
      // reading them is a pure function of the URL the key holds.
      const cacheKey = `${negotiated.mediaType}\u0000${request.url}`;
      const { hit, version } = await cache.lookup(cacheKey);
      if (hit !== undefined)
        return reply
          .headers({ ...hit.headers, etag: hit.etag })
          .type(hit.contentType)
          .send(hit.body);

      const catalogRequest = readCatalogQuery(request.query);
      if (typeof catalogRequest === 'string') return reply.code(400).send(specError(ERROR_CODES.badParameter, catalogRequest));

      if (catalogRequest.includeWithdrawn) {
        const listing = await renderListingWithWithdrawn(store.catalogue, negotiated, catalogRequest, request.query, {
          publicUrl,
          path,
          modified: await latest.at(version),
        });
        const answer = {
          body: listing.body,
          contentType: listing.contentType,
          etag: strongEtag(listing.contentType, listing.body),
          headers: { link: linkHeader(listing.links) },
        };
        await cache.store(cacheKey, version, answer);
        return reply
          .headers({ ...answer.headers, etag: answer.etag })
          .type(answer.contentType)
          .send(answer.body);
      }

      const { page, pageSize, filters, after } = catalogRequest;
      const found: SearchResult = catalogRequest.matchesNothing
        ? { total: 0, identifiers: [] }
        : await store.search.searchDatasets({ ...filters, limit: pageSize, offset: after === undefined ? (page - 1) * pageSize : 0, after });
      const nextCursor = found.last === undefined ? undefined : encodeCursor(found.last, filters);
      const links = pageLinks(publicUrl, path, request.query, catalogRequest, found.total, nextCursor);
      const headers = { link: linkHeader(links) };

      const frame: CatalogPageFrame = { totalItems: found.total, modified: await latest.at(version), links };
      const { body, contentType } =
        negotiated.representation.syntax === 'jsonld'
          ? // The one syntax served at volume: assembled from per-dataset fragments, no whole-page stringify.
            { body: await serving.jsonLd.render(found.identifiers, frame), contentType: `${negotiated.mediaType}; charset=utf-8` }
          : await renderGraphSyntax(negotiated, { ...frame, records: await recordsOf(store.catalogue, found.identifiers) }, publicUrl);
      // Hashing the encoded body is cheap (~0.5 ms for 550 KB); hashing the string re-encoded it first.
      const etag = strongEtag(contentType, body);
      await cache.store(cacheKey, version, { body, contentType, etag, headers });
      return reply
        .headers({ ...headers, etag })
        .type(contentType)
        .send(body);
    },
  );
}

/** Turtle, RDF/XML, N-Triples: the page's graph converted from its JSON-LD (slow: jsonld.toRDF), as a Buffer. */
async function renderGraphSyntax(negotiated: Negotiated, catalogPage: CatalogPage, publicUrl: string): Promise<{ body: Buffer; contentType: string }> {
  const options = { baseUrl: publicUrl };
  const { body, contentType } = await renderRdf(negotiated, {
    jsonLd: () => toDcatCatalog(catalogPage, options),
    graphDocuments: () => toDcatCatalogDocuments(catalogPage, options),
  });
  return { body: Buffer.from(body), contentType };
}

/** The page's records, read in one statement; one withdrawn since the search (another process harvesting) is left out. */
async function recordsOf(catalogue: CatalogueStore, identifiers: readonly string[]): Promise<NationalRecord[]> {
  return (await catalogue.readCataloguePage(identifiers, () => undefined)).flatMap((entry) => (entry.record === undefined ? [] : [entry.record]));
}

/**
 * When the catalogue last changed: the newest change of a live dataset, whatever the filters.
 * A search sorted by date (~5 ms over 100,000 datasets), so it is asked once per catalogue
 * version, not per page rendered.
 */
class LatestChange {
  private known: { version: number; modified: string | undefined } | undefined;

  constructor(private readonly store: Store) {}

  async at(version: number): Promise<string | undefined> {
    if (this.known?.version !== version) this.known = { version, modified: await this.read() };
    return this.known.modified;
  }

  private async read(): Promise<string | undefined> {
    const [newest] = (await this.store.search.searchDatasets({ sort: 'modified', limit: 1, offset: 0 })).identifiers;
    const modifiedAt = newest === undefined ? undefined : (await this.store.catalogue.getDataset(newest))?.modifiedAt;
    return modifiedAt !== undefined && ISO_INSTANT.test(modifiedAt) ? modifiedAt : undefined;
  }
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

import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import { packageVersion } from '../../config/version.js';
import { API_DIRECTORY } from '../api-directory.js';
import { renderHomePage } from '../home-page.js';
import { catalogueLastModified, unchangedWhileServing } from '../last-modified.js';

/**
 * API discovery:
 *   GET /           the home page (HTML, zh-Hant and English) linking every API, with
 *                   `<link rel="api">` and a `Link: </apis.json>; rel="api"` header
 *   GET /apis.json  the APIs in the APIs.json format (apisjson.org, specification 0.19)
 */

/** APIs.json `created` / `modified`: change `modified` whenever API_DIRECTORY changes. */
const APIS_JSON_CREATED = '2026-11-23';
const APIS_JSON_MODIFIED = '2026-11-23';
const APIS_JSON_SPECIFICATION = '0.19';
const APIS_JSON_TYPE = 'application/apis+json';
const OPENAPI_TYPE = 'application/vnd.oai.openapi+json';

/** The home page needs nothing from elsewhere; inline styles are its only non-markup content. */
const HOME_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function discoveryRoutes(app: FastifyInstance, store: Store, publicUrl: string): void {
  const sitePath = pathOf(publicUrl);
  const discoveryLinks = `<${sitePath}/apis.json>; rel="api"; type="${APIS_JSON_TYPE}", <${sitePath}/openapi.json>; rel="service-desc"; type="${OPENAPI_TYPE}"`;

  app.get(
    '/',
    {
      schema: {
        tags: ['discovery'],
        operationId: 'homePage',
        summary: 'Home page: what the gateway is and a link to every API (HTML, zh-Hant and English)',
        response: {
          200: {
            description: 'HTML. `Link` names /apis.json (rel="api") and /openapi.json (rel="service-desc").',
            content: { 'text/html': { schema: { type: 'string' } } },
            headers: { Link: { type: 'string', description: '`</apis.json>; rel="api"; type="application/apis+json", </openapi.json>; rel="service-desc"`' } },
          },
        },
      },
      config: { lastModified: catalogueLastModified(store.catalogue) },
    },
    async (_request, reply) => {
      const html = renderHomePage({
        sitePath,
        publicUrl,
        version: packageVersion(),
        datasets: await store.catalogue.countDatasets(),
        lastChange: await store.catalogue.catalogueChangedAt(),
      });
      return reply
        .header('link', discoveryLinks)
        .header('content-security-policy', HOME_PAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .type('text/html; charset=utf-8')
        .send(html);
    },
  );

  const document = apisJson(publicUrl);
  app.get(
    '/apis.json',
    {
      schema: {
        tags: ['discovery'],
        operationId: 'apisJson',
        summary: 'The APIs of this gateway in the APIs.json format (apisjson.org)',
        response: {
          200: {
            description: `APIs.json ${APIS_JSON_SPECIFICATION} (${APIS_JSON_TYPE}); each API's OpenAPI description is /openapi.json.`,
            content: { [APIS_JSON_TYPE]: { schema: apisJsonSchema } },
          },
        },
      },
      config: { lastModified: unchangedWhileServing },
    },
    async (_request, reply) => reply.type(`${APIS_JSON_TYPE}; charset=utf-8`).send(document),
  );
}

/** The path part of the public URL, without a trailing slash: links stay right behind a path prefix. */
function pathOf(publicUrl: string): string {
  try {
    return new URL(publicUrl).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

function apisJson(publicUrl: string): string {
  const openApi = `${publicUrl}/openapi.json`;
  return JSON.stringify({
    name: 'ogd-gateway',
    description:
      "Federated catalogue of Taiwan's open-data platforms (政府開放資料聯合目錄): dataset metadata harvested from agency and city platforms, mapped to the national metadata standard, served through the cross-platform interface spec, DCAT-AP, search, a CKAN-compatible API and whole-catalogue exports.",
    url: `${publicUrl}/apis.json`,
    tags: ['open data', '政府資料開放', 'Taiwan', 'metadata', 'DCAT-AP', 'CKAN'],
    created: APIS_JSON_CREATED,
    modified: APIS_JSON_MODIFIED,
    specificationVersion: APIS_JSON_SPECIFICATION,
    apis: API_DIRECTORY.map((api) => ({
      name: `${api.name} (${api.nameZh})`,
      description: api.description,
      humanURL: `${publicUrl}/#${api.key}`,
      baseURL: `${publicUrl}${api.basePath}`,
      tags: [api.tag],
      properties: [
        { type: 'OpenAPI', url: openApi },
        { type: 'Documentation', url: `${publicUrl}/#${api.key}` },
      ],
    })),
    maintainers: [{ FN: 'ogd-gateway', url: publicUrl }],
  });
}

const apiPropertySchema = {
  type: 'object',
  required: ['type', 'url'],
  properties: { type: { type: 'string' }, url: { type: 'string' } },
} as const;

const apisJsonSchema = {
  type: 'object',
  required: ['name', 'description', 'url', 'created', 'modified', 'specificationVersion', 'apis'],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    url: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    created: { type: 'string', format: 'date' },
    modified: { type: 'string', format: 'date' },
    specificationVersion: { type: 'string' },
    apis: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'description', 'humanURL', 'baseURL', 'properties'],
        properties: {
          name: { type: 'string' },
          description: { type: 'string' },
          humanURL: { type: 'string' },
          baseURL: { type: 'string' },
          tags: { type: 'array', items: { type: 'string' } },
          properties: { type: 'array', items: apiPropertySchema },
        },
      },
    },
    maintainers: { type: 'array', items: { type: 'object', additionalProperties: { type: 'string' } } },
  },
} as const;

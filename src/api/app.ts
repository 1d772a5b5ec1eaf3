import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
  type HookHandlerDoneFunction,
} from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import type { Store } from '../store/contract/store.js';
import { crossPlatformRoutes } from './routes/crossplatform.js';
import { dcatRoutes } from './routes/dcat.js';
import { healthRoutes } from './routes/health.js';
import { identityRoutes } from './routes/identity.js';
import { changeFeedRoutes } from './routes/changes.js';
import { catalogRoutes } from './routes/catalog.js';
import { DEFAULT_RESPONSE_CACHE_LIMITS } from './response-cache.js';
import { searchRoutes } from './routes/search.js';
import { ckanRoutes } from './routes/ckan.js';
import { crossPlatformMoreRoutes } from './routes/crossplatform-more.js';
import { exportRoutes } from './routes/export.js';
import { discoveryRoutes } from './routes/discovery.js';
import { pushRoutes } from './routes/push.js';
import type { PushWritesIn } from '../push/push-writer.js';
import type { ResolutionSchedule } from '../push/resolution-scheduler.js';
import { ERROR_CODES } from './errors.js';
import { specError } from '../views/spec-error.js';
import { storeErrorOf } from '../store/store-errors.js';
import { answerStoreUnavailable } from './store-unavailable.js';
import { packageVersion } from '../config/version.js';
import { defaultServerHttpSettings } from '../config/load.js';
import type { ServerHttpSettings } from '../config/types.js';
import { isCompressibleType, registerCompression } from './compression.js';
import { registerHttpCaching } from './http-caching.js';
import { registerRateLimiting } from './rate-limiting.js';
import { applyRouteHttpPolicy } from './route-http-policy.js';
import { unchangedWhileServing } from './last-modified.js';
import { registerJsonBodyParser } from './json-body.js';
import { registerWellFormedAnswers } from './well-formed-answers.js';
import { ALWAYS_HEADERS, answerClientError, answerFrameworkError, refuseConnect } from './protocol-answers.js';

export interface ApiOptions {
  /** The catalogue it serves (and the store agencies' pushes are written to). */
  store: Store;
  publicUrl: string;
  logger: Logger;
  /** How the API answers over HTTP (`server.trustProxy`, `.rateLimit`, `.cacheMaxAgeSeconds`); absent: the configuration's defaults. */
  http?: Partial<ServerHttpSettings>;
  /**
   * Where push calls are parsed, read and written: in the push thread (the default for a store in
   * a file), or 'here' on the API's own connection (a store in memory always; tests that set
   * pragmas on that connection).
   */
  pushWrites?: PushWritesIn;
  /**
   * When accepted pushes are resolved into the served catalogue (resolution-scheduler.ts: the
   * gap that coalesces a stream of pushes, the retry after a failure); absent: its default.
   */
  pushResolution?: ResolutionSchedule;
}

/**
 * Response headers a web page may read across origins besides the CORS-safelisted ones: the
 * validators it sends back, the discovery links, the rate-limit budget and the export file name.
 */
const EXPOSED_HEADERS = ['ETag', 'Last-Modified', 'Link', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Content-Disposition'];

/**
 * The HTTP API. It reads the store, and writes only agencies' pushes (routes/push.ts). Every
 * error a client can cause comes back in the cross-platform spec's error shape with a 4xx
 * status; a 500 means a bug of ours.
 */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const http: ServerHttpSettings = { ...defaultServerHttpSettings(), ...options.http };
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Identifiers are short, but agency platforms also use UUIDs and URIs: allow long path parameters.
    routerOptions: { maxParamLength: 1000 },
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false } },
    // request.ip (the rate limit's key) comes from X-Forwarded-For only for the proxies the
    // operator named; otherwise any client could pick its own key.
    trustProxy: http.trustProxy,
    // Requests that never reach a route (unparsable, undecodable URL) answer in the spec's shape too.
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  });
  refuseConnect(app.server);

  // First of all hooks, so every answer has them: 404s, refusals of the rate limit, errors.
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(ALWAYS_HEADERS);
  });
  registerJsonBodyParser(app);
  registerWellFormedAnswers(app);

  // First, so every plugin below sees each route's policy (health check exemptions,
  // Last-Modified sources) and the OpenAPI description gets the shared 304/406/429 answers.
  app.addHook('onRoute', (routeOptions) => applyRouteHttpPolicy(routeOptions, { catalogue: options.store.catalogue, rateLimited: http.rateLimit.max > 0 }));

  // A public, read-only catalogue: any web page may read it. POST only because CKAN clients
  // send their (read) actions that way.
  await app.register(cors, { origin: '*', methods: ['GET', 'HEAD', 'POST'], exposedHeaders: EXPOSED_HEADERS.join(', '), maxAge: 86_400 });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ogd-gateway',
        version: packageVersion(),
        description:
          'Federated catalogue of Taiwan open-data platforms: the cross-platform interface spec (政府資料開放跨平臺介接規範 v1) read API, DCAT-AP JSON-LD per dataset, and operations endpoints. Described per 共通性應用程式介面規範.',
      },
      servers: [{ url: options.publicUrl }],
      tags: [
        { name: 'cross-platform', description: '政府資料開放跨平臺介接規範 v1 (read side), the gen-2 record and the 2015 common data-access groups and tags' },
        { name: 'dcat', description: 'DCAT-AP views of one dataset' },
        { name: 'catalog', description: 'The DCAT-AP 3 catalogue, paged, with content negotiation' },
        { name: 'search', description: 'Full-text search with filters and facets' },
        { name: 'ckan', description: 'CKAN-compatible Action API subset' },
        { name: 'export', description: 'Whole-catalogue exports (CSV, JSON-LD), streamed' },
        { name: 'identity', description: 'Cross-source identity: why a dataset is what it is' },
        { name: 'changes', description: 'The exact change feed: created, updated, withdrawn since a cursor, for mirrors' },
        { name: 'discovery', description: 'Home page and APIs.json' },
        { name: 'operations', description: 'Health and API description' },
      ],
    },
  });

  // Order matters: compression before conditional GET (a compressed body's tag is finished
  // after it), both before the routes.
  await registerCompression(app);
  registerHttpCaching(app, { cacheMaxAgeSeconds: http.cacheMaxAgeSeconds, servingSince: new Date(), isCompressibleType });
  const rateLimitNotFound = await registerRateLimiting(app, http.rateLimit);

  // ajv, coercing a query string to a number, lets `1e400` through as Infinity past minimum and
  // maximum (it checks no further once it has coerced it): one guard for every route that has a
  // querystring schema (without one nothing is coerced: every value stays a string), first of
  // its preHandlers, answered by the route's own error handler like any other validation error.
  app.addHook('onRoute', (routeOptions) => {
    const schema = routeOptions.schema as { querystring?: unknown; query?: unknown } | undefined;
    if (schema?.querystring === undefined && schema?.query === undefined) return;
    routeOptions.preHandler = [rejectNonFiniteQuery, ...asArray(routeOptions.preHandler)];
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      return reply
        .code(400)
        .send(specError(ERROR_CODES.badParameter, `${error.validationContext ?? 'request'}${error.message.replace(/^(querystring|params|body)/, '')}`));
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return reply.code(429).send(specError(ERROR_CODES.tooManyRequests, error.message));
    }
    if (status >= 400 && status < 500) {
      return reply.code(status).send(specError(ERROR_CODES.badParameter, error.message));
    }
    const storeError = storeErrorOf(error, options.store.location);
    if (storeError) return answerStoreUnavailable(storeError, request, reply);
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(specError(ERROR_CODES.systemError, 'internal error; the gateway log has the details'));
  });

  // Unknown paths count against the rate limit too: probing them is no cheaper for us.
  app.setNotFoundHandler(rateLimitNotFound ? { preHandler: rateLimitNotFound } : {}, (request, reply) => {
    reply.code(404).send(specError(ERROR_CODES.notFound, `no such path: ${request.method} ${request.url.split('?')[0]}`));
  });

  crossPlatformRoutes(app, options.store, options.publicUrl);
  dcatRoutes(app, options.store, options.publicUrl);
  healthRoutes(app, options.store);
  identityRoutes(app, options.store);
  changeFeedRoutes(app, options.store);
  catalogRoutes(app, options.store, options.publicUrl, { ...DEFAULT_RESPONSE_CACHE_LIMITS, maxBytes: http.catalogCacheMB * 1024 * 1024 });
  searchRoutes(app, options.store, options.publicUrl);
  ckanRoutes(app, options.store, options.publicUrl);
  crossPlatformMoreRoutes(app, options.store, options.publicUrl);
  exportRoutes(app, options.store, options.publicUrl);
  discoveryRoutes(app, options.store, options.publicUrl);
  pushRoutes(app, options.store, options.publicUrl, { writesIn: options.pushWrites, resolution: options.pushResolution });

  app.get(
    '/openapi.json',
    {
      schema: {
        tags: ['operations'],
        operationId: 'openapi',
        summary: 'This API described in OpenAPI 3',
        response: { 200: { description: 'OpenAPI 3.1 document (JSON).', type: 'object', additionalProperties: true } },
      },
      serializerCompiler: () => (data) => JSON.stringify(data),
      config: { lastModified: unchangedWhileServing },
    },
    async () => app.swagger(),
  );

  await app.ready();
  await loadSearchColumns(options.store, app.log);
  return app;
}

/**
 * Loads the search index's in-memory columns (src/store/search-snapshot.ts) before the API
 * listens: every search and every DCAT catalogue page reads them, and reading them for 100,000
 * datasets takes 0.6–1.3 s of the event loop, which the first such request after a start used to
 * wait for, with every request queued behind it. (serve refreshes the index itself just before,
 * for the same reason.) A store that cannot answer now is left to answer, or fail, per request.
 */
async function loadSearchColumns(store: Store, log: FastifyBaseLogger): Promise<void> {
  try {
    await store.search.searchDatasets({ limit: 0, offset: 0 });
  } catch (err) {
    log.warn({ err }, 'the search columns were not loaded at start-up: the first search will load them');
  }
}

function rejectNonFiniteQuery(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const query = request.query;
  if (query !== null && typeof query === 'object') {
    for (const name of Object.keys(query)) {
      const value = (query as Record<string, unknown>)[name];
      if (typeof value === 'number' && !Number.isFinite(value)) {
        done(Object.assign(new Error(`querystring/${name} must be a finite number`), { statusCode: 400, validation: [], validationContext: 'querystring' }));
        return;
      }
    }
  }
  done();
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

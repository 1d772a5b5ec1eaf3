import type { RouteOptions } from 'fastify';
import type { CatalogueStore } from '../store/contract/catalogue.js';
import { lastModifiedForRoute } from './last-modified.js';
import { describeHttpAnswers, offersSeveralMediaTypes } from './http-responses.js';

/**
 * What each route gets from the shared HTTP layer, decided once when the route is registered
 * (an onRoute hook, added before the plugins that read route config):
 *
 * - `/healthz` is neither rate limited (a load balancer must never be refused) nor cached.
 * - Read routes get their Last-Modified source (last-modified.ts) unless they declare one.
 * - Their OpenAPI description gains the shared 304, 406 and 429 answers where they apply.
 */

/** Routes answering a health probe: always fresh, never limited. */
const HEALTH_ROUTES = new Set(['/healthz']);

/** Routes that choose a media type by Accept and answer 406 when none fits. */
const NEGOTIATED_ROUTES = new Set(['/catalog', '/dataset/:file', '/dataset/:identifier']);

export interface RouteHttpPolicyOptions {
  /** Where read routes' Last-Modified comes from. */
  catalogue: CatalogueStore;
  /** Whether rate limiting is on at all (`server.rateLimit.max` > 0). */
  rateLimited: boolean;
}

export function applyRouteHttpPolicy(routeOptions: RouteOptions, options: RouteHttpPolicyOptions): void {
  const config = { ...(routeOptions.config ?? {}) };
  if (HEALTH_ROUTES.has(routeOptions.url)) {
    config.rateLimit = false;
    config.httpCaching = false;
  }
  const methods = Array.isArray(routeOptions.method) ? routeOptions.method : [routeOptions.method];
  const reads = methods.includes('GET') || methods.includes('HEAD');
  if (reads && config.lastModified === undefined) {
    const source = lastModifiedForRoute(options.catalogue, routeOptions.url);
    if (source) config.lastModified = source;
  }
  routeOptions.config = config;
  // Routes Fastify or a plugin add without a schema (CORS preflight) stay out of the description.
  if (!routeOptions.schema || routeOptions.schema.hide === true) return;
  describeHttpAnswers(routeOptions, {
    conditional: reads && config.httpCaching !== false,
    negotiated: reads && (NEGOTIATED_ROUTES.has(routeOptions.url) || offersSeveralMediaTypes(routeOptions)),
    rateLimited: options.rateLimited && config.rateLimit !== false,
  });
}

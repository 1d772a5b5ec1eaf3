import type { RouteOptions } from 'fastify';
import { specErrorSchema } from '../views/spec-error.js';

/**
 * The HTTP answers every read route can give besides its own, as response schemas shared by all
 * routes, so /openapi.json tells clients about them: 304 (conditional GET), 406 (content
 * negotiation found nothing acceptable) and 429 (rate limit).
 */

export const notModifiedResponse = {
  description:
    'Not Modified: the `If-None-Match` tag (or, without one, the `If-Modified-Since` date) still matches. No body; the validators and Cache-Control are sent again.',
  // No content: a 304 never has a body.
  type: 'null',
  headers: {
    ETag: { type: 'string', description: 'The tag the client holds for this resource.' },
    'Last-Modified': { type: 'string', description: 'HTTP-date, when the route has one.' },
    'Cache-Control': { type: 'string' },
  },
} as const;

export const notAcceptableResponse = {
  description: 'Not Acceptable: none of the media types in `Accept` can be served. The spec error shape, ER0210, lists those that can.',
  ...specErrorSchema,
} as const;

export const tooManyRequestsResponse = {
  description: 'Too Many Requests: this client used up its requests for the current window (ER0429). Retry after `Retry-After` seconds.',
  ...specErrorSchema,
  headers: {
    'Retry-After': { type: 'integer', description: 'Seconds until the window resets.' },
    'RateLimit-Limit': { type: 'integer', description: 'Requests allowed per window.' },
    'RateLimit-Remaining': { type: 'integer', description: 'Requests left in the current window (0).' },
    'RateLimit-Reset': { type: 'integer', description: 'Seconds until the window resets.' },
  },
} as const;

/** Headers every cacheable 200 carries, documented on the route's 200 answer. */
const validatorHeaders = {
  ETag: { type: 'string', description: 'Strong validator of this body (send it back in `If-None-Match`).' },
  'Last-Modified': { type: 'string', description: 'HTTP-date of the last change, where the route knows it (send it back in `If-Modified-Since`).' },
} as const;

export interface RouteHttpAnswers {
  /** The route answers conditional requests (304). */
  conditional: boolean;
  /** The route negotiates its media type and may answer 406. */
  negotiated: boolean;
  /** The route is rate limited (429). */
  rateLimited: boolean;
}

/**
 * Adds the shared answers to a route's response schemas, without touching the objects the route
 * declared (route modules share schema constants between routes). A status the route already
 * describes is left as the route describes it.
 */
export function describeHttpAnswers(routeOptions: RouteOptions, answers: RouteHttpAnswers): void {
  const schema = routeOptions.schema ?? {};
  const response: Record<string, unknown> = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  const add = (status: string, description: unknown): void => {
    if (!(status in response)) response[status] = description;
  };
  if (answers.conditional) {
    add('304', notModifiedResponse);
    // A route that described no answer got Swagger's "Default Response" 200: keep one.
    const ok = (response['200'] ?? { description: 'Default Response' }) as { headers?: Record<string, unknown> };
    response['200'] = { ...ok, headers: { ...validatorHeaders, ...ok.headers } };
  }
  if (answers.negotiated) add('406', notAcceptableResponse);
  if (answers.rateLimited) add('429', { ...errorBodyOf(response), description: tooManyRequestsResponse.description, headers: tooManyRequestsResponse.headers });
  routeOptions.schema = { ...schema, response };
}

/**
 * The error body a route answers with: the shape of its own 4xx answers when it declares one (the
 * CKAN-compatible API answers in CKAN's error envelope, also for a 429), else the spec's.
 */
function errorBodyOf(response: Record<string, unknown>): Record<string, unknown> {
  for (const status of ['400', '404', '409']) {
    const declared = response[status];
    if (declared && typeof declared === 'object' && ('properties' in declared || '$ref' in declared)) {
      const { description: _description, headers: _headers, ...body } = declared as Record<string, unknown>;
      return body;
    }
  }
  return { ...specErrorSchema };
}

/** Whether a route's 200 offers several media types (content negotiation), judging by its schema. */
export function offersSeveralMediaTypes(routeOptions: RouteOptions): boolean {
  const ok = (routeOptions.schema?.response as Record<string, unknown> | undefined)?.['200'];
  if (!ok || typeof ok !== 'object' || !('content' in ok)) return false;
  const content = (ok as { content: unknown }).content;
  return typeof content === 'object' && content !== null && Object.keys(content).length > 1;
}

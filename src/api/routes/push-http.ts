/**
 * What sets the write routes apart from the read API over HTTP:
 *
 * - Not CORS-open. The catalogue is readable from any origin (CORS `*`); the write routes opt
 *   out (`config.cors: false`: no Access-Control-* headers), and the preflight of their paths
 *   grants GET and HEAD (the read routes sharing the paths) but never POST, PUT or DELETE. A
 *   web page on another origin cannot push even with a key in hand; agencies push server to server.
 * - Never cached: `Cache-Control: no-store` on every answer, refusals included.
 * - Bodies up to the record size cap (5 MB, as a harvested record), else 413 (ER0413).
 * - The key is checked before the body is read (a bad key costs no parsing), after the rate limit.
 * - Every refusal in the spec's error shape; 401 says how to authenticate (WWW-Authenticate).
 * Rate limiting applies to them as to every route (registered globally in app.ts).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import type { ApiKey } from '../../store/api-keys.js';
import { DEFAULT_RECORD_LIMITS } from '../../harvest/record-door.js';
import { authenticate } from '../../push/authenticate.js';
import { PUSH_ERROR_CODES, PushError } from '../../push/push-errors.js';
import { pushSwaggerTransform, type PushRouteSchema } from './push-schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** @fastify/cors' per-route setting: false turns CORS off for the route. */
    cors?: false;
  }
}

/** Largest body accepted: a record over the harvest's record cap would be refused there too. */
export const MAX_PUSH_BODY_BYTES = DEFAULT_RECORD_LIMITS.maxRecordBytes;

/** The key a request authenticated with (set by the route's onRequest hook). */
const keys = new WeakMap<FastifyRequest, ApiKey>();

export function keyOf(request: FastifyRequest): ApiKey {
  const key = keys.get(request);
  if (key === undefined) throw new Error('a write route ran without its authentication hook');
  return key;
}

/** The options every write route shares, around its own schema. */
export function writeRouteOptions(app: FastifyInstance, store: Store, schemas: PushRouteSchema): RouteShorthandOptions {
  return {
    schema: schemas.schema,
    bodyLimit: MAX_PUSH_BODY_BYTES,
    config: { cors: false, httpCaching: false, jsonBodyAsText: true, swaggerTransform: pushSwaggerTransform(schemas.documentedBody) as never },
    // Plain JSON.stringify: the answer's warnings are passed through as they are.
    serializerCompiler: () => (data) => JSON.stringify(data),
    onRequest: async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    },
    // preParsing, not onRequest: after the rate limit (which the plugin appends to each route's
    // onRequest hooks), so failed keys are counted too; before the body is read.
    preParsing: async (request, _reply, payload) => {
      keys.set(request, await authenticate(store, request.headers.authorization, request.ip));
      return payload;
    },
    errorHandler: (error, request, reply) => answerRefusal(app, error, request, reply),
  };
}

function answerRefusal(app: FastifyInstance, error: FastifyError | PushError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
  if (error instanceof PushError) {
    if (error.status === 401) reply.header('www-authenticate', 'ApiKey realm="ogd-gateway push", header="Authorization"');
    if (error.status >= 400 && error.status < 500 && error.status !== 401)
      request.log.info({ status: error.status, code: error.errorType, identifier: error.identifier }, 'push refused');
    void reply.code(error.status).send(error.body());
    return;
  }
  if (error.statusCode === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    void reply.code(413).send(new PushError(413, PUSH_ERROR_CODES.tooLarge, `the body is over ${MAX_PUSH_BODY_BYTES} bytes, the cap for one record`).body());
    return;
  }
  if (error.statusCode === 415 || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    void reply.code(415).send(new PushError(415, PUSH_ERROR_CODES.badRequest, 'send the record as JSON: Content-Type: application/json').body());
    return;
  }
  if (error.validation) {
    void reply.code(400).send(new PushError(400, PUSH_ERROR_CODES.badRequest, 'the body must be one dataset record, a JSON object').body());
    return;
  }
  // Malformed JSON, rate limiting, and our own bugs: as the rest of the API answers them.
  app.errorHandler(error as FastifyError, request, reply);
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Preflight for the paths the write routes share with read routes. The global CORS plugin would
 * grant any method to any origin; here only a read (GET, HEAD) is granted, and only where a read
 * route exists: a preflight for a write gets no Access-Control-* header, which browsers take as
 * a refusal.
 */
export function registerWritePathPreflight(app: FastifyInstance, path: string, methods: readonly string[]): void {
  const readable = methods.includes('GET');
  app.options(path, { config: { cors: false }, schema: { hide: true } }, async (request, reply) => {
    const method = String(request.headers['access-control-request-method'] ?? '').toUpperCase();
    if (readable && request.headers.origin !== undefined && READ_METHODS.has(method)) {
      reply.header('access-control-allow-origin', '*');
      reply.header('access-control-allow-methods', 'GET, HEAD');
      const asked = request.headers['access-control-request-headers'];
      if (asked !== undefined) {
        reply.header('access-control-allow-headers', asked);
        reply.header('vary', 'Access-Control-Request-Headers');
      }
      reply.header('access-control-max-age', '86400');
    }
    reply.header('allow', [...methods, 'OPTIONS'].join(', '));
    return reply.code(204).header('content-length', '0').send();
  });
}

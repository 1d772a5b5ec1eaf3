import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import fresh from 'fresh';

/**
 * Conditional GET for every read endpoint, so clients that poll the catalogue (portals, civic
 * hubs, harvesters) get `304 Not Modified` with no body when nothing changed:
 *
 * - `ETag`: a strong validator, the hash of the body's bytes (and its media type), unless the
 *   route set one itself. A compressed body is another representation and gets another tag: the
 *   identity tag with `-br` or `-gzip` appended, as Apache does; `If-None-Match` accepts any of
 *   a body's tags, so a cache holding the gzip variant revalidates just as one holding the plain.
 *   Streamed bodies get no computed tag (hashing would mean buffering them).
 * - `Last-Modified`: from the route's `config.lastModified` (the dataset's or the catalogue's
 *   last change), never earlier than the moment this API started serving, because a new gateway
 *   release may render the same data differently.
 * - `If-None-Match` wins over `If-Modified-Since` (RFC 9110 §13.2.2); a match answers 304 with
 *   the validators and Cache-Control but no body and no Content-Type/Length.
 * - `Cache-Control`: `public, max-age=N` (or `no-cache` when N is 0) on 200 and 304 answers
 *   that have none, so browsers do not invent a heuristic lifetime from Last-Modified (days, for
 *   a dataset unchanged for months).
 * - `Vary: accept-encoding` on every compressible answer, compressed or not, and on its 304.
 *
 * Only GET and HEAD answers with status 200 are concerned; errors and redirects pass untouched.
 */

/** When a route's content last changed: a UTC instant, or undefined for "unknown" (no Last-Modified). */
export type LastModifiedSource = (request: FastifyRequest) => string | undefined | Promise<string | undefined>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Where this route's Last-Modified comes from (see http-caching.ts). */
    lastModified?: LastModifiedSource;
    /** false: no validators, no Cache-Control (e.g. a health check must always be answered afresh). */
    httpCaching?: boolean;
  }
}

export interface HttpCachingOptions {
  /** Cache-Control max-age of 200/304 answers; 0: `no-cache` (store, but revalidate every time). */
  cacheMaxAgeSeconds: number;
  /** Last-Modified is never earlier than this: the moment the API started. */
  servingSince: Date;
  /** Whether a media type may be compressed: such answers vary by Accept-Encoding. */
  isCompressibleType: (contentType: string) => boolean;
}

/** The content-codings the compression layer may apply, and the ETag suffixes they get. */
const ENCODING_SUFFIX = /-(?:br|gzip|deflate|zstd)"$/;

/**
 * Adds conditional GET to every route registered afterwards. Call it AFTER registering the
 * compression plugin: the tag of a compressed body is finished after compression, so the
 * finishing hook must be added to each route after compression's own.
 */
export function registerHttpCaching(app: FastifyInstance, options: HttpCachingOptions): void {
  const servingSinceMs = Math.floor(options.servingSince.getTime() / 1000) * 1000;
  const cacheControl = options.cacheMaxAgeSeconds > 0 ? `public, max-age=${options.cacheMaxAgeSeconds}` : 'no-cache';

  // Both hooks take a callback rather than returning a promise: they run on every answer, and
  // only a Last-Modified read from the store (a promise) is ever waited for.
  const validators: onSendHookHandler = (request, reply, payload, done) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200) return done(null, payload);
    const config = request.routeOptions.config;
    if (config.httpCaching === false) return done(null, payload);
    const contentType = headerText(reply.getHeader('content-type'));
    if (options.isCompressibleType(contentType)) appendVary(reply, 'accept-encoding');

    let etag = headerText(reply.getHeader('etag'));
    if (etag === '' && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      etag = strongEtag(contentType, payload);
      reply.header('etag', etag);
    }
    const lastModified = headerText(reply.getHeader('last-modified'));
    const changedAt = lastModified === '' ? config.lastModified?.(request) : undefined;
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', cacheControl);
    // A store read answers asynchronously: only then is there anything to wait for.
    if (changedAt instanceof Promise) {
      changedAt.then(
        (at) => answer(request, reply, payload, etag, withLastModified(reply, at, lastModified), done),
        (err: unknown) => done(err as Error),
      );
      return;
    }
    return answer(request, reply, payload, etag, withLastModified(reply, changedAt, lastModified), done);
  };

  const withLastModified = (reply: FastifyReply, changedAt: string | undefined, held: string): string => {
    if (held !== '' || changedAt === undefined) return held;
    const lastModified = httpDate(changedAt, servingSinceMs);
    reply.header('last-modified', lastModified);
    return lastModified;
  };

  const answer = (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    etag: string,
    lastModified: string,
    done: (err: Error | null, payload?: unknown) => void,
  ): void => {
    if (!isFresh(request, etag, lastModified)) return done(null, payload);
    discard(payload);
    const held = heldTag(request, etag);
    if (held) reply.header('etag', held);
    reply.code(304);
    // Fastify's HEAD handling, which runs next on HEAD routes, needs a payload it can measure.
    return done(null, '');
  };
  app.addHook('onSend', validators);

  // Runs after compression (and after Fastify's HEAD handling) on every route.
  const finish: onSendHookHandler = (request, reply, payload, done) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return done(null, payload);
    if (reply.statusCode === 304) {
      // RFC 9110 §8.6: no Content-Length unless it is the 200's; no representation metadata.
      reply.removeHeader('content-length');
      reply.removeHeader('content-type');
      return done(null, null);
    }
    if (reply.statusCode === 200) {
      const encoding = headerText(reply.getHeader('content-encoding'));
      if (encoding !== '' && encoding !== 'identity') {
        const etag = headerText(reply.getHeader('etag'));
        if (etag.startsWith('"') && etag.endsWith('"')) reply.header('etag', `${etag.slice(0, -1)}-${encoding}"`);
      }
    }
    return done(null, payload);
  };
  app.addHook('onRoute', (routeOptions) => {
    routeOptions.onSend = [...asArray(routeOptions.onSend), finish];
  });
}

/** `"` + 128 bits of SHA-256 in hex + `"`: hex, so an encoding suffix (`-gzip`) is unambiguous. */
export function strongEtag(contentType: string, body: string | Buffer): string {
  return `"${createHash('sha256').update(contentType).update('\u0000').update(body).digest('hex').slice(0, 32)}"`;
}

/** A UTC instant as an HTTP-date, raised to `floorMs` and never in the future (RFC 9110 §8.8.2.1). */
function httpDate(instant: string, floorMs: number): string {
  const parsed = Date.parse(instant);
  const ms = Math.min(Math.max(Number.isNaN(parsed) ? floorMs : parsed, floorMs), Date.now());
  return new Date(ms).toUTCString();
}

/** The client's tags with encoding suffixes removed, so every encoding of one body matches its tag. */
function withoutEncodingSuffixes(ifNoneMatch: string): string {
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(ENCODING_SUFFIX, '"'))
    .join(', ');
}

function isFresh(request: FastifyRequest, etag: string, lastModified: string): boolean {
  const ifNoneMatch = headerText(request.headers['if-none-match']);
  const ifModifiedSince = headerText(request.headers['if-modified-since']);
  if (ifNoneMatch === '' && ifModifiedSince === '') return false;
  // Cache-Control of the request is deliberately not passed: `no-cache` there is addressed to
  // caches on the way, and a cache revalidating with us still deserves a 304 (RFC 9111 §5.2.1.4).
  return fresh(
    {
      'if-none-match': ifNoneMatch === '' ? undefined : withoutEncodingSuffixes(ifNoneMatch),
      'if-modified-since': ifModifiedSince === '' ? undefined : ifModifiedSince,
    },
    { etag: etag === '' ? undefined : etag, 'last-modified': lastModified === '' ? undefined : lastModified },
  );
}

/** Of the client's tags, the one it holds for this body (say `"…-gzip"`), so the 304 confirms that one. */
function heldTag(request: FastifyRequest, etag: string): string | undefined {
  if (etag === '') return undefined;
  const bare = (tag: string): string => tag.replace(/^W\//, '').replace(ENCODING_SUFFIX, '"');
  const wanted = bare(etag);
  return headerText(request.headers['if-none-match'])
    .split(',')
    .map((tag) => tag.trim())
    .find((tag) => tag.startsWith('"') && bare(tag) === wanted);
}

/** A streamed body that will not be sent must still be closed, or its source (a SQLite iterator) stays open. */
function discard(payload: unknown): void {
  if (payload && typeof payload === 'object' && 'destroy' in payload && typeof payload.destroy === 'function') {
    (payload as { destroy: () => void }).destroy();
  }
}

/** Adds a field to Vary once, keeping what the route put there (e.g. `Accept`). */
export function appendVary(reply: FastifyReply, field: string): void {
  const current = headerText(reply.getHeader('vary'));
  // The usual case, no Vary yet: nothing to split.
  if (current === '') {
    reply.header('vary', field);
    return;
  }
  const fields = current
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (fields.includes('*') || fields.some((f) => f.toLowerCase() === field.toLowerCase())) return;
  reply.header('vary', [...fields, field].join(', '));
}

function headerText(value: string | number | string[] | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

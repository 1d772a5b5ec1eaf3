/**
 * JSON request bodies, nested no deeper than MAX_BODY_DEPTH. JSON.parse itself takes any depth,
 * but what reads the value afterwards (JSON.stringify in an error message, a recursive walk, a
 * schema check) recurses, and a body nested a few thousand levels deep overflowed the stack: a
 * 500 for a 10 kB request. No record or action parameter of ours nests past a handful of levels.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_BODY_DEPTH, nestsDeeperThan, tooDeepMessage } from '../model/json-depth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's JSON body is handed over as its text, unparsed (the route parses it elsewhere). */
    jsonBodyAsText?: true;
  }
}

/** A body refused for its nesting: a 400, answered by the route's error handler in its shape. */
export class BodyTooDeepError extends Error {
  readonly statusCode = 400;
  constructor(limit: number) {
    super(tooDeepMessage(limit));
    this.name = 'BodyTooDeepError';
  }
}

/** JSON.parse, refusing text nested deeper than MAX_BODY_DEPTH first (BodyTooDeepError). */
export function parseJsonBody(text: string): unknown {
  if (nestsDeeperThan(text, MAX_BODY_DEPTH)) throw new BodyTooDeepError(MAX_BODY_DEPTH);
  return JSON.parse(text) as unknown;
}

/**
 * Replaces fastify's application/json parser for the whole app by one that refuses bodies nested
 * too deep (except on routes that take the text: `config.jsonBodyAsText`), then parses as fastify does (empty body, invalid JSON and __proto__ poisoning refused
 * with fastify's own errors, so every route's error handler keeps answering them as before).
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    // The push routes take the text as it came: it is parsed, with the record, in the push thread.
    if (request.routeOptions.config.jsonBodyAsText === true) {
      done(null, text);
      return;
    }
    if (nestsDeeperThan(text, MAX_BODY_DEPTH)) {
      done(new BodyTooDeepError(MAX_BODY_DEPTH), undefined);
      return;
    }
    // With a `done` callback the default parser answers through it; its return value says nothing.
    void parse(request, text, done);
  });
}

/**
 * JSON request bodies, nested no deeper than MAX_BODY_DEPTH. JSON.parse itself takes any depth,
 * but what reads the value afterwards (JSON.stringify in an error message, a recursive walk, a
 * schema check) recurses, and a body nested a few thousand levels deep overflowed the stack: a
 * 500 for a 10 kB request. No record or action parameter of ours nests past a handful of levels.
 */
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's JSON body is handed over as its text, unparsed (the route parses it elsewhere). */
    jsonBodyAsText?: true;
  }
}

/** Deepest nesting of arrays and objects a request body may have. */
export const MAX_BODY_DEPTH = 64;

/** A body refused for its nesting: a 400, answered by the route's error handler in its shape. */
export class BodyTooDeepError extends Error {
  readonly statusCode = 400;
  constructor(limit: number) {
    super(`the JSON body is nested deeper than ${limit} levels (arrays and objects); send it flatter`);
    this.name = 'BodyTooDeepError';
  }
}

/**
 * Whether JSON text nests arrays and objects deeper than `limit`: one pass over the text,
 * brackets inside strings not counted. It does not check the rest of the syntax (JSON.parse does).
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i += 1;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) {
      depth -= 1;
    }
  }
  return false;
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
    parse(request, text, done);
  });
}

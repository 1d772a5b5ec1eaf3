/**
 * The last guard against ill-formed Unicode in JSON answers. Stored records are repaired as they
 * are read (store/stored-json.ts), but an answer can also echo what the request sent: a JSON
 * body's "\ud800" comes back in a parse error's message, an identifier in a "not found". JSON.stringify
 * writes a lone surrogate as the escape `\ud800`: valid JSON text, but no character, and a strict
 * client's decoder fails on it. Every JSON answer written as text has each such escape replaced by
 * `\ufffd` (U+FFFD, the replacement character). Escaped pairs (a high then a low surrogate) stay.
 */
import type { FastifyInstance } from 'fastify';

/** A quick test: no `\uD8..`–`\uDF..` escape at all, nothing to look at more closely. */
const ANY_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** `\u` that is an escape (preceded by an even number of backslashes), not a `\\u` in the text. */
const REAL_ESCAPE = String.raw`(?<=(?:^|[^\\])(?:\\\\)*)`;
const HIGH = String.raw`\\u[dD][89abAB][0-9a-fA-F]{2}`;
const LOW = String.raw`\\u[dD][c-fC-F][0-9a-fA-F]{2}`;
/** A high surrogate escape not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE_ESCAPE = new RegExp(`${REAL_ESCAPE}(?:${HIGH}(?!${LOW})|(?<!${HIGH})${LOW})`, 'g');

/** JSON text with every lone surrogate escape replaced by `\ufffd`. */
export function wellFormedJsonText(json: string): string {
  return ANY_SURROGATE_ESCAPE.test(json) ? json.replace(LONE_SURROGATE_ESCAPE, '\\ufffd') : json;
}

/** Repairs every JSON answer written as text (streams are built from repaired records). First of the onSend hooks: before compression and ETags. */
export function registerWellFormedAnswers(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (typeof payload !== 'string') return payload;
    const type = reply.getHeader('content-type');
    return typeof type === 'string' && type.includes('json') ? wellFormedJsonText(payload) : payload;
  });
}

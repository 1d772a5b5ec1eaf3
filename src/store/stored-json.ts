/**
 * Reading JSON the store holds (records, issues, keyword lists) for serving. Stores written
 * before the door refused them hold strings with lone surrogates ("\ud800": half of a UTF-16
 * pair, no character at all): JSON.stringify wrote them as `\ud800` escapes, and JSON.parse
 * gives them back as they were. Served as they are, they made answers ill-formed Unicode and
 * crashed what encodes strings strictly (encodeURIComponent in the CKAN ids: a 500 for every
 * dataset). Every read for serving goes through parseStoredJson, which replaces each lone
 * surrogate with U+FFFD (the replacement character), as a UTF-8 decoder does with a broken byte.
 */
import { repairStringsInPlace } from '../model/well-formed-string.js';

/**
 * The escape JSON.stringify writes for a lone surrogate (a well-formed pair it writes as the
 * characters themselves). Text without one has no lone surrogate to repair; an escaped pair or
 * an escaped backslash before `ud8…` only costs the slower path.
 */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** JSON.parse for stored JSON: the same value, every lone surrogate in its strings and keys replaced by U+FFFD. */
export function parseStoredJson(json: string): unknown {
  const value = JSON.parse(json) as unknown;
  return SURROGATE_ESCAPE.test(json) ? repairStringsInPlace(value) : value;
}

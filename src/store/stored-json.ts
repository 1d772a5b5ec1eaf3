/**
 * Reading JSON the store holds (records, issues, keyword lists) for serving. Stores written
 * before the door refused them hold strings with lone surrogates ("\ud800": half of a UTF-16
 * pair, no character at all): JSON.stringify wrote them as `\ud800` escapes, and JSON.parse
 * gives them back as they were. Served as they are, they made answers ill-formed Unicode and
 * crashed what encodes strings strictly (encodeURIComponent in the CKAN ids: a 500 for every
 * dataset). Every read for serving goes through parseStoredJson, which replaces each lone
 * surrogate with U+FFFD (the replacement character), as a UTF-8 decoder does with a broken byte.
 */

/** A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The escape JSON.stringify writes for a lone surrogate (a well-formed pair it writes as the
 * characters themselves). Text without one has no lone surrogate to repair; an escaped pair or
 * an escaped backslash before `ud8…` only costs the slower path.
 */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** The text with each lone surrogate replaced by U+FFFD. */
export function wellFormedText(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/** JSON.parse for stored JSON: the same value, every lone surrogate in its strings and keys replaced by U+FFFD. */
export function parseStoredJson(json: string): unknown {
  const value = JSON.parse(json) as unknown;
  return SURROGATE_ESCAPE.test(json) ? repairStrings(value) : value;
}

/**
 * Repairs every string of a parsed value in place (a new value for a bare string). Iterative:
 * a stored record may nest deeper than the call stack allows.
 */
function repairStrings(value: unknown): unknown {
  if (typeof value === 'string') return wellFormedText(value);
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i += 1) {
        const item: unknown = node[i];
        if (typeof item === 'string') node[i] = wellFormedText(item);
        else if (item !== null && typeof item === 'object') pending.push(item);
      }
    } else if (node !== null && typeof node === 'object') {
      const object = node as Record<string, unknown>;
      for (const key of Object.keys(object)) {
        const item = object[key];
        let target = key;
        const repairedKey = wellFormedText(key);
        if (repairedKey !== key) {
          delete object[key];
          target = repairedKey;
        }
        if (typeof item === 'string') object[target] = wellFormedText(item);
        else {
          object[target] = item;
          if (item !== null && typeof item === 'object') pending.push(item);
        }
      }
    }
  }
  return value;
}

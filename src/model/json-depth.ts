/**
 * How deep JSON text nests, read from the text before it is parsed: what reads a parsed value
 * afterwards (JSON.stringify in an error message, a recursive walk, a schema check) recurses, and
 * a body nested a few thousand levels deep overflowed the stack. Used by the API's JSON body parser
 * and by the push thread, which parses push bodies itself.
 */

/** Deepest nesting of arrays and objects a request body may have. */
export const MAX_BODY_DEPTH = 64;

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

/** What a body refused for its nesting is told. */
export function tooDeepMessage(limit: number): string {
  return `the JSON body is nested deeper than ${limit} levels (arrays and objects); send it flatter`;
}

/**
 * Untrusted values quoted in failure messages. JSON.stringify throws (a RangeError) on a value
 * nested a few thousand levels deep, and a message about one bad item must not fail the run that
 * reports it: such a value is described, not written out.
 */

/** JSON text of an untrusted value; undefined when it cannot be written (too deep) or is not JSON (undefined, a function). */
export function jsonTextOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** A short description of an untrusted value for a message: its JSON, cut at `max` characters. */
export function describeJson(value: unknown, max = 200): string {
  const text = jsonTextOf(value) ?? (typeof value === 'object' && value !== null ? '(a value nested too deep to show)' : String(value));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

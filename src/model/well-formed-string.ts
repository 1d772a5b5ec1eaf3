/**
 * Lone UTF-16 surrogates ("\ud800": valid in JSON and JavaScript strings, not characters) cannot
 * be written as UTF-8, RDF or CSV. These are ES2024's String methods (a fast built-in scan, in
 * every Node the gateway runs on, 20+), typed here because the project's lib is ES2023.
 */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

export function isWellFormedString(value: string): boolean {
  return (value as unknown as WellFormedString).isWellFormed();
}

/** The string with each lone surrogate replaced by U+FFFD, as a UTF-8 decoder does; the same string when there is none. */
export function toWellFormedString(value: string): string {
  const text = value as unknown as WellFormedString;
  return text.isWellFormed() ? value : text.toWellFormed();
}

/**
 * Repairs every string and key of a parsed JSON value in place (a new value for a bare string),
 * each lone surrogate replaced by U+FFFD. Iterative: a value may nest deeper than the call stack
 * allows. A key `__proto__` (JSON.parse makes it an own property) stays a key: assignment to an
 * own data property sets it, and a repaired key is defined, not assigned.
 */
export function repairStringsInPlace(value: unknown): unknown {
  if (typeof value === 'string') return toWellFormedString(value);
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i += 1) {
        const item: unknown = node[i];
        if (typeof item === 'string') node[i] = toWellFormedString(item);
        else if (item !== null && typeof item === 'object') pending.push(item);
      }
    } else if (node !== null && typeof node === 'object') {
      const object = node as Record<string, unknown>;
      for (const key of Object.keys(object)) {
        const item = object[key];
        const repaired = typeof item === 'string' ? toWellFormedString(item) : item;
        const repairedKey = toWellFormedString(key);
        if (repairedKey !== key) {
          delete object[key];
          Object.defineProperty(object, repairedKey, { value: repaired, enumerable: true, writable: true, configurable: true });
        } else if (repaired !== item) {
          object[key] = repaired;
        }
        if (repaired !== null && typeof repaired === 'object') pending.push(repaired);
      }
    }
  }
  return value;
}

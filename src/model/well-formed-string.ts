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

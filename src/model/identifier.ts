/**
 * Comparing dataset identifiers. A national identifier is 機關代碼 (10) + '-' + serial (6); the
 * agency code (人事資訊代碼, e.g. A41000000G) is written in upper case, and the standard's schema
 * pattern admits lower case too, so `a41000000g-000903` and `A41000000G-000903` are one dataset
 * written two ways. Everything that compares identifiers (identity keys, the push replay guard
 * and lookups, reads by identifier, naming new datasets) compares these forms; what is served is
 * what the source said (docs/push.md says what a push stores).
 */
import { IDENTIFIER_PATTERN } from './codelists.js';

/** A national identifier in upper case, its canonical form; any other identifier as it is. */
export function canonicalIdentifier(identifier: string): string {
  return IDENTIFIER_PATTERN.test(identifier) ? identifier.toUpperCase() : identifier;
}

/**
 * Any identifier with its ASCII letters in upper case: equal for two identifiers SQLite's NOCASE
 * collation finds equal (the store looks identifiers up that way). ASCII only: a Unicode
 * look-alike (ä, Ａ) is another identifier, never folded onto an ASCII one. For a national
 * identifier this is its canonical form.
 */
export function foldIdentifierCase(identifier: string): string {
  return identifier.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

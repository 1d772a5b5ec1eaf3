/**
 * Multilingual literals → the one text the national record holds, and the rest by language.
 *
 * The national record is written in Traditional Chinese, so the preference is: zh-Hant (any
 * region), zh-TW, zh, the other regions that write Traditional (zh-HK, zh-MO), then a literal
 * with no language (or `und`: the publisher did not say, which usually means the catalogue's own
 * language), then English, then Simplified Chinese and other zh tags, then anything else. Ties
 * go to the alphabetically first text, so the choice does not depend on triple order.
 */
import type { Term } from 'n3';

/** The key extras use for a literal without a language tag. */
export const NO_LANGUAGE = '@none';

export function languageRank(tag: string): number {
  const lower = tag.toLowerCase();
  if (lower === '' || lower === 'und') return 4;
  const [language, ...subtags] = lower.split('-');
  if (language === 'zh') {
    if (subtags.includes('hant')) return 0;
    if (subtags.length === 1 && subtags[0] === 'tw') return 1;
    if (subtags.length === 0) return 2;
    if (subtags.includes('hans')) return 6;
    if (subtags.includes('hk') || subtags.includes('mo')) return 3;
    return 6;
  }
  if (language === 'en') return 5;
  return 7;
}

export interface LanguagePick {
  /** The preferred text, trimmed; undefined when there are no literals. */
  text: string | undefined;
  /** The language tag the preferred text had, as the source wrote it; undefined when it had none. */
  language: string | undefined;
  /** Every other literal, by language tag (NO_LANGUAGE for none): a string, or a list when a language has several. */
  others: Record<string, string | string[]>;
}

/** The preferred literal among `terms` (non-literals are ignored: the caller keeps those). */
export function pickPreferred(terms: Term[]): LanguagePick {
  const literals = terms
    .filter((term) => term.termType === 'Literal')
    .map((term) => ({ language: term.termType === 'Literal' ? term.language : '', text: term.value.trim() }))
    .filter((literal) => literal.text !== '')
    .sort((a, b) => languageRank(a.language) - languageRank(b.language) || compare(a.text, b.text));
  const [chosen, ...rest] = literals;
  return { text: chosen?.text, language: chosen?.language || undefined, others: byLanguage(rest) };
}

/** Keywords: every keyword of the preferred language; the other languages' keywords by language. */
export function pickPreferredGroup(terms: Term[]): { texts: string[]; languages: Array<string | undefined>; others: Record<string, string | string[]> } {
  const literals = terms
    .filter((term) => term.termType === 'Literal')
    .map((term) => ({ language: term.termType === 'Literal' ? term.language : '', text: term.value.trim() }))
    .filter((literal) => literal.text !== '');
  if (literals.length === 0) return { texts: [], languages: [], others: {} };
  const best = Math.min(...literals.map((literal) => languageRank(literal.language)));
  const bestLanguage = literals
    .filter((literal) => languageRank(literal.language) === best)
    .map((literal) => literal.language.toLowerCase())
    .sort()[0];
  const chosen = literals.filter((literal) => literal.language.toLowerCase() === bestLanguage);
  const rest = literals.filter((literal) => literal.language.toLowerCase() !== bestLanguage);
  return { texts: chosen.map((literal) => literal.text), languages: chosen.map((literal) => literal.language || undefined), others: byLanguage(rest) };
}

function byLanguage(literals: Array<{ language: string; text: string }>): Record<string, string | string[]> {
  const grouped: Record<string, string[]> = {};
  for (const literal of literals) (grouped[literal.language === '' ? NO_LANGUAGE : literal.language] ??= []).push(literal.text);
  return Object.fromEntries(Object.entries(grouped).map(([language, texts]) => [language, texts.length === 1 ? texts[0]! : texts]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Multilingual literals → the one text the national record holds, and the rest by language.
 *
 * The national record is written in Traditional Chinese, so the preference is: zh-Hant (any
 * region), zh-TW, zh, the other regions that write Traditional (zh-HK, zh-MO), then a literal
 * with no language (or `und`: the publisher did not say, which usually means the catalogue's own
 * language), then English, then Simplified Chinese and other zh tags, then anything else. Ties
 * go to the alphabetically first text, so the choice does not depend on triple order. A source
 * whose language is configured (`language`: an Italian portal) has that language's text first.
 * The other languages are kept (`others`) and served again by the DCAT views.
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

/**
 * A tag's rank when the source's language is configured (`preferred`, the mapping context's): that
 * language first (the tag itself, then its regional forms when it names none), then the usual order.
 */
export function languageRankFor(tag: string, preferred: string | undefined): number {
  if (preferred !== undefined && preferred !== '') {
    const lower = tag.toLowerCase();
    const wanted = preferred.toLowerCase();
    if (lower === wanted) return -2;
    if (!wanted.includes('-') && lower.split('-')[0] === wanted) return -1;
  }
  return languageRank(tag);
}

/**
 * The preferred literal among `terms` (non-literals are ignored: the caller keeps those); with
 * `preferred` (the source's configured language), a literal in that language comes first.
 */
export function pickPreferred(terms: Term[], preferred?: string): LanguagePick {
  const literals = terms
    .filter((term) => term.termType === 'Literal')
    .map((term) => ({ language: term.termType === 'Literal' ? term.language : '', text: term.value.trim() }))
    .filter((literal) => literal.text !== '')
    .sort((a, b) => languageRankFor(a.language, preferred) - languageRankFor(b.language, preferred) || compare(a.text, b.text));
  const [chosen, ...rest] = literals;
  return { text: chosen?.text, language: chosen?.language || undefined, others: byLanguage(rest) };
}

/** Keywords: every keyword of the preferred language; the other languages' keywords by language. */
export function pickPreferredGroup(
  terms: Term[],
  preferred?: string,
): { texts: string[]; languages: Array<string | undefined>; others: Record<string, string | string[]> } {
  const literals = terms
    .filter((term) => term.termType === 'Literal')
    .map((term) => ({ language: term.termType === 'Literal' ? term.language : '', text: term.value.trim() }))
    .filter((literal) => literal.text !== '');
  if (literals.length === 0) return { texts: [], languages: [], others: {} };
  const best = Math.min(...literals.map((literal) => languageRankFor(literal.language, preferred)));
  const bestLanguage = literals
    .filter((literal) => languageRankFor(literal.language, preferred) === best)
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

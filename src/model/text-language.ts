/**
 * The language of a text field: what the source tagged it with, else the source's language
 * when the text's script can be written in it, else nothing (an untagged literal): a guess would
 * be a false statement about the publisher's text.
 *
 * Records carry `extensions.textLanguages` only where the language differs from what a reader
 * of the record would otherwise assume (fallbackLanguageOf: zh-Hant for text with a CJK
 * character, none for the rest), so a Taiwanese record carries nothing and a record stored
 * before languages were kept reads as it always did, minus the false zh-Hant on Latin text.
 * '' stands for "untagged" where the fallback would tag.
 */

/** Han, kana, Hangul, Bopomofo: a CJK character. */
const CJK_CHARACTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u;

/** A letter of any other script (Latin, Cyrillic, Greek …). */
const NON_CJK_LETTER = /(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}])\p{L}/u;

/** Languages written in CJK scripts (primary subtags). */
const CJK_LANGUAGES = new Set(['zh', 'ja', 'ko', 'yue', 'cmn', 'nan', 'hak', 'lzh', 'wuu', 'gan', 'hsn', 'cdo', 'cjy', 'cpx', 'czh', 'czo', 'mnp']);

/** The language Taiwan's records are written in: what a text with a CJK character is taken to be when nothing says otherwise. */
export const TAIWAN_TEXT_LANGUAGE = 'zh-Hant';

export function hasCjkCharacter(text: string): boolean {
  return CJK_CHARACTER.test(text);
}

function isCjkLanguage(tag: string): boolean {
  return CJK_LANGUAGES.has(tag.split('-')[0]!.toLowerCase());
}

/**
 * `language` for `text` when its script fits (a Chinese default for text with no CJK character
 * does not: `COVID-19`, an English title; a Latin-script default for text that is all CJK does
 * not either); undefined otherwise or when there is no default.
 */
export function defaultLanguageOf(text: string, language: string | undefined): string | undefined {
  if (language === undefined || language === '') return undefined;
  if (isCjkLanguage(language)) return hasCjkCharacter(text) ? language : undefined;
  return hasCjkCharacter(text) && !NON_CJK_LETTER.test(text) ? undefined : language;
}

/** What a text no record says the language of is taken to be (the views' rule). */
export function fallbackLanguageOf(text: string): string | undefined {
  return defaultLanguageOf(text, TAIWAN_TEXT_LANGUAGE);
}

/**
 * The tag a view writes for `text`: the recorded one ('' = untagged) when there is one, else
 * the fallback. Undefined: an untagged literal.
 */
export function servedLanguageOf(text: string, recorded: unknown): string | undefined {
  if (typeof recorded === 'string') return recorded === '' ? undefined : recorded;
  return fallbackLanguageOf(text);
}

/**
 * What to record for `text` whose language is `tag` (undefined = untagged): nothing (undefined)
 * when the fallback says the same, else the tag or ''.
 */
export function recordedLanguageOf(text: string, tag: string | undefined): string | undefined {
  // Tags are compared without case (BCP 47: zh-Hant = zh-hant; RDF canonical forms lower-case them).
  return (fallbackLanguageOf(text) ?? '').toLowerCase() === (tag ?? '').toLowerCase() ? undefined : (tag ?? '');
}

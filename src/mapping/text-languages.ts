/**
 * The last step of every mapping: the language of each text field, settled and recorded where
 * it differs from the default (src/model/text-language.ts). A mapping that read tags from its
 * source (DCAT's `"…"@it`) puts them in `extensions.textLanguages` first: a tag the source gave
 * is kept as given ('' there: the source said untagged). Every other text gets the source's
 * language (the mapping context) when its script fits, else stays untagged.
 */
import type { NationalDistribution, NationalRecord, TextLanguages } from '../model/record.js';
import { defaultLanguageOf, fallbackLanguageOf, recordedLanguageOf } from '../model/text-language.js';
import type { MappingContext } from './context.js';

const RECORD_TEXT_FIELDS = ['title', 'description', 'notes'] as const;

export function settleTextLanguages(record: NationalRecord, context: MappingContext): void {
  const given: Partial<Record<string, unknown>> = { ...record.extensions?.textLanguages };
  const settled: TextLanguages = {};
  for (const field of RECORD_TEXT_FIELDS) {
    const value = record[field];
    if (typeof value !== 'string' || value === '') continue;
    const recorded = recordedLanguageOf(value, languageFor(value, given[field], context));
    if (recorded !== undefined) settled[field] = recorded;
  }
  if (Array.isArray(record.keyword)) {
    const givenKeywords = Array.isArray(given['keyword']) ? (given['keyword'] as unknown[]) : [];
    const keywordTags = record.keyword.map((keyword, index) =>
      typeof keyword === 'string' ? recordedLanguageOf(keyword, languageFor(keyword, givenKeywords[index], context)) : undefined,
    );
    if (keywordTags.some((tag) => tag !== undefined)) {
      // Aligned with `keyword`: a keyword whose language is the default is written as the default.
      settled.keyword = record.keyword.map((keyword, index) => keywordTags[index] ?? (typeof keyword === 'string' ? defaultTagOf(keyword) : ''));
    }
  }
  setTextLanguages(record, Object.keys(settled).length > 0 ? settled : undefined);
  for (const distribution of record.distribution ?? []) settleDistribution(distribution, context);
}

function settleDistribution(distribution: NationalDistribution, context: MappingContext): void {
  if (typeof distribution !== 'object' || distribution === null) return;
  const given: Partial<Record<string, unknown>> = { ...distribution.extensions?.textLanguages };
  const settled: Record<string, string> = {};
  const texts = { resourceDescription: distribution.resourceDescription, resourceNotes: distribution.extensions?.resourceNotes };
  for (const [field, value] of Object.entries(texts)) {
    if (typeof value !== 'string' || value === '') continue;
    const recorded = recordedLanguageOf(value, languageFor(value, given[field], context));
    if (recorded !== undefined) settled[field] = recorded;
  }
  if (Object.keys(settled).length === 0 && distribution.extensions?.textLanguages === undefined) return;
  const { textLanguages: _given, ...rest } = distribution.extensions ?? {};
  if (Object.keys(settled).length > 0) distribution.extensions = { ...rest, textLanguages: settled };
  else if (distribution.extensions !== undefined) {
    if (Object.keys(rest).length > 0) distribution.extensions = rest;
    else delete distribution.extensions;
  }
}

/** The source's own tag ('' = untagged, as given), else the context's language where the script fits. */
function languageFor(text: string, given: unknown, context: MappingContext): string | undefined {
  if (typeof given === 'string') return given === '' ? undefined : given;
  return defaultLanguageOf(text, context.language);
}

/** The tag a keyword with nothing recorded is served with, written out because its neighbours differ. */
function defaultTagOf(keyword: string): string {
  return fallbackLanguageOf(keyword) ?? '';
}

function setTextLanguages(record: NationalRecord, languages: TextLanguages | undefined): void {
  if (languages === undefined && record.extensions?.textLanguages === undefined) return;
  const { textLanguages: _given, ...rest } = record.extensions ?? {};
  if (languages !== undefined) record.extensions = { ...rest, textLanguages: languages };
  else if (record.extensions !== undefined) {
    if (Object.keys(rest).length > 0) record.extensions = rest;
    else delete record.extensions;
  }
}

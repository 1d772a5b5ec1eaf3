/**
 * What search filters and counts by, read from a served record: one definition for the index
 * (search-index.ts) and for every reader (re-exported by search.ts), so a facet value and the
 * filter that selects it can never disagree.
 */
import type { NationalRecord } from '../model/record.js';

/** The publisher a dataset is listed under: its publisher, else its organization. */
export function publisherOf(record: NationalRecord): string | undefined {
  const value = (text(record.publisher) ?? text(record.organization))?.trim();
  return value ? value : undefined;
}

/** Its distributions' formats, trimmed and upper-case, each once, in order of appearance. */
export function formatsOf(record: NationalRecord): string[] {
  const formats = new Set<string>();
  const distributions = Array.isArray(record.distribution) ? record.distribution : [];
  for (const d of distributions) if (d && typeof d.format === 'string' && d.format.trim() !== '') formats.add(d.format.trim().toUpperCase());
  return [...formats];
}

/**
 * Its keywords (標籤; CKAN's tags) as filters and the tag lists compare them: strings only,
 * trimmed, empty ones dropped, each once, in order of appearance. Otherwise exact: `OpenData`
 * and `opendata` are two keywords, as CKAN tags are.
 */
export function keywordsOf(record: NationalRecord): string[] {
  const keywords = new Set<string>();
  if (Array.isArray(record.keyword)) for (const k of record.keyword) if (typeof k === 'string' && k.trim() !== '') keywords.add(k.trim());
  return [...keywords];
}

/** The record's searchable body: description, keywords and publisher, as the scan read them. */
export function searchBodyOf(record: NationalRecord): string {
  const keywords = Array.isArray(record.keyword) ? record.keyword.filter((k): k is string => typeof k === 'string') : [];
  return [text(record.description) ?? '', ...keywords, publisherOf(record) ?? ''].join(' ');
}

/**
 * A string field as a string, or undefined: records are mapped from untrusted JSON, and a
 * publisher's odd value (a number, an object) is kept verbatim and flagged, not coerced.
 */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

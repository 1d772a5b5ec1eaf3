/**
 * One dataset's record from its members' records, field by field, with provenance.
 *
 * Members come ranked (see rankMembers): each field takes the value of the first member that
 * has one, so the agency's own platform beats an aggregator (higher source priority) and an
 * aggregator still fills what the agency left empty. Keywords are taken whole from one member.
 * Distributions are the union of the members' lists (mergeDistributions): platforms of equal
 * standing often each list resources the other lacks (one the files, another the API), and
 * taking one list whole lost the others' download and access URLs. `extensions` merges key by
 * key the same way as fields.
 */
import type { NationalDistribution, NationalRecord, RecordExtensions } from '../model/record.js';
import { DEFAULT_SHAPE_LIMITS } from '../model/national-record-shape.js';
import { normaliseUrl } from '../model/comparison-forms.js';

export interface MergedRecord {
  record: NationalRecord;
  /**
   * Field (or `extensions.key`) → index of the member it came from. `distribution` names the
   * member the list starts with; `distribution[k]` names the member of each item k another
   * member added.
   */
  provenance: Record<string, number>;
  /** Per merged distribution k: the member it came from and its position in that member's list. */
  distributionOrigins: DistributionOrigin[];
}

export interface DistributionOrigin {
  member: number;
  index: number;
}

/** What ranks a member: listed before unlisted, then source priority, then who came first. */
export interface RankedMember {
  listed: boolean;
  priority: number;
  firstSeenAt: string;
  sourceId: string;
  nativeId: string;
}

/** Best first: listed, higher priority, seen earlier, then source and native id (a stable tie-break). */
export function compareMembers(a: RankedMember, b: RankedMember): number {
  if (a.listed !== b.listed) return a.listed ? -1 : 1;
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.firstSeenAt !== b.firstSeenAt) return a.firstSeenAt < b.firstSeenAt ? -1 : 1;
  if (a.sourceId !== b.sourceId) return a.sourceId < b.sourceId ? -1 : 1;
  return a.nativeId < b.nativeId ? -1 : a.nativeId > b.nativeId ? 1 : 0;
}

/** Fields never taken from a member as they are. */
const OWN_FIELDS = new Set(['identifier', 'extensions']);

export function mergeRecords(datasetId: string, ranked: readonly NationalRecord[]): MergedRecord {
  const record: Record<string, unknown> = { identifier: datasetId };
  const provenance: Record<string, number> = {};
  ranked.forEach((member, index) => {
    for (const [field, value] of Object.entries(member)) {
      if (OWN_FIELDS.has(field) || field in record || isEmpty(value)) continue;
      // The key's place, where the first member with distributions has it; the list is the union.
      if (field === 'distribution') {
        record[field] = undefined;
        continue;
      }
      record[field] = value;
      provenance[field] = index;
    }
  });
  const distributions = mergeDistributions(ranked, provenance);
  if (distributions.list.length > 0) record['distribution'] = distributions.list;
  else delete record['distribution'];
  const extensions = withFieldLanguages(mergeExtensions(ranked, provenance), ranked, provenance);
  if (extensions) record['extensions'] = extensions;
  return { record: record as unknown as NationalRecord, provenance, distributionOrigins: distributions.origins };
}

/**
 * The union of the members' distributions, in member order. The list starts with the first
 * member that has any, taken whole (its own duplicates too: a list is kept as published). Each
 * later member adds the distributions no earlier member has: one whose URL (downloadURL, else
 * accessURL), normalised as identity keys are (src/model/comparison-forms.ts: scheme, host case,
 * default port, trailing slash, tracking parameters …), is not the URL of an earlier member's
 * distribution. A distribution both have is the earlier (better) member's, whole: splicing two
 * publishers' descriptions of a resource would invent one neither published. A later member's
 * distribution without any URL cannot be matched, so it is not added. The union stops at the cap
 * a single record has (10,000): a merge must not make a record no source could send.
 */
function mergeDistributions(ranked: readonly NationalRecord[], provenance: Record<string, number>): { list: unknown[]; origins: DistributionOrigin[] } {
  const list: unknown[] = [];
  const origins: DistributionOrigin[] = [];
  const seen = new Set<string>();
  const cap = DEFAULT_SHAPE_LIMITS.maxDistributions;
  ranked.forEach((member, memberIndex) => {
    const items: unknown = member.distribution;
    if (!Array.isArray(items) || items.length === 0 || list.length >= cap) return;
    const first = list.length === 0;
    if (first) provenance['distribution'] = memberIndex;
    const keys: string[] = [];
    items.forEach((item: unknown, index) => {
      if (list.length >= cap) return;
      const key = distributionKey(item);
      if (!first && (key === undefined || seen.has(key))) return;
      if (!first) provenance[`distribution[${list.length}]`] = memberIndex;
      list.push(item);
      origins.push({ member: memberIndex, index });
      if (key !== undefined) keys.push(key);
    });
    // After the member: its own repeated URLs are all kept, only later members are deduplicated.
    for (const key of keys) seen.add(key);
  });
  return { list, origins };
}

/** What names a distribution's resource: its download URL, else its access URL, normalised. */
function distributionKey(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const distribution = item as Partial<Record<keyof NationalDistribution, unknown>>;
  return urlKey(distribution.downloadURL) ?? urlKey(distribution.accessURL);
}

function urlKey(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  // Not an http(s) URL (ftp:, a bare path): compared as written, trimmed.
  return normaliseUrl(value) ?? value.trim();
}

function mergeExtensions(ranked: readonly NationalRecord[], provenance: Record<string, number>): RecordExtensions | undefined {
  let merged: Record<string, unknown> | undefined;
  ranked.forEach((member, index) => {
    for (const [key, value] of Object.entries(member.extensions ?? {})) {
      if ((merged && key in merged) || isEmpty(value)) continue;
      (merged ??= {})[key] = value;
      provenance[`extensions.${key}`] = index;
    }
  });
  return merged as RecordExtensions | undefined;
}

const TEXT_LANGUAGE_FIELDS = ['title', 'description', 'notes', 'keyword'] as const;

/**
 * A text's language goes with the text: each field's entry of extensions.textLanguages is taken
 * from the member the field came from (or none when that member recorded none), never from
 * whichever member happened to record languages first.
 */
function withFieldLanguages(
  extensions: RecordExtensions | undefined,
  ranked: readonly NationalRecord[],
  provenance: Record<string, number>,
): RecordExtensions | undefined {
  const languages: Record<string, unknown> = {};
  for (const field of TEXT_LANGUAGE_FIELDS) {
    const from = provenance[field];
    const memberLanguages: unknown = from === undefined ? undefined : ranked[from]?.extensions?.textLanguages;
    const language = typeof memberLanguages === 'object' && memberLanguages !== null ? (memberLanguages as Record<string, unknown>)[field] : undefined;
    if (language !== undefined) languages[field] = language;
  }
  if (extensions === undefined && Object.keys(languages).length === 0) return undefined;
  const { textLanguages: _first, ...rest } = extensions ?? {};
  delete provenance['extensions.textLanguages'];
  if (Object.keys(languages).length === 0) return Object.keys(rest).length > 0 ? rest : undefined;
  return { ...rest, textLanguages: languages as RecordExtensions['textLanguages'] };
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

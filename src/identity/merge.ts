/**
 * One dataset's record from its members' records, field by field, with provenance.
 *
 * Members come ranked (see rankMembers): each field takes the value of the first member that
 * has one, so the agency's own platform beats an aggregator (higher source priority) and an
 * aggregator still fills what the agency left empty. Lists (keywords, distributions) are taken
 * whole from one member: splicing two publishers' distribution lists would invent resources
 * neither published. `extensions` merges key by key the same way.
 */
import type { NationalRecord, RecordExtensions } from '../model/record.js';

export interface MergedRecord {
  record: NationalRecord;
  /** Field (or `extensions.key`) → index of the member it came from. */
  provenance: Record<string, number>;
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
      record[field] = value;
      provenance[field] = index;
    }
  });
  const extensions = withFieldLanguages(mergeExtensions(ranked, provenance), ranked, provenance);
  if (extensions) record['extensions'] = extensions;
  return { record: record as unknown as NationalRecord, provenance };
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

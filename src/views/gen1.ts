/**
 * The national record in gen-1 form, as the cross-platform spec (跨平臺介接規範 v1) serves
 * `GET /rest/dataset/{identifier}`: the standard's keys in its order, Taipei local times,
 * no extensions.
 */
import { formatTaipeiDateTime, parseTaiwanDate } from '../model/dates.js';
import type { NationalDistribution, NationalRecord } from '../model/record.js';
import { GEN1_DATASET_KEYS, GEN1_DATE_KEYS, GEN1_DISTRIBUTION_KEYS } from '../mapping/record-fields.js';

const DATE_KEYS = new Set<string>([...GEN1_DATE_KEYS, 'resourceModified']);

export function toGen1Json(record: NationalRecord): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const key of GEN1_DATASET_KEYS) {
    const value = record[key];
    if (value === undefined) continue;
    if (key === 'distribution') {
      json[key] = record.distribution?.map(distributionToGen1) ?? [];
    } else if (key === 'keyword') {
      json[key] = [...(record.keyword ?? [])];
    } else {
      json[key] = DATE_KEYS.has(key) ? gen1Date(value as string) : value;
    }
  }
  return json;
}

function distributionToGen1(distribution: NationalDistribution): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const key of GEN1_DISTRIBUTION_KEYS) {
    const value = distribution[key];
    if (value === undefined) continue;
    json[key] = DATE_KEYS.has(key) ? gen1Date(value) : value;
  }
  return json;
}

/** The stored record's own forms: a UTC instant and a calendar date (dates.ts writes no others). */
const CANONICAL_INSTANT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const CANONICAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;

/**
 * gen-1 writes date-times as Taipei wall-clock `YYYY-MM-DD hh:mm:ss`; dates stay `YYYY-MM-DD`;
 * a partial date (`2018-05`, `2018`: parseTaiwanDate does not read those) and a value that was
 * kept verbatim because it is not a date are served as they are.
 *
 * Stored values are almost all in canonical form, which is converted here directly: the general
 * parser (NFKC, a dozen patterns, then formatTaipeiDateTime parsing again) was most of the cost
 * of rendering a record. Anything else takes the general path, so the answer is the same.
 */
function gen1Date(value: string): string {
  if (typeof value !== 'string') return value;
  // A date, real or not, is served as written: the general path would give it back unchanged too.
  if (CANONICAL_DATE.test(value)) return value;
  if (CANONICAL_INSTANT.test(value)) {
    const epochMs = Date.parse(value);
    // Date.parse accepts 2021-02-30 and 24:00; a real instant reads back as itself.
    if (!Number.isNaN(epochMs) && new Date(epochMs).toISOString().slice(0, 19) === value.slice(0, 19)) {
      return new Date(epochMs + TAIPEI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
    }
  }
  const parsed = parseTaiwanDate(value);
  if (parsed === null) return value;
  return parsed.kind === 'datetime' ? formatTaipeiDateTime(parsed.value) : parsed.value;
}

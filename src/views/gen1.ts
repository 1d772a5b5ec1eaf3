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

/**
 * gen-1 writes date-times as Taipei wall-clock `YYYY-MM-DD hh:mm:ss`; dates stay `YYYY-MM-DD`;
 * a partial date (`2018-05`, `2018`: parseTaiwanDate does not read those) and a value that was
 * kept verbatim because it is not a date are served as they are.
 */
function gen1Date(value: string): string {
  const parsed = typeof value === 'string' ? parseTaiwanDate(value) : null;
  if (parsed === null) return value;
  return parsed.kind === 'datetime' ? formatTaipeiDateTime(parsed.value) : parsed.value;
}

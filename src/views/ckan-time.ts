/**
 * Timestamps as CKAN writes them: UTC without an offset, to the microsecond
 * (`2021-08-01T02:00:00.000000`). CKAN clients (ckanapi, ckanext-harvest, CKAN's own
 * `date_str_to_datetime`) parse exactly that and some fail on a trailing `Z`; CKAN readers,
 * this gateway's own CKAN connector included, read an offset-less value as UTC.
 */
import { parseTaiwanDate } from '../model/dates.js';

/** A stored UTC instant (or any value the store's date reader understands) → CKAN's form; null when it is not a date. */
export function ckanTimestamp(value: string | undefined | null): string | null {
  if (typeof value !== 'string') return null;
  const parsed = parseTaiwanDate(value);
  if (parsed === null) return null;
  // A bare date is the start of that day in UTC: still the same calendar day in Taipei (UTC+8).
  const instant = parsed.kind === 'date' ? `${parsed.value}T00:00:00Z` : parsed.value;
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString().replace(/Z$/, '000');
}

/**
 * Dates as Taiwan's own formats write them (gen-2 records, the data.gov.tw export): date-times as
 * Taipei wall-clock `YYYY-MM-DD hh:mm:ss`, calendar dates as `YYYY-MM-DD`. The store holds UTC.
 */
import { formatTaipeiDateTime, parseTaiwanDate } from '../model/dates.js';

const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Years 1000–9999 only, as the full reader accepts them (src/model/dates.ts). */
const UTC_INSTANT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/**
 * A stored date or date-time in Taipei local form. A partial date (`2018-05`) and a value kept
 * verbatim because it is not a date at all are returned as they are: the publisher's text is
 * better than nothing, and validation has already flagged it.
 *
 * The store's two normalised forms take a fast path (the exports write two dates for every one of
 * up to 100,000 datasets); anything else goes through the full Taiwan date reader.
 */
export function toTaipeiText(value: string): string {
  // A calendar date is written as it is, whether or not it is a real day.
  if (CALENDAR_DATE.test(value)) return value;
  if (UTC_INSTANT.test(value)) {
    const instant = Date.parse(value);
    // Only a real instant: Date.parse would roll 2026-02-30 over into March.
    if (Number.isFinite(instant) && new Date(instant).toISOString().slice(0, 19) === value.slice(0, 19)) {
      return new Date(instant + TAIPEI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
    }
  }
  const parsed = parseTaiwanDate(value);
  if (parsed === null) return value;
  return parsed.kind === 'datetime' ? formatTaipeiDateTime(parsed.value) : parsed.value;
}

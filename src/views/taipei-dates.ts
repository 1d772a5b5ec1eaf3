/**
 * Dates as Taiwan's own formats write them (gen-2 records, the data.gov.tw export): date-times as
 * Taipei wall-clock `YYYY-MM-DD hh:mm:ss`, calendar dates as `YYYY-MM-DD`. The store holds UTC.
 */
import { formatTaipeiDateTime, parseTaiwanDate } from '../model/dates.js';

/**
 * A stored date or date-time in Taipei local form. A partial date (`2018-05`) and a value kept
 * verbatim because it is not a date at all are returned as they are: the publisher's text is
 * better than nothing, and validation has already flagged it.
 */
export function toTaipeiText(value: string): string {
  const parsed = parseTaiwanDate(value);
  if (parsed === null) return value;
  return parsed.kind === 'datetime' ? formatTaipeiDateTime(parsed.value) : parsed.value;
}

/**
 * Dates as Taiwan publishes them → ISO 8601.
 *
 * A calendar date stays a date (`YYYY-MM-DD`): turning it into an instant would invent a time
 * the publisher never gave. A date-time becomes a UTC instant `YYYY-MM-DDThh:mm:ssZ`.
 */

export type ParsedTaiwanDate = { kind: 'date'; value: string } | { kind: 'datetime'; value: string };

/**
 * A date given only to the month or the year. Kept as the publisher gave it, `YYYY-MM` or
 * `YYYY`: both are valid ISO 8601 (and xsd:gYearMonth / xsd:gYear), and filling in a day would
 * invent precision the source does not have.
 */
export type ParsedPartialDate = { kind: 'yearMonth'; value: string } | { kind: 'year'; value: string };

export type ParsedDateOrPartial = ParsedTaiwanDate | ParsedPartialDate;

/** One end of an interval; null for an open end (`..` or nothing). */
export interface ParsedIsoInterval {
  start: ParsedDateOrPartial | null;
  end: ParsedDateOrPartial | null;
}

/**
 * A local time (no offset) is read in a time zone: Asia/Taipei unless the caller names another
 * (a source's `timeZone`, its connector's default: docs/architecture.md "Languages and time
 * zones"). Taiwan has kept UTC+8 without daylight saving since 1980, so for Taipei a fixed
 * offset is exact for every date metadata can plausibly carry and spares the time-zone database
 * (Intl, which costs far more per value); UTC is a fixed offset too. Other zones go through Intl.
 */
export const TAIPEI_TIME_ZONE = 'Asia/Taipei';
const TAIPEI_OFFSET_MINUTES = 8 * 60;

/** 民國 (ROC) year 1 = 1912. */
const ROC_YEAR_OFFSET = 1911;

const MINUTE_MS = 60_000;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
}

/** RFC 3339 with an explicit offset: the only form that is not Taipei local time. */
const RFC3339_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** `hh:mm[:ss[.fff]]` after a date, separated by `T` or spaces. */
const CLOCK_TIME = String.raw`(?:(?:T| +)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?`;

/** Gregorian `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD` (same separator twice), optional local time. */
const GREGORIAN_SEPARATED = new RegExp(String.raw`^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})` + CLOCK_TIME + '$', 'i');

/** Gregorian `YYYYMMDD`. */
const GREGORIAN_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/** ROC `110/08/01`, `110-8-1`, `110.08.01`, `民國110/08/01`, optional local time. */
const ROC_SEPARATED = new RegExp(String.raw`^(?:民國 ?)?(\d{2,3})([-/.])(\d{1,2})\2(\d{1,2})` + CLOCK_TIME + '$', 'i');

/** ROC `1100801`: 7 digits = yyy MM dd (8 digits would be Gregorian). */
const ROC_COMPACT = /^(\d{3})(\d{2})(\d{2})$/;

/**
 * `民國110年8月1日`, `110年8月1日`, `2021年8月1日`, with an optional simple time:
 * `14時30分[20秒]`, `下午2時30分`, `14:30[:20]`. Matched after spaces are removed.
 */
const CHINESE_DATE =
  /^(民國)?(\d{1,4})年(\d{1,2})月(\d{1,2})[日號]?(?:(上午|下午)?(?:(\d{1,2})時(?:(\d{1,2})分(?:(\d{1,2})秒)?)?|(\d{1,2}):(\d{2})(?::(\d{2}))?))?$/;

/**
 * Parse a date or date-time as Taiwan publishes it. Returns null for anything that is not a
 * real date (2021-02-30, month 13, hour 25) or not a form we know.
 */
export function parseTaiwanDate(input: string, timeZone: string = TAIPEI_TIME_ZONE): ParsedTaiwanDate | null {
  if (typeof input !== 'string') return null;
  // NFKC folds full-width digits, slash and colon (２０２１／０８／０１) into ASCII.
  const text = input.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (text === '') return null;

  const withOffset = RFC3339_WITH_OFFSET.exec(text);
  if (withOffset) return fromOffsetDateTime(withOffset);

  const gregorian = GREGORIAN_SEPARATED.exec(text);
  if (gregorian) {
    return fromLocal(
      {
        year: Number(gregorian[1]),
        month: Number(gregorian[3]),
        day: Number(gregorian[4]),
        ...clock(gregorian[5], gregorian[6], gregorian[7]),
      },
      timeZone,
    );
  }

  const gregorianCompact = GREGORIAN_COMPACT.exec(text);
  if (gregorianCompact) {
    return fromLocal({
      year: Number(gregorianCompact[1]),
      month: Number(gregorianCompact[2]),
      day: Number(gregorianCompact[3]),
    });
  }

  const roc = ROC_SEPARATED.exec(text);
  if (roc) {
    return fromLocal(
      {
        year: rocToGregorian(Number(roc[1])),
        month: Number(roc[3]),
        day: Number(roc[4]),
        ...clock(roc[5], roc[6], roc[7]),
      },
      timeZone,
    );
  }

  const rocCompact = ROC_COMPACT.exec(text);
  if (rocCompact) {
    return fromLocal({
      year: rocToGregorian(Number(rocCompact[1])),
      month: Number(rocCompact[2]),
      day: Number(rocCompact[3]),
    });
  }

  const chinese = CHINESE_DATE.exec(text.replace(/ /g, ''));
  if (chinese) return fromChineseDate(chinese, timeZone);

  return null;
}

/** Gregorian `2018-05`, `2018/05`, `2018.5`. */
const GREGORIAN_YEAR_MONTH = /^(\d{4})[-/.](\d{1,2})$/;

/** ROC `107/05`, `107-05`, `民國107年5月` (the latter matched after spaces are removed). */
const ROC_YEAR_MONTH = /^(?:民國 ?)?(\d{2,3})[-/.](\d{1,2})$/;
const CHINESE_YEAR_MONTH = /^(民國)?(\d{1,4})年(\d{1,2})月$/;

/** A bare Gregorian year; `民國107年` / `107年` for ROC years. */
const GREGORIAN_YEAR = /^(\d{4})$/;
const CHINESE_YEAR = /^(民國)?(\d{1,4})年$/;

/**
 * A date given to the month (`2018-05`, `107/05`, `民國107年5月`) or to the year (`2018`,
 * `民國107年`). Null for anything else, full dates included: parseTaiwanDate reads those, and
 * stays strict so that a year alone is never mistaken for a full date.
 */
export function parsePartialDate(input: string): ParsedPartialDate | null {
  if (typeof input !== 'string') return null;
  const text = input.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (text === '') return null;
  const compact = text.replace(/ /g, '');

  const gregorian = GREGORIAN_YEAR_MONTH.exec(text);
  if (gregorian) return yearMonth(Number(gregorian[1]), Number(gregorian[2]));
  const roc = ROC_YEAR_MONTH.exec(text);
  if (roc) return yearMonth(rocToGregorian(Number(roc[1])), Number(roc[2]));
  const chinese = CHINESE_YEAR_MONTH.exec(compact);
  if (chinese) return yearMonth(chineseYear(chinese[1], chinese[2] ?? ''), Number(chinese[3]));

  const year = GREGORIAN_YEAR.exec(text);
  if (year) return yearOnly(Number(year[1]));
  const chineseYearOnly = CHINESE_YEAR.exec(compact);
  if (chineseYearOnly) return yearOnly(chineseYear(chineseYearOnly[1], chineseYearOnly[2] ?? ''));
  return null;
}

/** A full date or date-time (parseTaiwanDate), else a partial date (parsePartialDate). */
export function parseDateOrPartial(input: string, timeZone: string = TAIPEI_TIME_ZONE): ParsedDateOrPartial | null {
  return parseTaiwanDate(input, timeZone) ?? parsePartialDate(input);
}

/**
 * An ISO 8601 time interval `start/end` as DCAT-US `temporal` writes it: `2010-01-01/2012-12-31`,
 * `2018-05/2018-06`, `2000/2010`, `2009-09-01T12:00:00Z/2010-05-31T12:00:00Z`, with `..` (or
 * nothing) for an open end. Each end is read by parseDateOrPartial. A duration on either side
 * (`2010-01-01/P1Y`) is not read: null, as for anything that is not two dates. An end before
 * the start is null too.
 */
export function parseIsoInterval(input: string, timeZone: string = TAIPEI_TIME_ZONE): ParsedIsoInterval | null {
  if (typeof input !== 'string') return null;
  const text = input.normalize('NFKC').trim();
  const parts = text.split('/');
  if (parts.length !== 2) return null;
  const [startText, endText] = parts.map((part) => part.trim()) as [string, string];
  const start = isOpenEnd(startText) ? null : parseDateOrPartial(startText, timeZone);
  const end = isOpenEnd(endText) ? null : parseDateOrPartial(endText, timeZone);
  if ((start === null && !isOpenEnd(startText)) || (end === null && !isOpenEnd(endText))) return null;
  if (start === null && end === null) return null;
  if (start !== null && end !== null) {
    const from = periodStartUtc(start);
    const to = periodStartUtc(end);
    if (from !== null && to !== null && to < from) return null;
  }
  return { start, end };
}

function isOpenEnd(text: string): boolean {
  return text === '' || text === '..';
}

function yearMonth(year: number, month: number): ParsedPartialDate | null {
  if (!isRealDate(year, month, 1)) return null;
  return { kind: 'yearMonth', value: `${pad(year, 4)}-${pad(month, 2)}` };
}

function yearOnly(year: number): ParsedPartialDate | null {
  if (!isRealDate(year, 1, 1)) return null;
  return { kind: 'year', value: pad(year, 4) };
}

/** `民國107年` and `107年` are ROC; a four-digit `2018年` is Gregorian (as in CHINESE_DATE). */
function chineseYear(roc: string | undefined, digits: string): number {
  if (roc !== undefined) return digits.length > 3 ? Number.NaN : rocToGregorian(Number(digits));
  return digits.length <= 3 ? rocToGregorian(Number(digits)) : Number(digits);
}

/** The UTC instant a parsed value's period starts at (Taipei midnight for dates and partials). */
function periodStartUtc(parsed: ParsedDateOrPartial): string | null {
  if (parsed.kind === 'datetime') return parsed.value;
  const [year, month, day] = parsed.value.split('-').map(Number) as [number, number?, number?];
  return isoInstant(localEpochMs({ year, month: month ?? 1, day: day ?? 1, hour: 0, minute: 0, second: 0 }, TAIPEI_TIME_ZONE)!);
}

/** A normalised UTC date-time rendered as Taipei wall-clock time: `YYYY-MM-DD hh:mm:ss`. */
export function formatTaipeiDateTime(isoUtc: string): string {
  const parsed = parseTaiwanDate(isoUtc);
  if (parsed === null) throw new RangeError(`not a date or date-time: ${JSON.stringify(isoUtc)}`);
  if (parsed.kind === 'date') return `${parsed.value} 00:00:00`;
  const taipeiWallClock = new Date(Date.parse(parsed.value) + TAIPEI_OFFSET_MINUTES * MINUTE_MS);
  return taipeiWallClock.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * A full UTC instant for ordering and comparison. A bare date means the start of that day
 * in Taipei (so `2021-08-01` → `2021-07-31T16:00:00Z`); a partial date the start of its month
 * or year (`2018-05` → `2018-04-30T16:00:00Z`). Null when the value is not a date.
 */
export function toUtcInstant(value: string): string | null {
  const parsed = parseDateOrPartial(value);
  return parsed === null ? null : periodStartUtc(parsed);
}

function rocToGregorian(rocYear: number): number {
  // ROC year 0 does not exist; years before 民國元年 are written 民國前 and not supported.
  return rocYear >= 1 ? rocYear + ROC_YEAR_OFFSET : Number.NaN;
}

function clock(hour: string | undefined, minute: string | undefined, second: string | undefined): Pick<LocalParts, 'hour' | 'minute' | 'second'> {
  if (hour === undefined) return {};
  return { hour: Number(hour), minute: Number(minute ?? 0), second: Number(second ?? 0) };
}

function fromChineseDate(match: RegExpExecArray, timeZone: string): ParsedTaiwanDate | null {
  const writtenYear = Number(match[2]);
  const yearDigits = (match[2] ?? '').length;
  const isRoc = match[1] !== undefined || yearDigits <= 3;
  if (match[1] !== undefined && yearDigits > 3) return null;
  const year = isRoc ? rocToGregorian(writtenYear) : writtenYear;

  const hourText = match[6] ?? match[9];
  const parts: LocalParts = {
    year,
    month: Number(match[3]),
    day: Number(match[4]),
    ...clock(hourText, match[7] ?? match[10], match[8] ?? match[11]),
  };
  const meridiem = match[5];
  if (meridiem !== undefined) {
    if (parts.hour === undefined || parts.hour < 1 || parts.hour > 12) return null;
    // 上午12時 is midnight, 下午12時 noon: the 12-hour clock as Taiwan writes it.
    if (meridiem === '上午' && parts.hour === 12) parts.hour = 0;
    if (meridiem === '下午' && parts.hour < 12) parts.hour += 12;
  }
  return fromLocal(parts, timeZone);
}

function fromLocal(parts: LocalParts, timeZone: string = TAIPEI_TIME_ZONE): ParsedTaiwanDate | null {
  if (!isRealDate(parts.year, parts.month, parts.day)) return null;
  if (parts.hour === undefined) {
    return { kind: 'date', value: `${pad(parts.year, 4)}-${pad(parts.month, 2)}-${pad(parts.day, 2)}` };
  }
  if (!isRealTime(parts.hour, parts.minute ?? 0, parts.second ?? 0)) return null;
  const epochMs = localEpochMs(parts, timeZone);
  return epochMs === null ? null : { kind: 'datetime', value: isoInstant(epochMs) };
}

function fromOffsetDateTime(match: RegExpExecArray): ParsedTaiwanDate | null {
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6] ?? 0);
  if (!isRealDate(year, month, day) || !isRealTime(hour, minute, second)) return null;
  const offsetMinutes = parseOffsetMinutes(match[7] ?? '');
  if (offsetMinutes === null) return null;
  // Fractional seconds are dropped: the canonical form has second precision, like the standard.
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * MINUTE_MS;
  return { kind: 'datetime', value: isoInstant(epochMs) };
}

function parseOffsetMinutes(offset: string): number | null {
  if (offset.toUpperCase() === 'Z') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!match) return null;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 23 || minutes > 59) return null;
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** The instant a wall-clock time in `timeZone` names; null when the zone is not one Intl knows. */
function localEpochMs(parts: LocalParts, timeZone: string): number | null {
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  if (timeZone === TAIPEI_TIME_ZONE) return asUtc - TAIPEI_OFFSET_MINUTES * MINUTE_MS;
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return asUtc;
  // The zone's offsets a day before and a day after (they differ only around a change of
  // offset): each is right when the instant it gives has that offset. A repeated hour (clocks
  // going back) reads as the earlier instant, a skipped hour (clocks going forward) with the
  // offset before the change, as Temporal's "compatible" disambiguation does.
  const before = zoneOffsetMinutes(timeZone, asUtc - DAY_MS);
  const after = zoneOffsetMinutes(timeZone, asUtc + DAY_MS);
  if (before === null || after === null) return null;
  const candidates = [...new Set([before, after])]
    .map((offset) => asUtc - offset * MINUTE_MS)
    .filter((instant) => zoneOffsetMinutes(timeZone, instant) === (asUtc - instant) / MINUTE_MS);
  return candidates.length > 0 ? Math.min(...candidates) : asUtc - before * MINUTE_MS;
}

const DAY_MS = 86_400_000;

const zoneFormats = new Map<string, Intl.DateTimeFormat | null>();

/** A zone's formatter, made once per zone (they are costly); null for a name Intl refuses. */
function zoneFormat(timeZone: string): Intl.DateTimeFormat | null {
  let format = zoneFormats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      format = null;
    }
    zoneFormats.set(timeZone, format);
  }
  return format;
}

/** Whether `timeZone` is an IANA zone name this runtime knows (config validation). */
export function isKnownTimeZone(timeZone: string): boolean {
  return zoneFormat(timeZone) !== null;
}

/** Minutes `timeZone` is ahead of UTC at the instant `epochMs`. */
function zoneOffsetMinutes(timeZone: string, epochMs: number): number | null {
  const format = zoneFormat(timeZone);
  if (format === null) return null;
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wallClock = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return Math.round((wallClock - Math.floor(epochMs / 1000) * 1000) / MINUTE_MS);
}

function isoInstant(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

function isRealDate(year: number, month: number, day: number): boolean {
  // Below year 1000 a "date" is a typo or a misread ROC year, not a date metadata can carry.
  if (!Number.isInteger(year) || year < 1000 || year > 9999) return false;
  if (!Number.isInteger(month) || month < 1 || month > 12) return false;
  return Number.isInteger(day) && day >= 1 && day <= daysInMonth(year, month);
}

function isRealTime(hour: number, minute: number, second: number): boolean {
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

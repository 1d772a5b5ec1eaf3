/**
 * Update frequency (更新頻率 / accrualPeriodicity / gen-2 updateFrequency).
 *
 * The canonical text is the standard's gen-1 form: `每` + integer + unit with the 1 dropped
 * (每日, 每週, 每10分鐘), or 每半年, 即時, 不定期, 不更新. The standard has no form for "N times
 * per period"; those are written `每` + unit + N + `次` (每日2次, 每週3次), except twice a year,
 * which is the standard's 每半年. The EU code is from the Publications Office frequency
 * authority table (http://publications.europa.eu/resource/authority/frequency), given only
 * where a code means the same period.
 *
 * Foreign vocabularies are read too: ISO 8601 repeating durations as DCAT-US / Project Open
 * Data write them (`R/P1D`, `R/PT1H`, `R/P0.5M`, `R/PT1S` for "continuously updated",
 * `irregular`), the EU frequency IRIs (…/frequency/DAILY), and ISO 19115 `notPlanned`.
 * `frequencyAsIsoDuration` goes back from the standard's text to the ISO form.
 *
 * This module is the only place that knows frequencies: the DCAT-AP view takes its
 * dct:accrualPeriodicity IRI from `euCode`.
 */

export interface NormalisedFrequency {
  text: string;
  euCode?: string;
}

type Unit = '分鐘' | '小時' | '日' | '週' | '月' | '季' | '年';

/** Written unit → canonical unit. */
const UNIT_ALIASES: Readonly<Record<string, Unit>> = {
  分鐘: '分鐘',
  分钟: '分鐘',
  分: '分鐘',
  小時: '小時',
  小时: '小時',
  時: '小時',
  鐘頭: '小時',
  日: '日',
  天: '日',
  週: '週',
  周: '週',
  星期: '週',
  禮拜: '週',
  礼拜: '週',
  月: '月',
  季: '季',
  年: '年',
};

/**
 * Periods that have an EU code. Equal periods written in another unit (每7日, 每3月) get the
 * same code; the text stays as the publisher's unit.
 */
const EU_CODES: Readonly<Record<Unit, Readonly<Record<number, string>>>> = {
  分鐘: { 1: '1MIN', 5: '5MIN', 10: '10MIN', 15: '15MIN', 30: '30MIN', 60: 'HOURLY' },
  小時: { 1: 'HOURLY', 2: 'BIHOURLY', 3: 'TRIHOURLY', 12: '12HRS', 24: 'DAILY' },
  日: { 1: 'DAILY', 7: 'WEEKLY', 14: 'BIWEEKLY' },
  週: { 1: 'WEEKLY', 2: 'BIWEEKLY' },
  // The EU table's code for "semiannual" (twice a year) is ANNUAL_2; it has no BIANNUAL.
  月: { 1: 'MONTHLY', 2: 'BIMONTHLY', 3: 'QUARTERLY', 6: 'ANNUAL_2', 12: 'ANNUAL', 24: 'BIENNIAL' },
  季: { 1: 'QUARTERLY', 2: 'ANNUAL_2', 4: 'ANNUAL' },
  年: {
    1: 'ANNUAL',
    2: 'BIENNIAL',
    3: 'TRIENNIAL',
    4: 'QUADRENNIAL',
    5: 'QUINQUENNIAL',
    6: 'SEXENNIAL',
    10: 'DECENNIAL',
    20: 'BIDECENNIAL',
    30: 'TRIDECENNIAL',
  },
};

/**
 * "N times per unit" codes. Twice a year is ANNUAL_2 whichever way it is written; the EU table
 * has no code for three times a day or four times a week.
 */
const TIMES_PER_CODES: Readonly<Partial<Record<Unit, Readonly<Record<number, string>>>>> = {
  日: { 2: 'DAILY_2' },
  週: { 2: 'WEEKLY_2', 3: 'WEEKLY_3' },
  月: { 2: 'MONTHLY_2', 3: 'MONTHLY_3' },
  年: { 2: 'ANNUAL_2', 3: 'ANNUAL_3' },
};

const REAL_TIME: NormalisedFrequency = { text: '即時', euCode: 'CONT' };
const IRREGULAR: NormalisedFrequency = { text: '不定期', euCode: 'IRREG' };
const NEVER_UPDATED: NormalisedFrequency = { text: '不更新', euCode: 'NEVER' };
const HALF_YEARLY: NormalisedFrequency = { text: '每半年', euCode: 'ANNUAL_2' };

/** Whole words (compacted: lower case, no spaces, `-`, `_`) that are not `每N單位`. */
const WORDS: Readonly<Record<string, NormalisedFrequency | { every: number; unit: Unit }>> = {
  即時: REAL_TIME,
  即時更新: REAL_TIME,
  實時: REAL_TIME,
  實時更新: REAL_TIME,
  realtime: REAL_TIME,
  continuous: REAL_TIME,
  continuously: REAL_TIME,
  cont: REAL_TIME,
  updatecont: REAL_TIME,
  不定期: IRREGULAR,
  不定期更新: IRREGULAR,
  不定時: IRREGULAR,
  不定時更新: IRREGULAR,
  irregular: IRREGULAR,
  irreg: IRREGULAR,
  nonscheduled: IRREGULAR,
  unscheduled: IRREGULAR,
  asneeded: IRREGULAR,
  不更新: NEVER_UPDATED,
  不再更新: NEVER_UPDATED,
  停止更新: NEVER_UPDATED,
  once: NEVER_UPDATED,
  never: NEVER_UPDATED,
  // ISO 19115 MD_MaintenanceFrequencyCode "notPlanned": no update is planned.
  notplanned: NEVER_UPDATED,
  每半年: HALF_YEARLY,
  半年: HALF_YEARLY,
  每半年更新: HALF_YEARLY,
  semiannual: HALF_YEARLY,
  semiannually: HALF_YEARLY,
  biannual: HALF_YEARLY,
  biannually: HALF_YEARLY,
  halfyear: HALF_YEARLY,
  halfyearly: HALF_YEARLY,
  annual2: HALF_YEARLY,
  minute: { every: 1, unit: '分鐘' },
  hour: { every: 1, unit: '小時' },
  hourly: { every: 1, unit: '小時' },
  day: { every: 1, unit: '日' },
  daily: { every: 1, unit: '日' },
  everyday: { every: 1, unit: '日' },
  week: { every: 1, unit: '週' },
  weekly: { every: 1, unit: '週' },
  biweekly: { every: 2, unit: '週' },
  fortnightly: { every: 2, unit: '週' },
  month: { every: 1, unit: '月' },
  monthly: { every: 1, unit: '月' },
  bimonthly: { every: 2, unit: '月' },
  quarter: { every: 1, unit: '季' },
  quarterly: { every: 1, unit: '季' },
  year: { every: 1, unit: '年' },
  yearly: { every: 1, unit: '年' },
  annual: { every: 1, unit: '年' },
  annually: { every: 1, unit: '年' },
  biennial: { every: 2, unit: '年' },
  triennial: { every: 3, unit: '年' },
};

const COUNT = '([0-9]+|[一二兩三四五六七八九十]+)';
const UNIT = '(分鐘|分钟|分|小時|小时|鐘頭|時|日|天|週|周|星期|禮拜|礼拜|月|季|年)';

/**
 * `每N單位`, optionally `每N個月` (个 too), optionally followed by 更新 / 一次 / 1次 / 更新一次.
 * `每隔N單位` is read as `每N單位` (每隔3個月 = 每3月); 每隔 needs its number, because a bare
 * 隔 means "every other" (隔週, 隔月).
 */
const EVERY_N_UNITS = new RegExp(`^每(?:${COUNT}|隔${COUNT})?[個个]?${UNIT}(?:更新)?(?:一次|1次)?$`);

/** `每` + unit + [更新] + N + `次`: 每日兩次, 每週3次, 每個月更新二次. */
const TIMES_PER_UNIT = new RegExp(`^每[個个]?${UNIT}(?:更新)?${COUNT}次$`);

/**
 * Any way a frequency is published → the standard's text (+ EU code). Null for values that
 * do not name one period, such as the compound 「每15日或每2月」 the standard warns against.
 */
export function normaliseFrequency(input: unknown): NormalisedFrequency | null {
  if (typeof input === 'string') return fromText(input);
  if (isPlainObject(input)) return fromStructured(input);
  return null;
}

function fromText(input: string): NormalisedFrequency | null {
  // NFKC folds full-width digits (每１０分鐘); spaces carry no meaning, nor do - and _ in words.
  const key = input.normalize('NFKC').toLowerCase().replace(/\s/g, '');
  if (key === '') return null;

  const iso = ISO_REPEATING_DURATION.exec(key);
  if (iso) return fromIsoDuration(iso);
  const euIri = EU_FREQUENCY_IRI.exec(key);
  if (euIri) return fromEuCode((euIri[1] ?? '').toUpperCase());

  const word = own(WORDS, key.replace(/[-_]/g, ''));
  if (word !== undefined) return 'text' in word ? { ...word } : every(word.every, word.unit);

  const everyMatch = EVERY_N_UNITS.exec(key);
  if (everyMatch) {
    const written = everyMatch[1] ?? everyMatch[2];
    const count = written === undefined ? 1 : parseCount(written);
    const unit = own(UNIT_ALIASES, everyMatch[3] ?? '');
    return count === null || unit === undefined ? null : every(count, unit);
  }

  const timesMatch = TIMES_PER_UNIT.exec(key);
  if (timesMatch) {
    const unit = own(UNIT_ALIASES, timesMatch[1] ?? '');
    const times = parseCount(timesMatch[2] ?? '');
    return times === null || unit === undefined ? null : timesPer(times, unit);
  }
  return null;
}

function every(count: number, unit: Unit): NormalisedFrequency | null {
  if (!Number.isSafeInteger(count) || count < 1) return null;
  const text = count === 1 ? `每${unit}` : `每${count}${unit}`;
  const euCode = EU_CODES[unit][count];
  return euCode === undefined ? { text } : { text, euCode };
}

/** N times per unit; once per unit is just every unit (每日一次 = 每日). */
function timesPer(times: number, unit: Unit): NormalisedFrequency | null {
  if (!Number.isSafeInteger(times) || times < 1) return null;
  if (times === 1) return every(1, unit);
  if (times === 2 && unit === '年') return { ...HALF_YEARLY };
  const text = `每${unit}${times}次`;
  const euCode = TIMES_PER_CODES[unit]?.[times];
  return euCode === undefined ? { text } : { text, euCode };
}

/**
 * ISO 8601 repeating interval without start, as DCAT-US writes accrualPeriodicity: `R/P1D`,
 * `R/PT10M`, `R/P0.5M` (twice a month). Matched on the lower-cased text. One component only: a
 * compound `R/P1Y2M` names no period the standard can write. The bare duration `P1D` is read
 * the same way (publishers drop the `R/`).
 */
const ISO_REPEATING_DURATION = /^(?:r\d*\/)?p(?:(\d+(?:[.,]\d+)?)([ymwd])|t(\d+(?:[.,]\d+)?)([hms]))$/;

/** An EU Publications Office frequency IRI; the code is upper-cased by the caller. */
const EU_FREQUENCY_IRI = /^https?:\/\/publications\.europa\.eu\/resource\/authority\/frequency\/([a-z0-9_]+)$/;

const ISO_DATE_UNITS: Readonly<Record<string, Unit>> = { y: '年', m: '月', w: '週', d: '日' };
const ISO_TIME_UNITS: Readonly<Record<string, Unit>> = { h: '小時', m: '分鐘' };

function fromIsoDuration(match: RegExpExecArray): NormalisedFrequency | null {
  const dateCount = match[1];
  const amount = Number((dateCount ?? match[3] ?? '').replace(',', '.'));
  const letter = dateCount !== undefined ? (match[2] ?? '') : (match[4] ?? '');
  if (!Number.isFinite(amount) || amount <= 0) return null;
  // Project Open Data defines R/PT1S as "continuously updated"; other second counts name no
  // period the standard has a unit for.
  if (dateCount === undefined && letter === 's') return amount === 1 ? { ...REAL_TIME } : null;
  const unit = dateCount !== undefined ? own(ISO_DATE_UNITS, letter) : own(ISO_TIME_UNITS, letter);
  if (unit === undefined) return null;
  if (Number.isInteger(amount)) {
    // Months the standard names with its own word: a quarter, half a year, a year.
    if (unit === '月' && amount === 3) return every(1, '季');
    if (unit === '月' && amount === 6) return { ...HALF_YEARLY };
    if (unit === '月' && amount === 12) return every(1, '年');
    return every(amount, unit);
  }
  // Fractions are "N times per unit": R/P0.5M twice a month, R/P0.33W three times a week,
  // R/P3.5D twice a week (POD's own list of values has exactly these).
  if (unit === '日' && amount === 3.5) return timesPer(2, '週');
  const times = Math.round(1 / amount);
  return amount < 1 && Math.abs(1 / amount - times) < 0.1 ? timesPer(times, unit) : null;
}

/** EU frequency code → the standard's text; codes that name no period (OTHER, UNKNOWN) → null. */
function fromEuCode(code: string): NormalisedFrequency | null {
  const special = own(EU_CODE_WORDS, code);
  if (special !== undefined) return { ...special };
  const period = own(EU_CODE_PERIODS, code);
  if (period !== undefined) return 'times' in period ? timesPer(period.times, period.unit) : every(period.every, period.unit);
  return null;
}

const EU_CODE_WORDS: Readonly<Record<string, NormalisedFrequency>> = {
  CONT: REAL_TIME,
  UPDATE_CONT: REAL_TIME,
  IRREG: IRREGULAR,
  AS_NEEDED: IRREGULAR,
  NEVER: NEVER_UPDATED,
  NOT_PLANNED: NEVER_UPDATED,
  ANNUAL_2: HALF_YEARLY,
};

/** The EU codes with a period, read back from the same tables `every` and `timesPer` use. */
const EU_CODE_PERIODS: Readonly<Record<string, { every: number; unit: Unit } | { times: number; unit: Unit }>> = (() => {
  const table: Record<string, { every: number; unit: Unit } | { times: number; unit: Unit }> = {};
  // Each code's own unit first (DAILY from 日, not 24 小時; WEEKLY from 週, not 7 日).
  const preferred: Array<[Unit, number[]]> = [
    ['年', [1, 2, 3, 4, 5, 6, 10, 20, 30]],
    ['季', [1]],
    ['月', [1, 2]],
    ['週', [1, 2]],
    ['日', [1]],
    ['小時', [1, 2, 3, 12]],
    ['分鐘', [1, 5, 10, 15, 30]],
  ];
  for (const [unit, counts] of preferred) {
    for (const count of counts) {
      const code = EU_CODES[unit][count];
      if (code !== undefined && !Object.hasOwn(table, code)) table[code] = { every: count, unit };
    }
  }
  for (const [unit, codes] of Object.entries(TIMES_PER_CODES) as Array<[Unit, Readonly<Record<number, string>>]>) {
    for (const [times, code] of Object.entries(codes)) {
      if (!Object.hasOwn(table, code)) table[code] = { times: Number(times), unit };
    }
  }
  return table;
})();

/**
 * The standard's text (any form normaliseFrequency reads) → the ISO 8601 repeating duration
 * DCAT-US uses: 每日 → `R/P1D`, 每季 → `R/P3M`, 每10分鐘 → `R/PT10M`, 即時 → `R/PT1S`, 不定期 →
 * `irregular`. Null when DCAT-US has no form for it (不更新, 每日3次).
 */
export function frequencyAsIsoDuration(input: unknown): string | null {
  const normalised = normaliseFrequency(input);
  if (normalised === null) return null;
  const text = normalised.text;
  if (text === REAL_TIME.text) return 'R/PT1S';
  if (text === IRREGULAR.text) return 'irregular';
  if (text === HALF_YEARLY.text) return 'R/P6M';
  const everyMatch = /^每(\d+)?(分鐘|小時|日|週|月|季|年)$/.exec(text);
  if (everyMatch) {
    const count = Number(everyMatch[1] ?? 1);
    switch (everyMatch[2]) {
      case '分鐘':
        return `R/PT${count}M`;
      case '小時':
        return `R/PT${count}H`;
      case '日':
        return `R/P${count}D`;
      case '週':
        return `R/P${count}W`;
      case '月':
        return `R/P${count}M`;
      case '季':
        return `R/P${count * 3}M`;
      case '年':
        return `R/P${count}Y`;
    }
  }
  const timesMatch = /^每(日|週|月)(\d+)次$/.exec(text);
  if (timesMatch) return ISO_TIMES_PER[`${timesMatch[1]}${timesMatch[2]}`] ?? null;
  return null;
}

/** N times per unit in POD's list of values (R/P0.33W …); others have no exact ISO form. */
const ISO_TIMES_PER: Readonly<Record<string, string>> = {
  日2: 'R/PT12H',
  週2: 'R/P3.5D',
  週3: 'R/P0.33W',
  月2: 'R/P0.5M',
  月3: 'R/P0.33M',
};

/** gen-2 `{ regularupdate: "1", Frequency: "1", unittime: "日" }` (key case varies). */
function fromStructured(input: Record<string, unknown>): NormalisedFrequency | null {
  const lowerKeyed = new Map(Object.entries(input).map(([key, value]) => [key.toLowerCase(), value]));
  const regular = lowerKeyed.get('regularupdate');
  const frequency = lowerKeyed.get('frequency');
  const unitTime = lowerKeyed.get('unittime');

  if (regular !== undefined && regular !== null && isNo(regular)) return { ...IRREGULAR };
  if (regular !== undefined && regular !== null && !isYes(regular)) return null;
  if (typeof unitTime !== 'string' || unitTime.trim() === '') return null;

  const unitText = unitTime.normalize('NFKC').trim();
  const unit = own(UNIT_ALIASES, unitText) ?? own(ENGLISH_UNITS, unitText.toLowerCase());
  // Anything that is not a bare unit may be a whole value on its own (即時, 不定期, 每日).
  if (unit === undefined) return fromText(unitText);

  const countText = typeof frequency === 'number' ? String(frequency) : typeof frequency === 'string' ? frequency : '';
  const count = parseCount(countText.normalize('NFKC').trim());
  return count === null ? null : every(count, unit);
}

const ENGLISH_UNITS: Readonly<Record<string, Unit>> = {
  minute: '分鐘',
  minutes: '分鐘',
  hour: '小時',
  hours: '小時',
  day: '日',
  days: '日',
  week: '週',
  weeks: '週',
  month: '月',
  months: '月',
  quarter: '季',
  quarters: '季',
  year: '年',
  years: '年',
};

function isYes(value: unknown): boolean {
  return value === true || value === 1 || (typeof value === 'string' && ['1', 'true', 'y', 'yes', '是'].includes(value.trim().toLowerCase()));
}

function isNo(value: unknown): boolean {
  return value === false || value === 0 || (typeof value === 'string' && ['0', 'false', 'n', 'no', '否'].includes(value.trim().toLowerCase()));
}

const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  一: 1,
  二: 2,
  兩: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** `10`, `十`, `十五`, `二十`, `二十四` → number; null otherwise. */
function parseCount(text: string): number | null {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const match = /^([一二兩三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!match || text === '') return null;
  const [, tensOrUnit, ten, unit] = match;
  if (ten === undefined) return unit === undefined && tensOrUnit !== undefined ? (CHINESE_DIGITS[tensOrUnit] ?? null) : null;
  const tens = tensOrUnit === undefined ? 1 : (CHINESE_DIGITS[tensOrUnit] ?? 0);
  return tens * 10 + (unit === undefined ? 0 : (CHINESE_DIGITS[unit] ?? 0));
}

/** A table entry by key, never an inherited property (`constructor`, `__proto__`). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Coded DCAT values → the national record's forms: frequency IRIs, language IRIs, file-type and
 * media-type IRIs, licence IRIs, and XSD date literals.
 */
import { readFileSync } from 'node:fs';
import type { Term } from 'n3';
import { LANGUAGE_CODES } from '../../model/codelists.js';
import { parseTaiwanDate } from '../../model/dates.js';
import { normaliseFrequency } from '../../model/frequency.js';
import { formatOfMediaType } from '../../model/formats.js';
import { normaliseLicense, type KnownLicense } from '../../model/license.js';
import { projectPath } from '../../model/project-root.js';
import { term } from './vocab.js';

interface AuthoritiesFile {
  language: { base: string; byCode: Record<string, string> };
  fileType: { base: string; mediaTypeBase: string; byFormat: Record<string, { fileType: string; mediaType?: string }> };
  frequency: { base: string };
}

const AUTHORITIES = JSON.parse(readFileSync(projectPath('mappings', 'eu-authorities.json'), 'utf8')) as AuthoritiesFile;

// ------------------------------------------------------------------------------------------
// Frequency
// ------------------------------------------------------------------------------------------

/**
 * EU frequency authority codes → the standard's text, used only when normaliseFrequency does not
 * read the IRI itself. Codes with no single period (OTHER, UNKNOWN, …) are absent on purpose.
 */
const EU_FREQUENCY_TEXT: Readonly<Record<string, string>> = {
  '1MIN': '每分鐘',
  '5MIN': '每5分鐘',
  '10MIN': '每10分鐘',
  '15MIN': '每15分鐘',
  '30MIN': '每30分鐘',
  HOURLY: '每小時',
  BIHOURLY: '每2小時',
  TRIHOURLY: '每3小時',
  '12HRS': '每12小時',
  CONT: '即時',
  UPDATE_CONT: '即時',
  DAILY: '每日',
  DAILY_2: '每日2次',
  WEEKLY: '每週',
  WEEKLY_2: '每週2次',
  WEEKLY_3: '每週3次',
  BIWEEKLY: '每2週',
  MONTHLY: '每月',
  MONTHLY_2: '每月2次',
  MONTHLY_3: '每月3次',
  BIMONTHLY: '每2月',
  QUARTERLY: '每季',
  ANNUAL_2: '每半年',
  ANNUAL_3: '每年3次',
  ANNUAL: '每年',
  BIENNIAL: '每2年',
  TRIENNIAL: '每3年',
  QUADRENNIAL: '每4年',
  QUINQUENNIAL: '每5年',
  SEXENNIAL: '每6年',
  DECENNIAL: '每10年',
  BIDECENNIAL: '每20年',
  TRIDECENNIAL: '每30年',
  IRREG: '不定期',
  NEVER: '不更新',
};

/** SDMX frequency codes (http://purl.org/linked-data/sdmx/2009/code#freq-X), used by the W3C examples. */
const SDMX_FREQUENCY: Readonly<Record<string, string>> = { A: 'ANNUAL', S: 'ANNUAL_2', Q: 'QUARTERLY', M: 'MONTHLY', W: 'WEEKLY', D: 'DAILY', H: 'HOURLY' };

/**
 * A dct:accrualPeriodicity value → the standard's text; undefined when it names no single
 * period we know (the caller keeps the value in extras).
 */
export function frequencyText(value: Term): string | undefined {
  const direct = normaliseFrequency(value.value);
  if (direct !== null) return direct.text;
  if (value.termType !== 'NamedNode') return undefined;
  const iri = value.value;
  const code = lastSegment(iri);
  if (iri.startsWith(AUTHORITIES.frequency.base)) return EU_FREQUENCY_TEXT[code.toUpperCase()];
  const sdmx = /#freq-([A-Z])$/.exec(iri)?.[1];
  if (sdmx !== undefined) return EU_FREQUENCY_TEXT[SDMX_FREQUENCY[sdmx] ?? ''];
  // Dublin Core collection frequencies (http://purl.org/cld/freq/annual) and the like: a word.
  return normaliseFrequency(code)?.text;
}

// ------------------------------------------------------------------------------------------
// Language
// ------------------------------------------------------------------------------------------

const EU_LANGUAGE_TO_CODE = new Map<string, string>();
for (const [code, eu] of Object.entries(AUTHORITIES.language.byCode)) {
  // byCode lists the ISO 639-1 code first for each EU code; keep the first, the two-letter one.
  if ((LANGUAGE_CODES as readonly string[]).includes(code) && !EU_LANGUAGE_TO_CODE.has(eu)) EU_LANGUAGE_TO_CODE.set(eu, code);
}

/**
 * A dct:language value → an ISO 639-1 code of the standard's list: EU authority IRIs (…/ENG),
 * Library of Congress ISO 639-1/-2 IRIs (…/iso639-1/en, …/iso639-2/eng), or a literal tag.
 */
export function languageCode(value: Term): string | undefined {
  const raw = value.termType === 'NamedNode' ? lastSegment(value.value) : value.value.trim();
  if (raw === '') return undefined;
  const eu =
    value.termType === 'NamedNode' && value.value.startsWith(AUTHORITIES.language.base)
      ? raw.toUpperCase()
      : AUTHORITIES.language.byCode[raw.toLowerCase().split('-')[0] ?? ''];
  if (eu !== undefined) return EU_LANGUAGE_TO_CODE.get(eu);
  return undefined;
}

// ------------------------------------------------------------------------------------------
// Format
// ------------------------------------------------------------------------------------------

/**
 * dct:format / dcat:mediaType → a short format name (CSV): an EU file-type IRI gives its code, an
 * IANA media type (IRI or text) the format registered for it in mappings/eu-authorities.json;
 * other text is kept as written. Undefined when the value says nothing usable.
 */
export function formatName(value: Term, label: string | undefined): string | undefined {
  if (value.termType === 'NamedNode') {
    const iri = value.value;
    if (iri.startsWith(AUTHORITIES.fileType.base)) return lastSegment(iri);
    const mediaType = /\/media-types\/(.+)$/.exec(iri)?.[1];
    if (mediaType !== undefined) return formatOfMediaType(mediaType) ?? mediaType;
    return label ?? lastSegment(iri);
  }
  if (value.termType === 'BlankNode') return label;
  const text = value.value.trim();
  if (text === '') return undefined;
  if (/^[a-z]+\/[\w.+-]+$/i.test(text)) return formatOfMediaType(text) ?? text;
  return text;
}

// ------------------------------------------------------------------------------------------
// Licence
// ------------------------------------------------------------------------------------------

/** EU licence authority codes (http://publications.europa.eu/resource/authority/licence/…) the gateway knows by name. */
const EU_LICENCE_NAMES: Readonly<Record<string, string>> = {
  CC_BY_4_0: 'CC BY 4.0',
  CC_BYSA_4_0: 'CC BY-SA 4.0',
  CC0: 'CC0 1.0',
};
const EU_LICENCE_BASE = 'http://publications.europa.eu/resource/authority/licence/';

export function knownLicence(iriOrText: string): KnownLicense | null {
  if (iriOrText.startsWith(EU_LICENCE_BASE)) {
    const name = EU_LICENCE_NAMES[lastSegment(iriOrText)];
    return name === undefined ? null : normaliseLicense(name);
  }
  return normaliseLicense(iriOrText);
}

// ------------------------------------------------------------------------------------------
// Dates
// ------------------------------------------------------------------------------------------

const XSD_G_YEAR = term('xsd', 'gYear');
const XSD_G_YEAR_MONTH = term('xsd', 'gYearMonth');

export type DcatDate = { ok: true; value: string } | { ok: false; reason: string };

/**
 * An XSD date literal → ISO 8601 as the national record holds it. A year or year-month is a
 * period, not a day: as a coverage bound it becomes the period's first (`start`) or last (`end`)
 * day; as an issue or change date (`point`) it is not a date and is refused with the reason.
 */
/** `timeZone`: the zone of a date-time written without an offset (the source's: src/mapping/context.ts). */
export function readXsdDate(value: Term, role: 'start' | 'end' | 'point', timeZone: string): DcatDate {
  if (value.termType !== 'Literal') return { ok: false, reason: `not a literal: ${value.value}` };
  const text = value.value.trim();
  const datatype = value.datatype.value;
  const year = /^(\d{4})$/.exec(text);
  const yearMonth = /^(\d{4})-(\d{2})$/.exec(text);
  if (datatype === XSD_G_YEAR || datatype === XSD_G_YEAR_MONTH || year || yearMonth) {
    if (role === 'point') return { ok: false, reason: `${JSON.stringify(text)} is a ${year ? 'year' : 'month'}, not a date` };
    if (year) return { ok: true, value: role === 'start' ? `${year[1]}-01-01` : `${year[1]}-12-31` };
    if (yearMonth) {
      const [, y, m] = yearMonth;
      const lastDay = new Date(Date.UTC(Number(y), Number(m), 0)).getUTCDate();
      return { ok: true, value: role === 'start' ? `${y}-${m}-01` : `${y}-${m}-${String(lastDay).padStart(2, '0')}` };
    }
  }
  // xsd:date may carry a zone (2011-07-01Z): a calendar date stays a date.
  const zonedDate = /^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})$/.exec(text);
  const parsed = parseTaiwanDate(zonedDate?.[1] ?? text, timeZone);
  return parsed === null ? { ok: false, reason: `${JSON.stringify(text)} is not a date or date-time` } : { ok: true, value: parsed.value };
}

export function lastSegment(iri: string): string {
  return (
    iri
      .replace(/[/#]+$/, '')
      .split(/[/#]/)
      .pop() ?? iri
  );
}

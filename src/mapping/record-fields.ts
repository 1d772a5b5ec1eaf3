/**
 * What every mapping to the national record shares: the gen-1 key lists (in the standard's
 * order), readers that normalise one raw value and report what they could not keep as it was,
 * the identity check that decides rejection, and the final validation step.
 */
import { parseTaiwanDate } from '../model/dates.js';
import { TAIWAN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { settleTextLanguages } from './text-languages.js';
import { IDENTIFIER_PATTERN } from '../model/codelists.js';
import type { IssueSeverity, MappingResult, NationalDistribution, NationalRecord, ValidationIssue } from '../model/record.js';
import { uniqueIssues, validateNationalRecord } from '../model/validate.js';

/**
 * The dataset-level gen-1 keys in the order of SPEC2015 表-3, with the two cross-platform
 * exchange keys where the cross-platform spec's example puts them (after the publisher contacts).
 */
export const GEN1_DATASET_KEYS = [
  'categoryCode',
  'identifier',
  'title',
  'description',
  'fieldDescription',
  'type',
  'license',
  'licenseURL',
  'cost',
  'costURL',
  'costLaw',
  'organization',
  'organizationContactName',
  'organizationContactPhone',
  'organizationContactEmail',
  'publisher',
  'publisherContactName',
  'publisherContactPhone',
  'publisherContactEmail',
  'publisherOID',
  'publisherOrgCode',
  'accrualPeriodicity',
  'temporalCoverageFrom',
  'temporalCoverageTo',
  'issued',
  'modified',
  'spatial',
  'language',
  'landingPage',
  'keyword',
  'numberOfData',
  'notes',
  'distribution',
] as const satisfies readonly (keyof NationalRecord)[];

export const GEN1_DISTRIBUTION_KEYS = [
  'resourceID',
  'resourceDescription',
  'format',
  'characterSetCode',
  'resourceModified',
  'accessURL',
  'downloadURL',
  'metadataSourceOfData',
] as const satisfies readonly (keyof NationalDistribution)[];

export const GEN1_DATE_KEYS = ['temporalCoverageFrom', 'temporalCoverageTo', 'issued', 'modified'] as const;

/** Dataset keys holding plain text (identifier and title are checked apart: identity needs them). */
const NOT_PLAIN_TEXT = ['identifier', 'title', 'keyword', 'numberOfData', 'distribution', ...GEN1_DATE_KEYS] as const;
export const GEN1_TEXT_KEYS = GEN1_DATASET_KEYS.filter(
  (key): key is Exclude<(typeof GEN1_DATASET_KEYS)[number], (typeof NOT_PLAIN_TEXT)[number]> => !(NOT_PLAIN_TEXT as readonly string[]).includes(key),
);

export const GEN1_DISTRIBUTION_TEXT_KEYS = [
  'resourceID',
  'resourceDescription',
  'format',
  'characterSetCode',
  'accessURL',
  'downloadURL',
  'metadataSourceOfData',
] as const satisfies readonly (keyof NationalDistribution)[];

export type Gen1TextKey = (typeof GEN1_TEXT_KEYS)[number];
export type Gen1DateKey = (typeof GEN1_DATE_KEYS)[number];
export type Gen1DistributionTextKey = (typeof GEN1_DISTRIBUTION_TEXT_KEYS)[number];

/**
 * Collects what one mapping reports. Values that cannot live in the record's typed fields
 * (an object where text belongs) are parked in unknownKeys under their record path, so
 * nothing a publisher sent is lost.
 */
export class MappingNotes {
  readonly issues: ValidationIssue[] = [];
  readonly unknownKeys: Record<string, unknown> = {};

  /** The source's time zone and language (Taiwanese defaults unless the mapping was given others). */
  constructor(readonly context: MappingContext = TAIWAN_MAPPING_CONTEXT) {}

  report(field: string, rule: string, message: string, severity: IssueSeverity = 'error'): void {
    this.issues.push({ field, rule, message, severity });
  }

  park(field: string, value: unknown): void {
    this.unknownKeys[field] = value;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Text: trimmed; `null` → absent; `""` stays `""` (publishers send it and read-back keeps it). */
export function readText(notes: MappingNotes, field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim();
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') {
    notes.report(field, 'type', `${field} should be text, not a ${typeof value}; read as ${JSON.stringify(String(value))}`, 'warning');
    return String(value);
  }
  notes.park(field, value);
  notes.report(field, 'type', `${field} must be text, not ${describeValue(value)}; the value was kept in extensions.unknownKeys`);
  return undefined;
}

/**
 * A date or date-time → ISO 8601. A value that is not a date is kept verbatim and reported,
 * so the record still shows what the publisher wrote.
 */
export function readDate(notes: MappingNotes, field: string, value: unknown): string | undefined {
  const text = readText(notes, field, value);
  if (text === undefined || text === '') return text;
  const parsed = parseTaiwanDate(text, notes.context.timeZone);
  if (parsed !== null) return parsed.value;
  notes.report(field, 'date', `${field} could not be read as a date or date-time; kept as sent: ${JSON.stringify(text)}`);
  return text;
}

/** Keywords: an array of text; a single `a,b、c` string is split (and reported). */
export function readKeywords(notes: MappingNotes, field: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    const keywords = value
      .split(/[,，、;；]/)
      .map((keyword) => keyword.trim())
      .filter((keyword) => keyword !== '');
    notes.report(
      field,
      'normalise',
      `${field} should be an array of strings, not one string; split into ${keywords.length} keyword${keywords.length === 1 ? '' : 's'}: ${JSON.stringify(value)}`,
      'warning',
    );
    return keywords.length > 0 ? keywords : undefined;
  }
  if (!Array.isArray(value)) {
    notes.park(field, value);
    notes.report(field, 'type', `${field} must be an array of strings, not ${describeValue(value)}; the value was kept in extensions.unknownKeys`);
    return undefined;
  }
  const keywords: string[] = [];
  value.forEach((item: unknown, index) => {
    if (item === null || item === undefined) return;
    const keyword = readText(notes, `${field}[${index}]`, item);
    if (keyword !== undefined) keywords.push(keyword);
  });
  return keywords;
}

/**
 * A count (numberOfData, resourceAmount): numbers sent as strings (`"4600"`, `"4,600"`) are
 * read as numbers. A non-integer stays a number for validation to flag.
 */
export function readCount(notes: MappingNotes, field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const text = value
      .normalize('NFKC')
      .trim()
      .replace(/,(?=\d{3}\b)/g, '');
    if (text === '') {
      notes.report(field, 'normalise', `${field} was an empty string; read as absent`, 'warning');
      return undefined;
    }
    if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
      const count = Number(text);
      if (!Number.isInteger(count)) {
        notes.report(field, 'type', `${field} must be an integer: ${JSON.stringify(value)}`);
      }
      return count;
    }
  }
  notes.park(field, value);
  notes.report(field, 'type', `${field} must be an integer, not ${describeValue(value)}; the value was kept in extensions.unknownKeys`);
  return undefined;
}

/** The rejection of anything that is not a JSON object. */
export function notARecord(raw: unknown): MappingResult {
  return {
    ok: false,
    issues: [{ field: '', rule: 'type', message: `a record must be a JSON object, not ${describeValue(raw)}`, severity: 'error' }],
  };
}

/**
 * Identity needs an identifier and a title; without them a record cannot be stored, merged or
 * found, so it is rejected instead of flagged. Null when both are there.
 */
export function missingIdentity(identifier: unknown, title: unknown): MappingResult | null {
  const issues: ValidationIssue[] = [];
  for (const [field, value] of [
    ['identifier', identifier],
    ['title', title],
  ] as const) {
    if (typeof value !== 'string' || value.trim() === '') {
      const found = value === undefined ? 'it is missing' : `got ${describeValue(value)}`;
      issues.push({ field, rule: 'required', message: `${field} is required as a non-empty string; ${found}`, severity: 'error' });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : null;
}

/**
 * The cross-platform spec needs publisherOrgCode; it is the identifier's agency prefix, so
 * when absent it can be derived — but only from an identifier that has the standard's shape.
 */
export function derivePublisherOrgCode(record: NationalRecord, notes: MappingNotes): void {
  if (record.publisherOrgCode !== undefined || !IDENTIFIER_PATTERN.test(record.identifier)) return;
  record.publisherOrgCode = record.identifier.slice(0, 10);
  notes.report(
    'publisherOrgCode',
    'derived',
    `publisherOrgCode was absent; derived from the identifier's agency code: ${JSON.stringify(record.publisherOrgCode)}`,
    'warning',
  );
}

/** The mapped record with its normalisation issues followed by the standard's rule breaks. */
export function acceptedRecord(record: NationalRecord, notes: MappingNotes): MappingResult {
  if (Object.keys(notes.unknownKeys).length > 0) {
    record.extensions = { ...record.extensions, unknownKeys: { ...record.extensions?.unknownKeys, ...notes.unknownKeys } };
  }
  settleTextLanguages(record, notes.context);
  return { ok: true, record, issues: uniqueIssues([...notes.issues, ...validateNationalRecord(record)]) };
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${String(value)}`;
}

/**
 * The distribution list of a record, in either vocabulary: an array of resources (one resource
 * sent as a bare object is read as a one-element list, with a warning); anything else is parked
 * in extensions.unknownKeys with an error. `readOne` reads one resource in its vocabulary.
 */
export function readDistributionList(
  notes: MappingNotes,
  value: unknown,
  readOne: (path: string, item: Record<string, unknown>, index: number) => NationalDistribution,
): NationalDistribution[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) && !isPlainObject(value)) {
    notes.park('distribution', value);
    notes.report(
      'distribution',
      'type',
      `distribution must be an array of resources, not ${describeValue(value)}; the value was kept in extensions.unknownKeys`,
    );
    return undefined;
  }
  if (!Array.isArray(value)) {
    notes.report('distribution', 'type', 'distribution should be an array; the single object was read as one resource', 'warning');
  }
  const items: unknown[] = Array.isArray(value) ? value : [value];
  const distributions: NationalDistribution[] = [];
  items.forEach((item, index) => {
    const path = `distribution[${index}]`;
    if (!isPlainObject(item)) {
      notes.park(path, item);
      notes.report(path, 'type', `${path} must be an object, not ${describeValue(item)}; the value was kept in extensions.unknownKeys`);
      return;
    }
    distributions.push(readOne(path, item, index));
  });
  return distributions;
}

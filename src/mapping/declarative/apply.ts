/**
 * Applying a compiled mapping file to one record of a JSON catalogue API → the national record.
 *
 * Each national field takes what its rule's path reaches; constants fill what the record does
 * not say; then values are normalised the way every mapping does it (服務分類 labels → codes,
 * licence names → the canonical licence and URL, 更新頻率 → the standard's text, dates → ISO).
 * Whatever in the record no rule used goes to extensions.sourceExtras under the source's own
 * keys, unless the file says otherwise — nothing is dropped silently.
 */
import { TAIWAN_MAPPING_CONTEXT, type MappingContext } from '../context.js';
import { SERVICE_CATEGORIES } from '../../model/codelists.js';
import { normaliseFrequency } from '../../model/frequency.js';
import { normaliseLicense } from '../../model/license.js';
import type { MappingResult, NationalDistribution, NationalRecord } from '../../model/record.js';
import {
  GEN1_DATE_KEYS,
  MappingNotes,
  acceptedRecord,
  derivePublisherOrgCode,
  isPlainObject,
  missingIdentity,
  notARecord,
  readCount,
  readDate,
  readKeywords,
  readText,
} from '../record-fields.js';
import type { CompiledMapping, DistributionRule, FieldRule, MappedDistributionField, MappedField } from './mapping-file.js';
import { evaluate, withoutPaths, type ParsedPath, type PathSegment } from './path.js';
import { dateText, reach, scalarText, transformText } from './values.js';

const DATE_FIELDS = new Set<string>(GEN1_DATE_KEYS);
const CATEGORY_CODE_BY_LABEL = new Map(Object.entries(SERVICE_CATEGORIES).map(([code, label]) => [label, code]));
const COSTS: Readonly<Record<string, '免費' | '付費'>> = { 免費: '免費', free: '免費', 付費: '付費', paid: '付費' };

export function applyMapping(mapping: CompiledMapping, raw: unknown, context: MappingContext = TAIWAN_MAPPING_CONTEXT): MappingResult {
  if (!isPlainObject(raw)) return notARecord(raw);
  const notes = new MappingNotes(context);
  const text = (field: string, rule: FieldRule | undefined): string | undefined => fieldText(notes, field, rule, raw);

  const identifier = text('identifier', mapping.fields.get('identifier'));
  const title = text('title', mapping.fields.get('title'));
  const rejection = missingIdentity(identifier, title);
  if (rejection !== null) return rejection;
  const record: NationalRecord = { identifier: identifier as string, title: title as string };

  for (const [field, rule] of mapping.fields) {
    if (field === 'identifier' || field === 'title') continue;
    if (field === 'keyword') {
      const keywords = readKeywords(notes, 'keyword', keywordValues(rule, raw));
      if (keywords !== undefined && keywords.length > 0) record.keyword = keywords;
    } else if (field === 'numberOfData') {
      const count = readCount(notes, 'numberOfData', reach(raw, rule)[0]);
      if (count !== undefined) record.numberOfData = count;
    } else if (DATE_FIELDS.has(field)) {
      const date = readDate(notes, field, dateText(rule, reach(raw, rule)[0]));
      if (date !== undefined) record[field as (typeof GEN1_DATE_KEYS)[number]] = date;
    } else {
      const value = text(field, rule);
      if (value !== undefined && value !== '') record[field as Exclude<MappedField, 'keyword' | 'numberOfData' | (typeof GEN1_DATE_KEYS)[number]>] = value;
    }
  }
  for (const [field, value] of Object.entries(mapping.constants) as Array<[MappedField, string]>) {
    if ((record as unknown as Record<string, unknown>)[field] === undefined) (record as unknown as Record<string, unknown>)[field] = value;
  }
  normaliseCodedValues(record, notes);
  if (mapping.distribution !== undefined) {
    const distributions = readDistributions(notes, mapping.distribution, raw, record.identifier);
    if (distributions.length > 0) record.distribution = distributions;
  }

  record.extensions = { sourceVocabulary: 'mapped-json' };
  if (mapping.sourceExtras === 'unmapped') {
    const rest = withoutPaths(raw, [...usedPaths(mapping), ...mapping.ignore]);
    if (isPlainObject(rest)) record.extensions.sourceExtras = rest;
  }
  derivePublisherOrgCode(record, notes);
  return acceptedRecord(record, notes);
}

/** A text field: the values reached, each through the value map and template, joined. */
function fieldText(notes: MappingNotes, field: string, rule: FieldRule | undefined, raw: unknown): string | undefined {
  if (rule === undefined) return undefined;
  const values = reach(raw, rule);
  if (values.length === 0) return undefined;
  const texts: string[] = [];
  for (const value of values.flatMap((item) => (Array.isArray(item) ? (item as unknown[]) : [item]))) {
    const scalar = scalarText(value);
    if (scalar === undefined) {
      // An object where text belongs: readText parks it in unknownKeys and reports it.
      readText(notes, field, value);
      continue;
    }
    if (scalar !== '') texts.push(transformText(rule, scalar));
  }
  return texts.length > 0 ? texts.join(rule.join) : undefined;
}

function keywordValues(rule: FieldRule, raw: unknown): unknown {
  const values = reach(raw, rule).flatMap((item) => (Array.isArray(item) ? (item as unknown[]) : [item]));
  if (values.length === 0) return undefined;
  const separators = rule.split ? new RegExp(`[${rule.split.replace(/[\]\\^-]/g, '\\$&')}]`) : undefined;
  return values.flatMap((value) => {
    const text = scalarText(value);
    if (text === undefined) return [value];
    return (separators ? text.split(separators) : [text]).map((item) => transformText(rule, item.trim())).filter((item) => item !== '');
  });
}

/** The standard's written forms of coded values, whatever the platform wrote. */
function normaliseCodedValues(record: NationalRecord, notes: MappingNotes): void {
  if (record.categoryCode !== undefined) {
    const code = CATEGORY_CODE_BY_LABEL.get(record.categoryCode);
    if (code !== undefined) record.categoryCode = code;
  }
  if (record.license !== undefined) {
    const known = normaliseLicense(record.license);
    if (known === null) {
      notes.report('license', 'codelist', `license is not a licence we recognise; kept as sent: ${JSON.stringify(record.license)}`, 'warning');
    } else {
      record.license = known.name;
      if (record.licenseURL === undefined) record.licenseURL = known.url;
    }
  }
  if (record.cost !== undefined) {
    const key = record.cost.toLowerCase();
    if (Object.hasOwn(COSTS, key)) record.cost = COSTS[key] as string;
  }
  if (record.accrualPeriodicity !== undefined) {
    // Unknown text stays as written; validation reports that it is not in the standard's form.
    record.accrualPeriodicity = normaliseFrequency(record.accrualPeriodicity)?.text ?? record.accrualPeriodicity;
  }
}

function readDistributions(notes: MappingNotes, rule: DistributionRule, raw: unknown, identifier: string): NationalDistribution[] {
  const items: Array<(field: MappedDistributionField, fieldRule: FieldRule) => unknown[]> = [];
  if (rule.kind === 'objects') {
    for (const resource of evaluate(raw, rule.path)) {
      if (isPlainObject(resource)) items.push((_field, fieldRule) => reach(resource, fieldRule));
    }
  } else {
    const columns = new Map<MappedDistributionField, unknown[]>();
    for (const [field, fieldRule] of rule.fields) columns.set(field, parallelItems(reach(raw, fieldRule), rule.split));
    const lengths = [...columns.values()].map((column) => column.length).filter((length) => length > 0);
    if (new Set(lengths).size > 1) {
      notes.report(
        'distribution',
        'parallel-columns',
        `the parallel resource lists have different lengths (${lengths.join(', ')}); resources were paired by position`,
        'warning',
      );
    }
    const total = Math.max(0, ...lengths);
    for (let index = 0; index < total; index += 1) {
      items.push((field) => {
        const value = columns.get(field)?.[index];
        return value === undefined || value === null || value === '' ? [] : [value];
      });
    }
  }

  return items.map((valuesOf, index) => {
    const path = `distribution[${index}]`;
    const distribution: NationalDistribution = {};
    for (const [field, fieldRule] of rule.fields) {
      const values = valuesOf(field, fieldRule);
      if (values.length === 0) continue;
      if (field === 'resourceModified') {
        const date = readDate(notes, `${path}.resourceModified`, dateText(fieldRule, values[0]));
        if (date !== undefined) distribution.resourceModified = date;
        continue;
      }
      const texts = values.map(scalarText).filter((text): text is string => text !== undefined && text !== '');
      if (texts.length > 0) distribution[field] = texts.map((text) => transformText(fieldRule, text)).join(fieldRule.join);
      else readText(notes, `${path}.${field}`, values[0]);
    }
    if (distribution.resourceID === undefined) {
      // Most city APIs give resources no id of the standard's form; number them as gen-1 would.
      distribution.resourceID = `${identifier}-${String(index + 1).padStart(3, '0')}`;
      distribution.extensions = { resourceIDSynthesised: true };
    }
    return distribution;
  });
}

function parallelItems(values: unknown[], split: string | undefined): unknown[] {
  const flat = values.flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : [value]));
  if (split === undefined) return flat;
  return flat.flatMap((value) => (typeof value === 'string' ? value.split(split).map((item) => item.trim()) : [value]));
}

/** Every path a rule of the mapping reads: what is left of the record is its extras. */
function usedPaths(mapping: CompiledMapping): ParsedPath[] {
  const paths: ParsedPath[] = [...mapping.fields.values()].flatMap((rule) => rule.paths);
  const distribution = mapping.distribution;
  if (distribution?.kind === 'objects') {
    for (const rule of distribution.fields.values()) {
      for (const path of rule.paths) paths.push([...distribution.path, ...path] as PathSegment[]);
    }
  } else if (distribution?.kind === 'parallel') {
    for (const rule of distribution.fields.values()) paths.push(...rule.paths);
  }
  return paths;
}

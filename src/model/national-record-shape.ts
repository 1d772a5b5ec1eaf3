/**
 * The stored national record's shape as data: which fields NationalRecord (record.ts) has and of
 * which JSON type, for what reads the gateway's own stored form from outside as untrusted input
 * (a mirror reading another gateway's `national` form from GET /api/changes) and for the OpenAPI
 * description of that form.
 *
 * This is the record's structure, not the standard's rules: a stored record may break the
 * standard (kept and flagged, validate.ts says how) but never its types. The tables are checked
 * against the TypeScript types: a field added to NationalRecord, NationalDistribution or their
 * extensions without an entry here does not compile, nor does an entry for a field they lack.
 */
import type { DistributionExtensions, NationalDistribution, NationalRecord, RecordExtensions, SourceVocabulary } from './record.js';

/**
 * string, number, boolean; strings: an array of strings; json-object: an object of any JSON
 * values (a vocabulary's extras, depth-capped); the others are the nested parts below.
 */
export type FieldKind =
  'string' | 'number' | 'boolean' | 'strings' | 'json-object' | 'vocabulary' | 'distributions' | 'record-extensions' | 'distribution-extensions';

type Shape<T> = { readonly [K in keyof Required<T>]: FieldKind };

export const RECORD_FIELD_KINDS = {
  categoryCode: 'string',
  identifier: 'string',
  title: 'string',
  description: 'string',
  fieldDescription: 'string',
  type: 'string',
  license: 'string',
  licenseURL: 'string',
  cost: 'string',
  costURL: 'string',
  costLaw: 'string',
  organization: 'string',
  organizationContactName: 'string',
  organizationContactPhone: 'string',
  organizationContactEmail: 'string',
  publisher: 'string',
  publisherContactName: 'string',
  publisherContactPhone: 'string',
  publisherContactEmail: 'string',
  publisherOID: 'string',
  publisherOrgCode: 'string',
  accrualPeriodicity: 'string',
  temporalCoverageFrom: 'string',
  temporalCoverageTo: 'string',
  issued: 'string',
  modified: 'string',
  spatial: 'string',
  language: 'string',
  landingPage: 'string',
  keyword: 'strings',
  numberOfData: 'number',
  notes: 'string',
  distribution: 'distributions',
  extensions: 'record-extensions',
} as const satisfies Shape<NationalRecord>;

export const DISTRIBUTION_FIELD_KINDS = {
  resourceID: 'string',
  resourceDescription: 'string',
  format: 'string',
  characterSetCode: 'string',
  resourceModified: 'string',
  accessURL: 'string',
  downloadURL: 'string',
  metadataSourceOfData: 'string',
  extensions: 'distribution-extensions',
} as const satisfies Shape<NationalDistribution>;

export const RECORD_EXTENSION_KINDS = {
  datasetId: 'string',
  categoryTheme: 'string',
  categoryDataset: 'string',
  dataProvider: 'string',
  detectFrequency: 'string',
  dataQuality: 'string',
  sourceVocabulary: 'vocabulary',
  unknownKeys: 'json-object',
  sourceExtras: 'json-object',
  textLanguages: 'json-object',
} as const satisfies Shape<RecordExtensions>;

export const DISTRIBUTION_EXTENSION_KINDS = {
  resourceField: 'string',
  resourceAmount: 'number',
  resourceNotes: 'string',
  qcLevel: 'string',
  resourceIDSynthesised: 'boolean',
  textLanguages: 'json-object',
} as const satisfies Shape<DistributionExtensions>;

const VOCABULARY_SET = {
  gen1: true,
  gen2: true,
  'datagovtw-export': true,
  ckan: true,
  dcat: true,
  'dcat-us': true,
  'csw-dc': true,
  iso19139: true,
  'oai-dc': true,
  datacite: true,
  'mapped-json': true,
} as const satisfies Record<SourceVocabulary, true>;

export const SOURCE_VOCABULARIES = Object.keys(VOCABULARY_SET) as SourceVocabulary[];

export interface ShapeLimits {
  /** More distributions is refused (as a harvested record with more is). */
  maxDistributions: number;
  /** Deeper nesting inside a vocabulary's extras is refused: nothing the gateway stores nests so deep. */
  maxDepth: number;
}

export const DEFAULT_SHAPE_LIMITS: ShapeLimits = { maxDistributions: 10_000, maxDepth: 32 };

export type ShapeCheck = { ok: true; record: NationalRecord } | { ok: false; field: string; rule: string; message: string };

class ShapeFault extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Is `value` a stored national record: an object with a non-empty identifier and title, only
 * the fields NationalRecord has, each of its type? The first fault is returned with the path of
 * its field (`distribution[2].extensions.resourceAmount`). An accepted value is returned as it
 * is (the same object): what the other gateway stores is what is stored here.
 */
export function checkNationalRecordShape(value: unknown, limits: ShapeLimits = DEFAULT_SHAPE_LIMITS): ShapeCheck {
  try {
    const record = objectOf(value, '', 'the record');
    checkFields(record, RECORD_FIELD_KINDS, '', limits);
    for (const field of ['identifier', 'title'] as const) {
      const text = record[field];
      if (typeof text !== 'string' || text.trim() === '') throw new ShapeFault(field, 'required', `${field} is required as a non-empty string`);
    }
    return { ok: true, record: record as unknown as NationalRecord };
  } catch (err) {
    if (!(err instanceof ShapeFault)) throw err;
    return { ok: false, field: err.field, rule: err.rule, message: err.message };
  }
}

function checkFields(object: Record<string, unknown>, kinds: Readonly<Record<string, FieldKind>>, prefix: string, limits: ShapeLimits): void {
  for (const [key, value] of Object.entries(object)) {
    const path = `${prefix}${key}`;
    const kind = Object.hasOwn(kinds, key) ? kinds[key] : undefined;
    if (kind === undefined) {
      throw new ShapeFault(path, 'unknown-field', `${path} is not a field of the national record this gateway stores (an upstream of a newer version?)`);
    }
    checkValue(value, kind, path, limits);
  }
}

function checkValue(value: unknown, kind: FieldKind, path: string, limits: ShapeLimits): void {
  switch (kind) {
    case 'string':
    case 'number':
    case 'boolean':
      if (typeof value !== kind) throw typeFault(path, `a ${kind}`, value);
      return;
    case 'strings': {
      const items = arrayOf(value, path);
      items.forEach((item, index) => {
        if (typeof item !== 'string') throw typeFault(`${path}[${index}]`, 'a string', item);
      });
      return;
    }
    case 'vocabulary':
      if (typeof value !== 'string' || !(SOURCE_VOCABULARIES as string[]).includes(value)) {
        throw new ShapeFault(path, 'enum', `${path} must be one of ${SOURCE_VOCABULARIES.join(', ')}, got ${describeValue(value)}`);
      }
      return;
    case 'json-object':
      checkDepth(objectOf(value, path, path), path, 1, limits.maxDepth);
      return;
    case 'record-extensions':
      checkFields(objectOf(value, path, path), RECORD_EXTENSION_KINDS, `${path}.`, limits);
      return;
    case 'distribution-extensions':
      checkFields(objectOf(value, path, path), DISTRIBUTION_EXTENSION_KINDS, `${path}.`, limits);
      return;
    case 'distributions': {
      const items = arrayOf(value, path);
      if (items.length > limits.maxDistributions) {
        throw new ShapeFault(path, 'too-many', `the record has ${items.length} distributions, over the cap of ${limits.maxDistributions}`);
      }
      items.forEach((item, index) =>
        checkFields(objectOf(item, `${path}[${index}]`, `${path}[${index}]`), DISTRIBUTION_FIELD_KINDS, `${path}[${index}].`, limits),
      );
      return;
    }
  }
}

/** Any JSON below, nested at most `max` deep (counted from the extras object itself). */
function checkDepth(value: unknown, path: string, depth: number, max: number): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth > max) throw new ShapeFault(path, 'too-deep', `${path} nests deeper than ${max} levels`);
  for (const child of Array.isArray(value) ? value : Object.values(value)) checkDepth(child, path, depth + 1, max);
}

function objectOf(value: unknown, path: string, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw typeFault(path, 'an object', value, name);
  return value as Record<string, unknown>;
}

function arrayOf(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw typeFault(path, 'an array', value);
  return value;
}

function typeFault(path: string, expected: string, value: unknown, name = path): ShapeFault {
  return new ShapeFault(path, 'type', `${name} must be ${expected}, got ${describeValue(value)}`);
}

/** A short description of a value for a message (never the whole value: it may be huge). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

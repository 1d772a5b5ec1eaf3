/**
 * A pushed body → the national record, or the refusal that says which field is wrong.
 *
 * v1 bodies are gen-1 records (mapGen1), v2 bodies gen-2 records (mapGen2), exactly as a harvest
 * maps them. What differs is the bar: a harvest keeps a record that breaks the standard (flagged:
 * users still want to find it), while a push is the publisher at the keyboard, so any rule break
 * of severity `error` refuses the record with 400, naming the field in the keys the client sent
 * and the spec's code (ER0031 service category, ER0032 theme category, ER0030 any other field).
 * Warnings (a frequency written 每1日, a derived publisherOrgCode) are accepted and reported back.
 *
 * gen-2 has no key for some fields the standard requires (the parent organisation and its
 * contacts), derives licenseURL from its licence code, and makes `type` a platform field: a v2
 * body missing those is accepted, the gaps kept as the record's issues like a harvested record's.
 *
 * Ownership is checked before the standard: a body whose identifier (its agency prefix) or
 * publisherOrgCode is another publisher's is refused 403 whatever else is in it.
 */
import { mapGen1 } from '../mapping/gen1.js';
import { mapGen2 } from '../mapping/gen2.js';
import { isPlainObject } from '../mapping/record-fields.js';
import type { NationalRecord, ValidationIssue } from '../model/record.js';
import { DEFAULT_RECORD_LIMITS } from '../harvest/record-door.js';
import { checkUntrustedRecord } from '../model/untrusted-record.js';
import { canonicalIdentifier } from '../model/identifier.js';
import { PUSH_ERROR_CODES, PushError } from './push-errors.js';

export type PushVocabulary = 'gen1' | 'gen2';

export interface PushWarning {
  field: string;
  message: string;
}

export interface ReadPushedRecord {
  record: NationalRecord;
  /** The body as stored (verbatim, with the identifier filled in from the path when it had none). */
  payloadJson: string;
  /** Every issue of the record, kept with it as a harvested record's are. */
  issues: ValidationIssue[];
  warnings: PushWarning[];
}

export interface ReadOptions {
  vocabulary: PushVocabulary;
  /** The key's org code: the identifier's agency prefix and any publisherOrgCode must be it. */
  orgCode: string;
  /** PUT: the identifier the path names. The body may omit it; it may not name another. */
  identifier?: string | undefined;
  /** v2 PUT: the datasetId the path names; a datasetId in the body must be it. */
  datasetId?: string | undefined;
}

/** gen-2 keys that carry the platform's datasetId; the gateway assigns it, a body does not set it. */
const DATASET_ID_KEYS = ['datasetId', 'datasetid', 'datasetID'];

/** Required by the standard but absent from gen-2's vocabulary, or platform fields in it. */
const NOT_REQUIRED_OF_GEN2 = new Set(['organization', 'organizationContactName', 'organizationContactPhone', 'organizationContactEmail', 'licenseURL', 'type']);

/** gen-2's name for a national field, for messages to v2 clients. */
const GEN2_NAMES: Readonly<Record<string, string>> = {
  categoryCode: 'categoryService',
  accrualPeriodicity: 'updateFrequency',
  temporalCoverageFrom: 'coverageStartedDate',
  temporalCoverageTo: 'coverageEndedDate',
  issued: 'publishedDate',
  modified: 'modifiedDate',
  spatial: 'spatialCoverage',
  landingPage: 'relatedUrl',
  fieldDescription: 'distribution[].resourceField',
};
const GEN2_RESOURCE_NAMES: Readonly<Record<string, string>> = {
  format: 'resourceFormat',
  characterSetCode: 'resourceCharacterEncoding',
  downloadURL: 'resourceDownloadUrl',
  accessURL: 'resourceAccessUrl',
  resourceModified: 'resourceModifiedDate',
};

/** The theme category list is not published (docs/tw-standards.md §1.3): only its form, three digits, is checked. */
const THEME_CODE = /^\d{3}$/;

export function readPushedRecord(body: unknown, options: ReadOptions): ReadPushedRecord {
  if (!isPlainObject(body)) {
    throw new PushError(400, PUSH_ERROR_CODES.badRequest, 'the body must be one dataset record, a JSON object');
  }
  // The door, before anything reads the record field by field: nesting, array lengths, and ill-formed
  // Unicode, refused (not repaired, as a harvest does): the publisher is at the keyboard and can fix it.
  const checked = checkUntrustedRecord(body, { unicode: 'reject' });
  if (!checked.ok) {
    const { field, message } = checked.problem;
    throw new PushError(400, PUSH_ERROR_CODES.invalidRecord, message, undefined, field === '' ? undefined : field);
  }
  const payload: Record<string, unknown> = { ...body };
  const { identifier, recased } = readIdentifier(payload, options);
  checkOwnership(payload, identifier, options.orgCode);

  const mappable = { ...payload };
  if (options.vocabulary === 'gen2') {
    for (const key of DATASET_ID_KEYS) {
      const value = mappable[key];
      if (value === undefined) continue;
      if (options.datasetId !== undefined && String(value).trim() !== options.datasetId) {
        throw new PushError(
          400,
          PUSH_ERROR_CODES.invalidRecord,
          `${key} ${JSON.stringify(value)} is not the datasetId in the path (${options.datasetId}): it is the gateway's and cannot change`,
          identifier,
          key,
        );
      }
      // Assigned by the gateway (the v2 spec's system field), whatever the body says.
      delete mappable[key];
    }
  }

  const mapped = options.vocabulary === 'gen1' ? mapGen1(mappable) : mapGen2(mappable);
  if (!mapped.ok) {
    const first = mapped.issues[0];
    throw refusal(
      first ?? { field: '', rule: 'invalid', message: 'record rejected', severity: 'error' },
      mapped.issues.slice(1),
      options.vocabulary,
      identifier,
    );
  }
  const { record } = mapped;
  const issues = [...mapped.issues, ...themeIssues(record, options.vocabulary)];

  const distributions = record.distribution?.length ?? 0;
  if (distributions > DEFAULT_RECORD_LIMITS.maxDistributions) {
    throw new PushError(
      400,
      PUSH_ERROR_CODES.invalidRecord,
      `the record has ${distributions} distributions, over the cap of ${DEFAULT_RECORD_LIMITS.maxDistributions}`,
      identifier,
      'distribution',
    );
  }

  const blocking = issues.filter(
    (issue) => issue.severity === 'error' && !(options.vocabulary === 'gen2' && issue.rule === 'required' && NOT_REQUIRED_OF_GEN2.has(issue.field)),
  );
  if (blocking.length > 0) {
    const ordered = [...blocking].sort((a, b) => codeRank(a) - codeRank(b));
    throw refusal(ordered[0]!, ordered.slice(1), options.vocabulary, identifier);
  }
  const warnings = [
    ...(recased === undefined ? [] : [recased]),
    ...issues
      .filter((issue) => !blocking.includes(issue))
      .map((issue) => ({ field: clientField(issue.field, options.vocabulary), message: issue.severity === 'error' ? notInGen2(issue) : issue.message })),
  ];
  return { record, payloadJson: JSON.stringify(payload), issues, warnings };
}

/**
 * The identifier the body is for, in its canonical form (upper case: src/model/identifier.ts):
 * its own, or the path's filled in; never another than the path's, compared in that form. The
 * body is stored with the canonical form, and `recased` tells the client when it sent another.
 */
function readIdentifier(payload: Record<string, unknown>, options: ReadOptions): { identifier: string; recased: PushWarning | undefined } {
  const given = payload['identifier'];
  const text = typeof given === 'string' ? given.trim() : undefined;
  if (options.identifier !== undefined) {
    const pathIdentifier = canonicalIdentifier(options.identifier);
    if (given === undefined || given === null || text === '') {
      payload['identifier'] = pathIdentifier;
      return { identifier: pathIdentifier, recased: undefined };
    }
    if (text === undefined || canonicalIdentifier(text) !== pathIdentifier) {
      throw new PushError(
        400,
        PUSH_ERROR_CODES.invalidRecord,
        `the body's identifier ${JSON.stringify(given)} is not the dataset's (${pathIdentifier}): an identifier cannot be changed; DELETE the dataset and POST it under the new one`,
        pathIdentifier,
        'identifier',
      );
    }
    return canonicalised(payload, text);
  }
  if (text === undefined || text === '') {
    const found = given === undefined ? 'it is missing' : `got ${JSON.stringify(given)}`;
    throw new PushError(
      400,
      PUSH_ERROR_CODES.invalidRecord,
      `identifier is required as a non-empty string (機關代碼-流水號, e.g. A41000000G-000001); ${found}`,
      undefined,
      'identifier',
    );
  }
  return canonicalised(payload, text);
}

/** The body's identifier in canonical form, written back into the body when it differs. */
function canonicalised(payload: Record<string, unknown>, text: string): { identifier: string; recased: PushWarning | undefined } {
  const identifier = canonicalIdentifier(text);
  if (identifier === text) return { identifier, recased: undefined };
  payload['identifier'] = identifier;
  return {
    identifier,
    recased: {
      field: 'identifier',
      message: `identifier ${JSON.stringify(text)} is stored as ${identifier}: a national identifier's agency code is upper case, and identifiers differing only in case name one dataset`,
    },
  };
}

function checkOwnership(payload: Record<string, unknown>, identifier: string, orgCode: string): void {
  const prefix = identifier.split('-')[0]?.toUpperCase();
  if (prefix !== orgCode) {
    throw new PushError(
      403,
      PUSH_ERROR_CODES.otherPublisher,
      `this key writes the datasets of ${orgCode} (identifiers ${orgCode}-…); ${identifier} is not one of them`,
      identifier,
      'identifier',
    );
  }
  const claimed = payload['publisherOrgCode'];
  if (typeof claimed === 'string' && claimed.trim() !== '' && claimed.trim().toUpperCase() !== orgCode) {
    throw new PushError(
      403,
      PUSH_ERROR_CODES.otherPublisher,
      `publisherOrgCode ${JSON.stringify(claimed)} is another publisher's: this key writes for ${orgCode}`,
      identifier,
      'publisherOrgCode',
    );
  }
}

/** gen-2's theme category: three digits when given (ER0032). gen-1 has none. */
function themeIssues(record: NationalRecord, vocabulary: PushVocabulary): ValidationIssue[] {
  const theme = record.extensions?.categoryTheme;
  if (vocabulary !== 'gen2' || theme === undefined || THEME_CODE.test(theme)) return [];
  return [
    {
      field: 'extensions.categoryTheme',
      rule: 'pattern',
      message: `categoryTheme must be a three-digit 主題分類 code such as 001: ${JSON.stringify(theme)}`,
      severity: 'error',
    },
  ];
}

/** A required field a v2 body could not carry: accepted, and said so. */
function notInGen2(issue: ValidationIssue): string {
  return `${issue.field} is required by the national standard, but gen-2 has no key for it (or makes it a platform field): the record is served without it; send it under its gen-1 name to fill it`;
}

/** The spec's own codes first: a record with a bad category gets ER0031 whatever else is wrong. */
function codeRank(issue: ValidationIssue): number {
  if (issue.field === 'categoryCode') return 0;
  if (issue.field === 'extensions.categoryTheme') return 1;
  return 2;
}

/** Fields named in a refusal besides the first. */
const MAX_FIELDS_NAMED = 10;

function refusal(first: ValidationIssue, others: readonly ValidationIssue[], vocabulary: PushVocabulary, identifier: string | undefined): PushError {
  const code =
    first.field === 'categoryCode'
      ? PUSH_ERROR_CODES.badCategory
      : first.field === 'extensions.categoryTheme'
        ? PUSH_ERROR_CODES.badTheme
        : PUSH_ERROR_CODES.invalidRecord;
  const field = clientField(first.field, vocabulary);
  const otherFields = [...new Set(others.map((issue) => clientField(issue.field, vocabulary)).filter((name) => name !== field && name !== ''))];
  // A record with thousands of broken fields is told the first few, not every one of them.
  const also =
    otherFields.length > MAX_FIELDS_NAMED ? [...otherFields.slice(0, MAX_FIELDS_NAMED), `and ${otherFields.length - MAX_FIELDS_NAMED} more`] : otherFields;
  const named = field !== first.field && field !== '' ? ` (${field} in gen-2 keys)` : '';
  const message = `${first.message}${named}${also.length > 0 ? `; also to fix: ${also.join(', ')}` : ''}`;
  return new PushError(400, code, message, identifier, field === '' ? undefined : field);
}

/** A national record path in the keys the client sent: `distribution[0].downloadURL` → `distribution[0].resourceDownloadUrl` for gen-2. */
export function clientField(field: string, vocabulary: PushVocabulary): string {
  if (vocabulary === 'gen1') return field;
  const resource = /^(distribution\[\d+\])\.(?:extensions\.)?(\w+)$/.exec(field);
  if (resource) return `${resource[1]}.${GEN2_RESOURCE_NAMES[resource[2]!] ?? resource[2]}`;
  if (field.startsWith('extensions.')) return field.slice('extensions.'.length);
  return GEN2_NAMES[field] ?? field;
}

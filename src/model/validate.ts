/**
 * The national standard's rules over a normalised record → ValidationIssue[].
 *
 * The structural rules live in a JSON Schema (mappings/national-record.schema.json) so the API
 * can publish the same document in OpenAPI; this module compiles it once and turns ajv's
 * errors into messages a publisher can act on. Rules a schema cannot say well (the standard's
 * written forms of codes) are checked here in code.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { normaliseFrequency } from './frequency.js';
import { projectPath } from './project-root.js';
import type { IssueSeverity, NationalRecord, ValidationIssue } from './record.js';

export const NATIONAL_RECORD_SCHEMA_FILE = projectPath('mappings', 'national-record.schema.json');

/** The JSON Schema (draft 2020-12) of the canonical record, as published in OpenAPI. */
export const nationalRecordSchema: Readonly<Record<string, unknown>> = JSON.parse(readFileSync(NATIONAL_RECORD_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;

const SCHEMA_DEFS = (nationalRecordSchema['$defs'] ?? {}) as Readonly<Record<string, unknown>>;

// ajv-formats is CommonJS; under NodeNext its callable lives on `.default`.
const addFormats = addFormatsModule.default;

interface CompiledValidators {
  /** The whole schema; called with the record's distributions left out (validated one by one below). */
  record: ValidateFunction<NationalRecord>;
  distribution: ValidateFunction;
}

let compiled: CompiledValidators | undefined;

/**
 * The schema compiled at first use, not at import: compiling takes about half a second, and
 * every process that imports the mapping chain (each CLI verb, the push worker) would pay it at
 * start-up whether it validates anything or not.
 */
function validators(): CompiledValidators {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true });
    addFormats(ajv, ['date', 'date-time']);
    const record = ajv.compile<NationalRecord>(nationalRecordSchema);
    const distribution = ajv.getSchema(`${String(nationalRecordSchema['$id'])}#/$defs/distribution`);
    if (distribution === undefined) throw new Error(`${NATIONAL_RECORD_SCHEMA_FILE} has no $defs/distribution`);
    compiled = { record, distribution };
  }
  return compiled;
}

/**
 * The schema's issues for a record, linear in its size. Distributions are validated one by one:
 * ajv, collecting every error of an array whose items fail through a $ref, concatenates the
 * error list once per failing item, so a record of 20,000 broken distributions took 40 s. Once
 * MAX_ISSUES_PER_RECORD issues are described, further broken distributions are only counted.
 */
function schemaIssues(record: NationalRecord): ValidationIssue[] {
  const { record: validateRecord, distribution: validateDistribution } = validators();
  const distributions = Array.isArray(record.distribution) ? (record.distribution as unknown[]) : undefined;
  validateRecord(distributions === undefined ? record : { ...record, distribution: [] });
  const issues = describeErrors(validateRecord.errors ?? [], '');
  let uncounted = 0;
  distributions?.forEach((item, index) => {
    if (validateDistribution(item)) return;
    if (issues.length >= MAX_ISSUES_PER_RECORD) {
      uncounted += 1;
      return;
    }
    issues.push(...describeErrors(validateDistribution.errors ?? [], `/distribution/${index}`));
  });
  if (uncounted > 0) {
    issues.push(
      issue(
        'distribution',
        'more-issues',
        `${uncounted} more distributions break the standard's rules (not listed one by one): fix those listed and check the others alike`,
      ),
    );
  }
  return issues;
}

function describeErrors(errors: readonly ErrorObject[], instancePrefix: string): ValidationIssue[] {
  const described: ValidationIssue[] = [];
  for (const error of errors) {
    if (!isReportable(error)) continue;
    const found = describeSchemaError(instancePrefix === '' ? error : { ...error, instancePath: `${instancePrefix}${error.instancePath}` });
    if (found !== null) described.push(found);
  }
  return described;
}

const URL_FIELDS = new Set(['licenseURL', 'costURL', 'landingPage', 'accessURL', 'downloadURL', 'metadataSourceOfData']);
const EMAIL_FIELDS = new Set(['organizationContactEmail', 'publisherContactEmail']);
/** Cross-platform exchange keys: not in SPEC2015 itself, so a bad value is advisory. */
const EXCHANGE_KEYS = new Set(['publisherOID', 'publisherOrgCode']);

/** Every broken rule of the standard in a record; empty when the record conforms. */
export function validateNationalRecord(record: NationalRecord): ValidationIssue[] {
  return capIssues(uniqueIssues([...schemaIssues(record), ...writtenFormIssues(record)]));
}

/** Issues listed per record: a record with thousands of broken distributions is told what is wrong, not every instance of it. */
export const MAX_ISSUES_PER_RECORD = 100;

/** The first MAX_ISSUES_PER_RECORD issues, and one that counts the rest (an error when any of the rest is); counts made before are kept. */
function capIssues(issues: ValidationIssue[]): ValidationIssue[] {
  if (issues.length <= MAX_ISSUES_PER_RECORD) return issues;
  const counts = issues.filter((found) => found.rule === 'more-issues');
  const listed = issues.filter((found) => found.rule !== 'more-issues');
  const kept = listed.slice(0, MAX_ISSUES_PER_RECORD);
  const rest = listed.slice(MAX_ISSUES_PER_RECORD);
  if (rest.length > 0) {
    const severity: IssueSeverity = rest.some((found) => found.severity === 'error') ? 'error' : 'warning';
    kept.push(issue('', 'more-issues', `${rest.length} more issues of this record are not listed: fix those listed and validate again`, severity));
  }
  return [...kept, ...counts];
}

/** Keeps the first issue for each field + rule: one broken rule, one message. */
export function uniqueIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.field}\u0000${issue.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * `if` only says which branch failed, and the branches of an `anyOf` fail by design: their
 * parent's error (reported once, with a message for the whole rule) is the one that matters.
 */
function isReportable(error: ErrorObject): boolean {
  return error.keyword !== 'if' && !/(^|\/)anyOf\/\d+\//.test(error.schemaPath.replace(/^#/, ''));
}

function describeSchemaError(error: ErrorObject): ValidationIssue | null {
  const field = fieldPath(error.instancePath);
  const value: unknown = error.data;
  // The cost rule sits at the root schema, so its path is absolute.
  const underCostCondition = error.schemaPath.startsWith('#/then/');

  switch (error.keyword) {
    case 'required': {
      const missing = joinPath(field, String((error.params as { missingProperty: string }).missingProperty));
      return underCostCondition
        ? issue(missing, 'conditional', `${missing} is required when cost is 付費`)
        : issue(missing, 'required', `${missing} is required`);
    }
    case 'minLength':
      return underCostCondition
        ? issue(field, 'conditional', `${field} is required when cost is 付費 and must not be empty`)
        : issue(field, 'required', `${field} is required and must not be empty`);
    case 'maxLength': {
      const limit = (error.params as { limit: number }).limit;
      const length = typeof value === 'string' ? value.length : 0;
      return issue(field, 'maxLength', `${field} is ${length} characters long; the standard suggests at most ${limit}`, 'warning');
    }
    case 'type':
      return issue(field, 'type', `${field} must be ${article(String((error.params as { type: string }).type))}, not ${typeName(value)}`);
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
      return issue(field, 'enum', `${field} must be one of ${allowed}: ${quote(value)}`);
    }
    case 'pattern':
      return describePatternError(field, value, String((error.params as { pattern: string }).pattern));
    case 'anyOf':
      // Referenced schemas report paths relative to themselves, so which rule failed is told
      // by the schema object (ajv keeps the very objects it was given).
      if (error.parentSchema === SCHEMA_DEFS['isoDateOrDateTime']) {
        return issue(field, 'date', `${field} is not an ISO 8601 date (YYYY-MM-DD) or UTC date-time (YYYY-MM-DDThh:mm:ssZ): ${quote(value)}`);
      }
      if (error.parentSchema === SCHEMA_DEFS['distribution']) {
        return issue(field, 'required', `${field} has neither an accessURL nor a downloadURL; one of them is required`);
      }
      return issue(field, 'anyOf', `${field} ${error.message ?? 'does not match any allowed form'}`);
    case 'minItems': {
      const limit = (error.params as { limit: number }).limit;
      return issue(field, 'minItems', `${field} must have at least ${limit} item${limit === 1 ? '' : 's'}`);
    }
    case 'minimum':
      return issue(field, 'minimum', `${field} must be at least ${(error.params as { limit: number }).limit}: ${quote(value)}`);
    default:
      return issue(field, error.keyword, `${field || 'record'} ${error.message ?? 'is invalid'}`);
  }
}

function describePatternError(field: string, value: unknown, pattern: string): ValidationIssue {
  const name = leafName(field);
  if (URL_FIELDS.has(name)) return issue(field, 'url', `${field} is not an absolute http(s) URL: ${quote(value)}`);
  if (EMAIL_FIELDS.has(name)) {
    return issue(field, 'email', `${field} is not an email address or a comma-separated list of them: ${quote(value)}`);
  }
  if (name === 'identifier') {
    return issue(field, 'pattern', `identifier does not match 機關代碼(10)-流水號(6), e.g. A41000000G-000001: ${quote(value)}`);
  }
  if (name === 'publisherOID') {
    return issue(
      field,
      'pattern',
      `publisherOID does not look like an OID (numbers separated by dots, e.g. 2.16.886.101.20003.20069): ${quote(value)}`,
      'warning',
    );
  }
  if (name === 'publisherOrgCode') {
    return issue(field, 'pattern', `publisherOrgCode is not a 10-character agency code of letters and digits: ${quote(value)}`, 'warning');
  }
  const severity: IssueSeverity = EXCHANGE_KEYS.has(name) ? 'warning' : 'error';
  return issue(field, 'pattern', `${field} does not match ${pattern}: ${quote(value)}`, severity);
}

/** How the standard writes its codes: checks the schema leaves to code so messages can teach. */
function writtenFormIssues(record: NationalRecord): ValidationIssue[] {
  const issues: ValidationIssue[] = [];

  const periodicity = record.accrualPeriodicity;
  if (typeof periodicity === 'string' && periodicity !== '') {
    const canonical = normaliseFrequency(periodicity);
    if (canonical === null) {
      issues.push(
        issue(
          'accrualPeriodicity',
          'codelist',
          `accrualPeriodicity is not one frequency in the standard's form (每 + number + unit such as 每日 or 每10分鐘, 即時, 不定期); compound values are to be avoided: ${quote(periodicity)}`,
          'warning',
        ),
      );
    } else if (canonical.text !== periodicity) {
      issues.push(
        issue('accrualPeriodicity', 'codelist', `accrualPeriodicity ${quote(periodicity)} is written ${quote(canonical.text)} in the standard`, 'warning'),
      );
    }
  }

  (Array.isArray(record.distribution) ? record.distribution : []).forEach((distribution, index) => {
    const format = distribution?.format;
    // The standard's format list is written in capitals (CSV, SERVICES); "services" is the same code mistyped.
    if (typeof format === 'string' && format !== format.toUpperCase()) {
      issues.push(
        issue(
          `distribution[${index}].format`,
          'codelist',
          `distribution[${index}].format is written ${quote(format.toUpperCase())} in the standard: ${quote(format)}`,
          'warning',
        ),
      );
    }
  });

  return issues;
}

function issue(field: string, rule: string, message: string, severity: IssueSeverity = 'error'): ValidationIssue {
  return { field, rule, message, severity };
}

/** `/distribution/1/downloadURL` → `distribution[1].downloadURL`. */
function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : joinPath(path, segment)), '');
}

function joinPath(path: string, property: string): string {
  return path === '' ? property : `${path}.${property}`;
}

function leafName(field: string): string {
  return (
    field
      .replace(/\[\d+\]$/, '')
      .split('.')
      .pop() ?? field
  );
}

function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isInteger(value)) return `the non-integer ${value}`;
  return article(typeof value);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * What a harvest run and a mirror sync do to each record they receive, in this order, each step
 * bounded by what the one before checked:
 *
 * 1. `admitPayload`: the untrusted-record walk (depth, array lengths, Unicode: repaired and
 *    flagged), then serialising and hashing, then the size cap. Linear in the record's size, and
 *    nothing here walks an array element by element before its length was checked.
 * 2. (the caller compares the hash with the stored one: an unchanged record stops here)
 * 3. `mapAdmitted`: the mapping and the standard's validation, then the distribution cap.
 *
 * A refusal is `{ ok: false, field, rule, message }`, which the caller turns into a typed error of
 * its run naming the source and the record; the rest of the page goes on.
 */
import type { MappingResult, NationalRecord, ValidationIssue } from '../model/record.js';
import { isWellFormedString, toWellFormedString } from '../model/well-formed-string.js';
import { checkUntrustedRecord, DEFAULT_UNTRUSTED_RECORD_LIMITS, type UntrustedRecordLimits, type UntrustedRecordProblem } from '../model/untrusted-record.js';
import { contentHash } from '../store/records.js';

/** The door's caps: a harvest run and a mirror sync admit records with them; a push (src/push) is held to the same. */
export interface RecordLimits {
  /** A record whose JSON is larger is rejected (that record, not the run). */
  maxRecordBytes: number;
  /** A record with more distributions is rejected. */
  maxDistributions: number;
  /** Nesting depth and array lengths, checked before any other work on a record (src/model/untrusted-record.ts). */
  untrusted?: UntrustedRecordLimits;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = {
  maxRecordBytes: 5 * 1024 * 1024,
  maxDistributions: 10_000,
  untrusted: DEFAULT_UNTRUSTED_RECORD_LIMITS,
};

export interface RecordRefusal {
  ok: false;
  field: string | undefined;
  rule: string;
  message: string;
}

export interface AdmittedPayload {
  ok: true;
  /** The payload as it will be stored (a repaired copy when it had lone surrogates). */
  payload: unknown;
  payloadJson: string;
  hash: string;
  /** Fields whose ill-formed Unicode was repaired: flagged on the record. */
  repaired: readonly UntrustedRecordProblem[];
}

export interface MappedAdmitted {
  ok: true;
  record: NationalRecord;
  /** The mapping's issues, with the door's repairs first. */
  issues: ValidationIssue[];
  /** The issues of severity `error`: the record is kept and served, flagged with each. */
  ruleBreaks: ValidationIssue[];
}

/**
 * A record's native id must be well-formed Unicode: SQLite stores a lone surrogate as U+FFFD, so
 * an id with one would no longer match the row written under it (nor its errors, nor its keys).
 */
export function refuseNativeId(nativeId: string): RecordRefusal | undefined {
  if (isWellFormedString(nativeId)) return undefined;
  return refusal(
    'nativeId',
    'ill-formed-unicode',
    `the record's id ${JSON.stringify(toWellFormedString(nativeId))} (as repaired) contains a lone surrogate, which is not a character: the record cannot be stored under it`,
  );
}

export function admitPayload(payload: unknown, limits: RecordLimits, mappingSettings = ''): AdmittedPayload | RecordRefusal {
  const checked = checkUntrustedRecord(payload, { limits: limits.untrusted ?? DEFAULT_UNTRUSTED_RECORD_LIMITS, unicode: 'repair' });
  if (!checked.ok) return refusal(checked.problem.field || undefined, checked.problem.rule, checked.problem.message);
  const payloadJson = JSON.stringify(checked.value);
  const bytes = Buffer.byteLength(payloadJson);
  if (bytes > limits.maxRecordBytes) return refusal(undefined, 'too-large', `record is ${bytes} bytes, over the cap of ${limits.maxRecordBytes}`);
  return { ok: true, payload: checked.value, payloadJson, hash: contentHash(payloadJson, mappingSettings), repaired: checked.repaired };
}

export function mapAdmitted(admitted: AdmittedPayload, map: (payload: unknown) => MappingResult, limits: RecordLimits): MappedAdmitted | RecordRefusal {
  const result = map(admitted.payload);
  if (!result.ok) {
    const first = result.issues.find((issue) => issue.severity === 'error') ?? result.issues[0];
    return refusal(first?.field, first?.rule ?? 'invalid', first?.message ?? 'record rejected');
  }
  const distributions = result.record.distribution?.length ?? 0;
  if (distributions > limits.maxDistributions) {
    return refusal('distribution', 'too-many', `record has ${distributions} distributions, over the cap of ${limits.maxDistributions}`);
  }
  // Repaired at the door: served with U+FFFD where the source sent what is not a character, and flagged.
  const repairs: ValidationIssue[] = admitted.repaired.map((problem) => ({
    field: problem.field,
    rule: problem.rule,
    message: problem.message,
    severity: 'error',
  }));
  const issues = repairs.length === 0 ? result.issues : [...repairs, ...result.issues];
  return { ok: true, record: result.record, issues, ruleBreaks: issues.filter((issue) => issue.severity === 'error') };
}

function refusal(field: string | undefined, rule: string, message: string): RecordRefusal {
  return { ok: false, field, rule, message };
}

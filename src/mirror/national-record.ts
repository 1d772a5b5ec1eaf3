/**
 * The upstream's stored form of a dataset (a change's `national`, GET /api/changes) → the record
 * the mirror stores. No mapping: it is already a national record, and storing it as it is, is
 * what makes the mirror's served record, exports and DCAT views equal the upstream's (the gen-1
 * `record` has no place for data.gov.tw's datasetId, gen-2's categoryTheme and dataQuality,
 * resource fields, a foreign vocabulary's extras).
 *
 * It comes from another machine, so it is checked as a harvested payload is: its structure (only
 * NationalRecord's fields, each of its type, an identifier and a title, at most so many
 * distributions, extras nested at most so deep) or the record is rejected (an error of the run,
 * field `national.<path>`); then the standard's rules, whose breaks flag it, as a harvest flags a
 * record (the upstream serves it all the same). The size cap is the caller's, on its JSON.
 */
import type { MappingResult } from '../model/record.js';
import { checkNationalRecordShape, DEFAULT_SHAPE_LIMITS } from '../model/national-record-shape.js';
import { validateNationalRecord } from '../model/validate.js';

/** Where the run errors of a rejected `national` point: the change's field. */
export const NATIONAL_FIELD = 'national';

export function readNationalRecord(value: unknown, limits: { maxDistributions: number }): MappingResult {
  const shape = checkNationalRecordShape(value, { ...DEFAULT_SHAPE_LIMITS, maxDistributions: limits.maxDistributions });
  if (!shape.ok) {
    const field = shape.field === '' ? NATIONAL_FIELD : `${NATIONAL_FIELD}.${shape.field}`;
    return { ok: false, issues: [{ field, rule: shape.rule, message: `${NATIONAL_FIELD}: ${shape.message}`, severity: 'error' }] };
  }
  return { ok: true, record: shape.record, issues: validateNationalRecord(shape.record) };
}

/**
 * One entry point for Taiwan's national vocabulary: decides per record whether it speaks
 * gen-1 (SPEC2015 keys) or gen-2 (data.gov.tw API v2 keys) and maps it accordingly.
 */
import type { MappingResult } from '../model/record.js';
import { TAIWAN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { mapGen1 } from './gen1.js';
import { mapGen2 } from './gen2.js';
import { isPlainObject } from './record-fields.js';

/** Keys only gen-2 uses at dataset level (gen-1 never had them). */
const GEN2_DATASET_KEYS = [
  'datasetId',
  'datasetid',
  'categoryService',
  'updateFrequency',
  'modifiedDate',
  'publishedDate',
  'coverageStartedDate',
  'coverageEndedDate',
  'spatialCoverage',
  'relatedUrl',
];

/** Keys only gen-2 uses per resource. */
const GEN2_DISTRIBUTION_KEYS = [
  'resourceFormat',
  'resourceDownloadUrl',
  'resourceAccessUrl',
  'resourceCharacterEncoding',
  'resourceField',
  'resourceModifiedDate',
];

export type NationalVocabulary = 'gen1' | 'gen2';

export function detectNationalVocabulary(raw: unknown): NationalVocabulary {
  if (!isPlainObject(raw)) return 'gen1';
  const keys = new Set(Object.keys(raw).map((key) => key.trim()));
  if (GEN2_DATASET_KEYS.some((key) => keys.has(key))) return 'gen2';
  const distribution = raw['distribution'];
  const resources: unknown[] = Array.isArray(distribution) ? distribution : [distribution];
  const speaksGen2 = resources.some((resource) => isPlainObject(resource) && Object.keys(resource).some((key) => GEN2_DISTRIBUTION_KEYS.includes(key.trim())));
  return speaksGen2 ? 'gen2' : 'gen1';
}

/** A raw national record of either generation → the national record (non-objects are rejected). */
export function mapNationalRecord(raw: unknown, context: MappingContext = TAIWAN_MAPPING_CONTEXT): MappingResult {
  return detectNationalVocabulary(raw) === 'gen2' ? mapGen2(raw, context) : mapGen1(raw, context);
}

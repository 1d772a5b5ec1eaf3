import type { MappingResult } from '../model/record.js';
import type { MappingContext } from './context.js';
import { mapNationalRecord } from './detect.js';

/**
 * Mappings by record format: a connector names the format of what it yields and the
 * harvest run applies the matching mapping. New formats (CKAN, DCAT …) add an entry.
 */
export const MAPPERS = {
  /** Taiwan's national standard, gen-1 or gen-2 keys (detected per record). */
  'tw-national': mapNationalRecord,
} as const satisfies Record<string, (payload: unknown, context?: MappingContext) => MappingResult>;

export type RecordFormat = keyof typeof MAPPERS;

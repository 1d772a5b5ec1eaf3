/**
 * What a mapping needs to know of the source beyond the payload: the time zone its naive
 * date-times are written in and the language of its untagged text. Built per run from the
 * connector's defaults and the source's own settings (`timeZone`, `language`), and passed to
 * the mapping as an argument, never through globals (docs/architecture.md "Languages and time
 * zones").
 */
import type { SourceConfig } from '../config/types.js';
import { TAIPEI_TIME_ZONE } from '../model/dates.js';

export interface MappingContext {
  /** IANA zone of date-times that carry no offset. A value with its own offset is never shifted. */
  readonly timeZone: string;
  /**
   * BCP 47 tag of text the source did not tag itself; undefined: the source's language is not
   * known, and untagged text stays untagged (only the script is looked at).
   */
  readonly language?: string | undefined;
}

/** Taiwanese platforms (cross-platform API, data.gov.tw, city APIs, pushes): Taipei time, Traditional Chinese. */
export const TAIWAN_MAPPING_CONTEXT: MappingContext = Object.freeze({ timeZone: TAIPEI_TIME_ZONE, language: 'zh-Hant' });

/** Foreign vocabularies (CKAN, DCAT, DCAT-US, CSW, OAI-PMH): UTC, language unknown unless configured. */
export const FOREIGN_MAPPING_CONTEXT: MappingContext = Object.freeze({ timeZone: 'UTC' });

/** The context a source's records are mapped in: its own settings over its connector's defaults. */
export function mappingContextOf(source: Pick<SourceConfig, 'timeZone' | 'language'>, defaults: MappingContext): MappingContext {
  return Object.freeze({ timeZone: source.timeZone ?? defaults.timeZone, language: source.language ?? defaults.language });
}

/** The source's own mapping settings as part of its records' content hash; '' when it sets none. */
export function mappingSettingsOf(source: Pick<SourceConfig, 'timeZone' | 'language'>): string {
  return source.timeZone === undefined && source.language === undefined ? '' : JSON.stringify([source.timeZone ?? null, source.language ?? null]);
}

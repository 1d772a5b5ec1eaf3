/**
 * gen-1 record (SPEC2015 keys, as `GET /api/v1/rest/dataset/{identifier}` serves it) → the
 * national record. The keys are already the canonical ones, so the work is normalising values
 * and reporting what breaks the standard. Licence and frequency texts are the publisher's own
 * words and stay as written; only issues are reported about them.
 */
import { TAIWAN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { normaliseLicense } from '../model/license.js';
import type { MappingResult, NationalDistribution, NationalRecord } from '../model/record.js';
import {
  GEN1_DATE_KEYS,
  GEN1_DISTRIBUTION_TEXT_KEYS,
  GEN1_TEXT_KEYS,
  MappingNotes,
  acceptedRecord,
  derivePublisherOrgCode,
  isPlainObject,
  readCount,
  readDistributionList,
  readDate,
  readKeywords,
  readText,
  missingIdentity,
  notARecord,
  type Gen1DateKey,
  type Gen1DistributionTextKey,
  type Gen1TextKey,
} from './record-fields.js';

const TEXT_KEYS = new Set<string>(GEN1_TEXT_KEYS);
const DATE_KEYS = new Set<string>(GEN1_DATE_KEYS);
const DISTRIBUTION_TEXT_KEYS = new Set<string>(GEN1_DISTRIBUTION_TEXT_KEYS);

export function mapGen1(raw: unknown, context: MappingContext = TAIWAN_MAPPING_CONTEXT): MappingResult {
  if (!isPlainObject(raw)) return notARecord(raw);
  const rejection = missingIdentity(raw['identifier'], raw['title']);
  if (rejection !== null) return rejection;

  const notes = new MappingNotes(context);
  const record: NationalRecord = {
    identifier: String(raw['identifier']).trim(),
    title: String(raw['title']).trim(),
  };

  for (const [key, value] of Object.entries(raw)) {
    if (key === 'identifier' || key === 'title') continue;
    if (TEXT_KEYS.has(key)) {
      setIfPresent(record, key as Gen1TextKey, readText(notes, key, value));
    } else if (DATE_KEYS.has(key)) {
      setIfPresent(record, key as Gen1DateKey, readDate(notes, key, value));
    } else if (key === 'keyword') {
      const keywords = readKeywords(notes, key, value);
      if (keywords !== undefined) record.keyword = keywords;
    } else if (key === 'numberOfData') {
      const count = readCount(notes, key, value);
      if (count !== undefined) record.numberOfData = count;
    } else if (key === 'distribution') {
      const distributions = readDistributions(notes, value);
      if (distributions !== undefined) record.distribution = distributions;
    } else {
      notes.park(key, value);
    }
  }

  reportLicence(record, notes);
  derivePublisherOrgCode(record, notes);
  record.extensions = { sourceVocabulary: 'gen1' };
  return acceptedRecord(record, notes);
}

function readDistributions(notes: MappingNotes, value: unknown): NationalDistribution[] | undefined {
  return readDistributionList(notes, value, (path, item) => readDistribution(notes, path, item));
}

function readDistribution(notes: MappingNotes, path: string, item: Record<string, unknown>): NationalDistribution {
  const distribution: NationalDistribution = {};
  for (const [key, value] of Object.entries(item)) {
    const field = `${path}.${key}`;
    if (DISTRIBUTION_TEXT_KEYS.has(key)) {
      const text = readText(notes, field, value);
      if (text !== undefined) distribution[key as Gen1DistributionTextKey] = text;
    } else if (key === 'resourceModified') {
      const date = readDate(notes, field, value);
      if (date !== undefined) distribution.resourceModified = date;
    } else {
      notes.park(field, value);
    }
  }
  return distribution;
}

/**
 * The licence name is the publisher's text; say when we cannot tell which licence it names,
 * or when its URL points at another licence than the name.
 */
function reportLicence(record: NationalRecord, notes: MappingNotes): void {
  if (record.license === undefined || record.license === '') return;
  const named = normaliseLicense(record.license);
  if (named === null) {
    notes.report('license', 'codelist', `license is not a licence we recognise; kept as sent: ${JSON.stringify(record.license)}`, 'warning');
    return;
  }
  if (record.licenseURL === undefined || record.licenseURL === '') return;
  const linked = normaliseLicense(record.licenseURL);
  if (linked !== null && linked.url !== named.url) {
    notes.report(
      'licenseURL',
      'consistency',
      `licenseURL is the address of ${linked.name}, but license names ${named.name}: ${JSON.stringify(record.licenseURL)}`,
      'warning',
    );
  }
}

function setIfPresent<K extends Gen1TextKey | Gen1DateKey>(record: NationalRecord, key: K, value: string | undefined): void {
  if (value !== undefined) record[key] = value;
}

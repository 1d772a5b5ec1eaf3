/**
 * DCAT-US dataset (Project Open Data `data.json` 1.1, and DCAT-US 3.0 as data.gov's harvester
 * reads it) → the national record.
 *
 * 1.0, 1.1 and 3.0 differ in shape more than in meaning, so one mapping reads them all: 1.0's
 * contactPoint is the contact's name and its email the dataset's `mbox`; 3.0's identifier
 * may be an object (`{"@id"}` or `{"notation"}`), its contactPoint a list, its temporal a
 * PeriodOfTime object, its license an object with `@id`. What has no national field (accessLevel,
 * rights, bureauCode, programCode, theme, references, …) goes to `extensions.sourceExtras` under
 * its DCAT-US name.
 */
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { parseIsoInterval } from '../model/dates.js';
import { normaliseFrequency } from '../model/frequency.js';
import { normaliseLicense } from '../model/license.js';
import type { MappingResult, NationalDistribution, NationalRecord } from '../model/record.js';
import { formatOfMediaType } from '../model/formats.js';
import { isoLanguageCode, readForeignDate } from './ckan.js';
import {
  MappingNotes,
  acceptedRecord,
  derivePublisherOrgCode,
  describeValue,
  isPlainObject,
  missingIdentity,
  notARecord,
  readKeywords,
  readText,
} from './record-fields.js';

/** Dataset keys read into national fields; every other key is kept in sourceExtras. */
const MAPPED_KEYS = new Set([
  'identifier',
  'title',
  'description',
  'keyword',
  'modified',
  'issued',
  'publisher',
  'contactPoint',
  'mbox',
  'license',
  'spatial',
  'temporal',
  'accrualPeriodicity',
  'language',
  'landingPage',
  'distribution',
  '@type',
]);

/** Distribution keys read into national fields. */
const DISTRIBUTION_MAPPED_KEYS = new Set(['downloadURL', 'accessURL', 'format', 'mediaType', 'title', 'description', '@type']);

/** The dataset's native id as the connector and the mapping both read it (null when it has none). */
export function dcatUsIdentifier(dataset: Record<string, unknown>): string | null {
  const value = dataset['identifier'];
  const text = isPlainObject(value) ? (value['@id'] ?? value['notation']) : value;
  return typeof text === 'string' && text.trim() !== '' ? text.trim() : null;
}

export function mapDcatUsDataset(raw: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT): MappingResult {
  if (!isPlainObject(raw)) return notARecord(raw);
  const identifier = dcatUsIdentifier(raw);
  const rejection = missingIdentity(identifier ?? raw['identifier'], raw['title']);
  if (rejection !== null) return rejection;

  const notes = new MappingNotes(context);
  const record: NationalRecord = { identifier: identifier!, title: String(raw['title']).trim() };
  const sourceExtras: Record<string, unknown> = {};
  // An identifier object carries more than the id (schemaAgency, version): keep it whole.
  if (isPlainObject(raw['identifier'])) sourceExtras['identifier'] = raw['identifier'];

  setText(record, 'description', readText(notes, 'description', raw['description']));
  const keywords = readKeywords(notes, 'keyword', raw['keyword']);
  if (keywords !== undefined && keywords.length > 0) record.keyword = keywords;
  readModified(notes, raw['modified'], record, sourceExtras);
  setText(record, 'issued', readForeignDate(notes, 'issued', raw['issued']));
  readPublisher(notes, raw['publisher'], record, sourceExtras);
  readContactPoint(notes, raw['contactPoint'], record, sourceExtras);
  readMbox(notes, raw['mbox'], record, sourceExtras);
  readLicence(notes, raw['license'], record, sourceExtras);
  readSpatial(notes, raw['spatial'], record, sourceExtras);
  readTemporal(notes, raw['temporal'], record, sourceExtras);
  readFrequency(notes, raw['accrualPeriodicity'], record);
  readLanguages(raw['language'], record, sourceExtras);
  setText(record, 'landingPage', readText(notes, 'landingPage', raw['landingPage']));
  const distributions = readDistributions(notes, raw['distribution'], record.identifier, sourceExtras);
  if (distributions !== undefined) record.distribution = distributions;

  for (const [key, value] of Object.entries(raw)) {
    if (MAPPED_KEYS.has(key) || value === undefined || value === null) continue;
    sourceExtras[key] = value;
  }

  derivePublisherOrgCode(record, notes);
  record.extensions = { sourceVocabulary: 'dcat-us', ...(Object.keys(sourceExtras).length > 0 ? { sourceExtras } : {}) };
  return acceptedRecord(record, notes);
}

/**
 * `modified` is a date or date-time, but DCAT-US 1.1 also allows a repeating duration (`R/P1W`:
 * "changes every week"): that is a frequency, read as accrualPeriodicity when the dataset has
 * none, and kept as sent in sourceExtras.
 */
function readModified(notes: MappingNotes, value: unknown, record: NationalRecord, sourceExtras: Record<string, unknown>): void {
  if (typeof value === 'string' && /^R\d*\/P/i.test(value.trim())) {
    sourceExtras['modified'] = value;
    const frequency = normaliseFrequency(value);
    notes.report(
      'modified',
      'normalise',
      `modified is a repeating duration, not a date; kept in sourceExtras${frequency ? ` and read as the update frequency ${frequency.text}` : ''}: ${JSON.stringify(value)}`,
      'warning',
    );
    if (frequency) record.accrualPeriodicity = frequency.text;
    return;
  }
  setText(record, 'modified', readForeignDate(notes, 'modified', value));
}

/**
 * publisher.name → publisher; the first subOrganizationOf → organization (上級機關, the parent
 * agency); the whole chain of names, nearest first, → sourceExtras.publisherHierarchy.
 */
function readPublisher(notes: MappingNotes, value: unknown, record: NationalRecord, sourceExtras: Record<string, unknown>): void {
  if (value === undefined || value === null) return;
  if (!isPlainObject(value)) {
    setText(record, 'publisher', readText(notes, 'publisher', value));
    return;
  }
  const chain: string[] = [];
  let organisation: unknown = value;
  // A bounded walk: a publisher that names itself as its own parent must not loop forever.
  for (let depth = 0; isPlainObject(organisation) && depth < 20; depth += 1) {
    const name = organisation['name'] ?? organisation['prefLabel'];
    if (typeof name === 'string' && name.trim() !== '') chain.push(name.trim());
    organisation = organisation['subOrganizationOf'];
  }
  if (chain[0] !== undefined) record.publisher = chain[0];
  if (chain[1] !== undefined) record.organization = chain[1];
  if (chain.length > 2) sourceExtras['publisherHierarchy'] = chain;
}

/**
 * contactPoint (one vCard, or a list in 3.0; POD 1.0: the contact's name as text) → publisher
 * contact; further contacts stay as extras.
 */
function readContactPoint(notes: MappingNotes, value: unknown, record: NationalRecord, sourceExtras: Record<string, unknown>): void {
  if (value === undefined || value === null) return;
  const contacts = Array.isArray(value) ? value : [value];
  const first: unknown = contacts[0];
  if (typeof first === 'string') {
    setText(record, 'publisherContactName', readText(notes, 'publisherContactName', first));
    if (contacts.length > 1) sourceExtras['contactPoint'] = contacts.slice(1);
    return;
  }
  if (!isPlainObject(first)) {
    notes.park('contactPoint', value);
    notes.report('publisherContactName', 'type', `contactPoint must be a vCard object, not ${describeValue(first)}; kept in extensions.unknownKeys`);
    return;
  }
  setText(record, 'publisherContactName', readText(notes, 'publisherContactName', first['fn']));
  const email = readText(notes, 'publisherContactEmail', first['hasEmail']);
  if (email !== undefined) record.publisherContactEmail = email.replace(/^mailto:/i, '');
  const phone = first['hasTelephone'];
  const phoneText: unknown = isPlainObject(phone) ? (phone['value'] ?? phone['hasValue']) : Array.isArray(phone) ? (phone as unknown[])[0] : phone;
  const phoneValue = readText(notes, 'publisherContactPhone', phoneText);
  if (phoneValue !== undefined) record.publisherContactPhone = phoneValue.replace(/^tel:/i, '');
  if (contacts.length > 1) sourceExtras['contactPoint'] = contacts.slice(1);
}

/**
 * POD 1.0's dataset-level `mbox` (the contact's email; 1.1 moved it into contactPoint.hasEmail)
 * → publisherContactEmail when the vCard gave none; one that differs from the vCard's is kept in
 * sourceExtras as sent.
 */
function readMbox(notes: MappingNotes, value: unknown, record: NationalRecord, sourceExtras: Record<string, unknown>): void {
  if (value === undefined || value === null) return;
  if (record.publisherContactEmail !== undefined) {
    const same = typeof value === 'string' && value.trim().replace(/^mailto:/i, '') === record.publisherContactEmail;
    if (!same) sourceExtras['mbox'] = value;
    return;
  }
  const email = readText(notes, 'publisherContactEmail', value);
  if (email !== undefined) record.publisherContactEmail = email.replace(/^mailto:/i, '');
}

/** license (a URL; in 3.0 possibly `{"@id": URL}`) → license + licenseURL. */
function readLicence(notes: MappingNotes, value: unknown, record: NationalRecord, sourceExtras: Record<string, unknown>): void {
  if (value === undefined || value === null) return;
  const text = readText(notes, 'license', isPlainObject(value) ? (value['@id'] ?? value['url'] ?? value['title']) : value);
  if (isPlainObject(value)) sourceExtras['license'] = value;
  if (text === undefined || text === '') return;
  const known = normaliseLicense(text);
  const isUrl = /^https?:\/\//i.test(text);
  if (known) {
    record.license = known.name;
    // A licence given as a URL is served as the source wrote it; the canonical URL only fills a gap.
    record.licenseURL = isUrl ? text : known.url;
    return;
  }
  record.license = text;
  if (isUrl) record.licenseURL = text;
  notes.report('license', 'codelist', `license is not a licence we recognise; kept as sent: ${JSON.stringify(text)}`, 'warning');
}

/** spatial: a place name, a bounding box or GeoJSON text stays text; an object (3.0 Location) is kept as an extra. */
function readSpatial(notes: MappingNotes, value: unknown, record: NationalRecord, sourceExtras: Record<string, unknown>): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string') {
    setText(record, 'spatial', readText(notes, 'spatial', value));
    return;
  }
  sourceExtras['spatial'] = value;
  notes.report('spatial', 'normalise', `spatial is ${describeValue(value)}, not text; kept in sourceExtras`, 'warning');
}

/** temporal `start/end` (ISO 8601 interval, partial dates kept as such) or 3.0 `{startDate, endDate}`. */
function readTemporal(notes: MappingNotes, value: unknown, record: NationalRecord, sourceExtras: Record<string, unknown>): void {
  if (value === undefined || value === null || value === '') return;
  const period: unknown = Array.isArray(value) && value.length === 1 ? (value as unknown[])[0] : value;
  if (isPlainObject(period)) {
    setText(record, 'temporalCoverageFrom', readForeignDate(notes, 'temporalCoverageFrom', period['startDate']));
    setText(record, 'temporalCoverageTo', readForeignDate(notes, 'temporalCoverageTo', period['endDate']));
    return;
  }
  const interval = typeof period === 'string' ? parseIsoInterval(period, notes.context.timeZone) : null;
  if (interval === null) {
    sourceExtras['temporal'] = value;
    notes.report(
      'temporalCoverageFrom',
      'date',
      `temporal could not be read as an ISO 8601 interval start/end; kept in sourceExtras: ${JSON.stringify(value)}`,
      'warning',
    );
    return;
  }
  if (interval.start) record.temporalCoverageFrom = interval.start.value;
  if (interval.end) record.temporalCoverageTo = interval.end.value;
}

function readFrequency(notes: MappingNotes, value: unknown, record: NationalRecord): void {
  const text = readText(notes, 'accrualPeriodicity', value);
  if (text === undefined || text === '') return;
  // A frequency we cannot read stays as sent; validation says it is not in the standard's form.
  record.accrualPeriodicity = normaliseFrequency(text)?.text ?? text;
}

/** language: a list of tags (`en-US`); the record has one language, the list is kept when longer. */
function readLanguages(value: unknown, record: NationalRecord, sourceExtras: Record<string, unknown>): void {
  if (value === undefined || value === null) return;
  const tags = (Array.isArray(value) ? value : [value]).filter((tag): tag is string => typeof tag === 'string' && tag.trim() !== '');
  if (tags.length === 0) return;
  const code = isoLanguageCode(tags[0]!);
  record.language = code ?? tags[0]!.trim();
  if (tags.length > 1 || code !== tags[0]) sourceExtras['language'] = value;
}

function readDistributions(notes: MappingNotes, value: unknown, identifier: string, sourceExtras: Record<string, unknown>): NationalDistribution[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items: unknown[] = Array.isArray(value) ? value : [value];
  const distributions: NationalDistribution[] = [];
  const leftovers: Array<Record<string, unknown>> = [];
  items.forEach((item, index) => {
    const path = `distribution[${index}]`;
    if (!isPlainObject(item)) {
      notes.park(path, item);
      notes.report(path, 'type', `${path} must be an object, not ${describeValue(item)}; kept in extensions.unknownKeys`);
      return;
    }
    // DCAT-US distributions have no id: the standard's identifier-NNN form keeps them addressable.
    const resourceID = `${identifier}-${String(index + 1).padStart(3, '0')}`;
    distributions.push(readDistribution(notes, path, item, resourceID));
    const rest: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(item)) {
      if (!DISTRIBUTION_MAPPED_KEYS.has(key) && field !== undefined && field !== null) rest[key] = field;
    }
    if (typeof item['mediaType'] === 'string') rest['mediaType'] = item['mediaType'];
    if (Object.keys(rest).length > 0) leftovers.push({ resourceID, ...rest });
  });
  if (leftovers.length > 0) sourceExtras['distribution'] = leftovers;
  return distributions;
}

function readDistribution(notes: MappingNotes, path: string, item: Record<string, unknown>, resourceID: string): NationalDistribution {
  const distribution: NationalDistribution = { resourceID, extensions: { resourceIDSynthesised: true } };
  const title = readText(notes, `${path}.resourceDescription`, item['title']);
  const description = readText(notes, `${path}.resourceDescription`, item['description']);
  if (title) {
    distribution.resourceDescription = title;
    if (description && description !== title) distribution.extensions!.resourceNotes = description;
  } else if (description) {
    distribution.resourceDescription = description;
  }

  let format = readText(notes, `${path}.format`, item['format']);
  if (!format && typeof item['mediaType'] === 'string') {
    const derived = formatOfMediaType(item['mediaType']);
    if (derived !== undefined) {
      format = derived;
      notes.report(
        `${path}.format`,
        'derived',
        `${path}.format was absent; derived from the mediaType ${JSON.stringify(item['mediaType'])}: ${format}`,
        'warning',
      );
    }
  }
  if (format) distribution.format = format;

  setText(distribution, 'downloadURL', readText(notes, `${path}.downloadURL`, item['downloadURL']));
  setText(distribution, 'accessURL', readText(notes, `${path}.accessURL`, item['accessURL']));
  return distribution;
}

function setText<T extends object, K extends keyof T>(target: T, key: K, value: string | undefined): void {
  if (value !== undefined) target[key] = value as T[K];
}

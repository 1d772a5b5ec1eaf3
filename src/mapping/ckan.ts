/**
 * CKAN package (Action API `package_show` / `package_search` result, CKAN 2.8–2.11) → the
 * national record.
 *
 * CKAN's core fields map one to one where the standard has a field; `extras` (a key/value list)
 * and the custom fields of a site's schema (data.gov.uk's `contact-email`, …) map where the key
 * is one of the well-known ones (frequency, spatial, temporal, language, contacts) and otherwise
 * go to `extensions.sourceExtras` under the source's own key, so nothing is dropped silently.
 *
 * CKAN writes its timestamps (`metadata_modified`, a resource's `last_modified`) in UTC without
 * an offset: they are read as UTC, never as Taipei local time.
 */
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { IDENTIFIER_PATTERN } from '../model/codelists.js';
import { parseDateOrPartial, parseTaiwanDate } from '../model/dates.js';
import { normaliseFrequency } from '../model/frequency.js';
import { normaliseLicense } from '../model/license.js';
import type { MappingResult, NationalDistribution, NationalRecord } from '../model/record.js';
import { formatOfMediaType } from '../model/formats.js';
import { MappingNotes, acceptedRecord, derivePublisherOrgCode, describeValue, isPlainObject, missingIdentity, notARecord, readText } from './record-fields.js';

/** Package keys read into national fields (or deliberately not kept: see NOT_KEPT). */
const MAPPED_KEYS = new Set([
  'id',
  'title',
  'name',
  'notes',
  'organization',
  'owner_org',
  'maintainer',
  'maintainer_email',
  'url',
  'tags',
  'license_id',
  'license_title',
  'license_url',
  'metadata_created',
  'metadata_modified',
  'resources',
  'extras',
]);

/**
 * CKAN's own bookkeeping, not metadata about the dataset: counts it derives, revision and user
 * ids, and the state/visibility the connector has already acted on.
 */
const NOT_KEPT = new Set(['revision_id', 'creator_user_id', 'num_tags', 'num_resources', 'state', 'private', 'isopen']);

/** Keys (package fields or extras; compared lower-cased, `-` as `_`) with a national field. */
const FREQUENCY_KEYS = ['frequency', 'accrual_periodicity', 'accrualperiodicity', 'update_frequency', 'frequency_of_update'];
const SPATIAL_KEYS = ['spatial', 'spatial_text'];
const TEMPORAL_FROM_KEYS = ['temporal_start', 'temporal_coverage_from', 'temporal_from', 'temporalcoveragefrom'];
const TEMPORAL_TO_KEYS = ['temporal_end', 'temporal_coverage_to', 'temporal_to', 'temporalcoverageto'];
const LANGUAGE_KEYS = ['language', 'dataset_language'];
const CONTACT_NAME_KEYS = ['contact_name', 'contact_point_name', 'contactpointname'];
const CONTACT_EMAIL_KEYS = ['contact_email', 'contact_point_email', 'contactpointemail'];
const CONTACT_PHONE_KEYS = ['contact_phone', 'contact_point_phone', 'maintainer_phone'];
/** Where a Taiwanese CKAN keeps the national identifier (A41000000G-000001), when it does. */
const IDENTIFIER_KEYS = ['identifier', 'dataset_identifier', 'national_identifier'];

/** Resource formats (and CKAN resource types) that name a service or a page, not a file. */
const ACCESS_FORMATS = new Set([
  'api',
  'services',
  'service',
  'webservice',
  'web service',
  'rest',
  'esri rest',
  'arcgis geoservices rest api',
  'ogc api',
  'wms',
  'wfs',
  'wmts',
  'wcs',
  'sparql',
  'html',
]);
const ACCESS_RESOURCE_TYPES = new Set(['api', 'service']);

/** Resource keys read into national fields, and resource bookkeeping not kept. */
const RESOURCE_MAPPED_KEYS = new Set(['id', 'name', 'description', 'format', 'url', 'mimetype', 'last_modified', 'created']);
const RESOURCE_NOT_KEPT = new Set(['package_id', 'revision_id', 'position', 'state']);

export function mapCkanPackage(raw: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT): MappingResult {
  if (!isPlainObject(raw)) return notARecord(raw);
  const notes = new MappingNotes(context);
  const extras = readExtras(notes, raw['extras']);
  // Package fields and extras are looked up alike: sites put the same keys in either place.
  const lookup = new FieldLookup(raw, extras);

  const nationalId = lookup.first(IDENTIFIER_KEYS);
  const nationalIdText = typeof nationalId?.value === 'string' ? nationalId.value.trim() : undefined;
  const identifier = nationalIdText !== undefined && IDENTIFIER_PATTERN.test(nationalIdText) ? nationalIdText : raw['id'];
  const titleValue = typeof raw['title'] === 'string' && raw['title'].trim() !== '' ? raw['title'] : raw['name'];
  const rejection = missingIdentity(identifier, titleValue);
  if (rejection !== null) return rejection;
  if (titleValue !== raw['title']) {
    notes.report('title', 'normalise', `the package has no title; its name was used: ${JSON.stringify(titleValue)}`, 'warning');
  }
  if (identifier === nationalIdText) lookup.consume(nationalId!.key);

  const record: NationalRecord = { identifier: String(identifier).trim(), title: String(titleValue).trim() };
  const sourceExtras: Record<string, unknown> = {};
  if (identifier !== raw['id'] && typeof raw['id'] === 'string') sourceExtras['id'] = raw['id'];
  // The name is the package's URL slug: kept unless it had to stand in for the title.
  if (typeof raw['name'] === 'string' && titleValue !== raw['name']) sourceExtras['name'] = raw['name'];

  setText(record, 'description', readText(notes, 'description', raw['notes']));
  readOrganization(notes, raw['organization'], record, sourceExtras);
  setText(record, 'publisherContactName', readText(notes, 'publisherContactName', raw['maintainer']));
  setText(record, 'publisherContactEmail', readText(notes, 'publisherContactEmail', raw['maintainer_email']));
  setText(record, 'landingPage', readText(notes, 'landingPage', raw['url']));
  readTags(notes, raw['tags'], record);
  readLicence(notes, raw, record, sourceExtras);
  setText(record, 'issued', readUtcTimestamp(notes, 'issued', raw['metadata_created']));
  setText(record, 'modified', readUtcTimestamp(notes, 'modified', raw['metadata_modified']));

  // Well-known keys, from the package itself or its extras.
  const contactName = lookup.take(CONTACT_NAME_KEYS);
  if (record.publisherContactName === undefined || record.publisherContactName === '') {
    setText(record, 'publisherContactName', readSingleText(notes, 'publisherContactName', contactName?.value));
  } else if (contactName) lookup.keep(contactName);
  const contactEmail = lookup.take(CONTACT_EMAIL_KEYS);
  if (record.publisherContactEmail === undefined || record.publisherContactEmail === '') {
    setText(record, 'publisherContactEmail', readSingleText(notes, 'publisherContactEmail', contactEmail?.value));
  } else if (contactEmail) lookup.keep(contactEmail);
  setText(record, 'publisherContactPhone', readSingleText(notes, 'publisherContactPhone', lookup.take(CONTACT_PHONE_KEYS)?.value));
  readFrequency(notes, lookup.take(FREQUENCY_KEYS)?.value, record);
  setText(record, 'spatial', readSingleText(notes, 'spatial', lookup.take(SPATIAL_KEYS)?.value));
  setText(record, 'temporalCoverageFrom', readForeignDate(notes, 'temporalCoverageFrom', singleValue(lookup.take(TEMPORAL_FROM_KEYS)?.value)));
  setText(record, 'temporalCoverageTo', readForeignDate(notes, 'temporalCoverageTo', singleValue(lookup.take(TEMPORAL_TO_KEYS)?.value)));
  readLanguage(notes, lookup.take(LANGUAGE_KEYS)?.value, record);

  const distributions = readResources(notes, raw['resources'], sourceExtras);
  if (distributions !== undefined) record.distribution = distributions;

  for (const [key, value] of Object.entries(raw)) {
    if (MAPPED_KEYS.has(key) || NOT_KEPT.has(key) || lookup.consumed.has(key) || isEmpty(value)) continue;
    if (key === 'type' && value === 'dataset') continue;
    sourceExtras[key] = value;
  }
  for (const [key, value] of extras) {
    if (lookup.consumed.has(`extras:${key}`)) continue;
    sourceExtras[Object.hasOwn(sourceExtras, key) ? `extras:${key}` : key] = value;
  }

  derivePublisherOrgCode(record, notes);
  record.extensions = { sourceVocabulary: 'ckan', ...(Object.keys(sourceExtras).length > 0 ? { sourceExtras } : {}) };
  return acceptedRecord(record, notes);
}

/**
 * One lookup over the package's own fields and its extras. Keys compare lower-cased with `-`
 * read as `_` (`contact-email` = `contact_email`). What is taken is not kept again as an extra.
 */
class FieldLookup {
  /** Package keys and `extras:`-prefixed extra keys that a national field took. */
  readonly consumed = new Set<string>();

  /**
   * The package's non-empty fields, then its extras, in their order, with canonical keys: built
   * once per package, since some thirty national fields are looked up in it.
   */
  private readonly entries: ReadonlyArray<{ canonical: string; key: string; value: unknown }>;

  constructor(raw: Record<string, unknown>, extras: ReadonlyMap<string, unknown>) {
    const entries: Array<{ canonical: string; key: string; value: unknown }> = [];
    for (const [key, value] of Object.entries(raw)) if (!isEmpty(value)) entries.push({ canonical: canonicalKey(key), key, value });
    for (const [key, value] of extras) if (!isEmpty(value)) entries.push({ canonical: canonicalKey(key), key: `extras:${key}`, value });
    this.entries = entries;
  }

  first(candidates: readonly string[]): { key: string; value: unknown } | undefined {
    for (const entry of this.entries) if (candidates.includes(entry.canonical)) return { key: entry.key, value: entry.value };
    return undefined;
  }

  take(candidates: readonly string[]): { key: string; value: unknown } | undefined {
    const found = this.first(candidates);
    if (found) this.consume(found.key);
    return found;
  }

  consume(key: string): void {
    this.consumed.add(key);
  }

  /** Give a taken value back: it had no field to go to, so it stays an extra. */
  keep(found: { key: string }): void {
    this.consumed.delete(found.key);
  }
}

function canonicalKey(key: string): string {
  return key.trim().toLowerCase().replace(/-/g, '_');
}

function readExtras(notes: MappingNotes, value: unknown): Map<string, unknown> {
  const extras = new Map<string, unknown>();
  if (value === undefined || value === null) return extras;
  if (isPlainObject(value)) {
    // Some sites (and CKAN 1.x) send extras as an object.
    for (const [key, extra] of Object.entries(value)) extras.set(key, extra);
    return extras;
  }
  if (!Array.isArray(value)) {
    notes.park('extras', value);
    notes.report('extras', 'type', `extras must be a list of {key, value}, not ${describeValue(value)}; kept in extensions.unknownKeys`);
    return extras;
  }
  value.forEach((item: unknown, index) => {
    if (isPlainObject(item) && typeof item['key'] === 'string') {
      if (!isEmpty(item['value'])) extras.set(item['key'], item['value']);
    } else {
      notes.park(`extras[${index}]`, item);
      notes.report(`extras[${index}]`, 'type', `extras[${index}] is not {key, value}; kept in extensions.unknownKeys`);
    }
  });
  return extras;
}

/** organization.title → publisher; the organisation's id and name stay as extras. */
function readOrganization(notes: MappingNotes, value: unknown, record: NationalRecord, sourceExtras: Record<string, unknown>): void {
  if (value === undefined || value === null) return;
  if (!isPlainObject(value)) {
    notes.park('organization', value);
    notes.report('publisher', 'type', `organization must be an object, not ${describeValue(value)}; kept in extensions.unknownKeys`);
    return;
  }
  const title = typeof value['title'] === 'string' && value['title'].trim() !== '' ? value['title'] : value['name'];
  setText(record, 'publisher', readText(notes, 'publisher', title));
  const kept: Record<string, unknown> = {};
  for (const key of ['id', 'name']) if (!isEmpty(value[key])) kept[key] = value[key];
  if (Object.keys(kept).length > 0) sourceExtras['organization'] = kept;
}

/** tags[].display_name (or name; plain strings too) → keyword. */
function readTags(notes: MappingNotes, value: unknown, record: NationalRecord): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    notes.park('tags', value);
    notes.report('keyword', 'type', `tags must be a list, not ${describeValue(value)}; kept in extensions.unknownKeys`);
    return;
  }
  const keywords: string[] = [];
  value.forEach((tag: unknown, index) => {
    const text = isPlainObject(tag) ? (tag['display_name'] ?? tag['name']) : tag;
    const keyword = readText(notes, `keyword[${index}]`, text);
    if (keyword !== undefined && keyword !== '' && !keywords.includes(keyword)) keywords.push(keyword);
  });
  if (keywords.length > 0) record.keyword = keywords;
}

/**
 * license_title / license_id / license_url → license + licenseURL. A licence we recognise (in
 * any of its spellings) gets its canonical name, and its canonical URL when the site gave none;
 * otherwise the site's title (or id) stays as sent. license_url is always kept as the site wrote
 * it, and so is license_id: it is the site's code for the licence.
 */
function readLicence(notes: MappingNotes, raw: Record<string, unknown>, record: NationalRecord, sourceExtras: Record<string, unknown>): void {
  const id = readText(notes, 'license', raw['license_id']);
  const title = readText(notes, 'license', raw['license_title']);
  const url = readText(notes, 'licenseURL', raw['license_url']);
  if (id !== undefined && id !== '') sourceExtras['license_id'] = id;
  const known = [url, id, title].map((text) => (text ? normaliseLicense(text) : null)).find((license) => license !== null);
  if (known) {
    record.license = known.name;
    // The site's license_url, as it wrote it, wins: the canonical URL only fills a gap.
    record.licenseURL = url || known.url;
    return;
  }
  setText(record, 'license', title || id);
  setText(record, 'licenseURL', url);
  if (record.license) {
    notes.report('license', 'codelist', `license is not a licence we recognise; kept as sent: ${JSON.stringify(record.license)}`, 'warning');
  }
}

function readFrequency(notes: MappingNotes, value: unknown, record: NationalRecord): void {
  const text = readSingleText(notes, 'accrualPeriodicity', value);
  if (text === undefined || text === '') return;
  const normalised = normaliseFrequency(text);
  // A frequency we cannot read stays as sent; validation says it is not the standard's form.
  record.accrualPeriodicity = normalised?.text ?? text;
}

function readLanguage(notes: MappingNotes, value: unknown, record: NationalRecord): void {
  const text = readSingleText(notes, 'language', value);
  if (text === undefined || text === '') return;
  const code = isoLanguageCode(text);
  if (code !== null && code !== text) {
    notes.report('language', 'normalise', `language ${JSON.stringify(text)} was read as the ISO 639-1 code ${JSON.stringify(code)}`, 'warning');
  }
  record.language = code ?? text;
}

/**
 * A language tag or name → ISO 639-1 (`en-US` → `en`, `eng` → `en`, `zh-TW` → `zh`); null when
 * unknown. The standard's record has one language; shared with the DCAT-US mapping.
 */
export function isoLanguageCode(text: string): string | null {
  const key = text.trim().toLowerCase().replace(/_/g, '-');
  const primary = key.split('-')[0] ?? '';
  if (/^[a-z]{2}$/.test(primary)) return primary;
  return Object.hasOwn(ISO_639_2, primary) ? ISO_639_2[primary]! : Object.hasOwn(LANGUAGE_NAMES, key) ? LANGUAGE_NAMES[key]! : null;
}

const ISO_639_2: Readonly<Record<string, string>> = {
  eng: 'en',
  zho: 'zh',
  chi: 'zh',
  jpn: 'ja',
  fra: 'fr',
  fre: 'fr',
  deu: 'de',
  ger: 'de',
  rus: 'ru',
  spa: 'es',
  por: 'pt',
  ara: 'ar',
};

const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  english: 'en',
  chinese: 'zh',
  中文: 'zh',
  繁體中文: 'zh',
  英文: 'en',
  japanese: 'ja',
  french: 'fr',
  german: 'de',
  spanish: 'es',
};

/** resources[] → distribution[]; what a resource has beyond the standard goes to sourceExtras.resources. */
function readResources(notes: MappingNotes, value: unknown, sourceExtras: Record<string, unknown>): NationalDistribution[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    notes.park('resources', value);
    notes.report('distribution', 'type', `resources must be a list, not ${describeValue(value)}; kept in extensions.unknownKeys`);
    return undefined;
  }
  const distributions: NationalDistribution[] = [];
  const leftovers: Array<Record<string, unknown>> = [];
  value.forEach((resource: unknown, index) => {
    const path = `distribution[${index}]`;
    if (!isPlainObject(resource)) {
      notes.park(path, resource);
      notes.report(path, 'type', `resources[${index}] must be an object, not ${describeValue(resource)}; kept in extensions.unknownKeys`);
      return;
    }
    distributions.push(readResource(notes, path, resource));
    const rest: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(resource)) {
      if (RESOURCE_MAPPED_KEYS.has(key) || RESOURCE_NOT_KEPT.has(key) || isEmpty(item)) continue;
      rest[key] = item;
    }
    if (!isEmpty(resource['mimetype'])) rest['mimetype'] = resource['mimetype'];
    if (!isEmpty(resource['created']) && !isEmpty(resource['last_modified'])) rest['created'] = resource['created'];
    if (Object.keys(rest).length > 0) leftovers.push({ id: resource['id'], ...rest });
  });
  if (leftovers.length > 0) sourceExtras['resources'] = leftovers;
  return distributions;
}

function readResource(notes: MappingNotes, path: string, resource: Record<string, unknown>): NationalDistribution {
  const distribution: NationalDistribution = {};
  const id = readText(notes, `${path}.resourceID`, resource['id']);
  if (id !== undefined && id !== '') distribution.resourceID = id;

  const name = readText(notes, `${path}.resourceDescription`, resource['name']);
  const description = readText(notes, `${path}.resourceDescription`, resource['description']);
  if (name) {
    distribution.resourceDescription = name;
    // The name is the short description the standard asks for; a longer text is the resource's notes.
    if (description && description !== name) distribution.extensions = { resourceNotes: description };
  } else if (description) {
    distribution.resourceDescription = description;
  }

  let format = readText(notes, `${path}.format`, resource['format']);
  if (!format) {
    const fromMimetype = formatOfMediaType(resource['mimetype']);
    if (fromMimetype !== undefined) {
      format = fromMimetype;
      notes.report(
        `${path}.format`,
        'derived',
        `${path}.format was empty; derived from the mimetype ${JSON.stringify(resource['mimetype'])}: ${format}`,
        'warning',
      );
    }
  }
  if (format) distribution.format = format;

  const url = readText(notes, `${path}.downloadURL`, resource['url']);
  if (url) {
    const isAccess =
      ACCESS_FORMATS.has((format ?? '').trim().toLowerCase()) || ACCESS_RESOURCE_TYPES.has(String(resource['resource_type'] ?? '').toLowerCase());
    if (isAccess) distribution.accessURL = url;
    else distribution.downloadURL = url;
  }

  const modified = isEmpty(resource['last_modified']) ? resource['created'] : resource['last_modified'];
  setText(distribution, 'resourceModified', readUtcTimestamp(notes, `${path}.resourceModified`, modified));
  return distribution;
}

/**
 * CKAN's naive timestamps (`2020-03-18T04:48:27.035267`) are UTC: an offset-less date-time
 * gets a `Z` before it is read, so it is never taken for Taipei time. Dates and values with an
 * offset read as they are.
 */
export function readUtcTimestamp(notes: MappingNotes, field: string, value: unknown): string | undefined {
  const text = readText(notes, field, value);
  if (text === undefined || text === '') return text;
  const utc = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const parsed = parseTaiwanDate(utc);
  if (parsed !== null) return parsed.value;
  notes.report(field, 'date', `${field} could not be read as a date or date-time; kept as sent: ${JSON.stringify(text)}`);
  return text;
}

/**
 * A date in a foreign record: full dates and date-times (with offset, or Taipei when without
 * one, as parseTaiwanDate reads them) and partial dates (`2018-05`, `2018`) kept at their
 * precision. Unreadable values are kept verbatim and reported.
 */
export function readForeignDate(notes: MappingNotes, field: string, value: unknown): string | undefined {
  const text = readText(notes, field, value);
  if (text === undefined || text === '') return text;
  const parsed = parseDateOrPartial(text, notes.context.timeZone);
  if (parsed !== null) return parsed.value;
  notes.report(field, 'date', `${field} could not be read as a date or date-time; kept as sent: ${JSON.stringify(text)}`);
  return text;
}

/** Text from a value that may be a one-element list (data.gov.uk sends `["2015-01-01"]`). */
function readSingleText(notes: MappingNotes, field: string, value: unknown): string | undefined {
  return readText(notes, field, singleValue(value));
}

function singleValue(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

function setText<T extends object, K extends keyof T>(target: T, key: K, value: string | undefined): void {
  if (value !== undefined) target[key] = value as T[K];
}

/**
 * gen-2 record (data.gov.tw API v2 vocabulary, docs/tw-standards.md §1.3, §1.7, §3.2) → the
 * national record. gen-2 renames keys, codes some values (`license: "1"`, `cost: "free"`),
 * moves field descriptions and row counts to the resources, and has no resource ids; what the
 * standard lacks goes to named extensions.
 *
 * Unlike gen-1, coded values are rewritten into the standard's text: a code is not the
 * publisher's wording, it is the platform's encoding of one of the standard's values.
 */
import { TAIWAN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { SERVICE_CATEGORIES } from '../model/codelists.js';
import { normaliseFrequency } from '../model/frequency.js';
import { normaliseLicense } from '../model/license.js';
import type { DistributionExtensions, MappingResult, NationalDistribution, NationalRecord, RecordExtensions } from '../model/record.js';
import {
  MappingNotes,
  acceptedRecord,
  derivePublisherOrgCode,
  describeValue,
  isPlainObject,
  missingIdentity,
  notARecord,
  readCount,
  readDistributionList,
  readDate,
  readKeywords,
  readText,
  type Gen1DateKey,
  type Gen1DistributionTextKey,
  type Gen1TextKey,
} from './record-fields.js';

/** National key ← gen-2 key, then the gen-1 key as a fallback (mixed records exist). */
const TEXT_FIELDS: ReadonlyArray<readonly [Gen1TextKey, ...string[]]> = [
  ['categoryCode', 'categoryService', 'categoryCode'],
  ['description', 'description'],
  ['fieldDescription', 'fieldDescription'],
  ['type', 'type'],
  ['licenseURL', 'licenseURL'],
  ['costURL', 'costURL'],
  ['costLaw', 'costLaw'],
  ['organization', 'organization'],
  ['organizationContactName', 'organizationContactName'],
  ['organizationContactPhone', 'organizationContactPhone'],
  ['organizationContactEmail', 'organizationContactEmail'],
  ['publisher', 'publisher'],
  ['publisherContactName', 'publisherContactName'],
  ['publisherContactPhone', 'publisherContactPhone'],
  ['publisherContactEmail', 'publisherContactEmail'],
  ['publisherOrgCode', 'publisherOrgCode'],
  ['spatial', 'spatialCoverage', 'spatial'],
  ['language', 'language'],
  ['landingPage', 'relatedUrl', 'landingPage'],
  ['notes', 'notes'],
];

const DATE_FIELDS: ReadonlyArray<readonly [Gen1DateKey, ...string[]]> = [
  ['temporalCoverageFrom', 'coverageStartedDate', 'temporalCoverageFrom'],
  ['temporalCoverageTo', 'coverageEndedDate', 'temporalCoverageTo'],
  ['issued', 'publishedDate', 'issued'],
  ['modified', 'modifiedDate', 'modified'],
];

const TEXT_EXTENSIONS = ['categoryTheme', 'categoryDataset', 'dataProvider', 'detectFrequency', 'dataQuality'] as const;

const DISTRIBUTION_TEXT_FIELDS: ReadonlyArray<readonly [Gen1DistributionTextKey, ...string[]]> = [
  ['resourceDescription', 'resourceDescription'],
  ['format', 'resourceFormat', 'format'],
  ['characterSetCode', 'resourceCharacterEncoding', 'characterSetCode'],
  ['accessURL', 'resourceAccessUrl', 'accessURL'],
  ['downloadURL', 'resourceDownloadUrl', 'downloadURL'],
  ['metadataSourceOfData', 'metadataSourceOfData'],
];

/** gen-2 cost codes, compacted (lower case, no spaces). Only `free` is documented. */
const FREE_COSTS = new Set(['free', '免費', 'nocharge', '不收費']);
const PAID_COSTS = new Set(['paid', '付費', '收費', 'charge', 'charged', 'fee', 'nonfree', 'pay']);

const CATEGORY_CODE_BY_LABEL = new Map(Object.entries(SERVICE_CATEGORIES).map(([code, label]) => [label, code]));

export function mapGen2(raw: unknown, context: MappingContext = TAIWAN_MAPPING_CONTEXT): MappingResult {
  if (!isPlainObject(raw)) return notARecord(raw);
  const source = new SourceFields(raw);
  const notes = new MappingNotes(context);

  const datasetId = readDatasetId(notes, source.take('datasetId', 'datasetid', 'datasetID'));
  const identifierValue = source.take('identifier');
  const titleValue = source.take('title');
  const hasIdentifier = typeof identifierValue === 'string' && identifierValue.trim() !== '';
  const identifier = hasIdentifier || datasetId === undefined ? identifierValue : datasetId;
  const rejection = missingIdentity(identifier, titleValue);
  if (rejection !== null) return rejection;
  if (!hasIdentifier) {
    notes.report('identifier', 'derived', `identifier is missing; the data.gov.tw datasetId ${JSON.stringify(datasetId)} stands in for it`, 'warning');
  }

  const record: NationalRecord = { identifier: String(identifier).trim(), title: String(titleValue).trim() };
  for (const [key, ...names] of TEXT_FIELDS) {
    const text = readText(notes, key, source.take(...names));
    if (text !== undefined) record[key] = text;
  }
  for (const [key, ...names] of DATE_FIELDS) {
    const date = readDate(notes, key, source.take(...names));
    if (date !== undefined) record[key] = date;
  }
  readCategory(record, notes);
  readLicense(record, notes, source.take('license'));
  readCost(record, notes, source.take('cost'));
  readPublisherOid(record, notes, source.take('publisherOID'));
  readFrequency(record, notes, source.take('updateFrequency', 'accrualPeriodicity'));

  const keywords = readKeywords(notes, 'keyword', source.take('keyword'));
  if (keywords !== undefined) record.keyword = keywords;
  const count = readCount(notes, 'numberOfData', source.take('numberOfData'));
  if (count !== undefined) record.numberOfData = count;

  const distributions = readDistributions(notes, source.take('distribution'), record.identifier);
  if (distributions !== undefined) {
    record.distribution = distributions;
    liftResourceFacts(record, distributions);
  }

  const extensions: RecordExtensions = { sourceVocabulary: 'gen2' };
  if (datasetId !== undefined) extensions.datasetId = datasetId;
  for (const name of TEXT_EXTENSIONS) {
    const text = readText(notes, `extensions.${name}`, source.take(name));
    if (text !== undefined) extensions[name] = text;
  }
  record.extensions = extensions;

  for (const [key, value] of source.leftovers()) notes.park(key, value);
  derivePublisherOrgCode(record, notes);
  return acceptedRecord(record, notes);
}

/**
 * Raw keys looked up by their trimmed name, since published examples carry typos such as
 * `"resourceAmount "`; whatever no lookup consumed is what no vocabulary we know defines.
 */
class SourceFields {
  private readonly byName = new Map<string, { key: string; value: unknown }>();
  private readonly consumed = new Set<string>();

  constructor(private readonly raw: Record<string, unknown>) {
    for (const [key, value] of Object.entries(raw)) {
      const name = key.trim();
      if (!this.byName.has(name)) this.byName.set(name, { key, value });
    }
  }

  /** The first of these names with a value; all of them count as consumed. */
  take(...names: string[]): unknown {
    let found: unknown;
    for (const name of names) {
      const entry = this.byName.get(name);
      if (entry === undefined) continue;
      this.consumed.add(entry.key);
      if (found === undefined && entry.value !== undefined && entry.value !== null) found = entry.value;
    }
    return found;
  }

  leftovers(): Array<[string, unknown]> {
    return Object.entries(this.raw).filter(([key]) => !this.consumed.has(key));
  }
}

function readDatasetId(notes: MappingNotes, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  notes.park('datasetId', value);
  notes.report(
    'extensions.datasetId',
    'type',
    `datasetId must be a number or a non-empty string, not ${describeValue(value)}; the value was kept in extensions.unknownKeys`,
  );
  return undefined;
}

/** Exports and the front API give the 服務分類 label (投資理財) where the code (800) belongs. */
function readCategory(record: NationalRecord, notes: MappingNotes): void {
  const category = record.categoryCode;
  if (category === undefined) return;
  const code = CATEGORY_CODE_BY_LABEL.get(category);
  if (code === undefined) return;
  record.categoryCode = code;
  notes.report('categoryCode', 'normalise', `categoryCode was the label ${JSON.stringify(category)}; read as its code ${code}`, 'warning');
}

function readLicense(record: NationalRecord, notes: MappingNotes, value: unknown): void {
  const text = readText(notes, 'license', value);
  if (text === undefined) return;
  const known = text === '' ? null : normaliseLicense(text);
  if (known === null) {
    record.license = text;
    if (text !== '') {
      notes.report('license', 'codelist', `license is not a licence code or name we recognise; kept as sent: ${JSON.stringify(text)}`, 'warning');
    }
    return;
  }
  record.license = known.name;
  // A licenseURL the publisher gave wins: it may point at a translation or a local copy.
  if (record.licenseURL === undefined || record.licenseURL === '') record.licenseURL = known.url;
}

function readCost(record: NationalRecord, notes: MappingNotes, value: unknown): void {
  const text = readText(notes, 'cost', value);
  if (text === undefined) return;
  const code = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-_]/g, '');
  if (FREE_COSTS.has(code)) {
    record.cost = '免費';
  } else if (PAID_COSTS.has(code)) {
    record.cost = '付費';
  } else {
    record.cost = text;
    notes.report('cost', 'enum', `cost must be 免費 or 付費 (gen-2 free / paid); kept as sent: ${JSON.stringify(text)}`);
  }
}

/** Write payloads join OID and agency name: `"2.16.886.101.20003.20082 | 數位部"`. */
function readPublisherOid(record: NationalRecord, notes: MappingNotes, value: unknown): void {
  const text = readText(notes, 'publisherOID', value);
  if (text === undefined) return;
  const [oid = '', ...nameParts] = text.split(/[|｜]/);
  record.publisherOID = oid.trim();
  const name = nameParts.join('|').trim();
  if (name !== '' && (record.publisher === undefined || record.publisher === '')) record.publisher = name;
}

/** updateFrequency is text (`"每日"`) or `{ regularupdate, Frequency, unittime }`. */
function readFrequency(record: NationalRecord, notes: MappingNotes, value: unknown): void {
  if (value === undefined || value === null) return;
  const normalised = normaliseFrequency(value);
  if (normalised !== null) {
    record.accrualPeriodicity = normalised.text;
    return;
  }
  if (typeof value === 'string') {
    // Unknown text stays as written; validation reports that it is not in the standard's form.
    record.accrualPeriodicity = value.trim();
    return;
  }
  notes.park('updateFrequency', value);
  notes.report(
    'accrualPeriodicity',
    'normalise',
    `updateFrequency could not be read as a frequency; the value was kept in extensions.unknownKeys: ${JSON.stringify(value)}`,
  );
}

function readDistributions(notes: MappingNotes, value: unknown, identifier: string): NationalDistribution[] | undefined {
  // gen-2 resources have no ids: number them in order, as gen-1's resourceID would.
  return readDistributionList(notes, value, (path, item, index) => readDistribution(notes, path, item, `${identifier}-${String(index + 1).padStart(3, '0')}`));
}

function readDistribution(notes: MappingNotes, path: string, item: Record<string, unknown>, synthesisedId: string): NationalDistribution {
  const source = new SourceFields(item);
  const distribution: NationalDistribution = {};
  const extensions: DistributionExtensions = {};

  const resourceID = readText(notes, `${path}.resourceID`, source.take('resourceID'));
  if (resourceID !== undefined && resourceID !== '') {
    distribution.resourceID = resourceID;
  } else {
    // gen-2 resources have no ids; the standard's form identifier-NNN keeps them addressable.
    distribution.resourceID = synthesisedId;
    extensions.resourceIDSynthesised = true;
  }
  for (const [key, ...names] of DISTRIBUTION_TEXT_FIELDS) {
    const text = readText(notes, `${path}.${key}`, source.take(...names));
    if (text !== undefined) distribution[key] = text;
  }
  const modified = readDate(notes, `${path}.resourceModified`, source.take('resourceModifiedDate', 'resourceModified'));
  if (modified !== undefined) distribution.resourceModified = modified;

  const fieldText = readResourceField(notes, `${path}.extensions.resourceField`, source.take('resourceField'));
  if (fieldText !== undefined) extensions.resourceField = fieldText;
  const amount = readCount(notes, `${path}.extensions.resourceAmount`, source.take('resourceAmount'));
  if (amount !== undefined) extensions.resourceAmount = amount;
  const resourceNotes = readText(notes, `${path}.extensions.resourceNotes`, source.take('resourceNotes'));
  if (resourceNotes !== undefined) extensions.resourceNotes = resourceNotes;
  const qcLevel = readText(notes, `${path}.extensions.qcLevel`, source.take('qcLevel'));
  if (qcLevel !== undefined) extensions.qcLevel = qcLevel;

  for (const [key, value] of source.leftovers()) notes.park(`${path}.${key}`, value);
  if (Object.keys(extensions).length > 0) distribution.extensions = extensions;
  return distribution;
}

/**
 * resourceField as the standard's fieldDescription text: a string is kept; an array of
 * `{ name, description }` becomes `description(name)` items joined by 、.
 */
function readResourceField(notes: MappingNotes, field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim();
  if (!Array.isArray(value)) {
    notes.park(field, value);
    notes.report(
      field,
      'type',
      `resourceField must be text or an array of { name, description }, not ${describeValue(value)}; the value was kept in extensions.unknownKeys`,
    );
    return undefined;
  }
  const items = value
    .map((entry: unknown) => {
      if (typeof entry === 'string') return entry.trim();
      if (!isPlainObject(entry)) return '';
      const name = typeof entry['name'] === 'string' ? entry['name'].trim() : '';
      const description = typeof entry['description'] === 'string' ? entry['description'].trim() : '';
      if (name !== '' && description !== '') return `${description}(${name})`;
      return description || name;
    })
    .filter((text) => text !== '');
  return items.join('、');
}

/** gen-2 moved fieldDescription and the row count to the resources; the standard wants them on the dataset. */
function liftResourceFacts(record: NationalRecord, distributions: readonly NationalDistribution[]): void {
  if (record.fieldDescription === undefined) {
    const described = distributions.find((d) => d.extensions?.resourceField !== undefined && d.extensions.resourceField !== '');
    if (described?.extensions?.resourceField !== undefined) record.fieldDescription = described.extensions.resourceField;
  }
  if (record.numberOfData === undefined) {
    const counted = distributions.find((d) => d.extensions?.resourceAmount !== undefined);
    if (counted?.extensions?.resourceAmount !== undefined) record.numberOfData = counted.extensions.resourceAmount;
  }
}

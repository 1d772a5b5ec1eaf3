/**
 * One row of data.gov.tw's whole-catalogue export (全部資料集清單, `/api/front/dataset/export`,
 * docs/tw-standards.md §1.5, §3.4) → the national record.
 *
 * The export speaks a third vocabulary: Chinese column names, the 服務分類 *label* where the
 * standard has a code, 計費方式 / 授權方式 / 更新頻率 as display text, and the resources as
 * `;`-separated PARALLEL columns (the n-th 檔案格式 goes with the n-th 資料下載網址 and the n-th
 * 編碼格式). Columns the standard has no field for go to extensions.sourceExtras under their
 * own names; nothing is dropped.
 *
 * The row's 資料集識別碼 is data.gov.tw's numeric dataset id (nid): it is the record's identifier
 * (the export carries no agency identifier) and extensions.datasetId.
 */
import { TAIWAN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { SERVICE_CATEGORIES } from '../model/codelists.js';
import { normaliseFrequency } from '../model/frequency.js';
import { normaliseLicense } from '../model/license.js';
import type { DistributionExtensions, MappingResult, NationalDistribution, NationalRecord } from '../model/record.js';
import {
  MappingNotes,
  acceptedRecord,
  isPlainObject,
  missingIdentity,
  notARecord,
  readCount,
  readDate,
  readKeywords,
  readText,
  type Gen1DateKey,
  type Gen1TextKey,
} from './record-fields.js';

/** The column holding data.gov.tw's dataset id (nid): also how a row is told from other payloads. */
export const EXPORT_ID_COLUMN = '資料集識別碼';
export const EXPORT_TITLE_COLUMN = '資料集名稱';

/** Plain-text columns → national fields. Where two spellings exist (UI label vs export), both are read. */
const TEXT_COLUMNS: ReadonlyArray<readonly [Gen1TextKey, ...string[]]> = [
  ['description', '資料集描述'],
  ['publisher', '提供機關'],
  ['publisherContactName', '提供機關聯絡人姓名', '提供機關聯絡人'],
  ['publisherContactPhone', '提供機關聯絡人電話'],
  ['publisherContactEmail', '提供機關聯絡人電子郵件', '提供機關聯絡人Email'],
  ['landingPage', '相關網址'],
  ['notes', '備註'],
];

const DATE_COLUMNS: ReadonlyArray<readonly [Gen1DateKey, ...string[]]> = [
  ['issued', '上架日期'],
  ['modified', '詮釋資料更新時間'],
];

/** The parallel resource columns, and the resource field each feeds. */
const PARALLEL_COLUMNS = {
  format: '檔案格式',
  downloadURL: '資料下載網址',
  characterSetCode: '編碼格式',
  resourceDescription: '資料資源描述',
  resourceField: '主要欄位說明',
} as const;

type ParallelField = keyof typeof PARALLEL_COLUMNS;

const CATEGORY_CODE_BY_LABEL = new Map(Object.entries(SERVICE_CATEGORIES).map(([code, label]) => [label, code]));

/** 計費方式 as the export writes it (and the gen-2 code, in case a row carries it). */
const COSTS: Readonly<Record<string, '免費' | '付費'>> = { 免費: '免費', free: '免費', 付費: '付費', paid: '付費' };

export function mapDataGovTwExportRow(raw: unknown, context: MappingContext = TAIWAN_MAPPING_CONTEXT): MappingResult {
  if (!isPlainObject(raw)) return notARecord(raw);
  const row = new ExportRow(raw);
  const notes = new MappingNotes(context);

  // JSON exports may send the nid as a number: that is its natural type, not a publisher's slip.
  const idValue = row.take(EXPORT_ID_COLUMN);
  const datasetId = typeof idValue === 'number' && Number.isSafeInteger(idValue) ? String(idValue) : readText(notes, 'extensions.datasetId', idValue);
  const titleValue = row.take(EXPORT_TITLE_COLUMN);
  const rejection = missingIdentity(datasetId, titleValue);
  if (rejection !== null) return rejection;
  const identifier = datasetId as string;

  const record: NationalRecord = { identifier, title: String(titleValue).trim() };
  for (const [key, ...columns] of TEXT_COLUMNS) {
    const text = readText(notes, key, row.take(...columns));
    if (text !== undefined) record[key] = text;
  }
  for (const [key, ...columns] of DATE_COLUMNS) {
    const date = readDate(notes, key, row.take(...columns));
    if (date !== undefined) record[key] = date;
  }
  readCategory(record, notes, row.take('服務分類'));
  readLicense(record, notes, row.take('授權方式'));
  readCost(record, notes, row.take('計費方式'));
  readFrequency(record, notes, row.take('更新頻率'));
  const keywords = readKeywords(notes, 'keyword', splitList(row.take('關鍵字')));
  if (keywords !== undefined && keywords.length > 0) record.keyword = keywords;
  const count = readCount(notes, 'numberOfData', row.take('資料量'));
  if (count !== undefined) record.numberOfData = count;

  const distributions = readParallelResources(notes, row, identifier);
  if (distributions.length > 0) record.distribution = distributions;
  const described = distributions.find((d) => d.extensions?.resourceField);
  if (described?.extensions?.resourceField !== undefined) record.fieldDescription = described.extensions.resourceField;

  record.extensions = { sourceVocabulary: 'datagovtw-export', datasetId: identifier };
  const extras = Object.fromEntries(row.leftovers());
  if (Object.keys(extras).length > 0) record.extensions.sourceExtras = extras;
  return acceptedRecord(record, notes);
}

/** Columns looked up by trimmed name (CSV headers carry stray spaces); what no lookup took is an extra. */
class ExportRow {
  private readonly byName = new Map<string, string>();
  private readonly consumed = new Set<string>();

  constructor(private readonly raw: Record<string, unknown>) {
    for (const key of Object.keys(raw)) {
      const name = key.trim();
      if (!this.byName.has(name)) this.byName.set(name, key);
    }
  }

  /** The first of these columns that has a value that is not blank. */
  take(...names: string[]): unknown {
    let found: unknown;
    for (const name of names) {
      const key = this.byName.get(name);
      if (key === undefined) continue;
      this.consumed.add(key);
      const value = this.raw[key];
      if (found === undefined && !isBlank(value)) found = value;
    }
    return found;
  }

  /** Unconsumed columns with a value (an empty CSV cell is not information). */
  leftovers(): Array<[string, unknown]> {
    return Object.entries(this.raw)
      .filter(([key, value]) => !this.consumed.has(key) && !isBlank(value))
      .map(([key, value]) => [key.trim(), typeof value === 'string' ? value.trim() : value]);
  }
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * `a;b;c` (or the full-width ；) → items; a JSON export may already send an array. Items are
 * trimmed and kept in place even when empty: position is what pairs the parallel columns.
 */
export function splitParallel(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((item: unknown) => (typeof item === 'string' ? item.trim() : item));
  if (typeof value !== 'string') return [value];
  if (value.trim() === '') return [];
  return value.split(/[;；]/).map((item) => item.trim());
}

function splitList(value: unknown): unknown {
  return typeof value === 'string'
    ? value
        .split(/[;；,，、]/)
        .map((item) => item.trim())
        .filter((item) => item !== '')
    : value;
}

/**
 * The resources from the parallel columns, paired by position. Publishers' exports do not
 * always keep the counts equal (a format missing for one file); the resources are then still
 * paired by position, as many as the longest column, and the mismatch is reported.
 */
function readParallelResources(notes: MappingNotes, row: ExportRow, identifier: string): NationalDistribution[] {
  const columns = new Map<ParallelField, unknown[]>();
  for (const [field, column] of Object.entries(PARALLEL_COLUMNS) as Array<[ParallelField, string]>) {
    columns.set(field, splitParallel(row.take(column)));
  }
  const counts = [...columns.entries()].filter(([, items]) => items.length > 0);
  const total = Math.max(0, ...counts.map(([, items]) => items.length));
  if (new Set(counts.map(([, items]) => items.length)).size > 1) {
    const described = counts.map(([field, items]) => `${PARALLEL_COLUMNS[field]} ${items.length}`).join(', ');
    notes.report(
      'distribution',
      'parallel-columns',
      `the export's parallel resource columns have different counts (${described}); resources were paired by position, ${total} in all`,
      'warning',
    );
  }

  const distributions: NationalDistribution[] = [];
  for (let index = 0; index < total; index += 1) {
    const path = `distribution[${index}]`;
    const item = (field: ParallelField): string | undefined => {
      const text = readText(notes, `${path}.${field}`, columns.get(field)?.[index]);
      return text === '' ? undefined : text;
    };
    const distribution: NationalDistribution = { resourceID: `${identifier}-${String(index + 1).padStart(3, '0')}` };
    const description = item('resourceDescription');
    if (description !== undefined) distribution.resourceDescription = description;
    const format = item('format');
    if (format !== undefined) distribution.format = format;
    const encoding = item('characterSetCode');
    if (encoding !== undefined) distribution.characterSetCode = encoding;
    const url = item('downloadURL');
    if (url !== undefined) distribution.downloadURL = url;
    // The export has no resource ids: numbered in order, as gen-1's resourceID would be.
    const extensions: DistributionExtensions = { resourceIDSynthesised: true };
    const fields = item('resourceField');
    if (fields !== undefined) extensions.resourceField = fields;
    distribution.extensions = extensions;
    distributions.push(distribution);
  }
  return distributions;
}

/** The export writes the 服務分類 label (投資理財); the standard wants the code (800). */
function readCategory(record: NationalRecord, notes: MappingNotes, value: unknown): void {
  const text = readText(notes, 'categoryCode', value);
  if (text === undefined) return;
  const code = CATEGORY_CODE_BY_LABEL.get(text) ?? (Object.hasOwn(SERVICE_CATEGORIES, text) ? text : undefined);
  if (code !== undefined) {
    record.categoryCode = code;
    return;
  }
  // Kept as sent; validation reports that it is not one of the 18 codes.
  record.categoryCode = text;
  notes.report('categoryCode', 'codelist', `服務分類 ${JSON.stringify(text)} is not one of the 18 service categories`, 'warning');
}

function readLicense(record: NationalRecord, notes: MappingNotes, value: unknown): void {
  const text = readText(notes, 'license', value);
  if (text === undefined) return;
  const known = normaliseLicense(text);
  if (known === null) {
    record.license = text;
    notes.report('license', 'codelist', `授權方式 is not a licence we recognise; kept as sent: ${JSON.stringify(text)}`, 'warning');
    return;
  }
  record.license = known.name;
  record.licenseURL = known.url;
}

function readCost(record: NationalRecord, notes: MappingNotes, value: unknown): void {
  const text = readText(notes, 'cost', value);
  if (text === undefined) return;
  const cost = Object.hasOwn(COSTS, text.toLowerCase()) ? COSTS[text.toLowerCase()] : undefined;
  // An unknown value is kept; validation reports it against the standard's 免費 | 付費.
  record.cost = cost ?? text;
}

/** 更新頻率 as the site shows it (`每1年`, `每1日`) → the standard's text (每年, 每日). */
function readFrequency(record: NationalRecord, notes: MappingNotes, value: unknown): void {
  const text = readText(notes, 'accrualPeriodicity', value);
  if (text === undefined || text === '') return;
  const normalised = normaliseFrequency(text);
  // Unknown text stays as written; validation reports that it is not in the standard's form.
  record.accrualPeriodicity = normalised?.text ?? text;
}

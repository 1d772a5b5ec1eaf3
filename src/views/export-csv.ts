/**
 * The catalogue as data.gov.tw's whole-catalogue CSV export (全部資料集清單,
 * docs/tw-standards.md §3.4): the inverse of src/mapping/datagovtw-export.ts, so that every tool
 * that reads data.gov.tw's export reads ours, and a row read back by mapDataGovTwExportRow is
 * the record again (the tests hold the two to that).
 *
 * - The export's columns in its order, then three the gateway adds at the end, where a reader
 *   that looks columns up by name (as every known consumer does) is not disturbed:
 *   提供機關聯絡人電子郵件 and 關鍵字 (which the export reader also reads) and 資料集編號, the
 *   standard's name for the dataset identifier.
 * - 資料集識別碼 is data.gov.tw's numeric id when the dataset has one; otherwise the gateway's
 *   identifier (the one every API route answers to), which 資料集編號 always holds.
 * - 服務分類 is the category's Chinese label (投資理財), as data.gov.tw writes it.
 * - Resources are `;`-separated PARALLEL columns: the n-th 檔案格式, 資料下載網址, 編碼格式,
 *   資料資源描述 and 主要欄位說明 belong to the n-th resource. An item cannot hold the separator
 *   (the reader also splits on the full-width ；): in URLs it is percent-encoded (%3B), in text
 *   it becomes a comma. A resource with only an access URL (an API) has it under 資料下載網址,
 *   the only URL column the export has.
 * - 主要欄位說明 is per resource: the resources' own field lists when they have them, else the
 *   dataset's fieldDescription for each. A dataset without resources has none to carry it, and a
 *   lone item would read back as a resource: it is left empty.
 * - 關鍵字 are `;`-separated; the reader also splits on , ， 、 and ；, so inside a keyword those
 *   become spaces (one keyword stays one keyword).
 * - Dates: date-times in Taipei wall-clock `YYYY-MM-DD hh:mm:ss`, dates `YYYY-MM-DD`.
 * - Columns the standard has no field for (資料提供屬性, 品質檢測, 資料集上架方式) are filled
 *   from what the record kept from a data.gov.tw source (extensions), else empty.
 * - UTF-8 with a BOM (Excel reads it as UTF-8 only then), CRLF line ends, RFC 4180 quoting:
 *   a cell is quoted when it holds a CR, an LF, a double quote or a comma, and only then; a
 *   double quote inside is doubled. A lone LF or CR is quoted too: readers (Python's csv,
 *   spreadsheets) end a record at any line break outside quotes. Lone surrogates, which UTF-8
 *   cannot hold, are written as U+FFFD (as the harvest door repairs them on the way in).
 * - Cells are not altered against spreadsheet formula injection (a leading = + - @): the export
 *   is data, faithful to the source, and a leading `'` would change it for every program that is
 *   not a spreadsheet. docs/api.md (Exports) says so to whoever opens it in a spreadsheet.
 */
import { stringify } from 'csv-stringify/sync';
import { SERVICE_CATEGORIES } from '../model/codelists.js';
import type { NationalDistribution, NationalRecord } from '../model/record.js';
import { toWellFormedString } from '../model/well-formed-string.js';
import { toTaipeiText } from './taipei-dates.js';

export const EXPORT_CSV_COLUMNS = [
  '資料集識別碼',
  '資料集名稱',
  '資料提供屬性',
  '服務分類',
  '品質檢測',
  '檔案格式',
  '資料下載網址',
  '編碼格式',
  '資料資源描述',
  '資料集描述',
  '主要欄位說明',
  '提供機關',
  '更新頻率',
  '授權方式',
  '相關網址',
  '計費方式',
  '提供機關聯絡人姓名',
  '提供機關聯絡人電話',
  '上架日期',
  '詮釋資料更新時間',
  '備註',
  '資料量',
  '資料集上架方式',
  // The gateway's additions.
  '提供機關聯絡人電子郵件',
  '關鍵字',
  '資料集編號',
] as const;

export type ExportCsvColumn = (typeof EXPORT_CSV_COLUMNS)[number];

export interface ExportedDataset {
  /** The dataset's identifier in the gateway. */
  identifier: string;
  record: NationalRecord;
}

const BOM = '\uFEFF';
/**
 * CRLF records, and quotes on every cell holding a CR or an LF: csv-stringify, given a record
 * delimiter, quotes only cells holding that whole delimiter, so a lone LF went out unquoted and
 * split the row for every reader but a lenient one. (It quotes cells with `"` or `,` itself.)
 */
const CSV_OPTIONS = { record_delimiter: 'windows', eof: true, quoted_match: /[\r\n]/ } as const;
const PARALLEL_SEPARATOR = ';';
/** The export reader splits 關鍵字 on all of these: inside one keyword each becomes a space. */
const KEYWORD_SEPARATORS = /[;；,，、]/g;

/** The first bytes of the file: BOM and the header row. */
export function exportCsvHeader(): string {
  return BOM + stringify([[...EXPORT_CSV_COLUMNS]], CSV_OPTIONS);
}

/** CSV rows (CRLF-terminated) for these datasets, without header. Lone surrogates, which UTF-8 cannot hold, are written as U+FFFD. */
export function exportCsvRows(datasets: readonly ExportedDataset[]): string {
  if (datasets.length === 0) return '';
  return stringify(
    datasets.map((dataset) => {
      const cells = exportCsvCells(dataset);
      return EXPORT_CSV_COLUMNS.map((column) => toWellFormedString(cells[column]));
    }),
    CSV_OPTIONS,
  );
}

/** One dataset's cells by column name; absent values are empty cells. */
export function exportCsvCells({ identifier, record }: ExportedDataset): Record<ExportCsvColumn, string> {
  const extensions = record.extensions ?? {};
  const carried = (column: string): string => text(extensions.sourceExtras?.[column]);
  const resources = Array.isArray(record.distribution) ? record.distribution : [];
  const parallel = (read: (d: NationalDistribution) => string | undefined, kind: 'url' | 'text'): string => {
    const items = resources.map((d) => withoutSeparator(text(read(d)), kind));
    return items.every((item) => item === '') ? '' : items.join(PARALLEL_SEPARATOR);
  };
  const category = text(record.categoryCode);

  return {
    資料集識別碼: text(extensions.datasetId) || identifier,
    資料集名稱: text(record.title),
    資料提供屬性: carried('資料提供屬性'),
    服務分類: (Object.hasOwn(SERVICE_CATEGORIES, category) ? SERVICE_CATEGORIES[category] : undefined) ?? category,
    品質檢測: text(extensions.dataQuality) || carried('品質檢測'),
    檔案格式: parallel((d) => d.format, 'text'),
    資料下載網址: parallel((d) => d.downloadURL || d.accessURL, 'url'),
    編碼格式: parallel((d) => d.characterSetCode, 'text'),
    資料資源描述: parallel((d) => d.resourceDescription, 'text'),
    資料集描述: text(record.description),
    主要欄位說明: fieldDescriptions(record, resources),
    提供機關: text(record.publisher),
    更新頻率: text(record.accrualPeriodicity),
    授權方式: text(record.license),
    相關網址: text(record.landingPage),
    計費方式: text(record.cost),
    提供機關聯絡人姓名: text(record.publisherContactName),
    提供機關聯絡人電話: text(record.publisherContactPhone),
    上架日期: dateText(record.issued),
    詮釋資料更新時間: dateText(record.modified),
    備註: text(record.notes),
    資料量: typeof record.numberOfData === 'number' && Number.isFinite(record.numberOfData) ? String(record.numberOfData) : '',
    資料集上架方式: carried('資料集上架方式'),
    提供機關聯絡人電子郵件: text(record.publisherContactEmail),
    關鍵字: (Array.isArray(record.keyword) ? record.keyword : [])
      .map((keyword) => text(keyword).replace(KEYWORD_SEPARATORS, ' ').trim())
      .filter((keyword) => keyword !== '')
      .join(PARALLEL_SEPARATOR),
    資料集編號: identifier,
  };
}

/**
 * 主要欄位說明 per resource. Resources that carry their own field lists (gen-2, an export) are
 * written as they are; a dataset-level fieldDescription (gen-1) describes every resource, so it
 * is repeated for each, as data.gov.tw's export does.
 */
function fieldDescriptions(record: NationalRecord, resources: readonly NationalDistribution[]): string {
  const own = resources.map((d) => text(d.extensions?.resourceField));
  const items = own.some((item) => item !== '') ? own : resources.map(() => text(record.fieldDescription));
  const cleaned = items.map((item) => withoutSeparator(item, 'text'));
  return cleaned.every((item) => item === '') ? '' : cleaned.join(PARALLEL_SEPARATOR);
}

/** Text of a value the record should hold as text; numbers are written, anything else is empty. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

function dateText(value: unknown): string {
  return typeof value === 'string' ? toTaipeiText(value) : '';
}

/** An item of a `;`-separated column must not contain `;` or `；`, which the reader splits on. */
function withoutSeparator(value: string, kind: 'url' | 'text'): string {
  if (kind === 'url') return value.replace(/;/g, '%3B').replace(/；/g, encodeURIComponent('；'));
  return value.replace(/;/g, ',').replace(/；/g, '，');
}

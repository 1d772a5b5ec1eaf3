/**
 * The CSV writer of the whole-catalogue export, read back by an independent RFC 4180 parser
 * (csv-parse, strictly: no relaxed quotes, no relaxed column count) over values holding every
 * character CSV finds awkward (test/helpers/awkward-records.ts).
 */
import t from 'tap';
import { parse } from 'csv-parse/sync';
import type { NationalRecord } from '../../src/model/record.js';
import { toWellFormedString } from '../../src/model/well-formed-string.js';
import { EXPORT_CSV_COLUMNS, exportCsvCells, exportCsvHeader, exportCsvRows, type ExportedDataset } from '../../src/views/export-csv.js';
import { awkwardRecords, BIG5_ORIGIN, longValue } from '../helpers/awkward-records.js';

type Row = Record<string, string>;

/**
 * RFC 4180 ends records with CRLF, but readers (Python's csv, spreadsheets) also end them at a
 * lone LF or CR: an unquoted line break anywhere is a new record to them, so the strict reader
 * takes every one as a record end, and a value that holds one unquoted breaks the column count.
 */
const STRICT = { bom: true, relax_quotes: false, relax_column_count: false, skip_empty_lines: false, trim: false, record_delimiter: ['\r\n', '\n', '\r'] };

const datasets: ExportedDataset[] = awkwardRecords().map((record) => ({ identifier: String(record.identifier), record: record as unknown as NationalRecord }));

/** The whole export as the route writes it: header, then rows in chunks. */
function exportText(of: readonly ExportedDataset[]): string {
  return exportCsvHeader() + exportCsvRows(of.slice(0, 3)) + exportCsvRows(of.slice(3));
}

function wellFormedCells(dataset: ExportedDataset): Row {
  return Object.fromEntries(Object.entries(exportCsvCells(dataset)).map(([column, value]) => [column, toWellFormedString(value)]));
}

t.test('every row reads back, strictly, as the cells written', async (t) => {
  const text = exportText(datasets);
  const bytes = Buffer.from(text, 'utf8');
  const header = (parse(bytes, { ...STRICT, to_line: 1 }) as string[][])[0];
  t.same(header, [...EXPORT_CSV_COLUMNS], 'the BOM is not part of the first column name');
  const rows = parse(bytes, { ...STRICT, columns: true }) as Row[];
  t.equal(rows.length, datasets.length, 'one record per dataset: no line break inside a value splits a row');
  for (const [index, dataset] of datasets.entries()) t.same(rows[index], wellFormedCells(dataset), `${dataset.identifier}: every cell as written`);
});

t.test('the awkward values survive exactly', async (t) => {
  const rows = parse(Buffer.from(exportText(datasets), 'utf8'), { ...STRICT, columns: true }) as Row[];
  const byId = new Map(rows.map((row) => [row['資料集編號'], row]));
  const boston = byId.get('382000000A-900001')!;
  t.equal(boston['授權方式'], 'Public Domain\nBoston Redevelopment Authority', 'a lone line feed');
  t.equal(boston['備註'], 'carriage\rreturn alone', 'a lone carriage return');
  t.equal(boston['提供機關聯絡人姓名'], 'CRLF\r\ninside');
  t.equal(boston['資料集描述'], 'First line\nsecond line\nthird line');
  const quoted = byId.get('382000000A-900002')!;
  t.equal(quoted['資料集名稱'], '引號 "quoted" title, with comma; and semicolon\tand tab');
  t.equal(quoted['資料集描述'], '"', 'a value that is only a quote');
  t.equal(quoted['備註'], ',', 'a value that is only a comma');
  t.equal(quoted['提供機關聯絡人電話'], '\t02-1234\t', 'tabs kept');
  t.equal(quoted['相關網址'], 'https://example.gov.tw/?a="1"&b=2,3;4');
  const bom = byId.get('382000000A-900003')!;
  t.equal(bom['資料集名稱'], '\uFEFF開頭有 BOM 的名稱', 'a BOM at the start of a value is the value’s, not the file’s');
  t.equal(bom['資料集描述'], 'BOM\uFEFFinside and at the end\uFEFF');
  t.equal(bom['備註'], 'emoji 🚲🚌 👨‍👩‍👧 👍🏽 🇹🇼 𠀋');
  t.equal(bom['提供機關'], `${BIG5_ORIGIN}（Big5 來源）`);
  t.equal(bom['關鍵字'], `🚲;${BIG5_ORIGIN}`);
  const surrogates = byId.get('382000000A-900004')!;
  t.equal(surrogates['資料集名稱'], 'lone \uFFFD high and \uFFFD low surrogates', 'lone surrogates are written as U+FFFD');
  t.equal(surrogates['資料集描述'], 'end with a lone high \uFFFD');
  t.equal(surrogates['備註'], '\uFFFD start with a lone low');
  const formulas = byId.get('382000000A-900005')!;
  t.equal(formulas['資料集名稱'], '=HYPERLINK("https://example.com","click")', 'faithful: no quote prefix against formula injection');
  t.equal(formulas['資料集描述'], '+886 2 2720 8889');
  t.equal(formulas['備註'], '@SUM(A1:A3)');
  t.equal(formulas['提供機關聯絡人電話'], '-1+1');
  t.equal(formulas['關鍵字'], '=cmd;+x;-y;@z');
  const long = byId.get('382000000A-900006')!;
  t.equal(long['資料集描述'], `Straße, Größe; Año "señal"\r\n${longValue(300)}`, 'a 300 KB value with line breaks and quotes all through it');
  const spaces = byId.get('382000000A-900007')!;
  t.equal(spaces['資料集名稱'], '   spaces around   ');
  t.equal(spaces['資料集描述'], '\r\n', 'a value that is only a line break');
  t.equal(spaces['備註'], ' ');
});

t.test('the quoting rule: quoted exactly when a value holds CR, LF, a double quote or a comma', async (t) => {
  const values = ['plain', 'a\nb', 'a\rb', 'a\r\nb', 'say "x"', 'a,b', 'a;b', 'tab\there', '=1+1', '\uFEFFbom', '', ' '];
  const record = { identifier: 'X', title: 'x' } as NationalRecord;
  const lines = values.map((value) => exportCsvRows([{ identifier: 'X', record: { ...record, notes: value } }]));
  const notesCell = (line: string): string => {
    const rows = parse(line, { ...STRICT, raw: true }) as unknown as Array<{ raw: string; record: string[] }>;
    t.equal(rows.length, 1, `${JSON.stringify(line.slice(0, 40))}: one record`);
    return rows[0]!.record[EXPORT_CSV_COLUMNS.indexOf('備註')]!;
  };
  for (const [index, value] of values.entries()) {
    const line = lines[index]!;
    t.ok(line.endsWith('\r\n'), 'a row ends CRLF');
    t.equal(notesCell(line), value, `${JSON.stringify(value)} reads back`);
    const mustQuote = /[\r\n",]/.test(value);
    const written = `"${value.replace(/"/g, '""')}"`;
    t.equal(line.includes(`,${written},`), mustQuote, `${JSON.stringify(value)} is ${mustQuote ? '' : 'not '}quoted`);
  }
});

t.test('no chunk boundary and no empty batch breaks the file', async (t) => {
  t.equal(exportCsvRows([]), '', 'an empty batch writes nothing');
  const text = exportCsvHeader() + datasets.map((dataset) => exportCsvRows([dataset])).join('');
  t.equal(text, exportText(datasets), 'rows written one at a time are the rows written together');
});

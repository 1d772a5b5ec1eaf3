import t from 'tap';
import { readFileSync } from 'node:fs';
import { mapDataGovTwExportRow, splitParallel } from '../../src/mapping/datagovtw-export.js';
import { mapDataGovTwPayload } from '../../connectors/datagovtw/map-payload.js';
import { decodeBody, parseRows } from '../../connectors/datagovtw/export-body.js';
import { readChangeRow, reportDates } from '../../connectors/datagovtw/change-list.js';
import { projectPath } from '../../src/model/project-root.js';
import type { MappingResult, NationalRecord, ValidationIssue } from '../../src/model/record.js';
import { recordViolations } from '../helpers/dcat-ap.js';

/**
 * data.gov.tw's export rows (composed from docs/tw-standards.md §1.5/§3.4, see
 * test/fixtures/datagovtw/SOURCES.md) and v2 detail records, as the datagovtw connector maps them.
 */

const fixturePath = (name: string): string => projectPath('test', 'fixtures', 'datagovtw', name);
const rows = JSON.parse(readFileSync(fixturePath('export.json'), 'utf8')) as Array<Record<string, unknown>>;
const row = (id: string | number): Record<string, unknown> => rows.find((r) => String(r['資料集識別碼']) === String(id))!;

function accepted(result: MappingResult): { record: NationalRecord; issues: ValidationIssue[] } {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result;
}

const errors = (issues: ValidationIssue[]): string[] => issues.filter((i) => i.severity === 'error').map((i) => `${i.field} ${i.rule}`);
const warnings = (issues: ValidationIssue[]): string[] => issues.filter((i) => i.severity === 'warning').map((i) => `${i.field} ${i.rule}`);

/** What no export row has: the export has no 資料集上架方式 code (type), no 上級機關 (organization) or its contacts, no contact email; and the nid is not an agency identifier. */
const EXPORT_LACKS = [
  'type required',
  'organization required',
  'organizationContactName required',
  'organizationContactPhone required',
  'organizationContactEmail required',
  'publisherContactEmail required',
  'identifier pattern',
];

t.test('6564: a complete row, three resources from the parallel columns', async (t) => {
  const { record, issues } = accepted(mapDataGovTwExportRow(row(6564)));
  t.same(record, {
    identifier: '6564',
    title: '政府資料開放平臺資料集清單',
    description: '政府資料開放平臺上架之全部資料集清單，每日更新。',
    publisher: '數位發展部',
    publisherContactName: '林小華',
    publisherContactPhone: '02-23800000#200',
    landingPage: 'https://data.gov.tw/datasets/datasets_download',
    issued: '2013-11-01',
    modified: '2026-09-06T17:00:12Z',
    categoryCode: 'I00',
    license: '政府資料開放授權條款-第1版',
    licenseURL: 'https://data.gov.tw/license',
    cost: '免費',
    accrualPeriodicity: '每日',
    numberOfData: 53128,
    distribution: ['CSV', 'JSON', 'XML'].map((format, i) => ({
      resourceID: `6564-00${i + 1}`,
      resourceDescription: `資料集清單-${format}`,
      format,
      characterSetCode: 'UTF-8',
      downloadURL: `https://data.gov.tw/datasets/export/${format.toLowerCase()}`,
      extensions: { resourceIDSynthesised: true, resourceField: '資料集識別碼、資料集名稱、提供機關' },
    })),
    fieldDescription: '資料集識別碼、資料集名稱、提供機關',
    extensions: {
      sourceVocabulary: 'datagovtw-export',
      datasetId: '6564',
      sourceExtras: { 資料提供屬性: '原始資料', 品質檢測: '金標章', 資料集上架方式: '系統介接程式' },
    },
  });
  t.same(errors(issues), EXPORT_LACKS);
  t.same(warnings(issues), []);
  t.same(await recordViolations(record), [], 'DCAT-AP: nothing missing');
});

t.test('18420: mismatched parallel columns, full-width licence hyphen, ROC dates, 每1月', async (t) => {
  const { record, issues } = accepted(mapDataGovTwExportRow(row(18420)));
  t.match(record, {
    categoryCode: '800',
    license: '政府資料開放授權條款-第1版',
    issued: '2016-03-17',
    modified: '2026-09-07T01:30:00Z',
    accrualPeriodicity: '每月',
    notes: 'OAS標準之API說明文件網址 https://openapi.twse.com.tw/v1/swagger.json',
  });
  t.same(record.distribution, [
    {
      resourceID: '18420-001',
      format: 'CSV',
      characterSetCode: 'UTF-8',
      downloadURL: 'https://mopsfin.twse.com.tw/opendata/t187ap05_L.csv',
      extensions: { resourceIDSynthesised: true, resourceField: '出表日期、資料年月、公司代號、公司名稱、營業收入-當月營收' },
    },
    { resourceID: '18420-002', format: 'JSON', characterSetCode: 'UTF-8', extensions: { resourceIDSynthesised: true } },
  ]);
  t.same(errors(issues), [
    ...EXPORT_LACKS,
    // The row has no 資料資源描述, and one download URL for two formats.
    'distribution[0].resourceDescription required',
    'distribution[1] required',
    'distribution[1].resourceDescription required',
  ]);
  t.same(warnings(issues), ['distribution parallel-columns']);
  t.match(issues.find((i) => i.rule === 'parallel-columns')!.message, /檔案格式 2, 資料下載網址 1, 編碼格式 2, 主要欄位說明 1/);
  // The second resource has no URL and the row no 相關網址 to stand in: DCAT-AP's accessURL is missing.
  t.same(await recordViolations(record), ['dcat:accessURL MinCount']);
});

t.test('9999: 民國 dates, 每1年, the 第一版 licence variant, 付費', async (t) => {
  const { record, issues } = accepted(mapDataGovTwExportRow(row(9999)));
  t.match(record, {
    identifier: '9999',
    issued: '2014-01-15',
    modified: '2026-09-01',
    accrualPeriodicity: '每年',
    license: '政府資料開放授權條款-第1版',
    cost: '付費',
    categoryCode: 'A00',
    numberOfData: 1,
  });
  t.equal(record.extensions?.datasetId, '9999', 'a numeric nid in the JSON export is read as text without complaint');
  // 付費 needs costURL and costLaw, which the export does not carry.
  t.same(errors(issues), ['costURL conditional', 'costLaw conditional', ...EXPORT_LACKS]);
  t.same(await recordViolations(record), []);
});

t.test('rows without a title or an id are rejected', async (t) => {
  t.match(mapDataGovTwExportRow(row(120001)), { ok: false, issues: [{ field: 'title', rule: 'required' }] });
  t.match(mapDataGovTwExportRow(rows[4]), { ok: false, issues: [{ field: 'identifier', rule: 'required' }] });
  t.match(mapDataGovTwExportRow('x'), { ok: false });
});

t.test('licence, category and frequency variants', async (t) => {
  const base = { 資料集識別碼: '1', 資料集名稱: 'x' };
  for (const [text, name] of [
    ['政府資料開放授權條款-第1版', '政府資料開放授權條款-第1版'],
    ['政府資料開放授權條款－第1版', '政府資料開放授權條款-第1版'],
    ['政府資料開放授權條款-第一版', '政府資料開放授權條款-第1版'],
    ['CC BY 4.0', 'CC BY 4.0'],
    ['創用CC 姓名標示 4.0 國際 授權條款', 'CC BY 4.0'],
  ] as const) {
    t.equal(accepted(mapDataGovTwExportRow({ ...base, 授權方式: text })).record.license, name, text);
  }
  const unknown = accepted(mapDataGovTwExportRow({ ...base, 授權方式: '機關自訂授權' }));
  t.equal(unknown.record.license, '機關自訂授權');
  t.ok(unknown.issues.some((i) => i.field === 'license' && i.rule === 'codelist' && i.severity === 'warning'));
  for (const [text, canonical] of [
    ['每1年', '每年'],
    ['每1日', '每日'],
    ['每3月', '每3月'],
    ['不定期', '不定期'],
    ['每5分鐘', '每5分鐘'],
  ] as const) {
    t.equal(accepted(mapDataGovTwExportRow({ ...base, 更新頻率: text })).record.accrualPeriodicity, canonical, text);
  }
  const category = accepted(mapDataGovTwExportRow({ ...base, 服務分類: '不存在的分類' }));
  t.equal(category.record.categoryCode, '不存在的分類');
  t.ok(
    category.issues.some((i) => i.field === 'categoryCode' && i.rule === 'enum'),
    'validation flags the unknown category',
  );
  t.same(splitParallel('a; b;;c'), ['a', 'b', '', 'c'], 'positions are kept, empty ones too');
  t.same(splitParallel(['a', ' b ']), ['a', 'b']);
});

t.test('v2 detail records keep the nid as identifier and the agency identifier as an extra', async (t) => {
  const detail = JSON.parse(readFileSync(fixturePath('v2-read-response.json'), 'utf8')) as { result: Record<string, unknown> };
  const { record, issues } = accepted(mapDataGovTwPayload(detail.result));
  t.match(record, {
    identifier: '18420',
    publisherOrgCode: 'A45020000D',
    publisherOID: '2.16.886.101.20003.20052.20004',
    extensions: { sourceVocabulary: 'gen2', datasetId: '18420', sourceExtras: { identifier: 'A45020000D-000354' } },
  });
  t.same(warnings(issues), ['publisherOrgCode derived']);
  // The §3.2 read example is minimal: everything but identity, licence, date and one resource is missing.
  t.same(errors(issues), [
    'categoryCode required',
    'description required',
    'fieldDescription required',
    'type required',
    'cost required',
    'accrualPeriodicity required',
    'organization required',
    'organizationContactName required',
    'organizationContactPhone required',
    'organizationContactEmail required',
    'publisher required',
    'publisherContactName required',
    'publisherContactPhone required',
    'publisherContactEmail required',
    'identifier pattern',
    'distribution[0].resourceDescription required',
  ]);
  // No description, and a publisher known only by its OID (no name).
  t.same(await recordViolations(record), ['dct:description MinCount', 'foaf:name MinCount']);

  const natdoc = JSON.parse(readFileSync(fixturePath('natdoc-variant.json'), 'utf8')) as Record<string, unknown>;
  const full = accepted(mapDataGovTwPayload(natdoc));
  t.match(full.record, { identifier: '6564', extensions: { datasetId: '6564', sourceExtras: { identifier: 'A41000000G-000001' } } });
  t.same(errors(full.issues), ['identifier pattern'], 'a complete gen-2 record lacks only the agency-pattern identifier');
  t.same(await recordViolations(full.record), []);
});

t.test('bodies: BOM, Big5, neither', async (t) => {
  const csv = readFileSync(fixturePath('export.csv'));
  const big5 = readFileSync(fixturePath('export.big5.csv'));
  const utf8Text = decodeBody('s', 'u', csv, 'auto');
  t.equal(utf8Text.charCodeAt(0), '資'.charCodeAt(0), 'the BOM is stripped');
  t.equal(decodeBody('s', 'u', big5, 'auto'), utf8Text, 'invalid UTF-8 is read as Big5');
  t.equal(decodeBody('s', 'u', big5, 'big5'), utf8Text);
  t.throws(() => decodeBody('s', 'u', big5, 'utf-8'), { name: 'ExportEncodingError', message: /not valid UTF-8, as the source is configured/ });
  t.throws(() => decodeBody('s', 'u', Buffer.from([0x41, 0xff, 0xff, 0x80, 0x42]), 'auto'), { name: 'ExportEncodingError', message: /not valid Big5 either/ });
  const parsed = parseRows('s', 'u', utf8Text, 'csv', '資料集識別碼');
  t.equal(parsed.rows.length, 5);
  t.same(
    parsed.rows.map((r) => mapDataGovTwExportRow(r).ok),
    rows.map((r) => mapDataGovTwExportRow(r).ok),
    'CSV rows map like JSON rows',
  );
});

t.test('change lists: report dates and change kinds', async (t) => {
  const now = Date.parse('2026-09-07T03:00:00Z'); // 11:00 in Taipei
  t.same(
    reportDates('2026-09-05T15:50:00Z', now, 31),
    { dates: ['2026-09-05', '2026-09-06', '2026-09-07'], capped: false },
    '23:50 Taipei on the 5th starts on the 5th',
  );
  t.same(reportDates('2026-09-05T16:10:00Z', now, 31).dates, ['2026-09-06', '2026-09-07'], '00:10 Taipei on the 6th');
  t.same(reportDates('2026-07-01T00:00:00Z', now, 31), { dates: [], capped: true });
  t.same(readChangeRow({ 資料集識別碼: ' 6564 ', 異動類型: '修改' }), { datasetId: '6564', kind: 'changed' });
  t.same(readChangeRow({ 資料集識別碼: 9999, 異動狀態: '下架' }), { datasetId: '9999', kind: 'deleted' });
  t.same(readChangeRow({ 資料集識別碼: '1', 異動類型: '刪除' }), { datasetId: '1', kind: 'deleted' });
  t.same(readChangeRow({ 資料集識別碼: '2' }), { datasetId: '2', kind: 'changed' }, 'no change type: re-fetch');
  t.equal(readChangeRow({ 資料集名稱: 'x' }), null);
});

import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import jsonld from 'jsonld';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { mapDataGovTwExportRow } from '../../src/mapping/datagovtw-export.js';
import { normaliseFrequency } from '../../src/model/frequency.js';
import { normaliseLicense } from '../../src/model/license.js';
import { projectPath } from '../../src/model/project-root.js';
import type { NationalRecord } from '../../src/model/record.js';
import type { Db } from '../../src/store/database.js';
import { liveDatasetsInIdentifierOrder } from '../../src/store/catalogue-stream.js';
import { EXPORT_CSV_COLUMNS, exportCsvCells } from '../../src/views/export-csv.js';
import { toTaipeiText } from '../../src/views/taipei-dates.js';
import { formatTaipeiDateTime, parseTaiwanDate } from '../../src/model/dates.js';
import { dcatApViolations, refuseEveryDocument } from '../helpers/dcat-ap.js';
import { startFederation } from '../helpers/federation.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig } from '../helpers/gateway.js';

type Raw = Record<string, unknown>;
type Row = Record<string, string>;

const PUBLIC_URL = 'https://gateway.example.tw';
const specExample = readFixture<Raw>('crossplatform', 'spec-example-record.json');
const specRecord = (specExample.result ?? specExample) as Raw;
const own = readFixture<Raw[]>('crossplatform', 'own-records.json');
const v2Read = readFixture<{ result: Raw }>('datagovtw', 'v2-read-response.json').result;
const natdocCopy: Raw = { ...readFixture<Raw>('datagovtw', 'natdoc-variant.json'), identifier: 'A41000000G-006564' };

/** Everything CSV and the parallel columns make hard: quotes, commas, line breaks, `;` in text and URLs. */
const awkwardRecord: Raw = {
  identifier: '376430000A-000321',
  title: '「新竹市」停車場, 即時 "剩餘" 車位',
  description: '第一行，含逗號, 與 "引號"\r\n第二行; 含分號\n第三行',
  categoryCode: 'A00',
  type: 'rawData',
  license: 'CC BY 4.0',
  cost: '付費',
  publisher: '新竹市政府交通處',
  publisherContactName: '王小明 先生,李小華 小姐',
  publisherContactPhone: '03-5216121#123',
  publisherContactEmail: 'a@example.gov.tw,b@example.gov.tw',
  accrualPeriodicity: '每10分鐘',
  issued: '2020-02-29',
  modified: '2026-01-31 23:59:59',
  landingPage: 'https://data.hccg.gov.tw/parking?a=1&b=2',
  keyword: ['停車場', '剩餘車位', 'A;B'],
  numberOfData: 42,
  notes: '=SUM(A1:A2) 不是公式',
  distribution: [
    {
      resourceID: '376430000A-000321-001',
      resourceDescription: '停車場；CSV 版',
      format: 'CSV',
      characterSetCode: 'UTF-8',
      downloadURL: 'https://data.hccg.gov.tw/file.csv;jsessionid=abc',
    },
    { resourceID: '376430000A-000321-002', resourceDescription: 'API', format: 'JSON', accessURL: 'https://data.hccg.gov.tw/api/parking' },
    { resourceID: '376430000A-000321-003', format: 'XML', downloadURL: 'https://data.hccg.gov.tw/file.xml' },
  ],
};

const SAMPLE_RECORDS = [specRecord, ...own, v2Read, natdocCopy, awkwardRecord];

interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
  /** How many chunks the body arrived in. */
  chunks: number;
}

async function download(url: string, init: RequestInit = {}): Promise<Download> {
  const res = await fetch(url, init);
  let chunks = 0;
  const parts: Buffer[] = [];
  if (res.body) {
    for await (const chunk of res.body) {
      chunks += 1;
      parts.push(Buffer.from(chunk as Uint8Array));
    }
  }
  return { status: res.status, headers: res.headers, bytes: Buffer.concat(parts), chunks };
}

/** Read strictly: no relaxed quotes or column counts, and a line break outside quotes ends a record, as for most readers. */
const STRICT_CSV = { bom: true, relax_quotes: false, relax_column_count: false, record_delimiter: ['\r\n', '\n', '\r'] };

function csvRows(bytes: Buffer): { header: string[]; rows: Row[] } {
  const [header = []] = parse(bytes, { ...STRICT_CSV, to_line: 1 }) as string[][];
  return { header, rows: parse(bytes, { ...STRICT_CSV, columns: true }) as Row[] };
}

function liveRecords(db: Db): Map<string, NationalRecord> {
  return new Map([...liveDatasetsInIdentifierOrder(db)].map((dataset) => [dataset.identifier, dataset.record]));
}

const frequencyText = (value: string | undefined): string | undefined => (value === undefined ? undefined : (normaliseFrequency(value)?.text ?? value));
const licenseName = (value: string | undefined): string | undefined => (value === undefined ? undefined : (normaliseLicense(value)?.name ?? value));
const noSeparator = (value: string): string => value.replace(/;/g, ',').replace(/；/g, '，');

/** What of a record the data.gov.tw export carries, as the export reader reads it back. */
function exportedFacts(record: NationalRecord): Raw {
  const resources = record.distribution ?? [];
  return {
    title: record.title,
    description: record.description,
    categoryCode: record.categoryCode,
    publisher: record.publisher,
    publisherContactName: record.publisherContactName,
    publisherContactPhone: record.publisherContactPhone,
    publisherContactEmail: record.publisherContactEmail,
    landingPage: record.landingPage,
    notes: record.notes === '' ? undefined : record.notes,
    issued: record.issued,
    modified: record.modified,
    license: licenseName(record.license),
    cost: record.cost,
    accrualPeriodicity: frequencyText(record.accrualPeriodicity),
    keyword: record.keyword?.map((keyword) => keyword.replace(/[;；,，、]/g, ' ').trim()),
    numberOfData: record.numberOfData,
    fieldDescription:
      resources.length === 0
        ? undefined
        : noSeparator((resources.some((d) => d.extensions?.resourceField) ? resources[0]!.extensions?.resourceField : record.fieldDescription) ?? '') ||
          undefined,
    distribution: resources.map((d) => ({
      format: d.format,
      downloadURL: (d.downloadURL || d.accessURL)?.replace(/;/g, '%3B'),
      characterSetCode: d.characterSetCode,
      resourceDescription: d.resourceDescription === undefined ? undefined : noSeparator(d.resourceDescription),
    })),
  };
}

function withoutUndefined(value: Raw): Raw {
  return JSON.parse(JSON.stringify(value)) as Raw;
}

function readBack(row: Row): NationalRecord {
  const mapped = mapDataGovTwExportRow(row);
  if (!mapped.ok) throw new Error(`the export reader rejected a row: ${JSON.stringify(mapped.issues)}`);
  return mapped.record;
}

t.test('a data.gov.tw export row, read and written again, reads back as the same record', async (t) => {
  const rows = parse(readFileSync(projectPath('test', 'fixtures', 'datagovtw', 'export.csv')), { bom: true, columns: true }) as Row[];
  let compared = 0;
  for (const row of rows) {
    const first = mapDataGovTwExportRow(row);
    if (!first.ok) continue; // the fixture's rows without title or id are rejected, as they should be
    const cells = exportCsvCells({ identifier: first.record.identifier, record: first.record });
    t.same(Object.keys(cells), [...EXPORT_CSV_COLUMNS], 'every column, in order');
    for (const column of Object.keys(row)) t.ok(column in cells, `${row['資料集識別碼']}: data.gov.tw's column ${column} is written`);
    const second = readBack(cells);
    const extras = { ...second.extensions?.sourceExtras };
    t.equal(extras['資料集編號'], first.record.identifier, 'the gateway identifier is in 資料集編號');
    delete extras['資料集編號'];
    t.same({ ...second, extensions: { ...second.extensions, sourceExtras: extras } }, first.record, `${row['資料集識別碼']}: same record`);
    for (const column of ['資料提供屬性', '品質檢測', '資料集上架方式'])
      t.equal(cells[column as keyof typeof cells], row[column], `${column} is written back from what the record kept`);
    t.equal(cells['服務分類'], row['服務分類'], '服務分類 as its Chinese label');
    compared += 1;
  }
  t.equal(compared, 3, 'the three accepted rows of the fixture');
});

t.test('stored dates are written in Taipei local form, the fast path agreeing with the full date reader', async (t) => {
  const fullReader = (value: string): string => {
    const parsed = parseTaiwanDate(value);
    if (parsed === null) return value;
    return parsed.kind === 'datetime' ? formatTaipeiDateTime(parsed.value) : parsed.value;
  };
  t.equal(toTaipeiText('2015-01-01T15:59:59Z'), '2015-01-01 23:59:59');
  t.equal(toTaipeiText('2026-12-31T16:00:00.123Z'), '2027-01-01 00:00:00', 'across midnight and the year');
  t.equal(toTaipeiText('2020-02-29'), '2020-02-29', 'a date stays a date');
  for (const value of [
    '2024-02-29T15:59:59Z',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '1999-12-31T23:59:60Z',
    '0999-01-01T00:00:00Z',
    '2026-02-30',
    '2018-05',
    '2018',
    'not a date',
    '',
    '2021-08-01T10:00:00+08:00',
  ]) {
    t.equal(toTaipeiText(value), fullReader(value), JSON.stringify(value));
  }
});

t.test('the whole-catalogue exports over a harvested catalogue', async (t) => {
  const { base, db, harvester, platform } = await startFederation(t, SAMPLE_RECORDS, PUBLIC_URL, { withdrawAfterHours: 0 });
  t.equal((await harvester.run('fixture'))?.status, 'succeeded');
  const live = liveRecords(db);
  t.equal(live.size, SAMPLE_RECORDS.length - 1, 'every sample but the one without a title is served');

  await t.test('GET /export/catalog.csv: headers, BOM, CRLF, one row per live dataset', async (t) => {
    const res = await download(`${base}/export/catalog.csv`);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    t.match(res.headers.get('content-disposition'), /^attachment; filename="ogd-gateway-catalog-\d{8}\.csv"$/);
    t.equal(res.headers.get('content-length'), null, 'streamed: no length known in advance');
    t.same([...res.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
    const text = res.bytes.toString('utf8');
    t.ok(text.endsWith('\r\n'), 'ends with a line break');
    t.notOk(/[^\r]\n/.test(text.replace(/"(?:[^"]|"")*"/g, '')), 'every line outside quoted cells ends CRLF');
    const { header, rows } = csvRows(res.bytes);
    t.same(header, [...EXPORT_CSV_COLUMNS]);
    t.same(
      rows.map((row) => row['資料集編號']),
      [...live.keys()],
      'one row per live dataset, in identifier order',
    );
  });

  await t.test('every exported row reads back through the data.gov.tw export mapper as the served record', async (t) => {
    const { rows } = csvRows((await download(`${base}/export/catalog.csv`)).bytes);
    for (const row of rows) {
      const identifier = row['資料集編號']!;
      const served = live.get(identifier)!;
      const back = readBack(row);
      t.equal(back.identifier, served.extensions?.datasetId ?? identifier, `${identifier}: 資料集識別碼 is data.gov.tw's id when there is one`);
      const expected = exportedFacts(served);
      // A category outside the 18 codes is written as it is and read back as it is (and flagged).
      t.same(withoutUndefined(exportedFacts(back)), withoutUndefined(expected), `${identifier}: what the export carries survives`);
    }
    const byId = new Map(rows.map((row) => [row['資料集編號'], row]));
    t.equal(byId.get('A45020000D-000354')!['資料集識別碼'], '18420');
    t.equal(byId.get('A41000000G-000001')!['服務分類'], '公共資訊');
    t.equal(byId.get('A41000000G-000001')!['詮釋資料更新時間'], '2015-01-01 23:59:59', 'Taipei wall-clock time');
    t.equal(byId.get('397000000A-000013')!['服務分類'], 'K00', 'an unknown code is written as it is');
    t.equal(byId.get('A41000000G-006564')!['品質檢測'], '無(白名單)', "gen-2's dataQuality");
  });

  await t.test('CSV quoting and the parallel columns keep awkward values intact', async (t) => {
    const { rows } = csvRows((await download(`${base}/export/catalog.csv`)).bytes);
    const row = rows.find((r) => r['資料集編號'] === '376430000A-000321')!;
    t.equal(row['資料集名稱'], awkwardRecord.title, 'quotes and commas');
    t.equal(row['資料集描述'], awkwardRecord.description, 'line breaks, quotes, commas and ; in a plain column');
    t.equal(row['備註'], '=SUM(A1:A2) 不是公式', 'data is written as it is');
    t.equal(row['檔案格式'], 'CSV;JSON;XML');
    t.equal(
      row['資料下載網址'],
      'https://data.hccg.gov.tw/file.csv%3Bjsessionid=abc;https://data.hccg.gov.tw/api/parking;https://data.hccg.gov.tw/file.xml',
      '; in a URL is percent-encoded; an API has its access URL',
    );
    t.equal(row['編碼格式'], 'UTF-8;;', 'positions are kept for resources without a value');
    t.equal(row['資料資源描述'], '停車場，CSV 版;API;');
    t.equal(row['關鍵字'], '停車場;剩餘車位;A B', 'a separator inside a keyword becomes a space');
    t.equal(row['計費方式'], '付費');
    const back = readBack(row);
    t.equal(back.distribution?.length, 3, 'three resources read back');
    t.same(
      back.distribution?.map((d) => d.format),
      ['CSV', 'JSON', 'XML'],
    );
  });

  await t.test('GET /export/catalog.jsonld: one DCAT-AP catalogue with every dataset, readable offline', async (t) => {
    const res = await download(`${base}/export/catalog.jsonld`);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^application\/ld\+json/);
    t.match(res.headers.get('content-disposition'), /^attachment; filename="ogd-gateway-catalog-\d{8}\.jsonld"$/);
    const doc = JSON.parse(res.bytes.toString('utf8')) as Raw;
    t.equal(typeof doc['@context'], 'object', 'the context is inline');
    t.equal(doc['@type'], 'dcat:Catalog');
    t.equal(doc['@id'], `${PUBLIC_URL}/catalog`);
    const datasets = doc['dcat:dataset'] as Raw[];
    t.same(
      datasets.map((node) => node['dct:identifier']),
      [...live.keys()],
      'every live dataset, in identifier order',
    );
    t.same(
      datasets.map((node) => node['@id']),
      [...live.keys()].map((id) => `${PUBLIC_URL}/dataset/${encodeURIComponent(id)}`),
    );
    const single = (await (await fetch(`${base}/dataset/A41000000G-000001.jsonld`)).json()) as Raw;
    delete single['@context'];
    t.same(
      datasets.find((node) => node['dct:identifier'] === 'A41000000G-000001'),
      single,
      'a dataset reads as at /dataset/{identifier}.jsonld',
    );
    const expanded = (await ((jsonld.expand as (input: unknown, options: unknown) => Promise<unknown>)(
      doc as jsonld.JsonLdDocument,
      { documentLoader: refuseEveryDocument as never, safe: true } as never,
    ) as Promise<unknown>)) as unknown as Raw[];
    const catalogue = expanded.find((node) => (node['@type'] as string[] | undefined)?.includes('http://www.w3.org/ns/dcat#Catalog'))!;
    t.equal((catalogue['http://www.w3.org/ns/dcat#dataset'] as unknown[]).length, live.size, 'expands to a catalogue of every dataset');
  });

  await t.test('HEAD answers the headers without reading the catalogue; odd Accept headers change nothing', async (t) => {
    for (const [path, type] of [
      ['/export/catalog.csv', /^text\/csv/],
      ['/export/catalog.jsonld', /^application\/ld\+json/],
    ] as const) {
      const head = await download(`${base}${path}`, { method: 'HEAD' });
      t.equal(head.status, 200, `HEAD ${path}`);
      t.match(head.headers.get('content-type'), type);
      t.match(head.headers.get('content-disposition'), /^attachment; filename=/);
      t.equal(head.bytes.length, 0);
      const odd = await download(`${base}${path}?format=xml&limit=-1`, { headers: { accept: 'application/xml, image/png;q=0.1' } });
      t.equal(odd.status, 200, `${path} with an odd Accept and unknown parameters`);
      t.match(odd.headers.get('content-type'), type);
    }
  });

  await t.test('withdrawn datasets leave the exports', async (t) => {
    platform.records.delete('376430000A-000321');
    t.equal((await harvester.run('fixture'))?.status, 'succeeded');
    const { rows } = csvRows((await download(`${base}/export/catalog.csv`)).bytes);
    t.notOk(
      rows.some((row) => row['資料集編號'] === '376430000A-000321'),
      'not in the CSV',
    );
    t.equal(rows.length, live.size - 1);
    const doc = JSON.parse((await download(`${base}/export/catalog.jsonld`)).bytes.toString('utf8')) as Raw;
    t.notOk(
      (doc['dcat:dataset'] as Raw[]).some((node) => node['dct:identifier'] === '376430000A-000321'),
      'not in the JSON-LD',
    );
  });
});

t.test('the catalogue document of the spec example passes the DCAT-AP 3 SHACL shapes', async (t) => {
  const { base, harvester } = await startFederation(t, [specRecord], PUBLIC_URL);
  await harvester.run('fixture');
  const doc = JSON.parse((await download(`${base}/export/catalog.jsonld`)).bytes.toString('utf8')) as Raw;
  t.equal((doc['dcat:dataset'] as unknown[]).length, 1);
  t.match(doc['dct:modified'], { '@value': '2015-01-01T15:59:59Z', '@type': 'xsd:dateTime' }, 'the catalogue last changed when its newest dataset did');
  t.same(await dcatApViolations(doc), []);
});

t.test('an empty catalogue exports a header and an empty catalogue', async (t) => {
  const { base, harvester } = await startFederation(t, [], PUBLIC_URL);
  await harvester.run('fixture');
  const csv = await download(`${base}/export/catalog.csv`);
  t.equal(csv.status, 200);
  t.equal(csv.bytes.toString('utf8'), `\uFEFF${EXPORT_CSV_COLUMNS.join(',')}\r\n`, 'BOM and the header row only');
  const jsonldRes = await download(`${base}/export/catalog.jsonld`);
  t.equal(jsonldRes.status, 200);
  const doc = JSON.parse(jsonldRes.bytes.toString('utf8')) as Raw;
  t.same(doc['dcat:dataset'], []);
  t.notOk('dct:modified' in doc, 'no modification time for a catalogue that never had a dataset');
  t.same(await dcatApViolations(doc), [], 'still a valid DCAT-AP catalogue');
});

// ---------------------------------------------------------------------------------------------
// A few thousand datasets
// ---------------------------------------------------------------------------------------------

const BULK_SIZE = 3000;

function bulkRecord(index: number): Raw {
  const serial = String(index).padStart(6, '0');
  const codes = ['100', 'A00', 'E00', 'I00'];
  return {
    identifier: `A41000000G-${serial}`,
    title: `合成資料集 ${index}, "第 ${index} 號"`,
    description: index % 7 === 0 ? `多行說明\n第二行 ${index}` : `說明 ${index}`,
    categoryCode: codes[index % codes.length],
    type: 'rawData',
    license: '政府資料開放授權條款-第1版',
    cost: '免費',
    publisher: '國家發展委員會',
    publisherOrgCode: 'A41000000G',
    accrualPeriodicity: '每日',
    modified: `2026-0${1 + (index % 9)}-15 08:00:00`,
    keyword: [`標籤${index % 50}`, '合成'],
    distribution: Array.from({ length: 1 + (index % 3) }, (_, n) => ({
      resourceID: `A41000000G-${serial}-00${n + 1}`,
      format: ['CSV', 'JSON', 'XML'][n],
      downloadURL: `https://example.gov.tw/data/${serial}/${n}`,
    })),
  };
}

interface BulkCatalogue {
  base: string;
  db: Db;
  identifiers: string[];
}

async function bulkCatalogue(t: Test): Promise<BulkCatalogue> {
  const { dir, cleanup } = tempDir();
  const records = Array.from({ length: BULK_SIZE }, (_, i) => bulkRecord(BULK_SIZE - i)); // written in reverse: order comes from the export
  const file = join(dir, 'bulk.json');
  writeFileSync(file, JSON.stringify(records));
  const config = testConfig(join(dir, 'catalog.db'), '', {
    sources: [{ id: 'bulk', name: 'Bulk file', type: 'file', url: file, schedule: '0 3 * * *', options: { pageSize: 1000 } }],
  });
  const db = openTestDb(config);
  const api = await buildApi({ store: sqliteStoreOn(db), publicUrl: PUBLIC_URL, logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await api.close();
    db.close();
    cleanup();
  });
  const run = await new Harvester(sqliteStoreOn(db), config, silentLog).run('bulk');
  if (run?.status !== 'succeeded') throw new Error(`bulk harvest: ${run?.status}`);
  const identifiers = records.map((record) => String(record.identifier)).sort();
  return { base: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`, db, identifiers };
}

/**
 * One bulk catalogue for the tests below, harvested once (a harvest of BULK_SIZE records is most of
 * their time) and closed with the file. The stream test reads it first: the export test after it
 * spoils a stored record.
 */
let sharedBulk: Promise<BulkCatalogue> | undefined;
const sharedBulkCatalogue = (): Promise<BulkCatalogue> => (sharedBulk ??= bulkCatalogue(t));

t.test('the catalogue stream reads page by page, in order, each dataset once', async (t) => {
  const { db, identifiers } = await sharedBulkCatalogue();
  for (const pageSize of [1, 7, 1000, BULK_SIZE, BULK_SIZE + 1]) {
    const seen = [...liveDatasetsInIdentifierOrder(db, { pageSize })].map((dataset) => dataset.identifier);
    t.same(seen, identifiers, `page size ${pageSize}`);
  }
  const stream = liveDatasetsInIdentifierOrder(db, { pageSize: 10 });
  t.equal(stream.next().value?.identifier, identifiers[0]);
  t.equal(db.prepare('SELECT COUNT(*) FROM datasets').pluck().get(), BULK_SIZE, 'the connection is free for other statements while a stream is open');
  t.equal(stream.next().value?.identifier, identifiers[1], 'and the stream goes on after them');
  stream.return(undefined);
  t.throws(() => [...liveDatasetsInIdentifierOrder(db, { pageSize: 0 })], RangeError);
});

t.test(`exports of ${BULK_SIZE} datasets stream and are well-formed`, async (t) => {
  const { base, db, identifiers } = await sharedBulkCatalogue();

  await t.test('CSV: every row, parsed by csv-parse', async (t) => {
    const res = await download(`${base}/export/catalog.csv`);
    t.equal(res.status, 200);
    t.equal(res.headers.get('transfer-encoding'), 'chunked', 'sent as it is produced');
    t.ok(res.chunks > 1, `arrived in ${res.chunks} chunks`);
    const { rows } = csvRows(res.bytes);
    t.equal(rows.length, BULK_SIZE, 'row count');
    t.same(
      rows.map((row) => row['資料集編號']),
      identifiers,
      'every identifier once, in order',
    );
    const sample = rows[6]!; // A41000000G-000007: a multi-line description
    t.equal(sample['資料集描述'], '多行說明\n第二行 7');
    t.equal(sample['檔案格式'], 'CSV;JSON');
  });

  await t.test('JSON-LD: one JSON document holding every identifier', async (t) => {
    const res = await download(`${base}/export/catalog.jsonld`);
    t.equal(res.status, 200);
    t.equal(res.headers.get('transfer-encoding'), 'chunked');
    t.ok(res.chunks > 1, `arrived in ${res.chunks} chunks`);
    const doc = JSON.parse(res.bytes.toString('utf8')) as Raw;
    const datasets = doc['dcat:dataset'] as Raw[];
    t.equal(datasets.length, BULK_SIZE);
    t.same(
      datasets.map((node) => node['dct:identifier']),
      identifiers,
    );
  });

  await t.test('a client that hangs up mid-download leaves the server serving', async (t) => {
    const controller = new AbortController();
    const res = await fetch(`${base}/export/catalog.jsonld`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    const again = await fetch(`${base}/api/v1/rest/group`);
    t.equal(again.status, 200);
    t.same(((await again.json()) as { result: string[] }).result, ['100', 'A00', 'E00', 'I00']);
    const csv = await download(`${base}/export/catalog.csv`);
    t.equal(csvRows(csv.bytes).rows.length, BULK_SIZE, 'a full export right after');
  });

  await t.test('a stored record that cannot be read is left out; the export stays well-formed', async (t) => {
    db.prepare("UPDATE source_payloads SET record = 'not json' WHERE native_id = ?").run('A41000000G-001500');
    const csv = await download(`${base}/export/catalog.csv`);
    t.equal(csv.status, 200);
    const { rows } = csvRows(csv.bytes);
    t.equal(rows.length, BULK_SIZE - 1);
    t.notOk(rows.some((row) => row['資料集編號'] === 'A41000000G-001500'));
    const doc = JSON.parse((await download(`${base}/export/catalog.jsonld`)).bytes.toString('utf8')) as Raw;
    t.equal((doc['dcat:dataset'] as unknown[]).length, BULK_SIZE - 1);
  });
});

import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { Harvester } from '../../src/harvest/harvester.js';
import { HttpClient } from '../../src/http/http-client.js';
import { runErrors } from '../../src/store/runs.js';
import type { Db } from '../../src/store/database.js';
import { projectPath } from '../../src/model/project-root.js';
import { compileMapping } from '../../src/mapping/declarative/mapping-file.js';
import { listItems } from '../../connectors/mapped-json/listing.js';
import { mappedJsonConnector } from '../../connectors/mapped-json.js';
import type { HarvestContext } from '../../connectors/connector.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

/**
 * The mapped-json connector harvesting loopback copies of the city platforms, each answering
 * in the shapes composed from docs/tw-standards.md §6.1 (test/fixtures/mapped-json/SOURCES.md),
 * with the mapping files shipped in mappings/city.
 */

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(projectPath('test', 'fixtures', 'mapped-json', name), 'utf8')) as T;
}

interface Site {
  search: Record<string, unknown>;
  details: Record<string, unknown>;
}

interface FakeCity {
  url: string;
  requests: string[];
  /** Answer the list with this body instead (string: sent as is). */
  listOverride?: string;
  /** The list ignores the page parameter. */
  ignorePage?: boolean;
  details: Record<string, unknown>;
}

/**
 * Serves `/api/v1/dataset.search` (paged by page_num/page_limit from the fixture's records),
 * `/api/v1/dataset.info?id=`, and data.taipei's `/api/frontstage/tpeod/dataset.download`.
 */
async function startCity(t: Test, site: Site | undefined, taipei?: unknown): Promise<FakeCity> {
  const city: FakeCity = { url: '', requests: [], details: site?.details ?? {} };
  const server = createServer((req, res) => {
    city.requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (city.listOverride !== undefined && (url.pathname === '/api/v1/dataset.search' || url.pathname === '/api/frontstage/tpeod/dataset.download'))
      return send(200, city.listOverride);
    if (url.pathname === '/api/frontstage/tpeod/dataset.download' && taipei !== undefined) return send(200, taipei);
    if (url.pathname === '/api/v1/dataset.search' && site) {
      const page = city.ignorePage ? 1 : Number(url.searchParams.get('page_num') ?? 1);
      const size = Number(url.searchParams.get('page_limit') ?? 100);
      const body = structuredClone(site.search) as { payload?: { search_result: unknown[] }; result?: { results: unknown[] } };
      const list = body.payload ? body.payload.search_result : body.result!.results;
      const slice = list.slice((page - 1) * size, page * size);
      if (body.payload) body.payload.search_result = slice;
      else body.result!.results = slice;
      return send(200, body);
    }
    if (url.pathname === '/api/v1/dataset.info') {
      const detail = city.details[url.searchParams.get('id') ?? ''];
      return detail === undefined ? send(404, { success: false }) : send(200, detail);
    }
    send(404, { success: false });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  city.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return city;
}

interface Setup {
  city: FakeCity;
  db: Db;
  harvester: Harvester;
  datasets(): Map<string, Record<string, unknown>>;
}

async function setup(t: Test, mapping: string, site: Site | undefined, taipei?: unknown, options: Record<string, unknown> = {}): Promise<Setup> {
  const city = await startCity(t, site, taipei);
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), city.url, {
    sources: [{ id: mapping, name: mapping, type: 'mapped-json', url: city.url, schedule: '0 4 * * *', options: { mapping, ...options } }],
  });
  const db = openTestDb(config);
  t.teardown(() => {
    db.close();
    cleanup();
  });
  return {
    city,
    db,
    harvester: new Harvester(sqliteStoreOn(db), config, silentLog),
    datasets: () =>
      new Map(
        (db.prepare('SELECT identifier, record FROM datasets WHERE withdrawn_at IS NULL').all() as Array<{ identifier: string; record: string }>).map((row) => [
          row.identifier,
          JSON.parse(row.record) as Record<string, unknown>,
        ]),
      ),
  };
}

function validateErrors(db: Db, runId: number, nativeId: string): string[] {
  return runErrors(db, runId)
    .filter((e) => e.stage === 'validate' && e.nativeId === nativeId)
    .map((e) => `${e.field} ${e.rule}`);
}

const MISSING_EVERYWHERE = [
  'type required',
  'cost required',
  'organizationContactName required',
  'organizationContactPhone required',
  'organizationContactEmail required',
];

t.test('Taipei: the whole-catalogue download, parallel resource arrays, constants, extras', async (t) => {
  const s = await setup(t, 'taipei', undefined, fixture('taipei-download.json'));
  const run = await s.harvester.run('taipei');
  t.equal(run!.status, 'partial', 'a record without 資料集識別碼 is a failure');
  t.same(s.city.requests, ['/api/frontstage/tpeod/dataset.download?format=json']);
  t.match(
    runErrors(s.db, run!.runId).filter((e) => e.stage !== 'validate'),
    [{ stage: 'parse', rule: 'no-identifier' }],
  );
  const youbike = s.datasets().get('a1b2c3d4-0001-4c6e-9f00-000000000001')!;
  t.same(youbike, {
    identifier: 'a1b2c3d4-0001-4c6e-9f00-000000000001',
    title: '臺北市YouBike2.0臨時租賃站資料',
    categoryCode: 'A00',
    description: '臺北市YouBike2.0各站即時車位資訊。',
    fieldDescription: 'sno(站點代號)、sna(場站中文名稱)、total(場站總停車格)',
    publisher: '臺北市政府交通局',
    publisherContactName: '王先生',
    publisherContactPhone: '02-27256888',
    publisherContactEmail: 'youbike@mail.taipei.gov.tw',
    accrualPeriodicity: '每分鐘',
    license: '政府資料開放授權條款-第1版',
    issued: '2023-03-01',
    modified: '2026-09-07T00:00:00Z',
    keyword: ['YouBike', '公共自行車'],
    landingPage: 'https://data.taipei/dataset/detail?id=a1b2c3d4-0001-4c6e-9f00-000000000001',
    organization: '臺北市政府',
    spatial: '臺北市',
    language: 'zh',
    licenseURL: 'https://data.gov.tw/license',
    distribution: [
      {
        downloadURL: 'https://tcgbusfs.blob.core.windows.net/dotapp/youbike/v2/youbike_immediate.json',
        format: 'JSON',
        characterSetCode: 'UTF-8',
        resourceDescription: '即時資料',
        resourceID: 'a1b2c3d4-0001-4c6e-9f00-000000000001-001',
        extensions: { resourceIDSynthesised: true },
      },
      {
        downloadURL: 'https://data.taipei/api/v1/dataset/a1b2?scope=resourceAquire',
        format: 'API',
        characterSetCode: 'UTF-8',
        resourceDescription: 'API',
        resourceID: 'a1b2c3d4-0001-4c6e-9f00-000000000001-002',
        extensions: { resourceIDSynthesised: true },
      },
    ],
    extensions: { sourceVocabulary: 'mapped-json', sourceExtras: { 主題分類: ['交通', '生活'], 瀏覽次數: 15234 } },
  });
  t.same(validateErrors(s.db, run!.runId, 'a1b2c3d4-0001-4c6e-9f00-000000000001'), [...MISSING_EVERYWHERE, 'identifier pattern']);
  t.same(validateErrors(s.db, run!.runId, 'a1b2c3d4-0002-4c6e-9f00-000000000002'), [
    'categoryCode required',
    'fieldDescription required',
    'type required',
    'cost required',
    'organizationContactName required',
    'organizationContactPhone required',
    'organizationContactEmail required',
    'publisherContactName required',
    'publisherContactPhone required',
    'publisherContactEmail required',
    'identifier pattern',
    'distribution[0].resourceDescription required',
    'distribution[1] required',
    'distribution[1].resourceDescription required',
  ]);
  t.match(
    s.datasets().get('a1b2c3d4-0002-4c6e-9f00-000000000002'),
    { issued: '2015-06-30', modified: '2026-01-05T02:20:00Z', accrualPeriodicity: '每年', keyword: ['公園', '綠地', '休閒'] },
    'ROC dates, 每1年, a split keyword text',
  );
});

t.test('New Taipei: paged search, detail per record, value map, resources, extras', async (t) => {
  const s = await setup(t, 'ntpc', fixture<Site>('ntpc.json'), undefined, { pageSize: 2 });
  const run = await s.harvester.run('ntpc');
  t.equal(run!.status, 'succeeded');
  const lists = s.city.requests.filter((r) => r.startsWith('/api/v1/dataset.search'));
  t.same(
    lists,
    ['/api/v1/dataset.search?q=&sort=changed_desc&page_num=1&page_limit=2', '/api/v1/dataset.search?q=&sort=changed_desc&page_num=2&page_limit=2'],
    'two pages of two; the total (3) ends the listing',
  );
  t.equal(s.city.requests.filter((r) => r.startsWith('/api/v1/dataset.info?id=')).length, 3);
  const datasets = s.datasets();
  t.match(datasets.get('2c2f6e3b-6a56-4b1a-9d7b-1e2f3a4b5c01'), {
    publisher: '新北市政府交通局',
    organization: '新北市政府',
    accrualPeriodicity: '每日',
    license: '政府資料開放授權條款-第1版',
    modified: '2026-09-06T15:10:05Z',
    distribution: [{ format: 'JSON', downloadURL: 'https://data.ntpc.gov.tw/api/datasets/2c2f6e3b-6a56-4b1a-9d7b-1e2f3a4b5c01/json' }, { format: 'CSV' }],
    extensions: {
      sourceExtras: {
        extras: { category: '交通運輸' },
        view_count: 5021,
        resources: [{ rid: '71f0a1d2-0000-4000-8000-000000000001' }, { rid: '71f0a1d2-0000-4000-8000-000000000002' }],
      },
    },
  });
  t.match(datasets.get('2c2f6e3b-6a56-4b1a-9d7b-1e2f3a4b5c02'), {
    accrualPeriodicity: '每年',
    license: 'CC BY 4.0',
    licenseURL: 'https://creativecommons.org/licenses/by/4.0/',
  });
  const lamps = datasets.get('2c2f6e3b-6a56-4b1a-9d7b-1e2f3a4b5c03')!;
  t.match(lamps, { accrualPeriodicity: '不定期', license: '新北市政府開放資料授權' }, 'non-scheduled → 不定期; an unknown licence kept as sent');
  t.notOk('distribution' in lamps, 'no resources, no distribution');
  t.same(validateErrors(s.db, run!.runId, '2c2f6e3b-6a56-4b1a-9d7b-1e2f3a4b5c01'), [
    'categoryCode required',
    'type required',
    'cost required',
    'organizationContactName required',
    'organizationContactPhone required',
    'organizationContactEmail required',
    'identifier pattern',
  ]);
});

t.test('New Taipei: an incremental run fetches only records changed since the last complete run', async (t) => {
  const s = await setup(t, 'ntpc', fixture<Site>('ntpc.json'));
  await s.harvester.run('ntpc');
  // The last run "started" before 2026-05-01: only the record changed 2026-09-06 is newer.
  s.db.prepare(`UPDATE runs SET started_at = '2026-06-01T00:10:00Z'`).run();
  s.city.requests.length = 0;
  const run = await s.harvester.run('ntpc');
  t.equal(run!.status, 'succeeded');
  t.same(
    s.city.requests.filter((r) => r.startsWith('/api/v1/dataset.info')),
    ['/api/v1/dataset.info?id=2c2f6e3b-6a56-4b1a-9d7b-1e2f3a4b5c01'],
  );
  t.equal(run!.counts.unchanged, 3);
});

t.test('Taoyuan: the same vendor platform, its own mapping file', async (t) => {
  const s = await setup(t, 'tycg', fixture<Site>('tycg.json'));
  const run = await s.harvester.run('tycg');
  t.equal(run!.status, 'succeeded');
  t.match(s.city.requests[0], /sort=score_desc/);
  t.match(s.datasets().get('9d1e0f2a-1111-4a2b-8c3d-000000000001'), {
    title: '桃園市停車場資訊',
    organization: '桃園市政府',
    spatial: '桃園市',
    accrualPeriodicity: '每日',
    keyword: ['停車場'],
    distribution: [{ resourceDescription: '停車場資訊', format: 'JSON', resourceModified: '2026-09-06T22:00:00Z' }],
    extensions: { sourceExtras: { resources: [{ rid: 'r-1' }] } },
  });
});

t.test('Taichung: CKAN-ish detail records, ogdlv1, number_of_data', async (t) => {
  const s = await setup(t, 'taichung', fixture<Site>('taichung.json'));
  const run = await s.harvester.run('taichung');
  t.equal(run!.status, 'succeeded');
  const bus = s.datasets().get('3f5e7a9c-aaaa-4bbb-8ccc-000000000001')!;
  t.match(bus, {
    publisher: '臺中市政府交通局',
    license: '政府資料開放授權條款-第1版',
    licenseURL: 'https://data.gov.tw/license',
    numberOfData: 1250,
    accrualPeriodicity: '每月',
    keyword: ['公車', '路線'],
    issued: '2020-04-01T00:00:00Z',
    extensions: { sourceExtras: { organization: { name: 'traffic' }, state: 'active', resources: [{ id: 'aa-1' }] } },
  });
  t.same(validateErrors(s.db, run!.runId, '3f5e7a9c-aaaa-4bbb-8ccc-000000000001'), [
    'categoryCode required',
    'fieldDescription required',
    'type required',
    'cost required',
    'organizationContactName required',
    'organizationContactPhone required',
    'organizationContactEmail required',
    'publisherContactName required',
    'publisherContactPhone required',
    'publisherContactEmail required',
    'identifier pattern',
  ]);
});

t.test('paging guards: a list that ignores the page parameter, and a cap', async (t) => {
  const loop = await setup(t, 'ntpc', fixture<Site>('ntpc.json'), undefined, { pageSize: 2 });
  loop.city.ignorePage = true;
  const run = await loop.harvester.run('ntpc');
  t.equal(run!.status, 'partial');
  t.match(
    runErrors(loop.db, run!.runId).filter((e) => e.stage === 'list'),
    [{ rule: 'paging-loop' }],
  );
  t.equal(loop.city.requests.filter((r) => r.startsWith('/api/v1/dataset.search')).length, 2, 'stopped at the repeated page');

  const capped = await setup(t, 'ntpc', fixture<Site>('ntpc.json'), undefined, { pageSize: 1, maxPages: 2 });
  const cappedRun = await capped.harvester.run('ntpc');
  t.equal(cappedRun!.status, 'partial');
  t.match(
    runErrors(capped.db, cappedRun!.runId).filter((e) => e.stage === 'list'),
    [{ rule: 'page-cap' }],
  );
});

t.test('bad answers: typed errors, the run ends, stored records stay', async (t) => {
  const cases: Array<{ name: string; body: string; status: string; rule: string }> = [
    { name: 'an HTML page with 200', body: '<!DOCTYPE html><html><body>維護中</body></html>', status: 'failed', rule: 'malformed-json' },
    { name: 'truncated JSON', body: '{"success":true,"payload":{"search_count":3,"search_res', status: 'failed', rule: 'malformed-json' },
    { name: 'JSON of another shape', body: '{"success":true,"data":[]}', status: 'failed', rule: 'protocol' },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const s = await setup(t, 'ntpc', fixture<Site>('ntpc.json'));
      await s.harvester.run('ntpc');
      const before = s.datasets();
      t.equal(before.size, 3);
      s.city.listOverride = c.body;
      const run = await s.harvester.run('ntpc', { full: true });
      t.equal(run!.status, c.status);
      t.match(runErrors(s.db, run!.runId), [{ stage: 'source', rule: c.rule }]);
      t.same(s.datasets(), before);
    });
  }
  await t.test('a broken detail record and a vanished one are failures of those records', async (t) => {
    const site = fixture<Site>('ntpc.json');
    const s = await setup(t, 'ntpc', site);
    s.city.details = { ...site.details, '2c2f6e3b-6a56-4b1a-9d7b-1e2f3a4b5c01': '{"success":true,"payload":{' };
    delete s.city.details['2c2f6e3b-6a56-4b1a-9d7b-1e2f3a4b5c02'];
    const run = await s.harvester.run('ntpc');
    t.equal(run!.status, 'partial');
    t.match(
      runErrors(s.db, run!.runId)
        .filter((e) => e.stage !== 'validate')
        .sort((a, b) => String(a.nativeId).localeCompare(String(b.nativeId))),
      [
        { nativeId: '2c2f6e3b-6a56-4b1a-9d7b-1e2f3a4b5c01', stage: 'parse', rule: 'malformed-json' },
        { nativeId: '2c2f6e3b-6a56-4b1a-9d7b-1e2f3a4b5c02', stage: 'fetch', rule: 'http-404' },
      ],
    );
    t.equal(s.datasets().size, 1);
  });
});

t.test('a next link is followed, and a next link back to a page already read stops the listing', async (t) => {
  const pages: Record<string, unknown> = {
    '/p1': { data: [{ id: 'a', name: 'A' }], links: { next: '/p2' } },
    '/p2': { data: [{ id: 'b', name: 'B' }], links: { next: '/p1' } },
  };
  const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pages[req.url ?? ''] ?? {})));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mapping = compileMapping(
    {
      platform: 'test',
      list: { url: '/p1', paging: { style: 'next-link', nextPath: 'links.next' }, recordsPath: 'data', idPath: 'id' },
      fields: { identifier: 'id', title: 'name' },
    },
    'next-link test',
  );
  const http = new HttpClient({
    timeoutMs: 2000,
    connectTimeoutMs: 2000,
    maxResponseBytes: 1 << 20,
    retries: 0,
    retryBaseDelayMs: 0,
    allowPrivateAddresses: true,
    userAgent: 'test',
  });
  t.teardown(() => http.close());
  const context: HarvestContext = { http, since: null, known: () => new Map(), signal: new AbortController().signal, log: pino({ level: 'silent' }) };
  const steps = [];
  for await (const step of listItems(context, 'test', base, mapping)) steps.push(step);
  t.match(steps, [{ items: [{ id: 'a' }] }, { items: [{ id: 'b' }] }, { failure: { stage: 'list', rule: 'paging-loop' } }]);
});

t.test('a bad mapping file fails the run naming the file and the field', async (t) => {
  t.match(
    mappedJsonConnector.optionsSchema,
    { properties: { mapping: { enum: ['ntpc', 'taichung', 'taipei', 'tycg'] } } },
    'options.mapping must name a shipped file',
  );
  const connector = mappedJsonConnector.create({
    id: 'x',
    name: 'x',
    type: 'mapped-json',
    url: 'http://127.0.0.1:1',
    schedule: '* * * * *',
    priority: 0,
    enabled: true,
    withdrawAfterHours: 1,
    maxMissingShare: 1,
    options: { mapping: '../secret' },
  });
  const context = { http: undefined, since: null, known: () => new Map(), signal: new AbortController().signal, log: silentLog } as unknown as HarvestContext;
  await t.rejects(
    async () => {
      for await (const _ of connector.harvest(context)) void _;
    },
    { name: 'ConfigError', field: '(file)' },
  );
});

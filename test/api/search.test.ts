import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { startFederation } from '../helpers/federation.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';

/**
 * GET /api/search end to end: a loopback fixture platform harvested by the real Harvester into
 * a real SQLite store, the API listening on loopback.
 */

type Raw = Record<string, unknown>;

interface SearchBody {
  success: boolean;
  result: {
    total: number;
    offset: number;
    limit: number;
    nextCursor?: string;
    results: Array<{
      identifier: string;
      title: string;
      description: string | null;
      publisher: string | null;
      modified: string;
      categoryCode: string | null;
      formats: string[];
      url: string;
    }>;
    facets?: Record<'publisher' | 'category' | 'format' | 'license', Array<{ value: string; count: number }>>;
  };
}

interface ErrorBody {
  success: false;
  error: { error_type: string; message: string };
}

const PUBLIC_URL = 'https://gateway.example.tw';
const id = (serial: string): string => `A41000000G-${serial}`;

function record(serial: string, overrides: Raw = {}): Raw {
  return {
    identifier: id(serial),
    title: `資料集${serial}`,
    description: '本資料集提供統計數據。',
    type: 'rawData',
    categoryCode: 'I00',
    license: '政府資料開放授權條款-第1版',
    licenseURL: 'https://data.gov.tw/license',
    cost: '免費',
    organization: '國家發展委員會',
    publisher: '國家發展委員會資訊管理處',
    accrualPeriodicity: '每月',
    modified: '2025-01-01 10:00:00',
    distribution: [{ resourceID: `${id(serial)}-001`, format: 'CSV', downloadURL: `https://data.example.gov.tw/${serial}.csv` }],
    ...overrides,
  };
}

/** 300 characters, with a character outside the BMP (two UTF-16 units) at the 200th. */
const LONG_DESCRIPTION = `${'空氣品質監測'.repeat(33)}測𠀀${'後'.repeat(100)}`;

const RECORDS: Raw[] = [
  record('000001', {
    title: '臺北市空氣品質監測資料',
    description: LONG_DESCRIPTION,
    keyword: ['空氣品質'],
    categoryCode: 'E00',
    publisher: '臺北市政府環境保護局',
    modified: '2025-03-01 10:00:00',
    distribution: [
      { resourceID: `${id('000001')}-001`, format: 'csv', downloadURL: 'https://data.example.gov.tw/1.csv' },
      { resourceID: `${id('000001')}-002`, format: 'JSON', downloadURL: 'https://data.example.gov.tw/1.json' },
    ],
  }),
  record('000002', {
    title: '新北市公車路線',
    description: '新北市市區公車路線、站牌位置及班表，提供ＣＳＶ下載。',
    categoryCode: 'A00',
    publisher: '新北市政府交通局',
    modified: '2024-06-01 09:00:00',
  }),
  record('000003', {
    title: '台北市公共自行車租賃站',
    description: '臺北市公共自行車（YouBike）各租賃站位置及即時車位。',
    categoryCode: 'A00',
    publisher: '臺北市政府交通局',
    modified: '2025-02-01 08:00:00',
    distribution: [{ resourceID: `${id('000003')}-001`, format: 'JSON', downloadURL: 'https://data.example.gov.tw/3.json' }],
  }),
  record('000004', {
    title: '空氣污染防制計畫執行成果',
    description: '各縣市改善空氣品質之計畫執行成果。',
    categoryCode: 'E00',
    publisher: '環境部',
    modified: '2023-01-01 00:00:00',
  }),
  record('000005', {
    title: 'YouBike2.0站點即時資訊',
    categoryCode: 'A00',
    publisher: '臺北市政府交通局',
    modified: '2025-04-01 12:00:00',
  }),
];
delete RECORDS[4]!.description;

async function search(base: string, query: string): Promise<SearchBody> {
  const res = await fetch(`${base}/api/search${query}`);
  if (res.status !== 200) throw new Error(`GET /api/search${query}: ${res.status} ${await res.text()}`);
  return (await res.json()) as SearchBody;
}

const ids = (body: SearchBody): string[] => body.result.results.map((r) => r.identifier);
const q = (text: string): string => `?q=${encodeURIComponent(text)}`;

t.test('GET /api/search over a harvested catalogue', async (t) => {
  const { harvester, base } = await startFederation(t, RECORDS, `${PUBLIC_URL}/`);
  t.equal((await harvester.run('fixture'))?.status, 'succeeded');

  await t.test('a Chinese query: the matches, best first, each summarised with a link to its record', async (t) => {
    const body = await search(base, q('空氣品質'));
    t.equal(body.success, true);
    t.same(ids(body), [id('000001'), id('000004')], 'the dataset named for it, then the one whose description says it');
    t.equal(body.result.total, 2);
    t.equal(body.result.offset, 0);
    t.equal(body.result.limit, 20, 'the default page size');
    const first = body.result.results[0]!;
    t.same(
      { ...first, description: undefined },
      {
        identifier: id('000001'),
        title: '臺北市空氣品質監測資料',
        description: undefined,
        publisher: '臺北市政府環境保護局',
        modified: '2025-03-01T02:00:00Z',
        categoryCode: 'E00',
        formats: ['CSV', 'JSON'],
        url: `${PUBLIC_URL}/api/v1/rest/dataset/${id('000001')}`,
      },
    );
    t.equal([...first.description!].length, 200, 'the description is cut to 200 characters');
    t.ok(first.description!.endsWith('測𠀀'), 'a character of two UTF-16 units is kept whole');
    const full = await fetch(`${base}${new URL(first.url).pathname}`);
    t.equal(full.status, 200, 'the link names the dataset');
    t.same(body.result.facets!.category, [{ value: 'E00', count: 2 }]);
  });

  await t.test('Chinese the way people type it: 公車, 臺/台, one character, mixed scripts, full width', async (t) => {
    t.same(ids(await search(base, q('公車'))), [id('000002')]);
    t.same(ids(await search(base, q('臺北市 公共自行車'))), [id('000003')], '臺北 finds the title written 台北');
    t.same(ids(await search(base, q('台北市公共自行車'))), [id('000003')]);
    t.same(new Set(ids(await search(base, q('車')))), new Set([id('000002'), id('000003')]), 'one character: 公車, 自行車, 車位');
    t.same(ids(await search(base, q('YouBike站'))), [id('000005'), id('000003')], 'mixed scripts: both parts required');
    t.same(ids(await search(base, q('ＣＳＶ'))), [id('000002')], 'full-width query, full-width text');
    t.same(ids(await search(base, q('csv'))), [id('000002')], 'half-width query, full-width text');
    t.same(ids(await search(base, q('空氣品質 公車'))), [], 'several terms: all must match');
    t.same(ids(await search(base, '?q=%E8%87%BA%E5%8C%97+%E7%A9%BA%E6%B0%A3')), [id('000001')], 'a + in the query string is a space');
  });

  await t.test('filters, sorts and facets', async (t) => {
    t.same(ids(await search(base, `?publisher=${encodeURIComponent('臺北市政府交通局')}`)), [id('000003'), id('000005')]);
    t.same(ids(await search(base, '?category=E00&sort=modified')), [id('000001'), id('000004')]);
    t.same(ids(await search(base, '?format=json')), [id('000001'), id('000003')]);
    t.same(ids(await search(base, `?license=${encodeURIComponent('https://data.gov.tw/license')}&limit=1000`)).length, 5);
    t.same(
      ids(await search(base, `?modified_since=${encodeURIComponent('2025-02-01 08:00:00')}&sort=modified`)),
      [id('000005'), id('000001'), id('000003')],
      'Taipei local time',
    );
    t.same(ids(await search(base, `?modified_since=${encodeURIComponent('2025-02-01T00:00:01Z')}`)), [id('000001'), id('000005')], 'RFC 3339');
    t.same(ids(await search(base, '?modified_since=2025-02-01T08:00:00 08:00')), [id('000001'), id('000003'), id('000005')], 'an unencoded + is read as +');
    const titles = RECORDS.map((r) => ({ id: String(r.identifier), title: String(r.title) })).sort((a, b) => a.title.localeCompare(b.title, 'zh-Hant'));
    t.same(
      ids(await search(base, '?sort=title')),
      titles.map((x) => x.id),
      'title in zh-Hant order',
    );
    const all = await search(base, '?limit=0');
    t.equal(all.result.total, 5);
    t.same(all.result.results, []);
    t.same(all.result.facets!.publisher[0], { value: '臺北市政府交通局', count: 2 });
    t.same(all.result.facets!.format, [
      { value: 'CSV', count: 4 },
      { value: 'JSON', count: 2 },
    ]);
    t.same(all.result.facets!.license, [{ value: '政府資料開放授權條款-第1版', count: 5 }]);
    const none = await search(base, '?facets=false');
    t.notOk('facets' in none.result, 'facets=false: no facets');
    t.same((await search(base, '?q=&publisher=&category=%20&format=&license=&modified_since=')).result.total, 5, 'empty parameters filter nothing');
    t.same(ids(await search(base, '?q=%E5%85%AC%E8%BB%8A&sort=relevance&offset=0&limit=5&facets=true')), [id('000002')]);
  });

  await t.test('paging: pages in order, a page past the end is empty, the total stays', async (t) => {
    const whole = ids(await search(base, '?sort=modified'));
    const paged: string[] = [];
    for (let offset = 0; offset < 5; offset += 2) paged.push(...ids(await search(base, `?sort=modified&limit=2&offset=${offset}`)));
    t.same(paged, whole);
    const past = await search(base, '?offset=9007199254740991');
    t.same(past.result.results, []);
    t.equal(past.result.total, 5);
    t.equal(past.result.offset, 9007199254740991);
    t.equal((await search(base, '?limit=1000')).result.results.length, 5, 'the largest page');
  });

  await t.test('FTS syntax and hostile text in q are only text', async (t) => {
    for (const text of ['"', 'NEAR(空氣', '空氣 OR 公車', 'AND', '*', ':', '{title}:x', "'; DROP TABLE search_docs; --", '\u0000', '🚌'.repeat(100)]) {
      const res = await fetch(`${base}/api/search${q(text)}`);
      t.equal(res.status, 200, JSON.stringify(text).slice(0, 30));
    }
    t.equal((await search(base, '')).result.total, 5, 'the catalogue is untouched');
  });

  await t.test('bad parameters answer 400 in the spec error shape', async (t) => {
    const bad = [
      '?limit=1001',
      '?limit=-1',
      '?limit=11.5',
      '?limit=all',
      '?offset=-1',
      '?offset=1.5',
      '?offset=9007199254740992',
      '?sort=best',
      '?sort=',
      '?facets=maybe',
      '?modified_since=yesterday',
      '?modified_since=2025-13-45',
      `?q=${'x'.repeat(1001)}`,
      `?q=${Array.from({ length: 33 }, (_, i) => `w${i}`).join('+')}`,
      '?q=a&q=b',
      '?publisher=a&publisher=b',
    ];
    for (const query of bad) {
      const res = await fetch(`${base}/api/search${query}`);
      t.equal(res.status, 400, query.slice(0, 40));
      const body = (await res.json()) as ErrorBody;
      t.equal(body.success, false, query.slice(0, 40));
      t.match(body.error.error_type, /^ER0210:/, query.slice(0, 40));
      t.type(body.error.message, 'string');
    }
    const terms = (await (await fetch(`${base}/api/search?q=${Array.from({ length: 33 }, (_, i) => `w${i}`).join('+')}`)).json()) as ErrorBody;
    t.match(terms.error.message, /more than 32 terms/);
    const since = (await (await fetch(`${base}/api/search?modified_since=yesterday`)).json()) as ErrorBody;
    t.match(since.error.message, /modified_since/);
  });

  await t.test('HEAD, any Accept header, other methods', async (t) => {
    const head = await fetch(`${base}/api/search${q('公車')}`, { method: 'HEAD' });
    t.equal(head.status, 200);
    t.match(head.headers.get('content-type'), /application\/json/);
    for (const accept of ['application/xml', 'text/html', '*/*', 'application/json;q=0.1, text/csv']) {
      const res = await fetch(`${base}/api/search${q('公車')}`, { headers: { accept } });
      t.equal(res.status, 200, `Accept: ${accept}`);
      t.match(res.headers.get('content-type'), /^application\/json/, 'JSON, the one representation');
      t.same(ids((await res.json()) as SearchBody), [id('000002')]);
    }
    const post = await fetch(`${base}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q":"公車"}' });
    t.ok(post.status === 404 || post.status === 405, `POST is not a search (${post.status})`);
  });

  await t.test('/openapi.json describes GET /api/search with its parameters and answers', async (t) => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string; parameters: Array<{ name: string }>; responses: Record<string, unknown> }>>;
    };
    const operation = doc.paths['/api/search']?.get;
    t.ok(operation, 'described');
    t.equal(operation!.operationId, 'searchDatasets');
    t.same(operation!.parameters.map((p) => p.name).sort(), [
      'category',
      'cursor',
      'facets',
      'format',
      'keyword',
      'license',
      'limit',
      'modified_since',
      'offset',
      'publisher',
      'q',
      'sort',
    ]);
    t.ok(operation!.responses['200'] && operation!.responses['400']);
  });
});

t.test('keyword: exact, repeatable (every one required), with the other filters and cursors', async (t) => {
  const tagged = [
    record('000011', { title: '臺北市公車路線', keyword: ['公車', '路線', 'OpenData'] }),
    record('000012', { title: '新北市公車站牌', keyword: ['公車', '站牌'], categoryCode: 'A00' }),
    record('000013', { title: '高雄市公車動態', keyword: [' 公車 ', '即時'], categoryCode: 'A00' }),
    record('000014', { title: '路燈位置', keyword: ['opendata'] }),
  ];
  const { harvester, base } = await startFederation(t, tagged, PUBLIC_URL);
  await harvester.run('fixture');
  t.same(ids(await search(base, `?keyword=${encodeURIComponent('公車')}`)), [id('000011'), id('000012'), id('000013')], 'a stored keyword is trimmed');
  t.same(ids(await search(base, `?keyword=${encodeURIComponent('公車')}&keyword=${encodeURIComponent('路線')}`)), [id('000011')], 'repeated: both');
  t.same(ids(await search(base, `?keyword=${encodeURIComponent(' 站牌 ')}`)), [id('000012')], 'the parameter is trimmed');
  t.same(ids(await search(base, '?keyword=OpenData')), [id('000011')], 'case matters');
  t.same(ids(await search(base, '?keyword=opendata')), [id('000014')]);
  t.same(ids(await search(base, `?keyword=${encodeURIComponent('公')}`)), [], 'a whole keyword, not a part');
  t.same(ids(await search(base, `?keyword=${encodeURIComponent('公車')}&category=A00`)), [id('000012'), id('000013')], 'with other filters');
  t.same(ids(await search(base, `?q=${encodeURIComponent('高雄')}&keyword=${encodeURIComponent('公車')}`)), [id('000013')], 'with full text');
  t.equal((await search(base, '?keyword=&keyword=%20')).result.total, 4, 'empty keywords filter nothing');

  // A cursor keeps the keywords, in any order; a cursor of other keywords is refused.
  const first = await search(base, `?keyword=${encodeURIComponent('公車')}&limit=1`);
  const nextCursor = first.result.nextCursor!;
  t.ok(nextCursor);
  t.same(ids(await search(base, `?keyword=${encodeURIComponent('公車')}&limit=1&cursor=${nextCursor}`)), [id('000012')]);
  const both = await search(base, `?keyword=${encodeURIComponent('公車')}&keyword=${encodeURIComponent('即時')}&limit=0`);
  t.equal(both.result.total, 1);
  const other = await fetch(`${base}/api/search?keyword=${encodeURIComponent('路燈')}&limit=1&cursor=${nextCursor}`);
  t.equal(other.status, 400, 'a cursor of other keywords');

  const tooMany = Array.from({ length: 33 }, (_, n) => `keyword=k${n}`).join('&');
  for (const query of [tooMany, `keyword=${'x'.repeat(1001)}`, `keyword=a&keyword=${'x'.repeat(1001)}`]) {
    const res = await fetch(`${base}/api/search?${query}`);
    t.equal(res.status, 400, query.slice(0, 40));
    t.match(((await res.json()) as ErrorBody).error.error_type, /^ER0210:/);
  }
  t.equal((await search(base, `?${Array.from({ length: 32 }, () => 'keyword=OpenData').join('&')}`)).result.total, 1, '32 is allowed');
});

t.test('withdrawn datasets leave the search; an updated record is found by its new title only', async (t) => {
  const { harvester, platform, base } = await startFederation(t, RECORDS, PUBLIC_URL, { withdrawAfterHours: 0 });
  await harvester.run('fixture');
  t.same(ids(await search(base, q('公車'))), [id('000002')]);

  platform.records.delete(id('000002'));
  platform.records.set(id('000003'), { ...RECORDS[2]!, title: '臺北市微笑單車租賃站', modified: '2026-05-01 10:00:00' });
  t.equal((await harvester.run('fixture', { full: true }))?.status, 'succeeded');
  t.same(ids(await search(base, q('公車'))), [], 'withdrawn: gone from the results');
  t.equal((await search(base, '')).result.total, 4);
  t.notOk(
    (await search(base, '?limit=0')).result.facets!.publisher.some((p) => p.value === '新北市政府交通局'),
    'and from the facets',
  );
  t.same(ids(await search(base, q('微笑單車'))), [id('000003')], 'found by its new title');
  t.same(ids(await search(base, q('台北市公共自行車租賃站'))), [], 'not by its old one');
  t.same(ids(await search(base, '?sort=modified&limit=1')), [id('000003')], 'its new modified time counts');
});

t.test('a dataset published by a city and copied by data.gov.tw appears once', async (t) => {
  const city = await startFixturePlatform([RECORDS[2]!]);
  const copy = { ...RECORDS[2]!, title: '台北市公共自行車租借站', description: '轉載自臺北市資料平臺。', publisher: '臺北市政府' };
  const portal = await startFixturePlatform([copy]);
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), '', {
    sources: [
      { id: 'city', name: 'city', type: 'crossplatform', url: city.url, schedule: '0 3 * * *', priority: 10, options: { pageSize: 2 } },
      { id: 'portal', name: 'portal', type: 'crossplatform', url: portal.url, schedule: '0 3 * * *', priority: 0, options: { pageSize: 2 } },
    ],
  });
  const db = openTestDb(config);
  const api = await buildApi({ store: sqliteStoreOn(db), publicUrl: PUBLIC_URL, logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await api.close();
    db.close();
    await city.close();
    await portal.close();
    cleanup();
  });
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const harvester = new Harvester(sqliteStoreOn(db), config, silentLog);
  await harvester.run('portal');
  await harvester.run('city');

  const body = await search(base, q('公共自行車'));
  t.same(ids(body), [id('000003')], 'one result for two records');
  t.equal(body.result.results[0]!.publisher, '臺北市政府交通局', "the city's values (higher priority) are served");
  t.same(body.result.facets!.publisher, [{ value: '臺北市政府交通局', count: 1 }], 'counted once');
  t.same(ids(await search(base, q('租借站'))), [], "the copy's own title is not what is served");
  t.equal((await search(base, '')).result.total, 1);
});

async function emptyCatalogue(t: Test): Promise<string> {
  const { harvester, base } = await startFederation(t, [], PUBLIC_URL);
  await harvester.run('fixture');
  return base;
}

t.test('an empty catalogue answers every search with nothing, not an error', async (t) => {
  const base = await emptyCatalogue(t);
  for (const query of ['', q('空氣品質'), q('車'), '?sort=title&facets=true', '?publisher=x&offset=100']) {
    const body = await search(base, query);
    t.same(body.result.total, 0, query);
    t.same(body.result.results, [], query);
    t.same(body.result.facets ?? { publisher: [], category: [], format: [], license: [] }, { publisher: [], category: [], format: [], license: [] }, query);
  }
});

import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Harvester } from '../../src/harvest/harvester.js';
import { runErrors } from '../../src/store/runs.js';
import type { Db } from '../../src/store/database.js';
import { projectPath } from '../../src/model/project-root.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

/**
 * The datagovtw connector against a loopback data.gov.tw: the whole-catalogue export (JSON,
 * CSV with a BOM, Big5 CSV), the daily change lists and the v2 detail API, composed from the
 * field tables of docs/tw-standards.md (see test/fixtures/datagovtw/SOURCES.md).
 */

function fixtureBytes(name: string): Buffer {
  return readFileSync(projectPath('test', 'fixtures', 'datagovtw', name));
}
function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureBytes(name).toString('utf8'));
}

const exportRows = fixtureJson('export.json') as Array<Record<string, unknown>>;
/** The export without its two broken rows (no title, no id): a run over it can succeed. */
const cleanExport = exportRows.slice(0, 3);

interface Body {
  status?: number;
  type?: string;
  body: string | Buffer;
}

interface FakeDataGovTw {
  url: string;
  requests: string[];
  /** The export body per format. */
  exports: Map<string, Body>;
  /** Change list bodies by report date; other dates answer `[]`, or 404 when in `missingDates`. */
  changeLists: Map<string, Body>;
  missingDates: Set<string>;
  /** v2 detail bodies by dataset id. */
  details: Map<string, Body>;
}

async function startDataGovTw(t: Test): Promise<FakeDataGovTw> {
  const fake: FakeDataGovTw = {
    url: '',
    requests: [],
    exports: new Map([
      ['json', { body: JSON.stringify(exportRows), type: 'text/html; charset=utf-8' }],
      ['csv', { body: fixtureBytes('export.csv'), type: 'text/csv; charset=utf-8' }],
    ]),
    changeLists: new Map(),
    missingDates: new Set(),
    details: new Map([
      ['6564', { body: JSON.stringify({ success: true, result: fixtureJson('natdoc-variant.json') }) }],
      ['18420', { body: fixtureBytes('v2-read-response.json') }],
    ]),
  };
  const server = createServer((req, res) => {
    fake.requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    let answer: Body | undefined;
    if (url.pathname === '/api/front/dataset/export') {
      answer = fake.exports.get(url.searchParams.get('format') ?? '');
    } else if (url.pathname === '/api/front/dataset/changed/export') {
      const date = url.searchParams.get('report_date') ?? '';
      answer = fake.missingDates.has(date) ? { status: 404, body: 'not found' } : (fake.changeLists.get(date) ?? { body: '[]' });
    } else {
      const detail = /^\/api\/v2\/rest\/dataset\/([^/]+)$/.exec(url.pathname);
      if (detail) answer = fake.details.get(decodeURIComponent(detail[1]!));
    }
    if (!answer) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"success":false}');
      return;
    }
    res.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return fake;
}

interface Setup {
  fake: FakeDataGovTw;
  db: Db;
  harvester: Harvester;
  datasets(): Map<string, { record: Record<string, unknown>; withdrawn_at: string | null }>;
  /** Pretend the last complete run started `days` days ago. */
  lastRunStartedDaysAgo(days: number): void;
}

async function setup(t: Test, options: Record<string, unknown> = {}, settings: Record<string, unknown> = {}): Promise<Setup> {
  const fake = await startDataGovTw(t);
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), fake.url, {
    sources: [{ id: 'datagovtw', name: 'data.gov.tw', type: 'datagovtw', url: fake.url, schedule: '30 2 * * *', options, ...settings }],
  });
  const db = openTestDb(config);
  t.teardown(() => {
    db.close();
    cleanup();
  });
  return {
    fake,
    db,
    harvester: new Harvester(sqliteStoreOn(db), config, silentLog),
    datasets: () =>
      new Map(
        (
          db.prepare('SELECT identifier, record, withdrawn_at FROM datasets').all() as Array<{
            identifier: string;
            record: string;
            withdrawn_at: string | null;
          }>
        ).map((row) => [row.identifier, { record: JSON.parse(row.record) as Record<string, unknown>, withdrawn_at: row.withdrawn_at }]),
      ),
    lastRunStartedDaysAgo: (days) => {
      const startedAt = new Date(Date.now() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      db.prepare(`UPDATE runs SET started_at = ? WHERE status = 'succeeded'`).run(startedAt);
    },
  };
}

function taipeiDate(daysAgo: number): string {
  return new Date(Date.now() + 8 * 3_600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

t.test('a full run reads the JSON export: records, rejections, failures', async (t) => {
  const s = await setup(t);
  const run = await s.harvester.run('datagovtw');
  t.equal(run!.status, 'partial', 'a row without 資料集識別碼 is a failure: the run is partial');
  t.same(s.fake.requests, ['/api/front/dataset/export?format=json'], 'one request: the export');
  t.match(run!.counts, { created: 3, rejected: 1 });
  const datasets = s.datasets();
  t.same([...datasets.keys()].sort(), ['18420', '6564', '9999'], 'identified by data.gov.tw dataset id (nid)');
  t.match(datasets.get('6564')!.record, {
    identifier: '6564',
    title: '政府資料開放平臺資料集清單',
    categoryCode: 'I00',
    license: '政府資料開放授權條款-第1版',
    accrualPeriodicity: '每日',
    extensions: { sourceVocabulary: 'datagovtw-export', datasetId: '6564', sourceExtras: { 品質檢測: '金標章' } },
  });
  t.equal((datasets.get('9999')!.record as { accrualPeriodicity: string }).accrualPeriodicity, '每年', '每1年 → 每年');

  const errors = runErrors(s.db, run!.runId).filter((e) => e.stage !== 'validate');
  t.match(
    errors.sort((a, b) => String(a.nativeId).localeCompare(String(b.nativeId))),
    [
      { nativeId: '#4', stage: 'parse', rule: 'no-identifier', field: '資料集識別碼' },
      { nativeId: '120001', stage: 'map', rule: 'required', field: 'title' },
    ],
  );
  const validate = runErrors(s.db, run!.runId)
    .filter((e) => e.stage === 'validate' && e.nativeId === '18420')
    .map((e) => `${e.field} ${e.rule}`);
  t.same(validate, [
    'type required',
    'organization required',
    'organizationContactName required',
    'organizationContactPhone required',
    'organizationContactEmail required',
    'publisherContactEmail required',
    'identifier pattern',
    'distribution[0].resourceDescription required',
    'distribution[1] required',
    'distribution[1].resourceDescription required',
  ]);
});

t.test('the CSV export (UTF-8 with a BOM) gives the same records as the JSON one', async (t) => {
  const json = await setup(t);
  await json.harvester.run('datagovtw');
  const csv = await setup(t, { exportFormat: 'csv' });
  const run = await csv.harvester.run('datagovtw');
  t.same(csv.fake.requests, ['/api/front/dataset/export?format=csv']);
  t.equal(run!.counts.created, 3);
  const fromJson = json.datasets();
  for (const [identifier, { record }] of csv.datasets()) t.same(record, fromJson.get(identifier)!.record, `${identifier} maps the same from CSV`);
});

t.test('a Big5 CSV export is detected and decoded', async (t) => {
  const s = await setup(t, { exportFormat: 'csv' });
  s.fake.exports.set('csv', { body: fixtureBytes('export.big5.csv'), type: 'text/csv; charset=big5' });
  const run = await s.harvester.run('datagovtw');
  t.equal(run!.counts.created, 3, 'Big5 decoded');
  t.equal((s.datasets().get('18420')!.record as { publisher: string }).publisher, '臺灣證券交易所');
});

t.test("an incremental run reads each day's change list, fetches the changed records, withdraws removals", async (t) => {
  const s = await setup(t);
  s.fake.exports.set('json', { body: JSON.stringify(cleanExport) });
  t.equal((await s.harvester.run('datagovtw'))!.status, 'succeeded');
  s.lastRunStartedDaysAgo(2);
  s.fake.changeLists.set(taipeiDate(1), { body: fixtureBytes('changed-day1.json') });
  s.fake.changeLists.set(taipeiDate(0), { body: fixtureBytes('changed-day2.json') });
  s.fake.requests.length = 0;

  const run = await s.harvester.run('datagovtw');
  t.equal(run!.status, 'succeeded');
  t.notOk(
    s.fake.requests.some((r) => r.startsWith('/api/front/dataset/export')),
    'the export is not read',
  );
  const lists = s.fake.requests.filter((r) => r.startsWith('/api/front/dataset/changed/export'));
  t.ok(lists.length >= 3 && lists.length <= 4, `one change list per day since the last run (${lists.length})`);
  t.ok(lists.every((r) => /format=json&report_date=\d{4}-\d{2}-\d{2}$/.test(r)));
  t.same(
    s.fake.requests.filter((r) => r.startsWith('/api/v2/')).sort(),
    ['/api/v2/rest/dataset/18420', '/api/v2/rest/dataset/6564'],
    'only the changed datasets are fetched; 18420 was removed then published again: the later list wins',
  );
  t.match(run!.counts, { updated: 2, withdrawn: 1 });
  const datasets = s.datasets();
  t.ok(datasets.get('9999')!.withdrawn_at, '9999 removed (下架) in a change list is withdrawn at once');
  t.match(datasets.get('18420')!.record, {
    identifier: '18420',
    publisherOrgCode: 'A45020000D',
    extensions: { sourceVocabulary: 'gen2', datasetId: '18420', sourceExtras: { identifier: 'A45020000D-000354' } },
  });
  t.match(datasets.get('6564')!.record, {
    identifier: '6564',
    accrualPeriodicity: '每日',
    extensions: { datasetId: '6564', sourceExtras: { identifier: 'A41000000G-000001' } },
  });
});

t.test('a change list in CSV is read the same way', async (t) => {
  const s = await setup(t, { exportFormat: 'csv' });
  s.fake.exports.set('csv', { body: `\uFEFF${fixtureBytes('export.csv').toString('utf8').split('\r\n').slice(0, 4).join('\r\n')}\r\n` });
  t.equal((await s.harvester.run('datagovtw'))!.status, 'succeeded');
  s.lastRunStartedDaysAgo(1);
  s.fake.changeLists.set(taipeiDate(0), { body: fixtureBytes('changed-day1.csv'), type: 'text/csv' });
  s.fake.requests.length = 0;
  const run = await s.harvester.run('datagovtw');
  t.equal(run!.status, 'succeeded');
  t.same(
    s.fake.requests.filter((r) => r.startsWith('/api/v2/')),
    ['/api/v2/rest/dataset/6564'],
  );
  t.ok(s.datasets().get('18420')!.withdrawn_at, '下架 in the CSV list withdraws 18420');
});

t.test("today's list not yet published is not a failure, a past day's is", async (t) => {
  const s = await setup(t);
  s.fake.exports.set('json', { body: JSON.stringify(cleanExport) });
  await s.harvester.run('datagovtw');
  s.lastRunStartedDaysAgo(0);
  s.fake.missingDates.add(taipeiDate(0));
  t.equal((await s.harvester.run('datagovtw'))!.status, 'succeeded', 'only today, not yet published');
  s.lastRunStartedDaysAgo(1);
  s.fake.missingDates.add(taipeiDate(1));
  const run = await s.harvester.run('datagovtw');
  t.equal(run!.status, 'partial');
  t.match(runErrors(s.db, run!.runId), [{ stage: 'list', rule: 'http-404' }]);
});

t.test('a last complete run older than maxChangeDays reads the whole export', async (t) => {
  const s = await setup(t, { maxChangeDays: 5 });
  s.fake.exports.set('json', { body: JSON.stringify(cleanExport) });
  await s.harvester.run('datagovtw');
  s.lastRunStartedDaysAgo(10);
  s.fake.requests.length = 0;
  const run = await s.harvester.run('datagovtw');
  t.equal(run!.status, 'succeeded');
  t.same(s.fake.requests, ['/api/front/dataset/export?format=json']);
});

t.test('a full run withdraws what the export no longer lists', async (t) => {
  const s = await setup(t, {}, { withdrawAfterHours: 0 });
  s.fake.exports.set('json', { body: JSON.stringify(cleanExport) });
  await s.harvester.run('datagovtw');
  s.fake.exports.set('json', { body: JSON.stringify(cleanExport.slice(0, 2)) });
  const run = await s.harvester.run('datagovtw', { full: true });
  t.equal(run!.status, 'succeeded');
  t.equal(run!.counts.withdrawn, 1);
  t.ok(s.datasets().get('9999')!.withdrawn_at);
});

t.test('bad export bodies fail the run with a typed error and keep what was stored', async (t) => {
  const cases: Array<{ name: string; answer: Body; format?: string; rule: string; message: RegExp }> = [
    {
      name: 'an HTML error page sent with 200',
      answer: { body: '<!DOCTYPE html><html><body>系統維護中</body></html>', type: 'text/html' },
      rule: 'protocol',
      message: /HTML page/,
    },
    { name: 'truncated JSON', answer: { body: JSON.stringify(cleanExport).slice(0, 300) }, rule: 'malformed-json', message: /not valid JSON/ },
    { name: 'JSON that is not a list of rows', answer: { body: '{"success":true,"result":{"count":3}}' }, rule: 'protocol', message: /neither a JSON array/ },
    {
      name: 'JSON rows of another API (wrong Content-Type too)',
      answer: { body: '[{"id":1,"name":"x"}]', type: 'text/plain' },
      rule: 'protocol',
      message: /no row has the column 資料集識別碼/,
    },
    { name: 'a 500', answer: { status: 500, body: 'oops' }, rule: 'http-500', message: /HTTP 500/ },
    {
      name: 'CSV with an unclosed quote',
      format: 'csv',
      answer: { body: '資料集識別碼,資料集名稱\r\n1,"broken\r\n', type: 'text/csv' },
      rule: 'protocol',
      message: /not readable CSV/,
    },
    {
      name: 'a CSV of something else',
      format: 'csv',
      answer: { body: 'a,b\r\n1,2\r\n', type: 'text/csv' },
      rule: 'protocol',
      message: /no row has the column/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const s = await setup(t, c.format ? { exportFormat: c.format } : {});
      s.fake.exports.set(c.format ?? 'json', {
        body: c.format ? `\uFEFF${fixtureBytes('export.csv').toString('utf8').split('\r\n').slice(0, 4).join('\r\n')}\r\n` : JSON.stringify(cleanExport),
      });
      await s.harvester.run('datagovtw');
      const before = s.datasets();
      t.equal(before.size, 3);
      s.fake.exports.set(c.format ?? 'json', c.answer);
      const run = await s.harvester.run('datagovtw', { full: true });
      t.equal(run!.status, 'failed');
      t.match(run!.message, c.message);
      t.match(runErrors(s.db, run!.runId), [{ stage: 'source', rule: c.rule }]);
      t.same(s.datasets(), before, 'nothing stored was lost or changed');
    });
  }
});

t.test('a broken detail record is a failure of that record only', async (t) => {
  const s = await setup(t);
  s.fake.exports.set('json', { body: JSON.stringify(cleanExport) });
  await s.harvester.run('datagovtw');
  s.lastRunStartedDaysAgo(0);
  s.fake.changeLists.set(taipeiDate(0), {
    body: JSON.stringify([
      { 資料集識別碼: '6564', 異動類型: '修改' },
      { 資料集識別碼: '18420', 異動類型: '修改' },
      { 資料集識別碼: '777', 異動類型: '新增' },
    ]),
  });
  s.fake.details.set('18420', { body: '{"success":true,"result":{"datasetId":18420,' });
  s.fake.details.set('6564', { body: '{"success":false,"error":{"error_type":"ER0001:API Key錯誤"}}' });
  const run = await s.harvester.run('datagovtw');
  t.equal(run!.status, 'partial');
  t.match(
    runErrors(s.db, run!.runId).sort((a, b) => String(a.nativeId).localeCompare(String(b.nativeId))),
    [
      { nativeId: '18420', stage: 'parse', rule: 'malformed-json' },
      { nativeId: '6564', stage: 'parse', rule: 'not-a-record' },
      { nativeId: '777', stage: 'fetch', rule: 'http-404' },
    ],
  );
  t.equal(s.datasets().size, 3, 'stored records stay');
});

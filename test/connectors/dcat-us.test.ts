import t, { type Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { forgetDcatUsDocuments } from '../../connectors/dcat-us.js';
import { Harvester } from '../../src/harvest/harvester.js';
import type { Db } from '../../src/store/database.js';
import { runErrors } from '../../src/store/runs.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { recordViolations } from '../helpers/dcat-ap.js';
import type { NationalRecord } from '../../src/model/record.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

type Raw = Record<string, unknown>;

interface Publisher {
  url: string;
  /** The data.json served; replaced by tests. */
  document: unknown;
  /** Raw override of the answer. */
  answer?: { status: number; body: string; contentType: string };
  /** The If-None-Match of every request. */
  conditional: Array<string | undefined>;
}

/** data.json on loopback, with a strong ETag of its content and 304 on a matching If-None-Match. */
async function startPublisher(t: Test, document: unknown): Promise<Publisher> {
  const publisher: Omit<Publisher, 'url'> = { document, conditional: [] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const ifNoneMatch = req.headers['if-none-match'];
    publisher.conditional.push(ifNoneMatch);
    if (publisher.answer) {
      res.writeHead(publisher.answer.status, { 'content-type': publisher.answer.contentType });
      return res.end(publisher.answer.body);
    }
    const body = JSON.stringify(publisher.document);
    const etag = `"${Buffer.from(body).toString('base64url').slice(-16)}-${body.length}"`;
    if (ifNoneMatch === etag) {
      res.writeHead(304, { etag });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json', etag });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return Object.assign(publisher, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.json` });
}

interface Gateway {
  publisher: Publisher;
  db: Db;
  harvester: Harvester;
  served(): Array<{ identifier: string; withdrawn: boolean; record: NationalRecord }>;
}

async function setup(t: Test, document: unknown, options: Raw = { pageSize: 2 }): Promise<Gateway> {
  // Connectors remember documents per process; each test starts as after a restart.
  forgetDcatUsDocuments();
  const publisher = await startPublisher(t, document);
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), publisher.url, {
    sources: [{ id: 'pod', name: 'data.json fixture', type: 'dcat-us', url: publisher.url, schedule: '0 3 * * *', options, withdrawAfterHours: 0 }],
  });
  const db = openTestDb(config);
  t.teardown(() => {
    db.close();
    cleanup();
  });
  const served = () =>
    (
      db.prepare('SELECT identifier, withdrawn_at, record FROM datasets ORDER BY identifier').all() as Array<{
        identifier: string;
        withdrawn_at: string | null;
        record: string;
      }>
    ).map((row) => ({ identifier: row.identifier, withdrawn: row.withdrawn_at !== null, record: JSON.parse(row.record) as NationalRecord }));
  return { publisher, db, harvester: new Harvester(sqliteStoreOn(db), config, silentLog), served };
}

const extended = (): Raw => readFixture<Raw>('dcat-us', 'catalog-sample-extended.json');
const EXTENDED_IDS = ['http://dx.doi.org/10.7927/H49P2ZKM', 'http://dx.doi.org/10.7927/H4K64G12', 'http://dx.doi.org/10.7927/H4PZ56R2'];

t.test('a POD 1.1 data.json is read whole and yielded in pages', async (t) => {
  const g = await setup(t, extended());
  const run = await g.harvester.run('pod');
  t.equal(run!.status, 'succeeded');
  t.match(run!.counts, { created: 3, pages: 2, rejected: 0 });
  const served = g.served();
  t.same(
    served.map((d) => d.identifier),
    EXTENDED_IDS,
  );
  const widgets = served.find((d) => d.identifier === 'http://dx.doi.org/10.7927/H4PZ56R2')!.record;
  t.match(widgets, { publisher: 'Widget Services', accrualPeriodicity: '每年', license: 'CC0 1.0', temporalCoverageFrom: '2009-09-01T12:00:00Z' });
  t.equal(widgets.extensions?.sourceExtras?.['accessLevel'], 'public');
  t.same(await recordViolations(widgets), []);
  t.ok(runErrors(g.db, run!.runId).every((e) => e.stage === 'validate'));
});

t.test('an unchanged data.json costs a 304: every record stays, nothing is withdrawn', async (t) => {
  const g = await setup(t, extended());
  await g.harvester.run('pod');
  const before = g.served();
  const run = await g.harvester.run('pod');
  t.equal(run!.status, 'succeeded');
  t.match(g.publisher.conditional[1], /^"/, 'the second request was conditional');
  t.match(run!.counts, { created: 0, updated: 0, unchanged: 3, withdrawn: 0 });
  t.same(g.served(), before);

  // A changed document is fetched and read again.
  const document = extended();
  (document['dataset'] as Raw[])[0]!['title'] = 'Widgets, revised';
  g.publisher.document = document;
  const changed = await g.harvester.run('pod');
  t.match(changed!.counts, { updated: 1, unchanged: 2 });

  // After a restart nothing is remembered: the request is not conditional, the run still complete.
  forgetDcatUsDocuments();
  const afterRestart = await g.harvester.run('pod');
  t.equal(g.publisher.conditional.at(-1), undefined);
  t.match(afterRestart!.counts, { unchanged: 3, withdrawn: 0 });
});

t.test('a dataset gone from data.json is withdrawn; conditional requests are off on request', async (t) => {
  const g = await setup(t, extended(), { conditional: false });
  await g.harvester.run('pod');
  const document = extended();
  (document['dataset'] as Raw[]).splice(1, 1);
  g.publisher.document = document;
  const run = await g.harvester.run('pod');
  t.equal(run!.status, 'succeeded');
  t.match(run!.counts, { withdrawn: 1, unchanged: 2 });
  t.ok(g.served().find((d) => d.identifier === 'http://dx.doi.org/10.7927/H4K64G12')!.withdrawn);
  t.ok(g.publisher.conditional.every((value) => value === undefined));
});

t.test('DCAT-US 3.0: nested catalogues, series members and served datasets, each once', async (t) => {
  const cases: Array<[string, string[]]> = [
    ['dcatus3_0.json', ['NCDC-CLIMATE-OBS-2024', 'https://example.gov/datasets/one', 'https://example.gov/datasets/three', 'https://example.gov/datasets/two']],
    [
      'dcatus3_0_nested_catalog.json',
      ['https://example.gov/datasets/nested-child', 'https://example.gov/datasets/nested-grandchild', 'https://example.gov/datasets/nested-parent'],
    ],
    ['dcatus3_0_series_member_also_top_level.json', ['https://example.gov/datasets/annual-report-2023', 'https://example.gov/datasets/annual-report-2024']],
    ['dcatus3_0_service_serves_dataset.json', ['https://example.gov/datasets/served-by-service-one']],
  ];
  for (const [file, ids] of cases) {
    const g = await setup(t, readFixture('dcat-us', file));
    const run = await g.harvester.run('pod');
    t.equal(run!.status, 'succeeded', file);
    t.same(
      g.served().map((d) => d.identifier),
      ids,
      file,
    );
  }
});

t.test('data.gov 1.1 example: seven CFTC datasets', async (t) => {
  const g = await setup(t, readFixture('dcat-us', 'dcatus.json'), { pageSize: 3 });
  const run = await g.harvester.run('pod');
  t.equal(run!.status, 'succeeded');
  t.match(run!.counts, { created: 7, pages: 3 });
  t.equal(g.served().find((d) => d.identifier === 'cftc-dc1')!.record.accrualPeriodicity, '每週', 'modified R/P1W');
});

t.test('records without identifier are rejected by name; a different duplicate makes the run partial', async (t) => {
  const document = extended();
  const datasets = document['dataset'] as Raw[];
  delete datasets[0]!['identifier'];
  datasets.push({ ...datasets[1]!, title: 'Another dataset under the same identifier' });
  const g = await setup(t, document);
  const run = await g.harvester.run('pod');
  t.equal(run!.status, 'partial');
  t.match(run!.counts, { created: 2, rejected: 1 });
  const errors = runErrors(g.db, run!.runId).filter((e) => e.stage !== 'validate');
  t.match(errors, [
    { stage: 'parse', rule: 'duplicate-identifier', nativeId: 'http://dx.doi.org/10.7927/H4K64G12' },
    { stage: 'map', rule: 'required', nativeId: 'dataset[0]', field: 'identifier' },
  ]);
});

t.test('bad answers end the run with a typed error and keep what was stored', async (t) => {
  const cases: Array<[string, { status: number; body: string; contentType: string }, string, RegExp]> = [
    ['HTTP 500', { status: 500, body: 'oops', contentType: 'text/plain' }, 'http-500', /500/],
    [
      'an HTML page with 200',
      { status: 200, body: '<!doctype html><html><body>Sign in</body></html>', contentType: 'text/html; charset=utf-8' },
      'protocol',
      /HTML page/,
    ],
    ['malformed JSON', { status: 200, body: '{"dataset": [', contentType: 'application/json' }, 'malformed-json', /not valid JSON/],
    ['a truncated body', { status: 200, body: JSON.stringify(extended()).slice(0, 2000), contentType: 'application/json' }, 'malformed-json', /not valid JSON/],
    ['not a catalogue', { status: 200, body: '{"success": true, "result": []}', contentType: 'application/json' }, 'protocol', /not a DCAT-US catalogue/],
    ['JSON labelled text/html', { status: 200, body: '{"hello": "world"}', contentType: 'text/html' }, 'protocol', /not a DCAT-US catalogue/],
  ];
  for (const [name, answer, rule, message] of cases) {
    const g = await setup(t, extended());
    await g.harvester.run('pod');
    const before = g.served();
    g.publisher.answer = answer;
    const run = await g.harvester.run('pod');
    t.equal(run!.status, 'failed', name);
    t.match(run!.message, message, name);
    t.match(runErrors(g.db, run!.runId), [{ stage: 'source', rule, sourceId: 'pod' }], name);
    t.same(g.served(), before, `${name}: nothing stored was lost or changed`);
  }
});

t.test('a data.json that is not JSON: the run message names the source and the URL', async (t) => {
  const g = await setup(t, extended());
  g.publisher.answer = { status: 200, body: '{"dataset": [{"title": "Presupuesto", }]}', contentType: 'application/json' };
  const run = await g.harvester.run('pod');
  t.equal(run!.status, 'failed');
  t.match(run!.message, /^pod: /, 'the source first');
  t.match(run!.message, g.publisher.url, 'the URL read');
  t.match(run!.message, /not valid JSON/);
  t.equal(runErrors(g.db, run!.runId)[0]!.message, run!.message, 'the run error says the same');
});

t.test('a Project Open Data 1.0 document (a bare array) is read; maxDatasets caps a huge one', async (t) => {
  const datasets = extended()['dataset'] as Raw[];
  const g = await setup(t, datasets, { maxDatasets: 2 });
  const run = await g.harvester.run('pod');
  t.equal(run!.status, 'partial');
  t.equal(run!.counts.created, 2);
  t.match(
    runErrors(g.db, run!.runId).filter((e) => e.stage === 'list'),
    [{ rule: 'too-many-datasets' }],
  );
});

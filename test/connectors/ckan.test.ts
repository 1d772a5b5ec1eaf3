import t, { type Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { actionEndpoint } from '../../connectors/ckan.js';
import { Harvester } from '../../src/harvest/harvester.js';
import type { Db } from '../../src/store/database.js';
import { runErrors } from '../../src/store/runs.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

type Raw = Record<string, unknown>;

const ukPackages = readFixture<{ result: { results: Raw[] } }>('ckan', 'package_search.json').result.results;
const csps = readFixture<Raw>('ckan', 'stable_package_show.inner.civil-service-people-survey-2011.json');
const fixturePackages = (): Raw[] => structuredClone([...ukPackages, csps]);

/** The lenient alphagov response schemas: the fixture server's answers must pass them. */
const ajv = new Ajv({ strict: false, allErrors: true });
for (const name of ['common', 'action_response_base', 'organization_base', 'tag', 'dataset_base', 'dataset_base_2_9', 'package_base', 'package_search']) {
  const schema = readFixture<Raw>('ckan', `${name}.schema.json`);
  // The schemas $ref each other by bare name; their $id carries a .schema.json suffix.
  ajv.addSchema({ ...schema, $id: String(schema['$id']).replace(/\.schema\.json$/, '') });
}
const validPackageSearch = ajv.getSchema('http://github.com/alphagov/ckan-functional-tests/api/package_search')!;

interface Faults {
  /** Answer every search with this status. */
  searchStatus?: number;
  /** Send this body (with this content type) to every search instead of the real answer. */
  searchBody?: { body: string; contentType: string };
  /** Ignore `start` (an old CKAN behind a broken proxy). */
  ignoreStart?: boolean;
  /** Ignore `fl` (CKAN 2.8 sends whole packages). */
  ignoreFl?: boolean;
  /** Say the count is this (more than there are). */
  count?: number;
  /** Invent a fresh page of packages on every request: a listing that never ends. */
  endless?: boolean;
}

interface CkanSite {
  url: string;
  packages: Raw[];
  faults: Faults;
  requests: URL[];
  schemaErrors: string[];
  close(): Promise<void>;
}

/** A CKAN Action API on loopback: package_search (q, fq on metadata_modified, sort, rows, start, fl) and package_show. */
async function startCkan(t: Test, packages: Raw[]): Promise<CkanSite> {
  const site: Omit<CkanSite, 'url' | 'close'> = { packages, faults: {}, requests: [], schemaErrors: [] };
  const send = (res: ServerResponse, status: number, body: unknown, contentType = 'application/json;charset=utf-8'): void => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    site.requests.push(url);
    if (url.pathname === '/api/3/action/package_show') {
      const pkg = site.packages.find((p) => p['id'] === url.searchParams.get('id'));
      if (!pkg) return send(res, 404, { success: false, error: { __type: 'Not Found Error', message: 'Not found' } });
      return send(res, 200, { help: 'package_show', success: true, result: pkg });
    }
    if (url.pathname !== '/api/3/action/package_search') return send(res, 404, '<html>not found</html>', 'text/html');
    const faults = site.faults;
    if (faults.searchStatus) return send(res, faults.searchStatus, { success: false, error: { message: 'boom' } });
    if (faults.searchBody) return send(res, 200, faults.searchBody.body, faults.searchBody.contentType);
    const rows = Number(url.searchParams.get('rows') ?? 10);
    const start = faults.ignoreStart ? 0 : Number(url.searchParams.get('start') ?? 0);
    if (faults.endless) {
      const results = Array.from({ length: rows }, (_, i) => ({ ...site.packages[0], id: `endless-${start + i}` }));
      return send(res, 200, { success: true, result: { count: start + rows + 1, results } });
    }
    const since = /metadata_modified:\[(\S+) TO \*\]/.exec(url.searchParams.get('fq') ?? '')?.[1];
    const matching = site.packages
      .filter((p) => since === undefined || `${String(p['metadata_modified'])}Z` >= since)
      .sort((a, b) => String(a['metadata_modified']).localeCompare(String(b['metadata_modified'])) || String(a['id']).localeCompare(String(b['id'])));
    let results: Raw[] = matching.slice(start, start + rows);
    if (url.searchParams.get('fl') === 'id' && !faults.ignoreFl) results = results.map((p) => ({ id: p['id'] }));
    const body = {
      help: 'package_search',
      success: true,
      result: { count: faults.count ?? matching.length, sort: url.searchParams.get('sort'), facets: {}, search_facets: {}, results },
    };
    if (url.searchParams.get('fl') !== 'id' && !validPackageSearch(body)) site.schemaErrors.push(ajv.errorsText(validPackageSearch.errors));
    return send(res, 200, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  t.teardown(close);
  return Object.assign(site, { url, close });
}

interface Gateway {
  site: CkanSite;
  db: Db;
  harvester: Harvester;
  served(): Array<{ identifier: string; withdrawn: boolean; record: Raw }>;
}

async function setup(t: Test, packages: Raw[] = fixturePackages(), options: Raw = { pageSize: 2, idPageSize: 2 }, settings: Raw = {}): Promise<Gateway> {
  const site = await startCkan(t, packages);
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), site.url, {
    sources: [{ id: 'ckan', name: 'CKAN fixture', type: 'ckan', url: site.url, schedule: '0 3 * * *', options, withdrawAfterHours: 0, ...settings }],
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
    ).map((row) => ({ identifier: row.identifier, withdrawn: row.withdrawn_at !== null, record: JSON.parse(row.record) as Raw }));
  return { site, db, harvester: new Harvester(sqliteStoreOn(db), config, silentLog), served };
}

const UK_IDS = [...ukPackages, csps].map((p) => String(p['id'])).sort();

t.test('the Action API base is found under a site URL in any of its written forms', async (t) => {
  for (const url of [
    'https://data.example.gov.tw',
    'https://data.example.gov.tw/',
    'https://data.example.gov.tw/api/3',
    'https://data.example.gov.tw/api/3/action/',
  ]) {
    t.equal(actionEndpoint(url), 'https://data.example.gov.tw/api/3/action', url);
  }
  t.equal(actionEndpoint('https://example.org/ckan'), 'https://example.org/ckan/api/3/action', 'a site under a path');
});

t.test('a full run pages package_search in a stable sort and stores every package, mapped', async (t) => {
  const g = await setup(t);
  const run = await g.harvester.run('ckan');
  t.equal(run!.status, 'succeeded');
  t.match(run!.counts, { created: 5, pages: 3, rejected: 0 });
  t.same(
    g.served().map((d) => d.identifier),
    UK_IDS,
  );
  const searches = g.site.requests.filter((u) => u.pathname.endsWith('/package_search'));
  t.same(
    searches.map((u) => u.searchParams.get('start')),
    ['0', '2', '4'],
  );
  t.ok(searches.every((u) => u.searchParams.get('sort') === 'metadata_modified asc,id asc' && u.searchParams.get('rows') === '2' && !u.searchParams.has('fq')));
  t.same(g.site.schemaErrors, [], 'the fixture server answers as the CKAN response schemas say');
  const csps = g.served().find((d) => d.identifier === '27b635b7-a2a5-4e20-98e4-d521259306ca')!.record;
  t.match(csps, { title: 'Civil Service People Survey 2011', publisher: 'Cabinet Office', modified: '2013-08-12T23:00:31Z', accrualPeriodicity: '不更新' });
  t.match(csps['extensions'], { sourceVocabulary: 'ckan', sourceExtras: { name: 'civil-service-people-survey-2011', license_id: 'uk-ogl' } });
  const errors = runErrors(g.db, run!.runId);
  t.ok(
    errors.every((e) => e.stage === 'validate'),
    'only the standard’s rule breaks are reported',
  );
  t.equal(errors.filter((e) => e.nativeId === '27b635b7-a2a5-4e20-98e4-d521259306ca').length, 12, 'the 12 errors the mapping test explains');
});

t.test('an incremental run asks for what changed, lists every id, and withdraws what the site dropped', async (t) => {
  const g = await setup(t);
  await g.harvester.run('ckan');
  const changed = g.site.packages.find((p) => p['name'] === 'organisation-chart-cbc')!;
  changed['title'] = 'Organisation Chart (new)';
  changed['metadata_modified'] = '2099-01-01T00:00:00.000000';
  // Made public later with an old timestamp: the id listing finds it, package_show fetches it.
  g.site.packages.push({ ...structuredClone(csps), id: 'late-public', name: 'late', metadata_modified: '2001-01-01T00:00:00' });
  const dropped = g.site.packages.findIndex((p) => p['id'] === '98c45342-9145-46bd-a845-3cac8413178e');
  g.site.packages.splice(dropped, 1);
  g.site.requests.length = 0;

  const run = await g.harvester.run('ckan');
  t.equal(run!.status, 'succeeded');
  t.ok(run!.incrementalSince, 'incremental');
  t.match(run!.counts, { created: 1, updated: 1, unchanged: 3, withdrawn: 1 });
  const fq = g.site.requests.find((u) => u.searchParams.has('fq'))!.searchParams.get('fq');
  t.match(fq, /^\(metadata_modified:\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z TO \*\]\)$/);
  t.ok(
    g.site.requests.some((u) => u.searchParams.get('fl') === 'id'),
    'the id listing asks for ids only',
  );
  t.same(
    g.site.requests.filter((u) => u.pathname.endsWith('/package_show')).map((u) => u.searchParams.get('id')),
    ['late-public'],
  );
  const served = g.served();
  t.equal(served.find((d) => d.identifier === changed['id'])!.record['title'], 'Organisation Chart (new)');
  t.ok(served.find((d) => d.identifier === '98c45342-9145-46bd-a845-3cac8413178e')!.withdrawn, 'withdrawn: the site no longer lists it');
  t.ok(served.find((d) => d.identifier === 'late-public'));
});

t.test('CKAN 2.8 ignores fl: the id listing carries whole packages, used without package_show', async (t) => {
  const g = await setup(t);
  await g.harvester.run('ckan');
  g.site.faults.ignoreFl = true;
  g.site.packages.push({ ...structuredClone(csps), id: 'late-public', metadata_modified: '2001-01-01T00:00:00' });
  g.site.requests.length = 0;
  const run = await g.harvester.run('ckan');
  t.equal(run!.status, 'succeeded');
  t.match(run!.counts, { created: 1, unchanged: 5 });
  t.notOk(g.site.requests.some((u) => u.pathname.endsWith('/package_show')));
});

t.test('incremental runs without the id listing do not list everything: nothing is withdrawn', async (t) => {
  const g = await setup(t, fixturePackages(), { pageSize: 2, listAllOnIncremental: false });
  await g.harvester.run('ckan');
  g.site.packages.splice(0, 1);
  const run = await g.harvester.run('ckan');
  t.equal(run!.status, 'succeeded');
  t.match(run!.counts, { withdrawn: 0, seen: 0 });
  t.notOk(g.site.requests.some((u) => u.searchParams.get('fl') === 'id'));
  const full = await g.harvester.run('ckan', { full: true });
  t.match(full!.counts, { withdrawn: 1 }, 'a full run lists everything and withdraws');
});

t.test('deleted, draft and private packages are announced deletions: withdrawn at once', async (t) => {
  const g = await setup(t, fixturePackages(), { pageSize: 10 }, { withdrawAfterHours: 1000 });
  await g.harvester.run('ckan');
  g.site.packages[0]!['state'] = 'deleted';
  g.site.packages[1]!['private'] = true;
  g.site.packages[2]!['state'] = 'draft';
  const run = await g.harvester.run('ckan', { full: true });
  t.equal(run!.status, 'succeeded');
  t.match(run!.counts, { withdrawn: 3 });
  t.equal(g.served().filter((d) => d.withdrawn).length, 3, 'despite the long grace period');
});

t.test('a filter restricts every query to part of the site', async (t) => {
  const g = await setup(t, fixturePackages(), { pageSize: 10, filter: 'organization:eidc' });
  await g.harvester.run('ckan');
  t.equal(g.site.requests[0]!.searchParams.get('fq'), '(organization:eidc)');
});

t.test('bad answers end the run with a typed error and keep what was stored', async (t) => {
  const cases: Array<[string, Faults, string, RegExp]> = [
    ['HTTP 500', { searchStatus: 500 }, 'http-500', /HTTP 500|500/],
    [
      'an HTML error page sent with 200',
      { searchBody: { body: '<!DOCTYPE html><html><body>Maintenance</body></html>', contentType: 'text/html' } },
      'protocol',
      /HTML page/,
    ],
    ['malformed JSON', { searchBody: { body: '{"success": true, "result": {', contentType: 'application/json' } }, 'malformed-json', /not valid JSON/],
    [
      'a truncated body',
      { searchBody: { body: JSON.stringify({ success: true, result: { count: 5, results: ukPackages } }).slice(0, 3000), contentType: 'application/json' } },
      'malformed-json',
      /not valid JSON/,
    ],
    [
      'success:false',
      { searchBody: { body: '{"success": false, "error": {"message": "Search error"}}', contentType: 'application/json' } },
      'protocol',
      /success:false/,
    ],
    ['not the Action API shape', { searchBody: { body: '{"success": true, "result": ["a", "b"]}', contentType: 'application/json' } }, 'protocol', /count/],
    ['JSON sent as text/html', { searchBody: { body: '["not", "ckan"]', contentType: 'text/html' } }, 'protocol', /is not \{"success":true/],
  ];
  for (const [name, faults, rule, message] of cases) {
    const g = await setup(t);
    await g.harvester.run('ckan');
    const before = g.served();
    g.site.faults = faults;
    const run = await g.harvester.run('ckan', { full: true });
    t.equal(run!.status, 'failed', name);
    t.match(run!.message, message, name);
    t.match(runErrors(g.db, run!.runId), [{ stage: 'source', rule, sourceId: 'ckan' }], name);
    t.same(g.served(), before, `${name}: nothing stored was lost or changed`);
  }
});

t.test('JSON with a plain-text content type is read: proxies mislabel it', async (t) => {
  const g = await setup(t, fixturePackages(), { pageSize: 10 });
  const body = { success: true, result: { count: 5, results: fixturePackages() } };
  g.site.faults.searchBody = { body: JSON.stringify(body), contentType: 'text/plain' };
  const run = await g.harvester.run('ckan');
  t.equal(run!.status, 'succeeded');
  t.equal(run!.counts.created, 5);
});

t.test('paging guards: repeated pages, endless listings and a short count make the run partial, withdrawing nothing', async (t) => {
  const repeated = await setup(t);
  await repeated.harvester.run('ckan');
  repeated.site.faults.ignoreStart = true;
  let run = await repeated.harvester.run('ckan', { full: true });
  t.equal(run!.status, 'partial');
  t.match(
    runErrors(repeated.db, run!.runId).filter((e) => e.stage === 'list'),
    [{ rule: 'paging-loop' }],
  );
  t.equal(repeated.served().filter((d) => d.withdrawn).length, 0);

  const endless = await setup(t, fixturePackages(), { pageSize: 50, maxDatasets: 200 });
  endless.site.faults.endless = true;
  run = await endless.harvester.run('ckan');
  t.equal(run!.status, 'partial');
  t.match(
    runErrors(endless.db, run!.runId).filter((e) => e.stage === 'list'),
    [{ rule: 'too-many-datasets' }],
  );
  t.ok(endless.site.requests.length <= 6, 'the cap stops the listing');

  const short = await setup(t);
  await short.harvester.run('ckan');
  short.site.packages.splice(0, 1);
  short.site.faults.count = 5;
  run = await short.harvester.run('ckan', { full: true });
  t.equal(run!.status, 'partial');
  t.match(
    runErrors(short.db, run!.runId).filter((e) => e.stage === 'list'),
    [{ rule: 'count-mismatch' }],
  );
  t.equal(short.served().filter((d) => d.withdrawn).length, 0, 'a listing that missed packages withdraws nothing');
});

t.test('a package without an id is a failure of its page; the others are stored', async (t) => {
  const packages = fixturePackages();
  delete packages[0]!['id'];
  const g = await setup(t, packages, { pageSize: 10 });
  const run = await g.harvester.run('ckan');
  t.equal(run!.status, 'partial');
  t.equal(run!.counts.created, 4);
  t.match(
    runErrors(g.db, run!.runId).filter((e) => e.stage === 'parse'),
    [{ rule: 'not-a-package' }],
  );
  t.same(
    runErrors(g.db, run!.runId).filter((e) => e.stage === 'list'),
    [],
    'the count is right: the package without id is the difference, already reported; no "the catalogue changed" blamed',
  );

  // One without id and one more counted than there are: the mismatch names both causes.
  const mixed = await setup(
    t,
    fixturePackages().map((p, i) => (i === 0 ? { ...p, id: undefined } : p)),
    { pageSize: 10 },
  );
  mixed.site.faults.count = 6;
  const mixedRun = await mixed.harvester.run('ckan');
  t.equal(mixedRun!.status, 'partial');
  const [mismatch] = runErrors(mixed.db, mixedRun!.runId).filter((e) => e.stage === 'list');
  t.match(mismatch, { rule: 'count-mismatch', message: /counted 6 packages.*4 distinct ids.*1 result without an id.*1 package unaccounted for/ });
});

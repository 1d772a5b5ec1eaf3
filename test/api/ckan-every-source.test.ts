import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { forgetDcatUsDocuments } from '../../connectors/dcat-us.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { projectPath } from '../../src/model/project-root.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';

/**
 * Every CKAN action answer, over records of every connector harvested into one store, checked
 * against the CKAN response schemas (alphagov/ckan-functional-tests, test/fixtures/ckan): a
 * CKAN client reads the gateway whatever source a dataset came from. Records that name no
 * publisher (W3C DCAT examples, oai_dc records, a cross-platform record of this test's own)
 * must still have an organization object and an owner_org string, as CKAN tools expect.
 */

type Raw = Record<string, unknown>;

const SCHEMA_BASE = 'http://github.com/alphagov/ckan-functional-tests/api/';
const ajv = new Ajv({ strict: false, allErrors: true });
addFormatsModule.default(ajv);
// CKAN's date-times have no offset (UTC): ISO 8601 with an optional offset (as ckan-api.test.ts).
ajv.addFormat('date-time', fullFormats['iso-date-time']);
for (const name of [
  'common',
  'action_response_base',
  'organization_base',
  'tag',
  'dataset_base',
  'dataset_base_2_9',
  'package_base',
  'package_search',
  'package_show',
  'package_list',
  'organization_show',
  'organization_list',
]) {
  const schema = readFixture<Raw>('ckan', `${name}.schema.json`);
  ajv.addSchema({ ...schema, $id: String(schema['$id']).replace(/\.schema\.json$/, '') });
}
const schema = (name: string): ValidateFunction => ajv.getSchema(`${SCHEMA_BASE}${name}`)!;

const fixtureText = (...parts: string[]): string => readFileSync(projectPath('test', 'fixtures', ...parts), 'utf8');

// ---------------------------------------------------------------------------------------------
// One loopback server speaking every protocol, each under its own path
// ---------------------------------------------------------------------------------------------

const ckanPackages = [
  ...readFixture<{ result: { results: Raw[] } }>('ckan', 'package_search.json').result.results,
  readFixture<Raw>('ckan', 'stable_package_show.inner.civil-service-people-survey-2011.json'),
];
const ntpc = readFixture<{ search: { payload?: { search_result: unknown[] }; result?: { results: unknown[] } }; details: Raw }>('mapped-json', 'ntpc.json');
const datagovtwExport = readFixture<Raw[]>('datagovtw', 'export.json').slice(0, 3);

function send(res: ServerResponse, body: unknown, contentType = 'application/json'): void {
  res.writeHead(200, { 'content-type': contentType }).end(typeof body === 'string' ? body : JSON.stringify(body));
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"success":false}');
}

async function startSources(t: Test): Promise<string> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const params = url.searchParams;
    switch (url.pathname) {
      case '/ckan/api/3/action/package_search': {
        const rows = Number(params.get('rows') ?? 10);
        const start = Number(params.get('start') ?? 0);
        let results = ckanPackages.slice(start, start + rows);
        if (params.get('fl') === 'id') results = results.map((p) => ({ id: p['id'] }));
        return send(res, { success: true, result: { count: ckanPackages.length, results } });
      }
      case '/ckan/api/3/action/package_show': {
        const pkg = ckanPackages.find((p) => p['id'] === params.get('id'));
        return pkg ? send(res, { success: true, result: pkg }) : notFound(res);
      }
      case '/pod/data.json':
        return send(res, fixtureText('dcat-us', 'catalog-sample-extended.json'));
      case '/dcat-us-3/data.json':
        return send(res, fixtureText('dcat-us', 'dcatus3_0.json'));
      case '/dcat/basic.ttl':
        return send(res, fixtureText('dcat', 'w3c-dcat3-examples', 'basic-example.ttl'), 'text/turtle');
      case '/dcat/agency.ttl':
        return send(res, fixtureText('dcat', 'own', 'taiwan-agency.ttl'), 'text/turtle');
      case '/dcat/bees.ttl':
        return send(res, fixtureText('dcat', 'dcat-ap-3.0.1-examples', 'example-bee-population.ttl'), 'text/turtle');
      case '/csw':
        return send(res, fixtureText('csw', 'default_get_GetRecords-sortby-asc.xml'), 'application/xml');
      case '/oai-dc':
        if (params.get('verb') === 'Identify') return send(res, fixtureText('oai-pmh', 'Identify.xml'), 'text/xml');
        return send(res, fixtureText('oai-pmh', params.get('resumptionToken') ?? 'ListRecords.xml'), 'text/xml');
      case '/oai-datacite':
        if (params.get('verb') === 'Identify') return send(res, fixtureText('oai-pmh', 'Identify-seconds.xml'), 'text/xml');
        return send(
          res,
          fixtureText('oai-pmh', params.get('resumptionToken') === 'page-2' ? 'datacite-ListRecords2.xml' : 'datacite-ListRecords.xml'),
          'text/xml',
        );
      case '/ntpc/api/v1/dataset.search': {
        const page = Number(params.get('page_num') ?? 1);
        const size = Number(params.get('page_limit') ?? 100);
        const body = structuredClone(ntpc.search);
        const list = body.payload ? body.payload.search_result : body.result!.results;
        const slice = list.slice((page - 1) * size, page * size);
        if (body.payload) body.payload.search_result = slice;
        else body.result!.results = slice;
        return send(res, body);
      }
      case '/ntpc/api/v1/dataset.info': {
        const detail = ntpc.details[params.get('id') ?? ''];
        return detail === undefined ? notFound(res) : send(res, detail);
      }
      case '/datagovtw/api/front/dataset/export':
        return send(res, datagovtwExport);
      case '/datagovtw/api/front/dataset/changed/export':
        return send(res, []);
      default:
        return notFound(res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// Cross-platform records: the spec's example, the project's own, and one of this test's that names no publisher.
const specExample = readFixture<Raw>('crossplatform', 'spec-example-record.json');
const crossplatformRecords: Raw[] = [
  (specExample['result'] ?? specExample) as Raw,
  ...readFixture<Raw[]>('crossplatform', 'own-records.json'),
  {
    identifier: 'civic-hub:no-publisher-001',
    title: 'Conteggi biciclette (senza editore)',
    description: 'Ein Datensatz ohne Herausgeber: no publisher, no organization.',
    modified: '2024-02-29 23:59:59',
    distribution: [{ format: 'CSV', downloadURL: 'https://civic.example.it/bici.csv' }],
  },
];

t.test('every CKAN answer passes the CKAN response schemas, for records of every connector', async (t) => {
  forgetDcatUsDocuments();
  const base = await startSources(t);
  const platform = await startFixturePlatform(crossplatformRecords);
  const { dir, cleanup } = tempDir();
  const source = (id: string, type: string, url: string, options: Raw = {}): Raw => ({ id, name: `${id} fixture`, type, url, schedule: '0 3 * * *', options });
  const sources = [
    source('crossplatform', 'crossplatform', platform.url, { pageSize: 2 }),
    source('ckan', 'ckan', `${base}/ckan`, { pageSize: 2, idPageSize: 2 }),
    source('pod', 'dcat-us', `${base}/pod/data.json`),
    source('pod3', 'dcat-us', `${base}/dcat-us-3/data.json`),
    source('w3c', 'dcat', `${base}/dcat/basic.ttl`),
    source('agency', 'dcat', `${base}/dcat/agency.ttl`),
    source('bees', 'dcat', `${base}/dcat/bees.ttl`),
    source('csw', 'csw', `${base}/csw`, { pageSize: 10 }),
    source('oai', 'oai-pmh', `${base}/oai-dc`),
    source('datacite', 'oai-pmh', `${base}/oai-datacite`, { metadataPrefix: 'oai_datacite' }),
    source('ntpc', 'mapped-json', `${base}/ntpc`, { mapping: 'ntpc' }),
    source('datagovtw', 'datagovtw', `${base}/datagovtw`),
  ];
  const config = testConfig(join(dir, 'catalog.db'), platform.url, { sources });
  const db = openTestDb(config);
  const api = await buildApi({ store: sqliteStoreOn(db), publicUrl: 'https://gateway.example.it', logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await api.close();
    db.close();
    await platform.close();
    cleanup();
  });
  const gateway = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/api/3/action`;

  const harvester = new Harvester(sqliteStoreOn(db), config, silentLog);
  const stored = (id: string): number => db.prepare('SELECT COUNT(*) FROM source_records WHERE source_id = ?').pluck().get(id) as number;
  for (const { id } of sources as Array<{ id: string }>) {
    const run = await harvester.run(id);
    t.ok(run && stored(id) > 0, `${id}: records harvested (run ${run?.status})`);
  }

  const answer = async (action: string, params: Record<string, string> = {}): Promise<Raw> => {
    const res = await fetch(`${gateway}/${action}?${new URLSearchParams(params).toString()}`);
    t.equal(res.status, 200, `${action} ${JSON.stringify(params)} answers 200`);
    return (await res.json()) as Raw;
  };
  const valid = (name: string, body: Raw, what: string): void => {
    const validate = schema(name);
    t.ok(validate(body), `${what} passes ${name}${validate.errors ? `: ${ajv.errorsText(validate.errors)}` : ''}`);
  };

  const list = await answer('package_list');
  valid('package_list', list, 'package_list');
  const names = list['result'] as string[];
  t.ok(names.length >= 20, `a catalogue of every connector (${names.length} datasets)`);

  let withoutPublisher = 0;
  for (const name of names) {
    const shown = await answer('package_show', { id: name });
    valid('package_show', shown, `package_show ${name}`);
    const pkg = shown['result'] as Raw & { organization: Raw; owner_org: unknown };
    if (pkg.organization?.['name'] === 'no-publisher') withoutPublisher += 1;
  }
  t.ok(withoutPublisher >= 2, `datasets naming no publisher have the no-publisher organization (${withoutPublisher})`);

  for (const [start, rows] of [
    ['0', '1000'],
    ['5', '3'],
  ] as const) {
    const search = await answer('package_search', { rows, start, 'facet.field': '["organization","groups","res_format","license_id"]' });
    valid('package_search', search, `package_search start ${start}`);
    for (const pkg of (search['result'] as { results: Raw[] }).results)
      valid(
        'package_show',
        { help: 'https://gateway.example.it/api/3/action/help_show?name=package_show', success: true, result: pkg },
        `package_search result ${String(pkg['name'])}`,
      );
  }

  const organizations = await answer('organization_list');
  valid('organization_list', organizations, 'organization_list');
  const organizationNames = organizations['result'] as string[];
  t.ok(organizationNames.includes('no-publisher'), 'the datasets without publisher are an organization too');
  valid('organization_list', await answer('organization_list', { all_fields: 'true' }), 'organization_list all_fields');
  valid('organization_list', await answer('organization_list', { all_fields: 'true', include_extras: 'true' }), 'organization_list all_fields with extras');
  for (const name of organizationNames) {
    const shown = await answer('organization_show', { id: name, include_datasets: 'true' });
    valid('organization_show', shown, `organization_show ${name}`);
    const org = shown['result'] as { package_count: number; packages: Raw[]; id: string };
    t.equal(org.packages.length, org.package_count, `${name}: include_datasets lists its package_count`);
    for (const pkg of org.packages) t.equal(pkg['owner_org'], org.id, `${name}: ${String(pkg['name'])} is owned by it`);
    const search = (await answer('package_search', { fq: `organization:${name}`, rows: '0' }))['result'] as { count: number };
    t.equal(search.count, org.package_count, `${name}: fq organization: finds its package_count`);
    const byOwner = (await answer('package_search', { fq: `owner_org:${org.id}`, rows: '0' }))['result'] as { count: number };
    t.equal(byOwner.count, org.package_count, `${name}: fq owner_org: finds its package_count`);
  }
  const total = ((await answer('package_search', { rows: '0' }))['result'] as { count: number }).count;
  const others = ((await answer('package_search', { fq: '-organization:no-publisher', rows: '0' }))['result'] as { count: number }).count;
  t.equal(others, total - withoutPublisher, 'negated: every dataset that names a publisher');
});

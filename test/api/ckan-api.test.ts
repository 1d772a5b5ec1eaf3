import t, { type Test } from 'tap';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Harvester } from '../../src/harvest/harvester.js';
import { getDataset } from '../../src/store/catalogue.js';
import type { Db } from '../../src/store/database.js';
import { ckanDirectory } from '../../src/api/routes/ckan-directory.js';
import { openStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/contract/store.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { startFederation } from '../helpers/federation.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

type Raw = Record<string, unknown>;
type Package = Raw & { id: string; name: string; resources: Raw[]; extras: Array<{ key: string; value: string }>; organization: Raw | null };

const PUBLIC_URL = 'https://gateway.example.tw';

// ---------------------------------------------------------------------------------------------
// The CKAN response schemas (alphagov/ckan-functional-tests), as test/connectors/ckan.test.ts loads them
// ---------------------------------------------------------------------------------------------

const SCHEMA_BASE = 'http://github.com/alphagov/ckan-functional-tests/api/';
const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS; under NodeNext its callable lives on `.default`.
addFormatsModule.default(ajv);
// CKAN writes date-times in UTC without an offset (`2021-08-01T02:00:00.000000`) and the schemas
// were written against real CKAN output, so their `date-time` is ISO 8601 with an optional
// offset. Formats are checked (uuid, uri, date-time) rather than ignored.
ajv.addFormat('date-time', fullFormats['iso-date-time']);
for (const name of ['common', 'action_response_base', 'organization_base', 'tag', 'dataset_base', 'dataset_base_2_9', 'package_base', 'package_search']) {
  const schema = readFixture<Raw>('ckan', `${name}.schema.json`);
  // The schemas $ref each other by bare name; their $id carries a .schema.json suffix.
  ajv.addSchema({ ...schema, $id: String(schema['$id']).replace(/\.schema\.json$/, '') });
}
const envelopeOf = (result: Raw): ValidateFunction => ajv.compile({ allOf: [{ $ref: `${SCHEMA_BASE}action_response_base` }, { properties: { result } }] });
const schemas = {
  packageSearch: ajv.getSchema(`${SCHEMA_BASE}package_search`)!,
  packageShow: envelopeOf({ $ref: `${SCHEMA_BASE}package_base` }),
  packageList: envelopeOf({ type: 'array', items: { $ref: `${SCHEMA_BASE}common#/definitions/slug` } }),
  organizationShow: envelopeOf({ $ref: `${SCHEMA_BASE}organization_base` }),
  organizationNames: envelopeOf({ type: 'array', items: { $ref: `${SCHEMA_BASE}common#/definitions/slug` } }),
  organizationDicts: envelopeOf({ type: 'array', items: { $ref: `${SCHEMA_BASE}organization_base` } }),
  help: envelopeOf({ type: 'string' }),
};

function valid(t: Test, validate: ValidateFunction, body: unknown, what: string): void {
  t.ok(validate(body), `${what} passes the CKAN schema${validate.errors ? `: ${ajv.errorsText(validate.errors)}` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// The catalogue: the spec's example, the project's own records, and two of this test's
// ---------------------------------------------------------------------------------------------

const specExample = readFixture<Raw>('crossplatform', 'spec-example-record.json');
const specRecord = (specExample['result'] ?? specExample) as Raw;
const own = readFixture<Raw[]>('crossplatform', 'own-records.json');
const extra: Raw[] = [
  {
    categoryCode: 'I00',
    identifier: 'A41000000G-000002',
    title: '國家發展委員會新聞稿',
    description: '國發會每日發布之新聞稿。',
    type: 'rawData',
    license: 'CC BY 4.0',
    licenseURL: 'https://creativecommons.org/licenses/by/4.0/',
    cost: '免費',
    organization: '國家發展委員會',
    publisher: '國家發展委員會',
    publisherOID: '2.16.886.101.20003.20069',
    publisherOrgCode: 'A41000000G',
    accrualPeriodicity: '每日',
    issued: '2020-01-01',
    modified: '2024-03-01 10:00:00',
    language: 'zh',
    landingPage: 'https://www.ndc.gov.tw/News',
    keyword: ['新聞', '公報'],
    distribution: [
      {
        resourceID: 'A41000000G-000002-001',
        resourceDescription: '新聞稿 CSV',
        format: 'CSV',
        downloadURL: 'https://www.ndc.gov.tw/news.csv',
        resourceModified: '2024-03-01 10:00:00',
        characterSetCode: 'UTF-8',
      },
      // The same resourceID twice (a publisher's slip): the two resources must still get two ids.
      { resourceID: 'A41000000G-000002-001', resourceDescription: '新聞稿 JSON', format: 'JSON', downloadURL: 'https://www.ndc.gov.tw/news.json' },
    ],
  },
  {
    // An identifier outside the national form, from a publisher without an agency code.
    identifier: 'civic-hub:bike-001',
    title: 'Civic bike counts',
    description: 'Volunteer bicycle counts.',
    publisher: 'g0v Civic Lab',
    modified: '2023-05-05 00:00:00',
    keyword: ['bike'],
    distribution: [{ format: 'csv', downloadURL: 'https://civic.example.tw/bike.csv' }],
  },
];
const records = (): Raw[] => structuredClone([specRecord, ...own, ...extra]);

/** Live datasets, newest metadata change first (the fixtures' modified, Taipei time). */
const BY_MODIFIED_DESC = [
  'A41000000G-000002',
  '379000000A-000777',
  'civic-hub:bike-001',
  '397000000A-000013',
  '315000000H-000123',
  'A21000000I-000901',
  'A41000000G-000001',
];
const LIVE = [...BY_MODIFIED_DESC].sort();

// ---------------------------------------------------------------------------------------------
// Calling the API
// ---------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: Raw & { success: boolean; help: string; result: unknown; error?: Raw };
}

async function call(base: string, action: string, params: Record<string, string> = {}): Promise<Answer> {
  const query = new URLSearchParams(params).toString();
  const res = await fetch(`${base}/api/3/action/${action}${query ? `?${query}` : ''}`);
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function post(base: string, action: string, body: string, contentType = 'application/json'): Promise<Answer> {
  const res = await fetch(`${base}/api/3/action/${action}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function result<T = unknown>(t: Test, base: string, action: string, params: Record<string, string> = {}): Promise<T> {
  const answer = await call(base, action, params);
  t.equal(answer.status, 200, `${action} ${JSON.stringify(params)} answers 200`);
  t.equal(answer.body.success, true);
  t.equal(answer.body.help, `${PUBLIC_URL}/api/3/action/help_show?name=${action}`, 'help points at help_show');
  return answer.body.result as T;
}

interface SearchResult {
  count: number;
  sort: string;
  results: Package[];
  facets: Record<string, Record<string, number>>;
  search_facets: Record<string, { title: string; items: Array<{ name: string; display_name: string; count: number }> }>;
}

async function search(t: Test, base: string, params: Record<string, string>): Promise<SearchResult> {
  const answer = await call(base, 'package_search', params);
  t.equal(answer.status, 200, `package_search ${JSON.stringify(params)} answers 200: ${JSON.stringify(answer.body.error ?? '')}`);
  valid(t, schemas.packageSearch, answer.body, `package_search ${JSON.stringify(params)}`);
  return answer.body.result as SearchResult;
}

const identifiersOf = (packages: readonly Package[]): string[] => packages.map((p) => p.extras.find((e) => e.key === 'identifier')!.value);

/** A CKAN error: the status, the envelope, the type, and (for validation errors) the parameter named. */
function isCkanError(t: Test, answer: Answer, status: number, type: string, field?: string): void {
  t.equal(answer.status, status, `status ${status}`);
  t.equal(answer.body.success, false, 'success is false');
  t.match(answer.body.help, /^https:\/\/gateway\.example\.tw\/api\/3\/action\/help_show\?name=/, 'the envelope has help');
  t.notOk('result' in answer.body, 'no result');
  t.equal(answer.body.error?.['__type'], type, `__type ${type}`);
  t.type(answer.body.error?.['message'], 'string', 'a message');
  if (field !== undefined) t.match(answer.body.error?.[field], [String], `names the parameter ${field}`);
}

// ---------------------------------------------------------------------------------------------

t.test('the CKAN Action API over a harvested catalogue', async (t) => {
  const { harvester, base, db } = await startFederation(t, records(), PUBLIC_URL);
  const run = await harvester.run('fixture');
  t.equal(run!.status, 'succeeded');

  await t.test('package_list names every live dataset, and pages', async (t) => {
    const answer = await call(base, 'package_list');
    valid(t, schemas.packageList, answer.body, 'package_list');
    const names = answer.body.result as string[];
    t.equal(names.length, LIVE.length, 'the rejected record is not served');
    t.ok(names.includes('a41000000g-000001'), 'a national identifier lower-cased');
    t.ok(
      names.every((name) => /^[a-z0-9_-]{2,100}$/.test(name)),
      "every name has CKAN's form",
    );
    t.same(await result(t, base, 'package_list', { limit: '2', offset: '1' }), names.slice(1, 3));
    t.same(await result(t, base, 'package_list', { offset: '1000' }), [], 'past the end: empty');
    t.same(await result(t, base, 'package_list', { limit: '0' }), []);
    t.same(await result(t, base, 'package_list', { limit: '99999999' }), names, 'a huge limit is all there is');
  });

  await t.test('package_show: the CKAN package of the spec example, field by field', async (t) => {
    const answer = await call(base, 'package_show', { id: 'a41000000g-000001' });
    valid(t, schemas.packageShow, answer.body, 'package_show');
    const pkg = answer.body.result as Package;
    // Pinned: downstream harvesters key their copies by it; it must never change.
    t.equal(pkg.id, 'd2794e53-73ff-5d21-8824-7ca641a4299d');
    t.match(pkg, {
      name: 'a41000000g-000001',
      title: '行政院公報',
      notes: /^行政院及所屬機關/,
      url: 'http://gazette.nat.gov.tw/egFront/Open Data/list.jsp',
      type: 'dataset',
      state: 'active',
      private: false,
      license_id: '政府資料開放平臺資料使用規範',
      license_title: '政府資料開放平臺資料使用規範',
      license_url: 'http://data.gov.tw/principle',
      isopen: false,
      metadata_modified: '2015-01-01T15:59:59.000000',
      metadata_created: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/,
      num_tags: 4,
      num_resources: 3,
      organization: { name: 'a41000000g', title: '國家發展委員會', type: 'organization', is_organization: true },
      groups: [{ name: 'i00', title: '公共資訊' }],
    });
    t.equal(pkg['owner_org'], pkg.organization!['id']);
    t.same(
      (pkg['tags'] as Raw[]).map((tag) => tag['name']),
      ['公報', '施政', '服務', '行政院'],
    );
    const extras = Object.fromEntries(pkg.extras.map((e) => [e.key, e.value]));
    t.match(extras, {
      identifier: 'A41000000G-000001',
      categoryCode: 'I00',
      publisherOrgCode: 'A41000000G',
      publisherOID: '2.16.886.101.20003.20069',
      accrualPeriodicity: '每日',
      temporalCoverageFrom: '2014-01-01',
      temporalCoverageTo: '2015-01-01',
      issued: '2015-01-01T15:59:59Z',
      spatial: '臺灣',
      cost: '免費',
      numberOfData: '4600',
      national_type: 'rawData',
      national_organization: '國家發展委員會',
      national_notes: /^正式出版後/,
    });
    t.same(
      pkg.extras.map((e) => e.key),
      [...pkg.extras.map((e) => e.key)].sort(),
      'extras in key order, as CKAN lists them',
    );
    t.notOk(
      ['author', 'maintainer', 'author_email', 'maintainer_email'].some((key) => key in pkg),
      'contacts stay in extras',
    );

    const [xml, zip, service] = pkg.resources;
    t.match(xml, {
      url: 'http://gazette.nat.gov.tw/eg Front/OpenData/download.jsp',
      download_url: 'http://gazette.nat.gov.tw/eg Front/OpenData/download.jsp',
      format: 'XML',
      mimetype: 'application/xml',
      name: '行政院公報-民國 103 年-交通建設篇- XML',
      last_modified: '2015-01-01T15:59:59.000000',
      resourceID: 'A41000000G-000001-001',
      characterSetCode: 'UTF-8',
      package_id: pkg.id,
      resource_type: null,
      state: 'active',
    });
    t.match(zip, { format: 'ZIP', mimetype: 'application/zip', characterSetCode: 'BIG-5' });
    t.match(service, { url: 'http://example/endpoint', access_url: 'http://example/endpoint', resource_type: 'api', format: 'services', mimetype: null });
    t.equal(new Set(pkg.resources.map((r) => r['id'])).size, 3, 'three resource ids');
  });

  await t.test('package_show finds a package by id, name, identifier or name_or_id, by GET and POST alike', async (t) => {
    const byName = await result<Package>(t, base, 'package_show', { id: 'a41000000g-000001' });
    const byId = await result<Package>(t, base, 'package_show', { id: byName.id });
    const byUpperId = await result<Package>(t, base, 'package_show', { id: byName.id.toUpperCase() });
    const byIdentifier = await result<Package>(t, base, 'package_show', { id: 'A41000000G-000001' });
    const byNameOrId = await result<Package>(t, base, 'package_show', { name_or_id: 'a41000000g-000001' });
    const posted = await post(base, 'package_show', JSON.stringify({ id: byName.id }));
    const form = await post(base, 'package_show', `id=${byName.id}`, 'application/x-www-form-urlencoded');
    for (const [what, pkg] of [
      ['id', byId],
      ['upper-case id', byUpperId],
      ['identifier', byIdentifier],
      ['name_or_id', byNameOrId],
      ['JSON POST', posted.body.result],
      ['form POST', form.body.result],
    ] as const) {
      t.same(pkg, byName, `the same package by ${what}`);
    }
  });

  await t.test('identifiers outside the national form get unique hashed names that resolve', async (t) => {
    const civic = (await search(t, base, { fq: 'organization:' + (await civicOrganization()) })).results[0]!;
    t.match(civic.name, /^civic-hub-bike-001-[0-9a-f]{10}$/);
    t.same(await result(t, base, 'package_show', { id: civic.name }), civic, 'by its name');
    t.same(await result(t, base, 'package_show', { id: civic.id }), civic, 'by its id');
    t.same(await result(t, base, 'package_show', { id: 'civic-hub:bike-001' }), civic, 'by its identifier');
    t.match(civic.organization, { name: /^g0v-civic-lab-[0-9a-f]{10}$/, title: 'g0v Civic Lab' });
    t.match(civic.resources[0], { format: 'csv', mimetype: 'text/csv', name: null, url: 'https://civic.example.tw/bike.csv' });
    t.notOk('license_id' in civic, 'no licence: no license_id');
    t.equal(civic['isopen'], false);
  });

  async function civicOrganization(): Promise<string> {
    const names = await result<string[]>(t, base, 'organization_list', { q: 'civic' });
    return names[0]!;
  }

  await t.test('a dataset repeating a resourceID still has one resource id per resource', async (t) => {
    const pkg = await result<Package>(t, base, 'package_show', { id: 'a41000000g-000002' });
    t.equal(pkg.resources.length, 2);
    t.not(pkg.resources[0]!['id'], pkg.resources[1]!['id']);
    t.match(pkg, { license_id: 'CC BY 4.0', license_title: 'CC BY 4.0', license_url: 'https://creativecommons.org/licenses/by/4.0/', isopen: true });
  });

  await t.test('package_search: everything, newest change first, with the default sort echoed', async (t) => {
    const all = await search(t, base, {});
    t.equal(all.count, LIVE.length);
    t.equal(all.sort, 'score desc, metadata_modified desc');
    t.same(identifiersOf(all.results), BY_MODIFIED_DESC);
    t.same(all.facets, {}, 'no facet.field: no facets');
    t.same(all.search_facets, {});
    t.same(identifiersOf((await search(t, base, { q: '*:*', rows: '3' })).results), BY_MODIFIED_DESC.slice(0, 3), 'q=*:* is everything; rows pages');
    t.same(identifiersOf((await search(t, base, { rows: '3', start: '3' })).results), BY_MODIFIED_DESC.slice(3, 6), 'start');
    const zero = await search(t, base, { rows: '0' });
    t.same([zero.count, zero.results], [LIVE.length, []], 'rows=0 counts only');
    t.equal((await search(t, base, { rows: '5000' })).results.length, LIVE.length, 'rows above 1000 is capped, not refused');
    t.same((await search(t, base, { start: '99999' })).results, [], 'start past the end');
  });

  await t.test('package_search: q is full text over Chinese titles, keywords and descriptions', async (t) => {
    const gazette = await search(t, base, { q: '公報' });
    t.same(identifiersOf(gazette.results), ['A41000000G-000001', 'A41000000G-000002'], 'a title match ranks above a keyword match');
    t.equal((await search(t, base, { q: '台北市 自行車' })).count, 1, 'every word must match; 台 finds 臺');
    t.equal((await search(t, base, { q: '不存在的資料' })).count, 0);
  });

  await t.test('package_search: fq clauses filter as CKAN clients write them', async (t) => {
    const count = async (fq: string): Promise<number> => (await search(t, base, { fq })).count;
    t.same(identifiersOf((await search(t, base, { fq: 'organization:a41000000g' })).results), ['A41000000G-000002', 'A41000000G-000001']);
    t.equal(await count('organization:A41000000G'), 2, 'organization names are read in any case');
    t.equal(await count('groups:i00'), 2);
    t.equal(await count('groups:I00'), 2);
    t.equal(await count('res_format:csv'), 5);
    t.equal(await count('res_format:SERVICES'), 2);
    t.equal(await count('license_id:"政府資料開放授權條款-第1版"'), 3, 'a quoted licence');
    t.equal(await count('license_id:"CC BY 4.0"'), 1);
    t.equal(await count('metadata_modified:[2024-01-01T00:00:00Z TO *]'), 2);
    t.equal(await count('metadata_modified:[2024-02-29T15:59:59.000000 TO *]'), 2, "CKAN's own offset-less UTC form");
    t.equal(await count('metadata_modified:[2024-02-29T16:00:00Z TO NOW]'), 1);
    t.equal(await count('metadata_modified:[* TO *]'), LIVE.length);
    t.equal(await count('organization:a41000000g AND groups:i00 AND res_format:XML'), 1);
    t.equal(await count('+dataset_type:dataset +capacity:public'), LIVE.length, "CKAN UI's own clauses");
    t.equal(await count('capacity:private'), 0, 'nothing private');
    t.equal(await count('organization:a41000000g AND organization:315000000h'), 0, 'two organizations at once: nothing');
    t.equal(await count('organization:no-such-org'), 0, 'an unknown organization: nothing');
    const owner = (await result<Package>(t, base, 'package_show', { id: 'a41000000g-000001' })).organization!['id'] as string;
    t.equal(await count(`owner_org:${owner}`), 2, 'owner_org by organization id');
    const listed = await search(t, base, { fq: 'organization:a41000000g', fq_list: JSON.stringify(['res_format:CSV']) });
    t.same(identifiersOf(listed.results), ['A41000000G-000002'], 'fq_list clauses are ANDed too');
  });

  await t.test('package_search: fq tags, OR within a field, negation, closed and exclusive date ranges', async (t) => {
    const ids = async (fq: string): Promise<string[]> => identifiersOf((await search(t, base, { fq, sort: 'name asc', rows: '1000' })).results);
    const count = async (fq: string): Promise<number> => (await search(t, base, { fq })).count;
    const except = (...gone: string[]): string[] => LIVE.filter((id) => !gone.includes(id));
    // tags: exact keywords, every one required.
    t.same(await ids('tags:公報'), ['A41000000G-000001', 'A41000000G-000002']);
    t.same(await ids('tags:公報 tags:新聞'), ['A41000000G-000002'], 'both tags');
    t.same(await ids('tags:(公報 施政)'), ['A41000000G-000001'], 'a group with a space is AND (q.op=AND)');
    t.same(await ids('tags:(新聞 OR 路燈)'), ['397000000A-000013', 'A41000000G-000002'], 'any of');
    t.same(await ids('tags:"ETC"'), ['315000000H-000123']);
    t.equal(await count('tags:etc'), 0, 'case matters, as in CKAN');
    t.equal(await count('tags:公'), 0, 'a whole tag, not a part of one');
    t.same(await ids('-tags:公報'), except('A41000000G-000001', 'A41000000G-000002'), 'datasets without the tag');
    // OR within one field.
    t.same(await ids('res_format:(JSON OR XML)'), ['379000000A-000777', 'A41000000G-000001', 'A41000000G-000002']);
    t.same(await ids('res_format:JSON OR res_format:xml'), ['379000000A-000777', 'A41000000G-000001', 'A41000000G-000002'], 'written as clauses, any case');
    t.equal(await count('res_format:CSV OR res_format:ZIP'), LIVE.length - 1);
    t.same(await ids('res_format:CSV AND res_format:JSON'), ['A41000000G-000002'], 'two formats at once');
    t.same(await ids('groups:(a00 OR e00)'), ['315000000H-000123', '379000000A-000777']);
    t.same(await ids('organization:(a41000000g OR no-such-org)'), ['A41000000G-000001', 'A41000000G-000002'], 'an unknown organization adds nothing');
    // Negation.
    t.same(await ids('res_format:CSV -res_format:JSON'), ['315000000H-000123', '397000000A-000013', 'A21000000I-000901', 'civic-hub:bike-001']);
    t.same(await ids('-groups:i00'), except('A41000000G-000001', 'A41000000G-000002'));
    t.same(await ids('NOT organization:a41000000g'), except('A41000000G-000001', 'A41000000G-000002'));
    t.same(await ids('!res_format:(CSV OR JSON)'), ['A41000000G-000001'], 'none of them');
    t.equal(await count('-organization:no-such-org'), LIVE.length, 'excluding an unknown organization excludes nothing');
    t.equal(await count('-capacity:public'), 0);
    t.equal(await count('-capacity:private'), LIVE.length);
    t.equal(await count('dataset_type:(dataset OR harvest)'), LIVE.length);
    t.same(await ids('organization:a41000000g AND NOT tags:新聞'), ['A41000000G-000001']);
    // Date ranges: 379000000A-000777 changed at 2024-02-29T15:59:59Z exactly.
    t.same(await ids('metadata_modified:[2019-01-01T00:00:00Z TO 2022-01-01T00:00:00Z]'), ['315000000H-000123', 'A21000000I-000901'], 'a closed range');
    t.equal(await count('metadata_modified:[* TO 2024-02-29T15:59:59Z]'), LIVE.length - 1, '] includes the end');
    t.equal(await count('metadata_modified:{* TO 2024-02-29T15:59:59Z}'), LIVE.length - 2, '} excludes it');
    t.equal(await count('metadata_modified:[* TO 2024-02-29T15:59:59.5Z}'), LIVE.length - 1, 'before half a second later includes it');
    t.equal(await count('metadata_modified:[2024-02-29T15:59:59Z TO *]'), 2);
    t.equal(await count('metadata_modified:{2024-02-29T15:59:59Z TO *]'), 1, '{ excludes the start');
    t.equal(await count('metadata_modified:[2024-02-29T15:59:59.5Z TO *]'), 1, 'from half a second later excludes it');
    t.equal(await count('metadata_modified:[2024-02-29T15:59:59Z TO 2024-02-29T15:59:59Z]'), 1, 'one instant');
    t.equal(await count('metadata_modified:{2024-02-29T15:59:59Z TO 2024-02-29T15:59:59Z]'), 0);
    t.same(await ids('-metadata_modified:[2020-01-01T00:00:00Z TO *]'), ['A21000000I-000901', 'A41000000G-000001'], 'outside an open range: before it');
    t.equal(await count('-metadata_modified:{* TO 2024-02-29T15:59:59Z]'), 1, 'outside: after it');
    t.equal(await count('-metadata_modified:[* TO *]'), 0);
    t.same(
      await ids('metadata_modified:[2015-01-01T00:00:00Z TO *] metadata_modified:[* TO 2020-01-01T00:00:00Z}'),
      ['A21000000I-000901', 'A41000000G-000001'],
      'two ranges: both hold',
    );
    t.same(await ids('tags:公報 AND metadata_modified:{2016-01-01T00:00:00Z TO *}'), ['A41000000G-000002']);
    // With full text and facets.
    const gazette = await search(t, base, { q: '公報', fq: '-tags:新聞', 'facet.field': '["groups"]' });
    t.same(identifiersOf(gazette.results), ['A41000000G-000001']);
    t.same(gazette.facets['groups'], { i00: 1 }, 'facets count the filtered matches');
    t.same(
      identifiersOf((await search(t, base, { fq: 'tags:公報', fq_list: JSON.stringify(['-res_format:ZIP']) })).results),
      ['A41000000G-000002'],
      'fq_list too',
    );
  });

  await t.test('package_search answers the requests harvesters send', async (t) => {
    // The gateway's own CKAN connector, incremental.
    const connector = await search(t, base, {
      q: '*:*',
      fq: '(organization:a41000000g) AND (metadata_modified:[2015-01-01T00:00:00Z TO *])',
      sort: 'metadata_modified asc,id asc',
      rows: '100',
      start: '0',
    });
    t.same(identifiersOf(connector.results), ['A41000000G-000001', 'A41000000G-000002'], 'oldest change first');
    t.equal(connector.sort, 'metadata_modified asc,id asc');
    // ckanext-harvest's CKANHarvester: fq terms joined by a space, `Z` after an isoformat() with microseconds, sort by id.
    const harvest = await search(t, base, {
      fq: 'organization:a41000000g metadata_modified:[2015-01-01T00:00:00.000000Z TO *]',
      sort: 'id asc',
      rows: '100',
      start: '0',
    });
    t.equal(harvest.count, 2);
    // The connector's id listing.
    const ids = (await call(base, 'package_search', { q: '*:*', sort: 'metadata_modified asc,id asc', rows: '2', start: '0', fl: 'id' })).body
      .result as SearchResult;
    t.same(
      ids.results.map((p) => Object.keys(p)),
      [['id'], ['id']],
      'fl=id: ids only',
    );
    const picked = await call(base, 'package_search', { fl: 'name, metadata_modified', rows: '1' });
    t.same(Object.keys((picked.body.result as SearchResult).results[0]!).sort(), ['metadata_modified', 'name']);
  });

  await t.test('package_search: every sort, and paging in it visits each dataset once', async (t) => {
    const order = async (sort: string): Promise<string[]> => identifiersOf((await search(t, base, { sort, rows: '1000' })).results);
    t.same(await order('metadata_modified desc'), BY_MODIFIED_DESC);
    t.same(await order('metadata_modified asc'), [...BY_MODIFIED_DESC].reverse());
    t.same(await order('name asc'), LIVE);
    t.same(await order('id asc'), LIVE, 'a stable order by identifier');
    t.same(await order('name desc'), [...LIVE].reverse());
    const titles = await order('title_string asc');
    t.same(await order('title_string desc'), [...titles].reverse());
    t.same(await order('score desc, metadata_modified desc'), BY_MODIFIED_DESC);
    for (const sort of ['metadata_modified asc,id asc', 'metadata_modified desc', 'title_string desc']) {
      const paged: string[] = [];
      for (let start = 0; start < LIVE.length + 3; start += 3)
        paged.push(...identifiersOf((await search(t, base, { sort, rows: '3', start: String(start) })).results));
      t.same(paged, await order(sort), `paging ${sort} in threes`);
    }
  });

  await t.test("package_search: facets in both of CKAN's shapes", async (t) => {
    const faceted = await search(t, base, { 'facet.field': JSON.stringify(['organization', 'groups', 'res_format', 'license_id']), rows: '0' });
    t.same(faceted.facets['organization']!['a41000000g'], 2);
    t.same(faceted.facets['groups'], { i00: 2, a00: 1, b00: 1, e00: 1, k00: 1 });
    t.same(faceted.facets['res_format'], { CSV: 5, JSON: 2, SERVICES: 2, XML: 1, ZIP: 1 });
    t.same(faceted.facets['license_id'], {
      '政府資料開放授權條款-第1版': 3,
      'CC BY 4.0': 1,
      政府資料開放平臺資料使用規範: 1,
      '政府資料開放授權條款－第一版': 1,
    });
    t.equal(
      Object.values(faceted.facets['organization']!).reduce((a, b) => a + b, 0),
      LIVE.length,
      'every dataset has one organization',
    );
    t.match(faceted.search_facets['organization'], { title: 'organization', items: [{ name: 'a41000000g', display_name: '國家發展委員會', count: 2 }] });
    t.match(
      faceted.search_facets['groups']!.items.find((item) => item.name === 'e00'),
      { display_name: '生活安全及品質', count: 1 },
    );
    t.match(
      faceted.search_facets['license_id']!.items.find((item) => item.name === '政府資料開放授權條款－第一版'),
      { display_name: '政府資料開放授權條款-第1版' },
      'a licence spelling shows its canonical name',
    );
    const top = await search(t, base, { 'facet.field': '["res_format"]', 'facet.limit': '1', rows: '0' });
    t.same(top.facets, { res_format: { CSV: 5 } }, 'facet.limit');
    const filtered = await search(t, base, { 'facet.field': 'organization', fq: 'res_format:JSON', rows: '0' });
    t.same(filtered.facets['organization'], { a41000000g: 1, '379000000a': 1 }, 'facets count the matches only; a bare field name is accepted');
    const empty = await search(t, base, { 'facet.field': '["groups"]', fq: 'capacity:private' });
    t.same(empty.facets, { groups: {} }, 'no matches: empty facets, still present');
  });

  await t.test('organization_list and organization_show: the publishers', async (t) => {
    const names = await call(base, 'organization_list');
    valid(t, schemas.organizationNames, names.body, 'organization_list');
    const list = names.body.result as string[];
    t.equal(list.length, 6, 'one per publisher');
    t.ok(list.includes('a41000000g') && list.includes('315000000h'), 'named by agency code');
    const byCount = await result<string[]>(t, base, 'organization_list', { sort: 'package_count' });
    t.equal(byCount[0], 'a41000000g', 'package_count alone: most datasets first');
    t.same(await result(t, base, 'organization_list', { sort: 'name asc' }), [...list].sort());
    t.same(await result(t, base, 'organization_list', { sort: 'name desc', limit: '2', offset: '1' }), [...list].sort().reverse().slice(1, 3));
    t.same(await result(t, base, 'organization_list', { organizations: JSON.stringify(['a41000000g', 'nope']) }), ['a41000000g']);
    t.same(await result(t, base, 'organization_list', { q: '國家發展' }), ['a41000000g'], 'q over titles');

    const dicts = await call(base, 'organization_list', { all_fields: 'true', include_extras: 'True' });
    valid(t, schemas.organizationDicts, dicts.body, 'organization_list all_fields');
    const ndc = (dicts.body.result as Raw[]).find((org) => org['name'] === 'a41000000g')!;
    t.match(ndc, {
      title: '國家發展委員會',
      display_name: '國家發展委員會',
      package_count: 2,
      extras: [
        { key: 'publisherOID', value: '2.16.886.101.20003.20069' },
        { key: 'publisherOrgCode', value: 'A41000000G' },
      ],
    });
    const posted = await post(base, 'organization_list', JSON.stringify({ all_fields: true, limit: 2 }));
    t.equal((posted.body.result as Raw[]).length, 2, 'POST with JSON types');

    const shown = await call(base, 'organization_show', { id: 'a41000000g', include_datasets: 'true' });
    valid(t, schemas.organizationShow, shown.body, 'organization_show');
    const org = shown.body.result as Raw & { packages: Package[] };
    t.same(identifiersOf(org.packages), ['A41000000G-000002', 'A41000000G-000001'], 'its datasets, newest change first');
    for (const pkg of org.packages) t.ok(schemas.packageShow({ help: PUBLIC_URL, success: true, result: pkg }), `${pkg.name} is a valid package`);
    for (const id of [org['id'] as string, 'A41000000G', '國家發展委員會']) {
      t.same((await result<Raw>(t, base, 'organization_show', { id }))['name'], 'a41000000g', `found by ${id}`);
    }
    t.notOk('packages' in (await result<Raw>(t, base, 'organization_show', { id: 'a41000000g' })), 'no datasets unless asked');
  });

  await t.test('help_show documents each action, and the help links resolve', async (t) => {
    for (const action of ['package_list', 'package_show', 'package_search', 'organization_list', 'organization_show', 'help_show']) {
      const answer = await call(base, 'help_show', { name: action });
      valid(t, schemas.help, answer.body, `help_show ${action}`);
      t.match(answer.body.result, /Parameters/, action);
    }
  });

  await t.test("bad input is a CKAN error in CKAN's shape, never a 500", async (t) => {
    const validation: Array<[string, Record<string, string>, string]> = [
      ['package_list', { limit: '-1' }, 'limit'],
      ['package_list', { offset: 'abc' }, 'offset'],
      ['package_show', {}, 'id'],
      ['package_show', { id: '   ' }, 'id'],
      ['package_search', { rows: '-1' }, 'rows'],
      ['package_search', { rows: 'abc' }, 'rows'],
      ['package_search', { rows: '1.5' }, 'rows'],
      ['package_search', { rows: '1e3' }, 'rows'],
      ['package_search', { rows: '99999999999999999999' }, 'rows'],
      ['package_search', { start: '-5' }, 'start'],
      ['package_search', { sort: 'garbage' }, 'sort'],
      ['package_search', { sort: 'score asc' }, 'sort'],
      ['package_search', { sort: 'tags asc' }, 'sort'],
      ['package_search', { fq: 'organization:' }, 'fq'],
      ['package_search', { fq: '(organization:a41000000g' }, 'fq'],
      ['package_search', { fq: 'organization:a OR groups:b' }, 'fq'],
      ['package_search', { fq: '-(organization:a41000000g groups:i00)' }, 'fq'],
      ['package_search', { fq: '-metadata_modified:[2020-01-01T00:00:00Z TO 2021-01-01T00:00:00Z]' }, 'fq'],
      ['package_search', { fq: 'tags:a OR tags:b tags:c' }, 'fq'],
      ['package_search', { fq: 'organization:a4*' }, 'fq'],
      ['package_search', { fq: 'tags:公*' }, 'fq'],
      ['package_search', { fq: 'just words' }, 'fq'],
      ['package_search', { fq: 'no_such_field:x' }, 'fq'],
      ['package_search', { fq: 'metadata_modified:[yesterday TO *]' }, 'fq'],
      ['package_search', { fq: 'metadata_modified:[* TO yesterday]' }, 'fq'],
      ['package_search', { fq: 'tags:[a TO b]' }, 'fq'],
      ['package_search', { fq: 'metadata_modified:[NOW-1DAY TO *]' }, 'fq'],
      ['package_search', { fq: 'metadata_modified:2024-01-01' }, 'fq'],
      ['package_search', { fq: 'organization:[a TO b]' }, 'fq'],
      ['package_search', { fq_list: '[1, 2]' }, 'fq_list'],
      ['package_search', { 'facet.field': '["tags"]' }, 'facet.field'],
      ['package_search', { 'facet.field': '["organization"' }, 'facet.field'],
      ['package_search', { 'facet.field': '{"a": 1}' }, 'facet.field'],
      ['package_search', { 'facet.limit': 'ten' }, 'facet.limit'],
      ['organization_list', { sort: 'bogus' }, 'sort'],
      ['organization_list', { all_fields: 'maybe' }, 'all_fields'],
      ['organization_list', { limit: '-3' }, 'limit'],
      ['organization_show', {}, 'id'],
      ['organization_show', { id: 'a41000000g', include_datasets: 'perhaps' }, 'include_datasets'],
      ['help_show', {}, 'name'],
    ];
    for (const [action, params, field] of validation) {
      await t.test(`${action} ${JSON.stringify(params)} → 409 naming ${field}`, async (t) =>
        isCkanError(t, await call(base, action, params), 409, 'Validation Error', field),
      );
    }

    await t.test('every bad parameter is named at once', async (t) => {
      const answer = await call(base, 'package_search', { rows: 'abc', start: '-5' });
      isCkanError(t, answer, 409, 'Validation Error');
      t.same(answer.body.error, {
        __type: 'Validation Error',
        message: 'rows: Invalid integer; start: Must be a natural number',
        rows: ['Invalid integer'],
        start: ['Must be a natural number'],
      });
    });

    await t.test('a parameter given twice', async (t) => {
      const res = await fetch(`${base}/api/3/action/package_search?rows=1&rows=2`);
      isCkanError(t, { status: res.status, body: (await res.json()) as Answer['body'] }, 409, 'Validation Error', 'rows');
    });

    for (const id of [
      'no-such-package',
      'A41000000G-999999',
      '00000000-0000-5000-8000-000000000000',
      'x'.repeat(900),
      '%00',
      "'; DROP TABLE datasets; --",
      '臺北市',
    ]) {
      await t.test(`package_show ${id.slice(0, 30)} → 404`, async (t) => isCkanError(t, await call(base, 'package_show', { id }), 404, 'Not Found Error'));
    }
    await t.test('organization_show of an unknown organization → 404', async (t) =>
      isCkanError(t, await call(base, 'organization_show', { id: 'nope' }), 404, 'Not Found Error'),
    );
    await t.test('help_show of an unknown action → 404', async (t) =>
      isCkanError(t, await call(base, 'help_show', { name: 'package_create' }), 404, 'Not Found Error'),
    );
    await t.test('an unknown action → 400', async (t) => {
      const answer = await call(base, 'package_create');
      isCkanError(t, answer, 400, 'Bad Request');
      t.match(answer.body.error?.['message'], /Action name not known: package_create/);
    });

    await t.test('POST bodies CKAN cannot read → 400 (415 for a type it does not read)', async (t) => {
      isCkanError(t, await post(base, 'package_search', '{"rows": '), 400, 'Bad Request');
      t.match((await post(base, 'package_search', '{bad')).body.error?.['message'], /JSON Error/);
      isCkanError(t, await post(base, 'package_search', '[1, 2]'), 400, 'Bad Request');
      isCkanError(t, await post(base, 'package_search', '"text"'), 400, 'Bad Request');
      isCkanError(t, await post(base, 'package_search', ''), 400, 'Bad Request');
      isCkanError(t, await post(base, 'package_search', 'rows=2', 'text/plain'), 400, 'Bad Request');
      isCkanError(t, await post(base, 'package_search', '<rows>2</rows>', 'application/xml'), 415, 'Bad Request');
      isCkanError(t, await post(base, 'package_show', JSON.stringify({ id: { $ne: 1 } })), 409, 'Validation Error', 'id');
      isCkanError(t, await post(base, 'package_search', JSON.stringify({ rows: -1 })), 409, 'Validation Error', 'rows');
      isCkanError(t, await post(base, 'package_search', JSON.stringify({ 'facet.field': 'not a list [' })), 409, 'Validation Error', 'facet.field');
      const longFilter = Array.from({ length: 2000 }, () => 'res_format:CSV').join(' AND ');
      isCkanError(t, await post(base, 'package_search', JSON.stringify({ fq: longFilter })), 409, 'Validation Error', 'fq');
      const huge = JSON.stringify({ q: 'x'.repeat(2_000_000) });
      isCkanError(t, await post(base, 'package_search', huge), 413, 'Bad Request');
    });

    await t.test('POST with JSON and form bodies reads parameters like GET', async (t) => {
      const json = await post(base, 'package_search', JSON.stringify({ fq: 'organization:a41000000g', rows: 1, 'facet.field': ['groups'] }));
      valid(t, schemas.packageSearch, json.body, 'POST package_search');
      t.match(json.body.result, { count: 2, facets: { groups: { i00: 2 } } });
      t.equal((json.body.result as SearchResult).results.length, 1);
      const form = await post(base, 'package_search', 'fq=organization%3Aa41000000g&rows=1', 'application/x-www-form-urlencoded');
      t.equal((form.body.result as SearchResult).count, 2);
      const text = await post(base, 'package_search', JSON.stringify({ rows: 1 }), 'text/plain');
      t.equal(
        (text.body.result as SearchResult).results.length,
        1,
        'JSON sent as text/plain (a browser avoiding a preflight) is read as JSON, as CKAN reads it',
      );
      const bare = await fetch(`${base}/api/3/action/package_list?limit=1`, { method: 'POST' });
      t.equal(bare.status, 200, 'a POST without a body reads the query string');
      t.equal(((await bare.json()) as { result: string[] }).result.length, 1);
    });

    const health = (await (await fetch(`${base}/healthz`)).json()) as { datasets: number };
    t.equal(health.datasets, LIVE.length, 'the catalogue is untouched');
  });

  await t.test('/openapi.json describes every CKAN action, GET and POST, and stays valid', async (t) => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId?: string; parameters?: Array<{ name: string }> }>>;
    };
    const result = await new Validator().validate(doc as never);
    t.ok(result.valid, `valid OpenAPI: ${JSON.stringify(result.errors ?? '').slice(0, 500)}`);
    for (const action of ['package_list', 'package_show', 'package_search', 'organization_list', 'organization_show', 'help_show']) {
      const path = doc.paths[`/api/3/action/${action}`];
      t.ok(path?.['get']?.operationId && path['post']?.operationId, `${action}: GET and POST with operationIds`);
    }
    t.same(doc.paths['/api/3/action/package_search']!['get']!.parameters!.map((p) => p.name).sort(), [
      'facet.field',
      'facet.limit',
      'fl',
      'fq',
      'fq_list',
      'q',
      'rows',
      'sort',
      'start',
    ]);
    t.notOk(doc.paths['/api/3/action/{action}'], 'the unknown-action catch-all is not advertised');
  });

  // Keep the store reachable for the checks above that read it directly.
  t.ok(getDataset(db, 'A41000000G-000001'));
});

t.test('an empty catalogue answers empty results, not errors', async (t) => {
  const { harvester, base } = await startFederation(t, [], PUBLIC_URL);
  await harvester.run('fixture');
  t.same(await result(t, base, 'package_list'), []);
  const searched = await search(t, base, { 'facet.field': '["organization","res_format"]', fq: 'organization:a41000000g', sort: 'metadata_modified asc' });
  t.same(searched, {
    count: 0,
    facets: { organization: {}, res_format: {} },
    results: [],
    sort: 'metadata_modified asc',
    search_facets: { organization: { title: 'organization', items: [] }, res_format: { title: 'res_format', items: [] } },
  });
  t.same(await result(t, base, 'organization_list', { all_fields: 'true' }), []);
  isCkanError(t, await call(base, 'package_show', { id: 'a41000000g-000001' }), 404, 'Not Found Error');
  isCkanError(t, await call(base, 'organization_show', { id: 'a41000000g' }), 404, 'Not Found Error');
});

t.test('a withdrawn dataset leaves the lists and package_show says it is deleted; a new one appears', async (t) => {
  const { harvester, base, platform, db, store } = await startFederation(t, records(), PUBLIC_URL, { withdrawAfterHours: 0 });
  await harvester.run('fixture');
  // Read once before the change, so what follows exercises keeping the indexes current.
  const before = await result<Raw[]>(t, base, 'organization_list', { all_fields: 'true' });
  t.ok(before.some((org) => org['name'] === '397000000a'));
  const streetlights = await result<Package>(t, base, 'package_show', { id: '397000000a-000013' });
  t.same(await result(t, base, 'package_show', { id: streetlights.id }), streetlights, 'found by id before');

  platform.records.delete('397000000A-000013');
  platform.records.set('A41000000G-000003', {
    ...structuredClone(extra[0]!),
    identifier: 'A41000000G-000003',
    title: '國發會預算書',
    landingPage: 'https://www.ndc.gov.tw/Budget',
    distribution: [],
  });
  const run = await harvester.run('fixture');
  t.match(run!.counts, { withdrawn: 1, created: 1 });

  const answer = await call(base, 'package_show', { id: '397000000a-000013' });
  valid(t, schemas.packageShow, answer.body, 'a deleted package');
  t.match(answer.body.result, { state: 'deleted', title: '高雄市路燈位置', organization: { name: '397000000a' } });
  isCkanError(t, await call(base, 'package_show', { id: streetlights.id }), 404, 'Not Found Error');
  t.notOk((await result<string[]>(t, base, 'package_list')).includes('397000000a-000013'), 'not listed');
  t.equal((await search(t, base, {})).count, LIVE.length, 'one gone, one new');
  const budget = await result<Package>(t, base, 'package_show', { id: 'a41000000g-000003' });
  t.same(await result(t, base, 'package_show', { id: budget.id }), budget, 'the new dataset is found by id');
  const after = await result<Raw[]>(t, base, 'organization_list', { all_fields: 'true' });
  t.notOk(
    after.some((org) => org['name'] === '397000000a'),
    'its publisher, with nothing live left, is no organization any more',
  );
  t.equal(after.find((org) => org['name'] === 'a41000000g')!['package_count'], 3, 'the new dataset is counted');

  // What was kept current from the change feed equals what a fresh build finds.
  const fresh = await openStore(db.name);
  t.teardown(() => fresh.close());
  const organizations = (of: Store): Promise<unknown> =>
    of.catalogue.readSnapshot(async (reads) => (await ckanDirectory({ reads, cacheKey: of })).organizations);
  t.same(await organizations(store), await organizations(fresh), 'the organization directory, updated = rebuilt');
});

t.test("the gateway's own CKAN connector harvests the gateway: a CKAN harvester can read it", async (t) => {
  const { harvester, base, db, platform } = await startFederation(t, records(), PUBLIC_URL, { withdrawAfterHours: 0 });
  await harvester.run('fixture');

  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'mirror.db'), base, {
    sources: [
      {
        id: 'gateway',
        name: 'The gateway, read as CKAN',
        type: 'ckan',
        url: base,
        schedule: '0 3 * * *',
        options: { pageSize: 3, idPageSize: 2 },
        withdrawAfterHours: 0,
      },
    ],
  });
  const mirrorDb = openTestDb(config);
  t.teardown(() => {
    mirrorDb.close();
    cleanup();
  });
  const mirror = new Harvester(sqliteStoreOn(mirrorDb), config, silentLog);
  const live = (store: Db): string[] =>
    store.prepare('SELECT identifier FROM datasets WHERE withdrawn_at IS NULL ORDER BY identifier').pluck().all() as string[];

  const first = await mirror.run('gateway');
  t.equal(first!.status, 'succeeded', 'the full run succeeds: paging, counts and stable order hold');
  t.match(first!.counts, { created: LIVE.length, rejected: 0 });
  const civicId = (await result<Package>(t, base, 'package_show', { id: 'civic-hub:bike-001' })).id;
  t.same(
    live(mirrorDb),
    LIVE.map((id) => (id === 'civic-hub:bike-001' ? civicId : id)).sort(),
    'every dataset, under its national identifier (the one outside the national form under its package id, as the CKAN mapping reads ids)',
  );

  for (const identifier of LIVE) {
    const original = getDataset(db, identifier)!.record;
    const copy = getDataset(mirrorDb, identifier === 'civic-hub:bike-001' ? civicId : identifier)!.record;
    t.equal(copy.title, original.title, `${identifier}: title`);
    t.equal(copy.description, original.description, `${identifier}: description`);
    t.equal(copy.publisher, original.publisher ?? original.organization, `${identifier}: publisher`);
    t.same(copy.keyword, original.keyword, `${identifier}: keywords`);
    t.equal(copy.landingPage, original.landingPage, `${identifier}: landing page`);
    t.equal(copy.accrualPeriodicity, original.accrualPeriodicity, `${identifier}: frequency`);
    const essentials = (record: typeof original) =>
      (record.distribution ?? []).map((d) => ({
        downloadURL: d.downloadURL,
        accessURL: d.accessURL,
        format: d.format,
        resourceDescription: d.resourceDescription,
        resourceModified: d.resourceModified,
      }));
    t.same(essentials(copy), essentials(original), `${identifier}: distributions (URLs, formats, descriptions, modified)`);
  }

  // A change upstream reaches the mirror through an incremental run (metadata_modified fq + the id listing).
  platform.records.get('315000000H-000123')!['title'] = '國道計程收費通行量統計（修訂）';
  platform.records.get('315000000H-000123')!['modified'] = '2030-01-01 00:00:00';
  platform.records.delete('397000000A-000013');
  await harvester.run('fixture');
  const second = await mirror.run('gateway');
  t.equal(second!.status, 'succeeded');
  t.ok(second!.incrementalSince, 'incremental');
  t.match(second!.counts, { updated: 1, unchanged: LIVE.length - 2, withdrawn: 1 });
  t.equal(getDataset(mirrorDb, '315000000H-000123')!.record.title, '國道計程收費通行量統計（修訂）');
  t.notOk(live(mirrorDb).includes('397000000A-000013'), 'a dataset withdrawn upstream is withdrawn in the mirror');
});

/**
 * The exports' guarantee, end to end: a catalogue harvested from the fixtures of every connector
 * type into one store, exported whole as CSV and as JSON-LD, reads back with independent parsers
 * (csv-parse, strictly; jsonld, offline) to the same datasets, with the same values as the API
 * serves for each of them (GET /api/v1/rest/dataset/{id}), column by column.
 */
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import jsonld from 'jsonld';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { SERVICE_CATEGORIES } from '../../src/model/codelists.js';
import { projectPath } from '../../src/model/project-root.js';
import { EXPORT_CSV_COLUMNS } from '../../src/views/export-csv.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { refuseEveryDocument } from '../helpers/dcat-ap.js';
import { awkwardRecords } from '../helpers/awkward-records.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';

type Raw = Record<string, unknown>;
type Row = Record<string, string>;

const PUBLIC_URL = 'https://gateway.example.tw';

const fixtureText = (...parts: string[]): string => readFileSync(projectPath('test', 'fixtures', ...parts), 'utf8');
const fixtureBytes = (...parts: string[]): Buffer => readFileSync(projectPath('test', 'fixtures', ...parts));
const fixtureJson = <T = Raw>(...parts: string[]): T => JSON.parse(fixtureText(...parts)) as T;

interface Answer {
  status?: number;
  type: string;
  body: string | Buffer;
}

/** A loopback server answering each request by `route` (404 when it has no answer); closed with the test. */
async function serve(t: Test, route: (url: URL, request: IncomingMessage) => Answer | undefined): Promise<string> {
  const server = createServer((request, response) => {
    const answer = route(new URL(request.url ?? '/', 'http://loopback'), request);
    if (answer === undefined) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    response.writeHead(answer.status ?? 200, { 'content-type': answer.type }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (body: unknown): Answer => ({ type: 'application/json; charset=utf-8', body: JSON.stringify(body) });
const xml = (body: string): Answer => ({ type: 'text/xml; charset=utf-8', body });

/** data.gov.tw's whole-catalogue export as a Big5 CSV (test/connectors/datagovtw.test.ts). */
async function dataGovTw(t: Test): Promise<string> {
  return serve(t, (url) =>
    url.pathname === '/api/front/dataset/export' ? { type: 'text/csv; charset=big5', body: fixtureBytes('datagovtw', 'export.big5.csv') } : undefined,
  );
}

/** data.taipei's whole-catalogue download and New Taipei's search + detail API (test/connectors/mapped-json.test.ts). */
async function cities(t: Test): Promise<{ taipei: string; ntpc: string }> {
  const taipei = await serve(t, (url) =>
    url.pathname === '/api/frontstage/tpeod/dataset.download' ? json(fixtureJson('mapped-json', 'taipei-download.json')) : undefined,
  );
  const site = fixtureJson<{ search: { payload: { search_result: unknown[] } }; details: Raw }>('mapped-json', 'ntpc.json');
  const ntpc = await serve(t, (url) => {
    if (url.pathname === '/api/v1/dataset.search') {
      const page = Number(url.searchParams.get('page_num') ?? 1);
      const size = Number(url.searchParams.get('page_limit') ?? 100);
      const body = structuredClone(site.search);
      body.payload.search_result = body.payload.search_result.slice((page - 1) * size, page * size);
      return json(body);
    }
    if (url.pathname === '/api/v1/dataset.info') {
      const detail = site.details[url.searchParams.get('id') ?? ''];
      return detail === undefined ? undefined : json(detail);
    }
    return undefined;
  });
  return { taipei, ntpc };
}

/** A CKAN Action API over data.gov.uk's packages (test/connectors/ckan.test.ts, without its faults). */
async function ckan(t: Test): Promise<string> {
  const packages = [
    ...fixtureJson<{ result: { results: Raw[] } }>('ckan', 'package_search.json').result.results,
    fixtureJson('ckan', 'stable_package_show.inner.civil-service-people-survey-2011.json'),
  ];
  return serve(t, (url) => {
    if (url.pathname === '/api/3/action/package_show') {
      const found = packages.find((p) => p['id'] === url.searchParams.get('id'));
      return found === undefined ? undefined : json({ success: true, result: found });
    }
    if (url.pathname !== '/api/3/action/package_search') return undefined;
    const rows = Number(url.searchParams.get('rows') ?? 10);
    const start = Number(url.searchParams.get('start') ?? 0);
    const sorted = [...packages].sort(
      (a, b) => String(a['metadata_modified']).localeCompare(String(b['metadata_modified'])) || String(a['id']).localeCompare(String(b['id'])),
    );
    let results: Raw[] = sorted.slice(start, start + rows);
    if (url.searchParams.get('fl') === 'id') results = results.map((p) => ({ id: p['id'] }));
    return json({ success: true, result: { count: packages.length, results } });
  });
}

/** Static files: DCAT documents and data.json catalogues. */
async function files(t: Test, routes: Record<string, Answer>): Promise<string> {
  return serve(t, (url) => routes[url.pathname]);
}

/** pycsw's 12-record Dublin Core catalogue in two pages (test/connectors/csw.test.ts). */
async function csw(t: Test): Promise<string> {
  const firstPage = fixtureText('csw', 'default_get_GetRecords-sortby-asc.xml');
  const records = [...fixtureText('csw', 'default_get_GetRecords-sortby-desc.xml').matchAll(/<csw:Record[\s>][\s\S]*?<\/csw:Record>/g)]
    .map((m) => m[0])
    .slice(0, 2);
  const secondPage = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dct="http://purl.org/dc/terms/" xmlns:ows="http://www.opengis.net/ows" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="2.0.2">
  <csw:SearchStatus timestamp="2024-01-01T00:00:00Z"/>
  <csw:SearchResults numberOfRecordsMatched="12" numberOfRecordsReturned="2" nextRecord="0" recordSchema="http://www.opengis.net/cat/csw/2.0.2" elementSet="full">
${records.join('\n')}
  </csw:SearchResults>
</csw:GetRecordsResponse>`;
  return serve(t, (url) => (url.pathname === '/csw' ? xml(url.searchParams.get('startPosition') === '11' ? secondPage : firstPage) : undefined));
}

/** sickle's oai_dc pages and the DataCite repository (test/connectors/oai-pmh.test.ts). */
async function oaiPmh(t: Test): Promise<{ sickle: string; datacite: string }> {
  const oai = (name: string): Answer => xml(fixtureText('oai-pmh', name));
  const sickle = await serve(t, (url) => {
    if (url.pathname !== '/oai') return undefined;
    if (url.searchParams.get('verb') === 'Identify') return oai('Identify.xml');
    return oai(url.searchParams.get('resumptionToken') ?? 'ListRecords.xml');
  });
  const datacite = await serve(t, (url) => {
    if (url.pathname !== '/oai') return undefined;
    if (url.searchParams.get('verb') === 'Identify') return oai('Identify-seconds.xml');
    return oai(url.searchParams.get('resumptionToken') === 'page-2' ? 'datacite-ListRecords2.xml' : 'datacite-ListRecords.xml');
  });
  return { sickle: `${sickle}/oai`, datacite: `${datacite}/oai` };
}

interface Catalogue {
  base: string;
  /** Every source's run status, by source id. */
  statuses: Record<string, string | undefined>;
}

/** One store harvesting every connector type's fixtures, and the gateway's API over it. */
async function harvestEveryConnector(t: Test): Promise<Catalogue> {
  const { dir, cleanup } = tempDir();
  const platform = await startFixturePlatform([
    (fixtureJson('crossplatform', 'spec-example-record.json')['result'] as Raw | undefined) ?? fixtureJson('crossplatform', 'spec-example-record.json'),
    ...fixtureJson<Raw[]>('crossplatform', 'own-records.json'),
  ]);
  t.teardown(() => platform.close());
  const awkwardFile = join(dir, 'awkward.json');
  writeFileSync(awkwardFile, JSON.stringify(awkwardRecords()));
  const { taipei, ntpc } = await cities(t);
  const dcatFiles = await files(t, {
    '/taiwan-agency.ttl': { type: 'text/turtle', body: fixtureText('dcat', 'own', 'taiwan-agency.ttl') },
    '/basic-example.ttl': { type: 'text/turtle', body: fixtureText('dcat', 'w3c-dcat3-examples', 'basic-example.ttl') },
    '/dcatus.json': json(fixtureJson('dcat-us', 'dcatus.json')),
    '/catalog-sample-extended.json': json(fixtureJson('dcat-us', 'catalog-sample-extended.json')),
  });
  const { sickle, datacite } = await oaiPmh(t);
  const sources: Array<{ id: string; type: string; url: string; options?: Raw }> = [
    { id: 'crossplatform', type: 'crossplatform', url: platform.url, options: { pageSize: 2 } },
    { id: 'file', type: 'file', url: awkwardFile },
    { id: 'datagovtw', type: 'datagovtw', url: await dataGovTw(t), options: { exportFormat: 'csv' } },
    { id: 'taipei', type: 'mapped-json', url: taipei, options: { mapping: 'taipei' } },
    { id: 'ntpc', type: 'mapped-json', url: ntpc, options: { mapping: 'ntpc', pageSize: 2 } },
    { id: 'ckan', type: 'ckan', url: await ckan(t), options: { pageSize: 2, idPageSize: 2 } },
    { id: 'dcat-tw', type: 'dcat', url: `${dcatFiles}/taiwan-agency.ttl` },
    { id: 'dcat-w3c', type: 'dcat', url: `${dcatFiles}/basic-example.ttl` },
    { id: 'dcat-us', type: 'dcat-us', url: `${dcatFiles}/dcatus.json` },
    { id: 'pod', type: 'dcat-us', url: `${dcatFiles}/catalog-sample-extended.json` },
    { id: 'csw', type: 'csw', url: `${await csw(t)}/csw`, options: { pageSize: 10 } },
    { id: 'oai-dc', type: 'oai-pmh', url: sickle },
    { id: 'datacite', type: 'oai-pmh', url: datacite, options: { metadataPrefix: 'oai_datacite', set: 'environment' } },
  ];
  const config = testConfig(join(dir, 'catalog.db'), platform.url, {
    sources: sources.map((source) => ({ ...source, name: source.id, schedule: '0 3 * * *', options: source.options ?? {} })),
  });
  const db = openTestDb(config);
  // Registered first, so it runs last (after the API's close), and also when a harvest throws.
  t.teardown(() => {
    db.close();
    cleanup();
  });
  const harvester = new Harvester(sqliteStoreOn(db), config, silentLog);
  const statuses: Record<string, string | undefined> = {};
  for (const source of sources) statuses[source.id] = (await harvester.run(source.id))?.status;
  const api = await buildApi({ store: sqliteStoreOn(db), publicUrl: PUBLIC_URL, logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => api.close());
  return { base: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`, statuses };
}

/** Strict RFC 4180 reading; a line break outside quotes ends a record, as it does for most readers. */
const STRICT_CSV = { bom: true, relax_quotes: false, relax_column_count: false, skip_empty_lines: false, record_delimiter: ['\r\n', '\n', '\r'] };

/** What a CSV cell holds for a served gen-1 value. */
function cellOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

const inParallelColumn = (value: string, kind: 'url' | 'text'): string =>
  kind === 'url' ? value.replace(/;/g, '%3B').replace(/；/g, encodeURIComponent('；')) : value.replace(/;/g, ',').replace(/；/g, '，');

/** Parallel `;` columns of the served distributions, empty when every item is. */
function parallel(distributions: Raw[], read: (d: Raw) => unknown, kind: 'url' | 'text'): string {
  const items = distributions.map((d) => inParallelColumn(cellOf(read(d)), kind));
  return items.every((item) => item === '') ? '' : items.join(';');
}

/** The export's columns, computed from the API's answer for the dataset (not from the export's code). */
function expectedCells(identifier: string, served: Raw): Partial<Record<(typeof EXPORT_CSV_COLUMNS)[number], string>> {
  const distributions = Array.isArray(served['distribution']) ? (served['distribution'] as Raw[]) : [];
  const category = cellOf(served['categoryCode']);
  return {
    資料集名稱: cellOf(served['title']),
    服務分類: (Object.hasOwn(SERVICE_CATEGORIES, category) ? SERVICE_CATEGORIES[category] : undefined) ?? category,
    檔案格式: parallel(distributions, (d) => d['format'], 'text'),
    資料下載網址: parallel(distributions, (d) => cellOf(d['downloadURL']) || d['accessURL'], 'url'),
    編碼格式: parallel(distributions, (d) => d['characterSetCode'], 'text'),
    資料資源描述: parallel(distributions, (d) => d['resourceDescription'], 'text'),
    資料集描述: cellOf(served['description']),
    提供機關: cellOf(served['publisher']),
    更新頻率: cellOf(served['accrualPeriodicity']),
    授權方式: cellOf(served['license']),
    相關網址: cellOf(served['landingPage']),
    計費方式: cellOf(served['cost']),
    提供機關聯絡人姓名: cellOf(served['publisherContactName']),
    提供機關聯絡人電話: cellOf(served['publisherContactPhone']),
    上架日期: cellOf(served['issued']),
    詮釋資料更新時間: cellOf(served['modified']),
    備註: cellOf(served['notes']),
    資料量: cellOf(served['numberOfData']),
    提供機關聯絡人電子郵件: cellOf(served['publisherContactEmail']),
    關鍵字: (Array.isArray(served['keyword']) ? (served['keyword'] as unknown[]) : [])
      .map((k) =>
        cellOf(k)
          .replace(/[;；,，、]/g, ' ')
          .trim(),
      )
      .filter((k) => k !== '')
      .join(';'),
    資料集編號: identifier,
  };
}

async function servedRecord(base: string, identifier: string): Promise<Raw> {
  const res = await fetch(`${base}/api/v1/rest/dataset/${encodeURIComponent(identifier)}`);
  if (res.status !== 200) throw new Error(`GET /api/v1/rest/dataset/${identifier}: ${res.status}`);
  return ((await res.json()) as { result: Raw }).result;
}

async function servedIdentifiers(base: string): Promise<string[]> {
  return ((await (await fetch(`${base}/api/v1/rest/dataset`)).json()) as { result: string[] }).result;
}

const DCT = 'http://purl.org/dc/terms/';
const DCAT = 'http://www.w3.org/ns/dcat#';
type Expanded = Record<string, unknown>;

/** The literal values (language and type set aside) of a property of an expanded node. */
function literals(node: Expanded, property: string): string[] {
  return ((node[property] as Array<{ '@value'?: unknown }> | undefined) ?? []).map((v) => cellOf(v['@value'])).filter((v) => v !== '');
}

/**
 * The texts of a multilingual property in the language(s) of the served record's texts: a DCAT
 * source's other languages are served beside them (issue 13, item 1), and the record holds one.
 */
function literalsInLanguageOf(node: Expanded, property: string, servedTexts: readonly string[]): string[] {
  const values = (node[property] as Array<{ '@value'?: unknown; '@language'?: unknown }> | undefined) ?? [];
  const languages = new Set(values.filter((v) => servedTexts.includes(cellOf(v['@value']))).map((v) => v['@language'] ?? ''));
  return values
    .filter((v) => languages.has(v['@language'] ?? ''))
    .map((v) => cellOf(v['@value']))
    .filter((v) => v !== '');
}

/**
 * An IRI as text with its percent-escapes of unreserved and non-ASCII characters undone: RDF's
 * IRIs cannot hold a space or a `"`, so the JSON-LD writes `%20` where the source wrote a space;
 * the same resource either way. For comparison only.
 */
function sameResource(iri: string): string {
  try {
    return decodeURI(iri);
  } catch {
    return iri;
  }
}

/** A date-time (Taipei wall-clock as gen-1 serves it, or an xsd:dateTime) as its instant; anything else as written. */
function instantOf(value: string): string {
  const taipei = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value);
  const epoch = Date.parse(taipei ? `${taipei[1]}T${taipei[2]}+08:00` : value);
  return /T|:/.test(value) && !Number.isNaN(epoch) ? new Date(epoch).toISOString() : value;
}

t.test('every connector harvested into one store: the exports read back to the served datasets', async (t) => {
  const started = Date.now();
  const { base, statuses } = await harvestEveryConnector(t);
  for (const [id, status] of Object.entries(statuses)) t.ok(status === 'succeeded' || status === 'partial', `${id}: harvested (${status})`);
  const identifiers = await servedIdentifiers(base);
  t.ok(identifiers.length >= 40, `${identifiers.length} datasets served`);
  const served = new Map<string, Raw>();
  for (const identifier of identifiers) served.set(identifier, await servedRecord(base, identifier));

  await t.test('CSV: the same datasets, the same values, column by column', async (t) => {
    const bytes = Buffer.from(await (await fetch(`${base}/export/catalog.csv`)).arrayBuffer());
    const rows = parse(bytes, { ...STRICT_CSV, columns: true }) as Row[];
    t.same(rows.map((row) => row['資料集編號']).sort(), [...identifiers].sort(), 'one row per served dataset');
    let compared = 0;
    for (const row of rows) {
      const identifier = row['資料集編號']!;
      const record = served.get(identifier);
      if (record === undefined) continue;
      const expected = expectedCells(identifier, record);
      const actual = Object.fromEntries(Object.keys(expected).map((column) => [column, row[column]]));
      t.same(actual, expected, `${identifier}: every column as served`);
      // Per resource; the API serves the dataset's one fieldDescription, which is what each
      // resource has unless its source gave it only for some (data.gov.tw's own export does).
      const fields = row['主要欄位說明']!;
      const distributions = (record['distribution'] as Raw[] | undefined) ?? [];
      const fieldDescription = inParallelColumn(cellOf(record['fieldDescription']), 'text');
      if (fields !== '') {
        const items = fields.split(';');
        t.equal(items.length, distributions.length, `${identifier}: one 主要欄位說明 item per resource`);
        t.ok(
          items.every((item) => item === '' || item === fieldDescription),
          `${identifier}: 主要欄位說明 is the served fieldDescription`,
        );
      } else {
        t.ok(distributions.length === 0 || fieldDescription === '', `${identifier}: 主要欄位說明 empty only without resources or a fieldDescription`);
      }
      compared += 1;
    }
    t.equal(compared, identifiers.length);
    const boston = rows.find((row) => row['資料集編號'] === '382000000A-900001');
    t.equal(boston?.['授權方式'], 'Public Domain\nBoston Redevelopment Authority', 'the licence with a lone line feed reads back whole');
  });

  await t.test('JSON-LD: the same datasets, the same values, expanded offline', async (t) => {
    const document = (await (await fetch(`${base}/export/catalog.jsonld`)).json()) as Raw;
    const expanded = (await ((jsonld.expand as (input: unknown, options: unknown) => Promise<unknown>)(
      document as jsonld.JsonLdDocument,
      { documentLoader: refuseEveryDocument as never, safe: true } as never,
    ) as Promise<unknown>)) as unknown as Expanded[];
    const catalogue = expanded.find((node) => (node['@type'] as string[] | undefined)?.includes(`${DCAT}Catalog`))!;
    const datasets = (catalogue[`${DCAT}dataset`] as Expanded[]).filter((node) => (node['@type'] as string[] | undefined)?.includes(`${DCAT}Dataset`));
    const byIdentifier = new Map(datasets.map((node) => [literals(node, `${DCT}identifier`)[0], node]));
    t.same([...byIdentifier.keys()].sort(), [...identifiers].sort(), 'one dataset node per served dataset');
    const twod = String((document['@context'] as Raw)['twod']);
    /** An IRI property, or its twod: text twin when the value was not an IRI: what the source said. */
    const iriOrText = (n: Expanded, property: string, textProperty: string): string[] => [
      ...((n[property] as Array<{ '@id'?: string }> | undefined) ?? []).map((v) => sameResource(cellOf(v['@id']))),
      ...literals(n, `${twod}${textProperty}`),
    ];
    const nodes = (n: Expanded, property: string): Expanded[] => (n[property] as Expanded[] | undefined) ?? [];
    for (const [identifier, record] of served) {
      const node = byIdentifier.get(identifier);
      if (node === undefined) continue;
      const distributions = (record['distribution'] as Raw[] | undefined) ?? [];
      const keywords = ((record['keyword'] as string[] | undefined) ?? []).filter((k) => k !== '');
      const facts = (n: Expanded): Raw => ({
        title: literalsInLanguageOf(n, `${DCT}title`, [cellOf(record['title'])]),
        description: literalsInLanguageOf(n, `${DCT}description`, [cellOf(record['description'])]),
        keyword: literalsInLanguageOf(n, `${DCAT}keyword`, keywords.map(cellOf)).sort(),
        landingPage: iriOrText(n, `${DCAT}landingPage`, 'landingPageText'),
        publisher: nodes(n, `${DCT}publisher`).flatMap((p) => literals(p, 'http://xmlns.com/foaf/0.1/name')),
        downloadURL: nodes(n, `${DCAT}distribution`)
          .flatMap((d) => iriOrText(d, `${DCAT}downloadURL`, 'downloadURLText'))
          .sort(),
        modified: [...literals(n, `${DCT}modified`), ...literals(n, `${twod}modifiedText`)].map(instantOf),
      });
      const present = (value: unknown): string[] => [cellOf(value)].filter((v) => v !== '');
      const expected = {
        title: present(record['title']),
        description: present(record['description']),
        keyword: [...keywords].sort(),
        landingPage: present(record['landingPage']).map(sameResource),
        publisher: present(record['publisher']),
        downloadURL: distributions
          .flatMap((d) => present(d['downloadURL']))
          .map(sameResource)
          .sort(),
        modified: present(record['modified']).map(instantOf),
      };
      t.same(facts(node), expected, `${identifier}: title, description, keywords, landing page, publisher, download URLs, modified as served`);
    }
  });

  t.ok(Date.now() - started < 30_000, `bounded in time (${Date.now() - started} ms)`);
});

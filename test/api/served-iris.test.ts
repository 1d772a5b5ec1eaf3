import t, { type Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Parser, Store, type Term } from 'n3';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { projectPath } from '../../src/model/project-root.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { dcatApViolations } from '../helpers/dcat-ap.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';

/**
 * Every IRI a source sent (licence, landing page, dataset IRI, download and access URLs) is
 * served exactly as the source wrote it, in every view: gen-1 JSON, CKAN, DCAT JSON-LD and
 * Turtle, and the CSV export. Normalised URLs are for identity keys only. Three kinds of source
 * (DCAT Turtle, CKAN, a gen-1 platform), with IRIs in upper and mixed case, no trailing slash, a
 * default port, non-ASCII paths and a space, in German, Spanish, Italian and Chinese.
 */

type Raw = Record<string, unknown>;

const DCAT_TURTLE = readFileSync(projectPath('test', 'fixtures', 'dcat', 'own', 'mixed-case-iris.ttl'), 'utf8');
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';

/** The IRIs of the Turtle fixture, by dataset identifier. */
const DCAT_IRIS = {
  'A41000000G-000777': {
    license: 'HTTP://Example.GOV.tw/License',
    landingPage: 'https://Data.Example.GOV.tw/Landing',
    downloadURL: 'HTTPS://Files.Example.GOV.tw:443/Luft/Messwerte.CSV',
    accessURL: 'http://API.Example.GOV.tw/Luft',
  },
  'https://Datos.Example.ES/Conjunto/Calidad-Aire': {
    license: 'https://Datos.Example.ES/Licencia',
    landingPage: 'https://Datos.Example.ES/Conjunto/Calidad-Aire?Vista=Ficha',
    downloadURL: 'https://Datos.Example.ES/Año/Estación.json',
  },
};

const CKAN_ID = '5b3c1f8e-9a0d-4c2e-8f71-2d4b6a9e0c13';
/** A CKAN package from an Italian portal: mixed-case hosts, and one URL with a space in it. */
const CKAN_PACKAGE: Raw = {
  id: CKAN_ID,
  name: 'qualita-aria',
  title: 'Qualità dell’aria',
  notes: 'Misure orarie delle centraline.',
  url: 'HTTP://Dati.Comune.Example.IT/Dataset/Qualita-Aria',
  license_id: 'cc-by-4.0',
  license_title: 'Creative Commons Attribution 4.0',
  license_url: 'HTTPS://CreativeCommons.ORG/licenses/by/4.0',
  metadata_created: '2024-01-10T08:00:00.000000',
  metadata_modified: '2024-05-02T09:30:00.000000',
  tags: [{ name: 'aria' }],
  resources: [
    { id: 'r1', name: 'Misure CSV', format: 'CSV', url: 'https://Dati.Comune.Example.IT/Files/Misure Orarie.CSV' },
    { id: 'r2', name: 'API', format: 'API', url: 'HTTP://API.Comune.Example.IT:8080/Aria', resource_type: 'api' },
  ],
};

const GEN1_ID = '379000000A-000321';
/** A gen-1 record of a Taiwanese platform. */
const GEN1_RECORD: Raw = {
  identifier: GEN1_ID,
  title: '臺北市空氣品質監測站',
  description: '臺北市各空氣品質監測站逐時資料。',
  type: 'rawData',
  license: '政府資料開放授權條款-第1版',
  licenseURL: 'HTTP://Data.GOV.tw/License',
  cost: '免費',
  publisher: '臺北市政府環境保護局',
  publisherOrgCode: '379000000A',
  accrualPeriodicity: '每1時',
  modified: '2026-05-01 10:00:00',
  landingPage: 'HTTP://Example.GOV.tw/Data',
  distribution: [
    { resourceID: `${GEN1_ID}-001`, format: 'CSV', downloadURL: 'HTTPS://Data.Taipei/Api/Resource.Download?RID=A1&Format=CSV' },
    { resourceID: `${GEN1_ID}-002`, format: 'JSON', accessURL: 'https://Data.Taipei:443/空氣/品質' },
  ],
};

interface Gateway {
  base: string;
  harvester: Harvester;
}

async function startDcatSite(t: Test): Promise<string> {
  const server = createServer((_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/turtle' }).end(DCAT_TURTLE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/catalog.ttl`;
}

/** A CKAN Action API with one package: package_search (ids or whole packages) and package_show. */
async function startCkanSite(t: Test): Promise<string> {
  const send = (response: ServerResponse, body: unknown): void => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/3/action/package_show') return send(response, { success: true, result: CKAN_PACKAGE });
    const start = Number(url.searchParams.get('start') ?? 0);
    const results = start > 0 ? [] : [url.searchParams.get('fl') === 'id' ? { id: CKAN_ID } : CKAN_PACKAGE];
    return send(response, { success: true, result: { count: 1, results } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function gateway(t: Test): Promise<Gateway> {
  const platform = await startFixturePlatform([GEN1_RECORD]);
  const dcatUrl = await startDcatSite(t);
  const ckanUrl = await startCkanSite(t);
  const { dir, cleanup } = tempDir();
  const source = (id: string, type: string, url: string, options: Raw = {}) => ({ id, name: id, type, url, schedule: '0 3 * * *', options });
  const config = testConfig(join(dir, 'catalog.db'), '', {
    sources: [source('dcat', 'dcat', dcatUrl), source('ckan', 'ckan', ckanUrl), source('gen1', 'crossplatform', platform.url, { pageSize: 2 })],
  });
  const db = openTestDb(config);
  const api = await buildApi({ store: sqliteStoreOn(db), publicUrl: 'https://gateway.example.tw', logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await api.close();
    db.close();
    await platform.close();
    cleanup();
  });
  const harvester = new Harvester(sqliteStoreOn(db), config, silentLog);
  for (const id of ['dcat', 'ckan', 'gen1']) {
    const run = await harvester.run(id);
    if (run?.status !== 'succeeded') throw new Error(`${id}: run ${run?.status ?? 'not started'}`);
  }
  return { base: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`, harvester };
}

async function getJson(url: string): Promise<Raw> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as Raw;
}

/** A gen-1 answer's record (the cross-platform API wraps it in {success, result}). */
async function gen1Record(base: string, identifier: string): Promise<Raw> {
  return (await getJson(`${base}/api/v1/rest/dataset/${encodeURIComponent(identifier)}`))['result'] as Raw;
}

async function turtle(base: string, identifier: string): Promise<Store> {
  const response = await fetch(`${base}/dataset/${encodeURIComponent(identifier)}.ttl`);
  if (response.status !== 200) throw new Error(`${identifier}.ttl: ${response.status}`);
  // n3 refuses any IRI Turtle forbids (spaces, `<>"{}|^\``): parsing proves the IRIs valid.
  return new Store(new Parser({ format: 'text/turtle' }).parse(await response.text()));
}

function values(terms: Term[]): string[] {
  return terms.map((term) => `${term.termType}:${term.value}`).sort();
}

function objectsOf(store: Store, predicate: string): string[] {
  return values(store.getObjects(null, predicate, null));
}

t.test('IRIs are served exactly as each source wrote them: JSON, DCAT (JSON-LD, Turtle), CKAN, CSV', async (t) => {
  const g = await gateway(t);

  t.test('gen-1 JSON of every kind of source', async (t) => {
    const gen1 = await gen1Record(g.base, GEN1_ID);
    t.match(gen1, { licenseURL: 'HTTP://Data.GOV.tw/License', landingPage: 'HTTP://Example.GOV.tw/Data' });
    t.same(
      (gen1['distribution'] as Raw[]).map((d) => d['downloadURL'] ?? d['accessURL']),
      ['HTTPS://Data.Taipei/Api/Resource.Download?RID=A1&Format=CSV', 'https://Data.Taipei:443/空氣/品質'],
    );
    const dcat = await gen1Record(g.base, 'A41000000G-000777');
    const iris = DCAT_IRIS['A41000000G-000777'];
    t.match(dcat, { licenseURL: iris.license, landingPage: iris.landingPage });
    t.match(dcat['distribution'], [{ downloadURL: iris.downloadURL, accessURL: iris.accessURL }]);
    const ckan = await gen1Record(g.base, CKAN_ID);
    t.match(ckan, { licenseURL: 'HTTPS://CreativeCommons.ORG/licenses/by/4.0', landingPage: 'HTTP://Dati.Comune.Example.IT/Dataset/Qualita-Aria' });
    t.same(
      (ckan['distribution'] as Raw[]).map((d) => d['downloadURL'] ?? d['accessURL']),
      ['https://Dati.Comune.Example.IT/Files/Misure Orarie.CSV', 'HTTP://API.Comune.Example.IT:8080/Aria'],
    );
  });

  t.test('DCAT Turtle, parsed back with n3: the IRIs equal the source’s', async (t) => {
    for (const [identifier, iris] of Object.entries(DCAT_IRIS)) {
      const store = await turtle(g.base, identifier);
      t.same(objectsOf(store, `${DCT}license`), [`NamedNode:${iris.license}`], `${identifier}: licence`);
      t.same(objectsOf(store, `${DCAT}landingPage`), [`NamedNode:${iris.landingPage}`], `${identifier}: landing page`);
      t.same(objectsOf(store, `${DCAT}downloadURL`), [`NamedNode:${iris.downloadURL}`], `${identifier}: download URL`);
      const access = 'accessURL' in iris ? iris.accessURL : iris.downloadURL;
      t.same(objectsOf(store, `${DCAT}accessURL`), [`NamedNode:${access}`], `${identifier}: access URL`);
      const [dataset] = store.getSubjects('http://www.w3.org/1999/02/22-rdf-syntax-ns#type', `${DCAT}Dataset`, null);
      t.same(values(store.getObjects(dataset!, `${DCT}identifier`, null)), [`Literal:${identifier}`], `${identifier}: dataset identifier`);
    }
    const gen1 = await turtle(g.base, GEN1_ID);
    t.same(objectsOf(gen1, `${DCT}license`), ['NamedNode:HTTP://Data.GOV.tw/License']);
    t.same(objectsOf(gen1, `${DCAT}landingPage`), ['NamedNode:HTTP://Example.GOV.tw/Data']);
    t.same(objectsOf(gen1, `${DCAT}downloadURL`), ['NamedNode:HTTPS://Data.Taipei/Api/Resource.Download?RID=A1&Format=CSV']);
    t.same(objectsOf(gen1, `${DCAT}accessURL`), [
      'NamedNode:HTTPS://Data.Taipei/Api/Resource.Download?RID=A1&Format=CSV',
      'NamedNode:https://Data.Taipei:443/空氣/品質',
    ]);
    const ckan = await turtle(g.base, CKAN_ID);
    t.same(objectsOf(ckan, `${DCAT}landingPage`), ['NamedNode:HTTP://Dati.Comune.Example.IT/Dataset/Qualita-Aria']);
    t.same(objectsOf(ckan, `${DCT}license`), ['NamedNode:HTTPS://CreativeCommons.ORG/licenses/by/4.0']);
    // RDF forbids the space: it alone is percent-encoded, the rest is the source's text.
    t.same(objectsOf(ckan, `${DCAT}downloadURL`), ['NamedNode:https://Dati.Comune.Example.IT/Files/Misure%20Orarie.CSV']);
  });

  t.test('DCAT JSON-LD: the same IRIs, and still DCAT-AP valid', async (t) => {
    const document = await getJson(`${g.base}/dataset/A41000000G-000777.jsonld`);
    const iris = DCAT_IRIS['A41000000G-000777'];
    t.equal(document['dcat:landingPage'], iris.landingPage);
    t.equal((document['dct:license'] as Raw)['@id'], iris.license);
    t.match(document['dcat:distribution'], [{ 'dcat:downloadURL': iris.downloadURL, 'dcat:accessURL': iris.accessURL }]);
    t.same(await dcatApViolations(document), [], 'DCAT-AP 3 SHACL shapes');
    const ckan = await getJson(`${g.base}/dataset/${CKAN_ID}.jsonld`);
    t.same(await dcatApViolations(ckan), [], 'a URL with a space still gives DCAT-AP valid RDF');
  });

  t.test('CKAN package_show', async (t) => {
    const ckan = (await getJson(`${g.base}/api/3/action/package_show?id=${CKAN_ID}`))['result'] as Raw;
    t.match(ckan, { url: 'HTTP://Dati.Comune.Example.IT/Dataset/Qualita-Aria', license_url: 'HTTPS://CreativeCommons.ORG/licenses/by/4.0' });
    t.same(
      (ckan['resources'] as Raw[]).map((r) => r['url']),
      ['https://Dati.Comune.Example.IT/Files/Misure Orarie.CSV', 'HTTP://API.Comune.Example.IT:8080/Aria'],
    );
    const dcat = (await getJson(`${g.base}/api/3/action/package_show?id=A41000000G-000777`))['result'] as Raw;
    const iris = DCAT_IRIS['A41000000G-000777'];
    t.match(dcat, { url: iris.landingPage, license_url: iris.license });
    t.match(dcat['resources'], [{ url: iris.downloadURL, download_url: iris.downloadURL, access_url: iris.accessURL }]);
  });

  t.test('CSV export, read with csv-parse', async (t) => {
    const response = await fetch(`${g.base}/export/catalog.csv`);
    const rows = parse(Buffer.from(await response.arrayBuffer()), { bom: true, columns: true }) as Array<Record<string, string>>;
    const row = (identifier: string) => rows.find((r) => r['資料集編號'] === identifier)!;
    t.equal(row(GEN1_ID)['相關網址'], 'HTTP://Example.GOV.tw/Data');
    t.equal(row(GEN1_ID)['資料下載網址'], 'HTTPS://Data.Taipei/Api/Resource.Download?RID=A1&Format=CSV;https://Data.Taipei:443/空氣/品質');
    t.equal(row('A41000000G-000777')['資料下載網址'], DCAT_IRIS['A41000000G-000777'].downloadURL);
    t.equal(row('https://Datos.Example.ES/Conjunto/Calidad-Aire')['相關網址'], DCAT_IRIS['https://Datos.Example.ES/Conjunto/Calidad-Aire'].landingPage);
    t.equal(row(CKAN_ID)['相關網址'], 'HTTP://Dati.Comune.Example.IT/Dataset/Qualita-Aria');
    t.equal(row(CKAN_ID)['資料下載網址'], 'https://Dati.Comune.Example.IT/Files/Misure Orarie.CSV;HTTP://API.Comune.Example.IT:8080/Aria');
  });
});

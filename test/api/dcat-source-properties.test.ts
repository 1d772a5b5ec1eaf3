import t, { type Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, Store, type Term } from 'n3';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { projectPath } from '../../src/model/project-root.js';
import { dcatApViolations, toNQuads } from '../helpers/dcat-ap.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';

/**
 * DCAT in, DCAT out: the themes, spatial coverage (IRIs, and a dct:Location with a geometry,
 * bounding box and centroid), HVD categories and applicable legislation of a DCAT-AP 3 source in
 * Italian, German and English are harvested by the dcat connector and served again, as the same
 * IRIs, in the dataset's Turtle and JSON-LD, which stay DCAT-AP valid. And the catalogue's
 * foaf:homepage is a web page, not its publisher agent.
 */

type Raw = Record<string, unknown>;

const TURTLE = readFileSync(projectPath('test', 'fixtures', 'dcat', 'own', 'themes-spatial-hvd.ttl'), 'utf8');
const PUBLIC_URL = 'https://gateway.example.eu';
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const DCATAP = 'http://data.europa.eu/r5r/';
const LOCN = 'http://www.w3.org/ns/locn#';
const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const FOAF = 'http://xmlns.com/foaf/0.1/';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const WKT = 'http://www.opengis.net/ont/geosparql#wktLiteral';
const THEME = 'http://publications.europa.eu/resource/authority/data-theme/';
const HVD_REGULATION = 'http://data.europa.eu/eli/reg_impl/2023/138/oj';
const ROME_POLYGON = 'POLYGON((12.23 41.65, 12.86 41.65, 12.86 42.10, 12.23 42.10, 12.23 41.65))';

/** What the fixture says of each dataset (the identifiers are the dataset IRIs: neither has a national identifier). */
const EXPECTED = {
  'https://dati.example.it/dataset/qualita-aria': {
    themes: [`${THEME}ENVI`, `${THEME}HEAL`],
    hvdCategories: ['http://data.europa.eu/bna/c_4ba9548e', 'http://data.europa.eu/bna/c_dd313021'],
    spatialIris: ['http://publications.europa.eu/resource/authority/place/ITA_RM', 'https://sws.geonames.org/3169070/'],
    locations: 1,
  },
  'https://daten.example.de/datensatz/Luftmessnetz': {
    themes: [`${THEME}ENVI`],
    hvdCategories: ['http://data.europa.eu/bna/c_dd313021'],
    spatialIris: ['http://publications.europa.eu/resource/authority/country/DEU'],
    locations: 0,
  },
};

async function gateway(t: Test): Promise<string> {
  const site = createServer((_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/turtle' }).end(TURTLE);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => site.close(() => resolve())));
  const { dir, cleanup } = tempDir();
  const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/catalog.ttl`;
  const config = testConfig(join(dir, 'catalog.db'), url, {
    harvest: { allowPrivateAddresses: true, retries: 0, retryBaseDelayMs: 5, timeoutMs: 5000 },
    sources: [{ id: 'eu', name: 'eu', type: 'dcat', url, schedule: '0 3 * * *', options: {} }],
  });
  const db = openTestDb(config);
  const api = await buildApi({ store: sqliteStoreOn(db), publicUrl: PUBLIC_URL, logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await api.close();
    db.close();
    cleanup();
  });
  const run = await new Harvester(sqliteStoreOn(db), config, silentLog).run('eu');
  if (run?.status !== 'succeeded') throw new Error(`eu: run ${run?.status ?? 'not started'}`);
  return `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
}

async function get(url: string): Promise<string> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return response.text();
}

function named(terms: Term[]): string[] {
  return terms
    .filter((term) => term.termType === 'NamedNode')
    .map((term) => term.value)
    .sort();
}

/** The dataset's statements, whatever syntax they came in, checked against the source. */
function checkDataset(t: Test, store: Store, identifier: keyof typeof EXPECTED, syntax: string): void {
  const expected = EXPECTED[identifier];
  const [dataset, ...others] = store.getSubjects(RDF_TYPE, `${DCAT}Dataset`, null);
  t.equal(others.length, 0, `${syntax}: one dataset`);
  const objects = (predicate: string): Term[] => store.getObjects(dataset!, predicate, null);
  t.same(named(objects(`${DCAT}theme`)), expected.themes, `${syntax}: ${identifier} themes`);
  t.same(named(objects(`${DCATAP}hvdCategory`)), expected.hvdCategories, `${syntax}: ${identifier} HVD categories`);
  t.same(named(objects(`${DCATAP}applicableLegislation`)), [HVD_REGULATION], `${syntax}: ${identifier} applicable legislation`);
  if (identifier === 'https://dati.example.it/dataset/qualita-aria') {
    // The source states it on its distribution too (HVD requires it on every one): served there again.
    const [distribution] = objects(`${DCAT}distribution`);
    t.same(
      named(store.getObjects(distribution!, `${DCATAP}applicableLegislation`, null)),
      [HVD_REGULATION],
      `${syntax}: the distribution's applicable legislation`,
    );
  }
  const spatial = objects(`${DCT}spatial`);
  t.same(named(spatial), expected.spatialIris, `${syntax}: ${identifier} spatial IRIs`);
  const locations = spatial.filter((term) => term.termType === 'BlankNode');
  t.equal(locations.length, expected.locations, `${syntax}: ${identifier} Location nodes`);
  for (const location of locations) {
    t.same(
      store.getObjects(location, RDF_TYPE, null).map((term) => term.value),
      [`${DCT}Location`],
      `${syntax}: a dct:Location`,
    );
    for (const [predicate, value] of [
      [`${LOCN}geometry`, ROME_POLYGON],
      [`${DCAT}bbox`, ROME_POLYGON],
      [`${DCAT}centroid`, 'POINT(12.4964 41.9028)'],
    ] as const) {
      const [literal, ...more] = store.getObjects(location, predicate, null);
      t.equal(more.length, 0, `${syntax}: one ${predicate}`);
      t.match(literal, { termType: 'Literal', value, datatype: { value: WKT } }, `${syntax}: ${predicate} as the source typed it`);
    }
    const labels = store
      .getObjects(location, `${SKOS}prefLabel`, null)
      .map((term) => `${term.value}@${(term as { language?: string }).language ?? ''}`)
      .sort();
    t.same(labels, ['Area metropolitana di Roma@it', 'Metropolitan area of Rome@en'], `${syntax}: the place's names in their languages`);
  }
  // A spatial IRI the source described keeps its names, in their own languages.
  if (identifier === 'https://dati.example.it/dataset/qualita-aria') {
    const rome = 'http://publications.europa.eu/resource/authority/place/ITA_RM';
    const labels = store
      .getObjects(rome, `${SKOS}prefLabel`, null)
      .map((term) => `${term.value}@${(term as { language?: string }).language ?? ''}`)
      .sort();
    t.same(labels, ['Rom@de', 'Roma@it', 'Rome@en'], `${syntax}: the described place's names`);
  }
}

t.test('themes, spatial coverage, HVD categories and applicable legislation of a DCAT source are served again', async (t) => {
  const base = await gateway(t);
  for (const identifier of Object.keys(EXPECTED) as Array<keyof typeof EXPECTED>) {
    const path = `${base}/dataset/${encodeURIComponent(identifier)}`;
    // n3 parses the Turtle strictly: every IRI in it is a valid one.
    const turtle = new Store(new Parser({ format: 'text/turtle' }).parse(await get(`${path}.ttl`)));
    checkDataset(t, turtle, identifier, 'Turtle');
    const document = JSON.parse(await get(`${path}.jsonld`)) as Raw;
    const quads = new Store(new Parser({ format: 'N-Quads' }).parse(await toNQuads(document)));
    checkDataset(t, quads, identifier, 'JSON-LD');
    t.same(await dcatApViolations(document), [], `${identifier}: DCAT-AP 3 SHACL shapes`);
  }
});

t.test("the catalogue's foaf:homepage is the gateway's web page, not an agent", async (t) => {
  const base = await gateway(t);
  for (const [syntax, suffix] of [
    ['JSON-LD', '.jsonld'],
    ['Turtle', '.ttl'],
  ] as const) {
    const body = await get(`${base}/catalog${suffix}`);
    const store =
      syntax === 'Turtle'
        ? new Store(new Parser({ format: 'text/turtle' }).parse(body))
        : new Store(new Parser({ format: 'N-Quads' }).parse(await toNQuads(JSON.parse(body) as Raw)));
    const catalog = `${PUBLIC_URL}/catalog`;
    const homepages = store.getObjects(catalog, `${FOAF}homepage`, null);
    t.same(
      homepages.map((term) => term.value),
      [`${PUBLIC_URL}/`],
      `${syntax}: the gateway's public URL`,
    );
    const publishers = store.getObjects(catalog, `${DCT}publisher`, null);
    t.equal(publishers.length, 1, `${syntax}: one publisher`);
    t.not(publishers[0]!.value, `${PUBLIC_URL}/`, `${syntax}: the publisher is not the homepage`);
    t.same(store.getObjects(homepages[0]!, RDF_TYPE, null), [], `${syntax}: the homepage is typed as nothing (no foaf:Agent)`);
    t.same(store.getObjects(homepages[0]!, `${FOAF}name`, null), [], `${syntax}: the homepage has no agent name`);
  }
});

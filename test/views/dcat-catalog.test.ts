/**
 * The DCAT-AP catalogue view: the catalogue node, its split into self-contained documents (the
 * same graph), and every connector's fixture records together in one catalogue page, in every
 * syntax the API serves, against the DCAT-AP 3.0.1 SHACL shapes.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { PageGraph } from '../../connectors/dcat/page-graph.js';
import { datasetsOf } from '../../connectors/dcat/datasets.js';
import { chooseFormat } from '../../connectors/dcat/formats.js';
import { parseRdf as parseDcatPage } from '../../connectors/dcat/parse.js';
import { mapCkanPackage } from '../../src/mapping/ckan.js';
import { mapCswDublinCore } from '../../src/mapping/csw-dc.js';
import { mapDataCite } from '../../src/mapping/datacite.js';
import { mapDataGovTwExportRow } from '../../src/mapping/datagovtw-export.js';
import { mapDcatUsDataset } from '../../src/mapping/dcat-us.js';
import { mapDcatRecord } from '../../src/mapping/dcat.js';
import { applyMapping } from '../../src/mapping/declarative/apply.js';
import { loadNamedMapping } from '../../src/mapping/declarative/mapping-file.js';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import { mapIso19139 } from '../../src/mapping/iso19139.js';
import { mapOaiDublinCore } from '../../src/mapping/oai-dc.js';
import { all, parseXmlDocument, type XmlElement } from '../../src/mapping/xml-elements.js';
import { projectPath } from '../../src/model/project-root.js';
import type { MappingResult, NationalRecord } from '../../src/model/record.js';
import { toDcatCatalog, toDcatCatalogDocuments, type CatalogPage } from '../../src/views/dcat-catalog.js';
import { DCAT_AP_TW_CONTEXT } from '../../src/views/dcat-jsonld.js';
import { contextPrefixes, jsonLdMergedTriples, writeTriples, type TripleSyntax } from '../../src/views/rdf-serialise.js';
import { dcatApViolations, recordViolations } from '../helpers/dcat-ap.js';
import { readFixture } from '../helpers/gateway.js';
import { canonical, canonicalGraph, parseRdf } from '../api/rdf-compare.js';

type Raw = Record<string, unknown>;

const BASE_URL = 'https://gateway.test';
const LINKS = {
  self: `${BASE_URL}/catalog?page=2`,
  first: `${BASE_URL}/catalog?page=1`,
  last: `${BASE_URL}/catalog?page=3`,
  next: `${BASE_URL}/catalog?page=3`,
  previous: `${BASE_URL}/catalog?page=1`,
};
const PREFIXES = contextPrefixes({ ...DCAT_AP_TW_CONTEXT, hydra: 'http://www.w3.org/ns/hydra/core#' });

const spec = readFixture<Raw>('crossplatform', 'spec-example-record.json');
const specRecord = accepted(mapNationalRecord(spec.result ?? spec));

function accepted(result: MappingResult): NationalRecord {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result.record;
}

function page(records: readonly NationalRecord[], extra: Partial<CatalogPage> = {}): CatalogPage {
  return { records, totalItems: 42, modified: '2026-01-02T03:04:05Z', links: LINKS, ...extra };
}

/** The graph of the JSON-LD document, read by the JSON-LD processor in safe mode. */
const jsonLdGraph = (document: Raw): Promise<string> => canonicalGraph(JSON.stringify(document), 'jsonld');

t.test('the catalogue node', async (t) => {
  const doc = toDcatCatalog(page([specRecord]), { baseUrl: `${BASE_URL}/` });
  t.equal(doc['@id'], `${BASE_URL}/catalog`, 'a trailing slash on the base URL is not doubled');
  t.same(doc['dct:publisher'], { '@id': `${BASE_URL}/#publisher`, '@type': 'foaf:Agent', 'foaf:name': 'ogd-gateway' });
  t.same(doc['dct:modified'], { '@value': '2026-01-02T03:04:05Z', '@type': 'xsd:dateTime' });
  t.same(doc['hydra:view'], {
    '@id': LINKS.self,
    '@type': 'hydra:PartialCollectionView',
    'hydra:first': { '@id': LINKS.first },
    'hydra:last': { '@id': LINKS.last },
    'hydra:next': { '@id': LINKS.next },
    'hydra:previous': { '@id': LINKS.previous },
    'hydra:totalItems': 42,
  });
  t.same(await dcatApViolations(doc), []);

  const first = toDcatCatalog(page([], { modified: undefined, links: { self: LINKS.first, first: LINKS.first, last: LINKS.first } }), { baseUrl: BASE_URL });
  t.notOk('dct:modified' in first, 'no change known: no dct:modified');
  t.notOk('hydra:next' in (first['hydra:view'] as Raw) || 'hydra:previous' in (first['hydra:view'] as Raw), 'only the links that exist');
  t.same(first['dcat:dataset'], []);
});

t.test('the split documents are the same graph as the one document', async (t) => {
  const records = [specRecord, { ...specRecord, identifier: 'A41000000G-000002', title: '另一份' }];
  const whole = await jsonLdGraph(toDcatCatalog(page(records), { baseUrl: BASE_URL }));
  const documents = toDcatCatalogDocuments(page(records), { baseUrl: BASE_URL });
  t.equal(documents.length, 3, 'the catalogue and one document per dataset');
  t.same(documents[0]!['dcat:dataset'], [{ '@id': `${BASE_URL}/dataset/A41000000G-000001` }, { '@id': `${BASE_URL}/dataset/A41000000G-000002` }]);
  t.equal(await canonical(await jsonLdMergedTriples(documents)), whole);

  // A base URL that cannot make an IRI leaves the dataset without one: it stays embedded.
  const broken = toDcatCatalogDocuments(page([specRecord]), { baseUrl: 'not a url' });
  t.equal(broken.length, 1);
  t.equal((broken[0]!['dcat:dataset'] as Raw[])[0]!['@type'], 'dcat:Dataset');
});

// ---------------------------------------------------------------------------------------------
// Every connector's fixture records in one catalogue
// ---------------------------------------------------------------------------------------------

const xml = (folder: string, name: string): XmlElement => parseXmlDocument(readFileSync(projectPath('test', 'fixtures', folder, name), 'utf8'));

async function dcatRecords(folder: string, file: string): Promise<MappingResult[]> {
  const url = `https://fixtures.test/${folder}/${file}`;
  const body = readFileSync(projectPath('test', 'fixtures', 'dcat', folder, file), 'utf8');
  const choice = chooseFormat(url, undefined, body);
  if ('refused' in choice) throw new Error(choice.reason);
  const store = PageGraph.of(await parseDcatPage({ sourceId: 'test', url, body, format: choice.format }));
  return (await datasetsOf(store, { maxQuadsPerDataset: 20_000 })).map((dataset) => mapDcatRecord(dataset.payload));
}

/** The mapped fixture records of every connector, by the vocabulary they arrive in. */
async function connectorRecords(): Promise<Record<string, NationalRecord[]>> {
  const ok = (results: MappingResult[]): NationalRecord[] => results.filter((r): r is Extract<MappingResult, { ok: true }> => r.ok).map((r) => r.record);
  const city = (name: string): unknown => readFixture('mapped-json', name);
  const details = (name: string, key: 'payload' | 'result'): unknown[] =>
    Object.values((city(name) as { details: Record<string, Record<string, unknown>> }).details).map((detail) => detail[key]);
  return {
    crossplatform: ok([
      mapNationalRecord(spec.result ?? spec),
      ...readFixture<Raw[]>('crossplatform', 'own-records.json').map((raw) => mapNationalRecord(raw)),
    ]),
    datagovtw: ok([
      ...readFixture<Raw[]>('datagovtw', 'export.json').map((raw) => mapDataGovTwExportRow(raw)),
      mapNationalRecord(readFixture<{ result: Raw }>('datagovtw', 'v2-read-response.json').result),
    ]),
    ckan: ok([
      ...readFixture<{ result: { results: Raw[] } }>('ckan', 'package_search.json').result.results.map((raw) => mapCkanPackage(raw)),
      mapCkanPackage(readFixture('ckan', 'stable_package_show.inner.civil-service-people-survey-2011.json')),
    ]),
    dcat: ok([
      ...(await dcatRecords('own', 'taiwan-agency.ttl')),
      ...(await dcatRecords('dcat-ap-3.0.1-examples', 'example-bee-population.ttl')),
      ...(await dcatRecords('w3c-dcat3-examples', 'csiro-dap-examples.ttl')),
    ]),
    'dcat-us': ok(
      ['catalog-sample-extended.json', 'dcatus.json', 'dcatus3_0.json'].flatMap((file) =>
        readFixture<{ dataset: Raw[] }>('dcat-us', file).dataset.map((raw) => mapDcatUsDataset(raw)),
      ),
    ),
    csw: ok([
      ...all(xml('csw', 'apiso_post_GetRecords-all.xml'), 'csw:SearchResults/csw:Record').map((raw) => mapCswDublinCore(raw)),
      ...all(xml('csw', 'harvesting_post_Harvest-zzz-post-GetRecords-filter-wms-dc.xml'), 'csw:SearchResults/csw:Record').map((raw) => mapCswDublinCore(raw)),
      mapIso19139(xml('csw', 'T_ortho_RAS_1998_284404.xml')),
      mapIso19139(xml('csw', 'pacioos-NS06agg.xml')),
    ]),
    'oai-pmh': ok([
      ...all(xml('oai-pmh', 'ListRecords.xml'), 'oai:ListRecords/oai:record').map((raw) => mapOaiDublinCore(raw)),
      ...all(xml('oai-pmh', 'datacite-ListRecords.xml'), 'oai:ListRecords/oai:record').map((raw) => mapDataCite(raw)),
    ]),
    'mapped-json': ok([
      ...(readFixture('mapped-json', 'taipei-download.json') as unknown[]).map((raw) => applyMapping(loadNamedMapping('taipei'), raw)),
      ...details('ntpc.json', 'payload').map((raw) => applyMapping(loadNamedMapping('ntpc'), raw)),
      ...details('taichung.json', 'result').map((raw) => applyMapping(loadNamedMapping('taichung'), raw)),
      ...details('tycg.json', 'payload').map((raw) => applyMapping(loadNamedMapping('tycg'), raw)),
    ]),
  };
}

t.test("every connector's records in one catalogue page, in every syntax", async (t) => {
  const byConnector = await connectorRecords();
  for (const [connector, records] of Object.entries(byConnector)) t.ok(records.length > 0, `${connector}: ${records.length} records`);

  // One catalogue serves each identifier once (identity resolution sees to that).
  const unique = new Map<string, NationalRecord>();
  for (const record of Object.values(byConnector).flat()) if (!unique.has(record.identifier)) unique.set(record.identifier, record);
  const records = [...unique.values()];
  const catalogPage = page(records, { totalItems: records.length });

  const document = toDcatCatalog(catalogPage, { baseUrl: BASE_URL });
  const expected: string[] = [];
  for (const record of records) expected.push(...(await recordViolations(record)));
  t.same((await dcatApViolations(document)).sort(), expected.sort(), 'together in one graph they break no shape they did not break alone');

  const reference = await jsonLdGraph(document);
  const triples = await jsonLdMergedTriples(toDcatCatalogDocuments(catalogPage, { baseUrl: BASE_URL }));
  t.equal(await canonical(triples), reference, 'the split documents hold the JSON-LD graph');
  for (const syntax of ['turtle', 'ntriples', 'rdfxml'] as TripleSyntax[]) {
    const body = await writeTriples(triples, syntax, PREFIXES);
    t.equal(await canonical(await parseRdf(body, syntax)), reference, `${syntax}: parses back to the same graph`);
  }
});

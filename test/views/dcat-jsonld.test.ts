/**
 * The DCAT-AP JSON-LD view, proved with a real JSON-LD processor rather than by reading our own
 * objects back: every document is expanded and converted to RDF by `jsonld` (safe mode, with a
 * document loader that refuses every URL), parsed strictly by n3, and validated against the
 * DCAT-AP 3.0.1 SHACL shapes (test/fixtures/shacl, see SOURCES.md there).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import jsonld from 'jsonld';
import type { JsonLdDocument } from 'jsonld';
import { Parser, Store } from 'n3';
import type { Term } from 'n3';
import { DCAT_AP_TW_CONTEXT, toDcatJsonLd } from '../../src/views/dcat-jsonld.js';
import { projectPath } from '../../src/model/project-root.js';
import { SERVICE_CATEGORIES } from '../../src/model/codelists.js';
import { euThemesOfCategory } from '../../src/model/eu-data-themes.js';
import { dcatApViolations, PROCESSING_OPTIONS, toNQuads } from '../helpers/dcat-ap.js';
import type { NationalRecord } from '../../src/model/record.js';

// ---------------------------------------------------------------------------------------------
// Vocabulary, written out here (not read from the context) so the test checks the context
// ---------------------------------------------------------------------------------------------

const NS = {
  adms: 'http://www.w3.org/ns/adms#',
  cnt: 'http://www.w3.org/2011/content#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  gsp: 'http://www.opengis.net/ont/geosparql#',
  locn: 'http://www.w3.org/ns/locn#',
  org: 'http://www.w3.org/ns/org#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  schema: 'http://schema.org/',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  twod: 'https://ogd-gateway.example/ns/twod#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

type Prefix = keyof typeof NS;
type Curie = `${Prefix}:${string}`;

function iri(curie: Curie): string {
  const [prefix, local] = curie.split(':') as [Prefix, string];
  return NS[prefix] + local;
}

const EU = 'http://publications.europa.eu/resource/authority/';
const IANA = 'https://www.iana.org/assignments/media-types/';
const BASE_URL = 'https://gateway.test';

// ---------------------------------------------------------------------------------------------
// The cross-platform spec's example record (fixtures/taiwan/spec-examples/
// crossplatform_GET_rest_dataset_identifier_200.json), converted by hand to the canonical
// record: strings trimmed, `2015-01-01 23:59:59` (Asia/Taipei) as UTC. The URLs with spaces
// are kept: they are what the spec itself publishes.
// ---------------------------------------------------------------------------------------------

function specExampleRecord(): NationalRecord {
  return {
    categoryCode: 'I00',
    identifier: 'A41000000G-000001',
    title: '行政院公報',
    description:
      '行政院及所屬機關涉及人民權益之法 令等重要事項，主要內容有法規、行 政規則、公告及送達、處分、特載 （總統文告及院長談話）、轉載（經 總統公布之條約、法律、緊急命 令）、專載（院會院長提示、決定、 決議事項）及其他等 8 大類。',
    fieldDescription:
      '公報類型、編輯分類(篇名)、公 告機關、承辦機關、發文日期、發文 字號、標題、英文標題、主旨、依 據、關鍵字、英文關鍵字、公告事 項、表示意見截止日、內容主題、施 政分類、服務分類、附件個數、內容 網頁連結、英文網址連結。',
    type: 'rawData',
    license: '政府資料開放平臺資料使用規範',
    licenseURL: 'http://data.gov.tw/principle',
    cost: '免費',
    costURL: '',
    costLaw: '',
    organization: '國家發展委員會',
    organizationContactName: '郭大明 先生',
    organizationContactPhone: '02-23165300#XX',
    organizationContactEmail: 'example1@ndc.gov.tw',
    publisher: '國家發展委員會',
    publisherContactName: '鄭大明 先生',
    publisherContactPhone: '02-23165300#OO',
    publisherContactEmail: 'example2@ndc.gov.tw',
    publisherOID: '2.16.886.101.20003.20069',
    publisherOrgCode: 'A41000000G',
    accrualPeriodicity: '每日',
    temporalCoverageFrom: '2014-01-01',
    temporalCoverageTo: '2015-01-01',
    issued: '2015-01-01T15:59:59Z',
    modified: '2015-01-01T15:59:59Z',
    spatial: '臺灣',
    language: 'zh',
    landingPage: 'http://gazette.nat.gov.tw/egFront/Open Data/list.jsp',
    keyword: ['公報', '施政', '服務', '行政院'],
    numberOfData: 4600,
    notes: '正式出版後時有異動，請以正式出版之書 目資料為準。API 參數：year 代表年度',
    distribution: [
      {
        resourceID: 'A41000000G-000001-001',
        resourceDescription: '行政院公報-民國 103 年-交通建設篇- XML',
        format: 'XML',
        resourceModified: '2015-01-01T15:59:59Z',
        downloadURL: 'http://gazette.nat.gov.tw/eg Front/OpenData/download.jsp',
        metadataSourceOfData: 'http://example1',
        characterSetCode: 'UTF-8',
      },
      {
        resourceID: 'A41000000G-000001-002',
        resourceDescription: '行政院公報-民國 103 年-衛生勞動篇- ZIP',
        format: 'ZIP',
        resourceModified: '2015-01-01T15:59:59Z',
        downloadURL: 'http://oid.nat.gov.tw/OID Web/GDS.zip',
        metadataSourceOfData: 'http://example2',
        characterSetCode: 'BIG-5',
      },
      {
        resourceID: 'A41000000G-000001-003',
        resourceDescription: '行政院公報-民國 103 年-教育文化篇- services',
        format: 'services',
        resourceModified: '2015-01-01T15:59:59Z',
        accessURL: 'http://example/endpoint',
        metadataSourceOfData: 'http://example3',
        characterSetCode: 'UTF-8',
      },
    ],
  };
}

const DATASET_IRI = `${BASE_URL}/dataset/A41000000G-000001`;

// ---------------------------------------------------------------------------------------------
// JSON-LD processing, offline and strict
// ---------------------------------------------------------------------------------------------

async function expand(document: Record<string, unknown>) {
  return jsonld.expand(document as JsonLdDocument, PROCESSING_OPTIONS);
}

/** n3 rejects any IRI N-Quads forbids (spaces, `<>"{}|^\``), so parsing proves every IRI valid. */
async function toStore(document: Record<string, unknown>): Promise<Store> {
  return new Store(new Parser({ format: 'N-Quads' }).parse(await toNQuads(document)));
}

function objects(store: Store, subject: Term | string, predicate: Curie): Term[] {
  return store.getObjects(subject, iri(predicate), null);
}

function only(store: Store, subject: Term | string, predicate: Curie): Term {
  const found = objects(store, subject, predicate);
  if (found.length !== 1) throw new Error(`expected one ${predicate} of ${String(subject)}, found ${found.length}`);
  return found[0] as Term;
}

function values(terms: Term[]): string[] {
  return terms.map((term) => term.value).sort();
}

function literalOf(term: Term): { value: string; language: string; datatype: string } {
  if (term.termType !== 'Literal') throw new Error(`expected a literal, got ${term.termType} ${term.value}`);
  return { value: term.value, language: term.language.toLowerCase(), datatype: term.datatype.value };
}

function build(record: NationalRecord): Record<string, unknown> {
  return toDcatJsonLd(record, { baseUrl: BASE_URL });
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

t.test('the document inlines the fixed context, so expanding it loads nothing', async (t) => {
  const document = build(specExampleRecord());
  const contextFile = JSON.parse(readFileSync(projectPath('mappings', 'dcat-ap-tw.context.jsonld'), 'utf8')) as {
    '@context': unknown;
  };
  t.same(document['@context'], contextFile['@context'], 'the context of mappings/ is inlined as is');
  t.equal(document['@context'], DCAT_AP_TW_CONTEXT, 'one context object, loaded once, is shared');
  t.ok(Object.isFrozen(DCAT_AP_TW_CONTEXT), 'the shared context cannot be changed by a caller');
  t.equal(document['@id'], DATASET_IRI);
  t.equal(document['@type'], 'dcat:Dataset');

  const expanded = await expand(document);
  t.equal(expanded.length, 1, 'one top-level node');
  const dataset = expanded[0] as Record<string, Array<Record<string, unknown>>>;
  const title = dataset[iri('dct:title')]?.[0];
  t.equal(title?.['@value'], '行政院公報');
  t.equal(String(title?.['@language']).toLowerCase(), 'zh-hant', 'the title is tagged zh-Hant');
});

t.test('the spec example expands to the intended triples', async (t) => {
  const store = await toStore(build(specExampleRecord()));
  const dataset = DATASET_IRI;

  t.same(values(objects(store, dataset, 'rdf:type')), [iri('dcat:Dataset')]);
  t.same(literalOf(only(store, dataset, 'dct:identifier')), { value: 'A41000000G-000001', language: '', datatype: iri('xsd:string') });
  t.same(literalOf(only(store, dataset, 'dct:title')), { value: '行政院公報', language: 'zh-hant', datatype: iri('rdf:langString') });
  t.equal(literalOf(only(store, dataset, 'dct:description')).language, 'zh-hant');
  t.same(values(objects(store, dataset, 'dcat:keyword')), ['公報', '施政', '服務', '行政院'].sort());

  t.test('service category and dataset type are concepts of the gateway schemes', async (t) => {
    const themes = objects(store, dataset, 'dcat:theme');
    const theme = themes.find((term) => term.value.startsWith('https://ogd-gateway.example/ns/service-category/'))!;
    t.equal(theme.value, 'https://ogd-gateway.example/ns/service-category/I00');
    t.equal(only(store, theme, 'skos:notation').value, 'I00');
    t.same(literalOf(only(store, theme, 'skos:prefLabel')), { value: '公共資訊', language: 'zh-hant', datatype: iri('rdf:langString') });
    t.equal(only(store, theme, 'skos:inScheme').value, 'https://ogd-gateway.example/ns/service-category');
    t.equal(only(store, dataset, 'dct:type').value, 'https://ogd-gateway.example/ns/dataset-type/rawData');
  });

  t.test('the EU data theme of the category stands next to it (公共資訊 → GOVE)', async (t) => {
    t.same(values(objects(store, dataset, 'dcat:theme')), [`${EU}data-theme/GOVE`, 'https://ogd-gateway.example/ns/service-category/I00']);
    t.same(store.getQuads(`${EU}data-theme/GOVE`, null, null, null), [], 'a bare IRI: the EU publishes its label');
  });

  t.test('licence, cost and access rights', async (t) => {
    const licence = only(store, dataset, 'dct:license');
    t.equal(licence.termType, 'NamedNode', 'a valid licenseURL is the licence IRI');
    t.equal(licence.value, 'http://data.gov.tw/principle');
    t.same(values(objects(store, licence, 'rdf:type')), [iri('dct:LicenseDocument')]);
    t.equal(only(store, licence, 'rdfs:label').value, '政府資料開放平臺資料使用規範');
    t.equal(only(store, dataset, 'dct:accessRights').value, `${EU}access-right/PUBLIC`);
    t.equal(only(store, dataset, 'twod:cost').value, '免費');
    t.same(literalOf(only(store, dataset, 'schema:isAccessibleForFree')).datatype, iri('xsd:boolean'));
    t.same(objects(store, dataset, 'twod:costURL'), [], 'empty costURL is omitted');
    t.same(objects(store, dataset, 'twod:costLaw'), [], 'empty costLaw is omitted');
  });

  t.test('publisher: an organisation with gOID and agency code', async (t) => {
    const publisher = only(store, dataset, 'dct:publisher');
    t.same(values(objects(store, publisher, 'rdf:type')), [iri('foaf:Agent'), iri('foaf:Organization')]);
    t.same(literalOf(only(store, publisher, 'foaf:name')), { value: '國家發展委員會', language: 'zh-hant', datatype: iri('rdf:langString') });
    t.equal(only(store, publisher, 'dct:identifier').value, 'urn:oid:2.16.886.101.20003.20069');
    const admsIdentifier = only(store, publisher, 'adms:identifier');
    t.equal(only(store, admsIdentifier, 'skos:notation').value, 'urn:oid:2.16.886.101.20003.20069');
    t.equal(only(store, publisher, 'skos:notation').value, 'A41000000G');
    t.same(objects(store, publisher, 'org:subOrganizationOf'), [], 'an agency that is its own 上級機關 is no sub-organisation');
  });

  t.test('contact points: one per agency role, e-mails as mailto: IRIs', async (t) => {
    const contacts = objects(store, dataset, 'dcat:contactPoint');
    t.equal(contacts.length, 2);
    const byName = new Map(contacts.map((contact) => [only(store, contact, 'vcard:fn').value, contact]));
    const publisherContact = byName.get('鄭大明 先生');
    const organizationContact = byName.get('郭大明 先生');
    if (publisherContact === undefined || organizationContact === undefined) throw new Error('contacts missing');
    t.same(values(objects(store, publisherContact, 'rdf:type')), [iri('vcard:Kind'), iri('vcard:Organization')]);
    const email = only(store, publisherContact, 'vcard:hasEmail');
    t.equal(email.termType, 'NamedNode');
    t.equal(email.value, 'mailto:example2@ndc.gov.tw');
    t.equal(only(store, publisherContact, 'vcard:hasTelephone').value, '02-23165300#OO');
    t.equal(only(store, organizationContact, 'vcard:hasEmail').value, 'mailto:example1@ndc.gov.tw');
  });

  t.test('frequency, time, place, language, landing page', async (t) => {
    t.equal(only(store, dataset, 'dct:accrualPeriodicity').value, `${EU}frequency/DAILY`);
    t.equal(only(store, dataset, 'twod:accrualPeriodicityText').value, '每日', 'the original text is always kept');
    t.same(literalOf(only(store, dataset, 'dct:issued')), { value: '2015-01-01T15:59:59Z', language: '', datatype: iri('xsd:dateTime') });
    t.same(literalOf(only(store, dataset, 'dct:modified')).datatype, iri('xsd:dateTime'));
    const period = only(store, dataset, 'dct:temporal');
    t.same(values(objects(store, period, 'rdf:type')), [iri('dct:PeriodOfTime')]);
    t.same(literalOf(only(store, period, 'dcat:startDate')), { value: '2014-01-01', language: '', datatype: iri('xsd:date') });
    t.same(literalOf(only(store, period, 'dcat:endDate')), { value: '2015-01-01', language: '', datatype: iri('xsd:date') });
    const location = only(store, dataset, 'dct:spatial');
    t.same(values(objects(store, location, 'rdf:type')), [iri('dct:Location')]);
    t.equal(only(store, location, 'skos:prefLabel').value, '臺灣');
    t.equal(only(store, dataset, 'dct:language').value, `${EU}language/ZHO`);
    t.equal(
      only(store, dataset, 'dcat:landingPage').value,
      'http://gazette.nat.gov.tw/egFront/Open%20Data/list.jsp',
      'the space the spec example carries is percent-encoded',
    );
    t.same(objects(store, dataset, 'twod:landingPageText'), []);
    t.equal(literalOf(only(store, dataset, 'skos:note')).language, 'zh-hant');
    t.same(literalOf(only(store, dataset, 'twod:numberOfRecords')), { value: '4600', language: '', datatype: iri('xsd:nonNegativeInteger') });
    t.match(only(store, dataset, 'twod:fieldDescription').value, /^公報類型/);
  });

  t.test('distributions', async (t) => {
    const distributionIri = (resourceId: string) => `${DATASET_IRI}/distribution/${resourceId}`;
    t.same(values(objects(store, dataset, 'dcat:distribution')), [
      distributionIri('A41000000G-000001-001'),
      distributionIri('A41000000G-000001-002'),
      distributionIri('A41000000G-000001-003'),
    ]);

    const xml = distributionIri('A41000000G-000001-001');
    t.same(values(objects(store, xml, 'rdf:type')), [iri('dcat:Distribution')]);
    t.equal(only(store, xml, 'dct:identifier').value, 'A41000000G-000001-001');
    t.equal(literalOf(only(store, xml, 'dct:title')).value, '行政院公報-民國 103 年-交通建設篇- XML');
    t.equal(literalOf(only(store, xml, 'dct:description')).language, 'zh-hant');
    const download = 'http://gazette.nat.gov.tw/eg%20Front/OpenData/download.jsp';
    t.equal(only(store, xml, 'dcat:downloadURL').value, download, 'the space in the download URL is encoded');
    t.equal(only(store, xml, 'dcat:accessURL').value, download, 'DCAT-AP needs an accessURL: the download URL is one');
    t.equal(only(store, xml, 'dct:format').value, `${EU}file-type/XML`);
    t.equal(only(store, xml, 'dcat:mediaType').value, `${IANA}application/xml`);
    t.equal(only(store, xml, 'cnt:characterEncoding').value, 'UTF-8');
    t.same(literalOf(only(store, xml, 'dct:modified')).datatype, iri('xsd:dateTime'));
    t.equal(only(store, xml, 'foaf:page').value, 'http://example1', 'as sent: no slash added');
    t.equal(only(store, xml, 'dct:license').value, 'http://data.gov.tw/principle', 'the licence is repeated where DCAT-AP reads it');

    const zip = distributionIri('A41000000G-000001-002');
    t.equal(only(store, zip, 'dcat:downloadURL').value, 'http://oid.nat.gov.tw/OID%20Web/GDS.zip');
    t.equal(only(store, zip, 'dct:format').value, `${EU}file-type/ZIP`);
    t.equal(only(store, zip, 'dcat:mediaType').value, `${IANA}application/zip`);
    t.equal(only(store, zip, 'cnt:characterEncoding').value, 'BIG-5');

    const service = distributionIri('A41000000G-000001-003');
    t.equal(only(store, service, 'dcat:accessURL').value, 'http://example/endpoint');
    t.same(objects(store, service, 'dcat:downloadURL'), []);
    t.same(objects(store, service, 'dct:format'), [], '"services" is no file type');
    t.equal(only(store, service, 'twod:formatText').value, 'services');
    const dataService = only(store, service, 'dcat:accessService');
    t.same(values(objects(store, dataService, 'rdf:type')), [iri('dcat:DataService')]);
    t.equal(only(store, dataService, 'dcat:endpointURL').value, 'http://example/endpoint');
    t.equal(only(store, dataService, 'dcat:servesDataset').value, DATASET_IRI);
  });

  t.test('every predicate is in a namespace the context declares', async (t) => {
    const namespaces = Object.values(NS);
    const stray = store
      .getQuads(null, null, null, null)
      .map((quad) => quad.predicate.value)
      .filter((predicate) => !namespaces.some((namespace) => predicate.startsWith(namespace)));
    t.same(stray, [], 'an undeclared prefix would surface here as a made-up IRI scheme');
  });
});

t.test('a complete record passes the DCAT-AP 3.0.1 shapes', async (t) => {
  t.same(await dcatApViolations(build(specExampleRecord())), [], 'no violation for Dataset, Distribution, Agent, Concept ...');

  const withParent: NationalRecord = { ...specExampleRecord(), publisher: '國家發展委員會資訊處', extensions: { datasetId: '6564' } };
  const document = build(withParent);
  t.same(await dcatApViolations(document), []);
  const store = await toStore(document);
  const parent = only(store, only(store, DATASET_IRI, 'dct:publisher'), 'org:subOrganizationOf');
  t.equal(only(store, parent, 'foaf:name').value, '國家發展委員會', 'the 上級機關 is the parent organisation');
  const platformId = only(store, DATASET_IRI, 'adms:identifier');
  t.same(values(objects(store, platformId, 'rdf:type')), [iri('adms:Identifier')]);
  t.equal(only(store, platformId, 'skos:notation').value, '6564');
});

t.test('every 服務分類 gets its EU data themes, and every one passes the shapes', async (t) => {
  for (const [code, label] of Object.entries(SERVICE_CATEGORIES)) {
    for (const written of [code, code.toLowerCase(), label]) {
      const document = build({ ...specExampleRecord(), categoryCode: written });
      const store = await toStore(document);
      const expected = [...euThemesOfCategory(code).map((theme) => theme.iri), `https://ogd-gateway.example/ns/service-category/${code}`].sort();
      t.same(values(objects(store, DATASET_IRI, 'dcat:theme')), expected, written);
      t.ok(
        expected.length >= 2 && expected.every((theme) => theme.startsWith(`${EU}data-theme/`) || theme.includes('/service-category/')),
        `${written}: at least one EU theme`,
      );
    }
    t.same(await dcatApViolations(build({ ...specExampleRecord(), categoryCode: code })), [], `${code}: no violation`);
  }
  t.same(
    values(objects(await toStore(build({ ...specExampleRecord(), categoryCode: 'A00' })), DATASET_IRI, 'dcat:theme')),
    [`${EU}data-theme/TECH`, `${EU}data-theme/TRAN`, 'https://ogd-gateway.example/ns/service-category/A00'],
    '交通及通訊 is transport and (tele)communications',
  );
});

t.test('the SHACL check is live: what DCAT-AP requires and the record lacks is reported', async (t) => {
  // A minimal record (identifier + title) breaks one DCAT-AP rule: dct:description is mandatory.
  t.same(await dcatApViolations(build({ identifier: 'A41000000G-000002', title: '最小' })), ['dct:description MinCount']);
  // A distribution with no usable link cannot get the accessURL DCAT-AP requires, and a
  // publisher known only by its parent agency has no foaf:name: both are reported, not hidden.
  const incomplete: NationalRecord = {
    identifier: 'A41000000G-000003',
    title: '不完整',
    description: '缺少資料',
    organization: '國家發展委員會',
    distribution: [{ resourceID: 'A41000000G-000003-001', format: 'CSV', downloadURL: 'javascript:alert(1)' }],
  };
  t.same((await dcatApViolations(build(incomplete))).sort(), ['dcat:accessURL MinCount', 'foaf:name MinCount']);
});

t.test('a minimal record: only what it has', async (t) => {
  const document = build({ identifier: 'A41000000G-000002', title: '最小' });
  t.same(Object.keys(document).sort(), ['@context', '@id', '@type', 'dct:identifier', 'dct:title'].sort());
  const store = await toStore(document);
  t.equal(store.size, 3, 'type, identifier, title');
});

t.test('a licence known by name gets its IRI when licenseURL is missing or broken', async (t) => {
  for (const licenseURL of [undefined, '', 'not a url']) {
    const store = await toStore(
      build({ identifier: 'A41000000G-000003', title: '授權', license: '政府資料開放授權條款－第一版', ...(licenseURL === undefined ? {} : { licenseURL }) }),
    );
    t.same(
      values(objects(store, `${BASE_URL}/dataset/A41000000G-000003`, 'dct:license')),
      ['https://data.gov.tw/license'],
      `licenseURL ${JSON.stringify(licenseURL)}`,
    );
  }
  const unknown = await toStore(build({ identifier: 'A41000000G-000004', title: '授權', license: '本機關自訂授權' }));
  const licence = objects(unknown, `${BASE_URL}/dataset/A41000000G-000004`, 'dct:license');
  t.equal(licence.length, 1);
  t.equal(licence[0]!.termType, 'BlankNode', 'an unknown licence keeps its name on a blank node');
});

t.test('dates are typed by their shape; what is not ISO is kept as text, never as a date', async (t) => {
  const document = build({
    identifier: 'A41000000G-000004',
    title: '日期',
    issued: '2015-01-01',
    modified: '2015/01/01 23:59:59',
    temporalCoverageFrom: '2014',
    temporalCoverageTo: '2015-02-30',
    distribution: [{ resourceID: 'r', downloadURL: 'https://example.org/a.csv', resourceModified: '2015-01' }],
  });
  const store = await toStore(document);
  const dataset = `${BASE_URL}/dataset/A41000000G-000004`;
  t.same(literalOf(only(store, dataset, 'dct:issued')).datatype, iri('xsd:date'));
  t.same(objects(store, dataset, 'dct:modified'), [], 'an unnormalised date is not a date');
  t.equal(only(store, dataset, 'twod:modifiedText').value, '2015/01/01 23:59:59');
  const period = only(store, dataset, 'dct:temporal');
  t.same(literalOf(only(store, period, 'dcat:startDate')).datatype, iri('xsd:gYear'));
  t.same(objects(store, period, 'dcat:endDate'), [], 'February has no 30th');
  t.equal(only(store, dataset, 'twod:temporalCoverageToText').value, '2015-02-30');
  const distribution = only(store, dataset, 'dcat:distribution');
  t.same(literalOf(only(store, distribution, 'dct:modified')).datatype, iri('xsd:gYearMonth'));
});

t.test('update frequencies map to EU frequency IRIs only when the period is exact', async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ['每日', 'DAILY'],
    ['每週', 'WEEKLY'],
    ['每月', 'MONTHLY'],
    ['每季', 'QUARTERLY'],
    ['每年', 'ANNUAL'],
    ['每1年', 'ANNUAL'],
    ['每半年', 'ANNUAL_2'],
    ['每10分鐘', '10MIN'],
    ['每１０分鐘', '10MIN'],
    ['每2週', 'BIWEEKLY'],
    ['每3個月', 'QUARTERLY'],
    ['每十年', 'DECENNIAL'],
    ['每小時', 'HOURLY'],
    ['即時', 'CONT'],
    ['不定期', 'IRREG'],
    ['不更新', 'NEVER'],
    ['daily', 'DAILY'],
    ['每7分鐘', undefined],
    ['每15日或每2月', undefined],
    ['constructor', undefined],
  ];
  for (const [text, code] of cases) {
    const document = build({ identifier: 'A41000000G-000005', title: '頻率', accrualPeriodicity: text });
    t.equal(document['dct:accrualPeriodicity'], code === undefined ? undefined : `${EU}frequency/${code}`, text);
    t.equal(document['twod:accrualPeriodicityText'], text, `${text}: text kept`);
  }
});

t.test('file formats map to EU file types and IANA media types', async (t) => {
  const cases: Array<[string, string | undefined, string | undefined]> = [
    ['CSV', 'CSV', 'text/csv'],
    ['csv', 'CSV', 'text/csv'],
    ['ＣＳＶ', 'CSV', 'text/csv'],
    ['.csv', 'CSV', 'text/csv'],
    ['text/csv', 'CSV', 'text/csv'],
    ['JSON', 'JSON', 'application/json'],
    ['GeoJSON', 'GEOJSON', 'application/geo+json'],
    ['XLSX', 'XLSX', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['XLS', 'XLS', 'application/vnd.ms-excel'],
    ['ODS', 'ODS', 'application/vnd.oasis.opendocument.spreadsheet'],
    ['KML', 'KML', 'application/vnd.google-earth.kml+xml'],
    ['RDF', 'RDF', 'application/rdf+xml'],
    ['TXT', 'TXT', 'text/plain'],
    ['PDF', 'PDF', 'application/pdf'],
    ['SHP', 'SHP', undefined],
    ['TOOLS', undefined, undefined],
    ['__proto__', undefined, undefined],
  ];
  for (const [format, fileType, mediaType] of cases) {
    const document = build({ identifier: 'A41000000G-000006', title: '格式', distribution: [{ resourceID: 'r', format }] });
    const distribution = (document['dcat:distribution'] as Array<Record<string, unknown>>)[0] ?? {};
    t.equal(distribution['dct:format'], fileType === undefined ? undefined : `${EU}file-type/${fileType}`, `${format}: file type`);
    t.equal(distribution['dcat:mediaType'], mediaType === undefined ? undefined : IANA + mediaType, `${format}: media type`);
    t.equal(distribution['twod:formatText'], format, `${format}: text kept`);
  }
});

t.test('languages map to EU language IRIs', async (t) => {
  const cases: Array<[string, string[] | undefined, boolean]> = [
    ['zh', ['ZHO'], false],
    ['zh-TW', ['ZHO'], false],
    ['en', ['ENG'], false],
    ['ja', ['JPN'], false],
    ['ar', ['ARA'], false],
    ['zh,en', ['ZHO', 'ENG'], false],
    ['tlh', undefined, true],
  ];
  for (const [language, codes, textKept] of cases) {
    const document = build({ identifier: 'A41000000G-000007', title: '語系', language });
    t.same(
      document['dct:language'],
      codes?.map((code) => `${EU}language/${code}`),
      language,
    );
    t.equal(document['twod:languageText'] !== undefined, textKept, `${language}: text kept only when unknown`);
  }
});

t.test('spatial coverage: a name, a statistical-area code, a geometry, or kept as text', async (t) => {
  const cases: Array<[string, string | undefined, string | undefined]> = [
    ['臺北市', 'skos:prefLabel', undefined],
    ['A6305-0001-00', 'skos:notation', undefined],
    ['{"type":"Polygon","coordinates":[[[121,25],[122,25],[122,26],[121,25]]]}', 'locn:geometry', undefined],
    ['[121.5, 25.03]', undefined, '[121.5, 25.03]'],
    ['{lat: 25.03, lng: 121.5', undefined, '{lat: 25.03, lng: 121.5'],
    ['{"type":"Feature","geometry":null}', undefined, '{"type":"Feature","geometry":null}'],
  ];
  for (const [spatial, property, keptText] of cases) {
    const document = build({ identifier: 'A41000000G-000009', title: '空間', spatial });
    const location = document['dct:spatial'] as Record<string, unknown> | undefined;
    t.equal(location === undefined ? undefined : Object.keys(location).find((key) => key !== '@type'), property, spatial);
    t.equal(document['twod:spatialText'], keptText, `${spatial}: text`);
    await t.resolves(toStore(document), `${spatial}: expands`);
  }
});

t.test('links: repaired when a space is all that is wrong, kept as text when not a link', async (t) => {
  const record: NationalRecord = {
    identifier: 'A41000000G-000008',
    title: '網址',
    landingPage: 'javascript:alert(document.cookie)',
    licenseURL: 'data.gov.tw/license',
    // A name we do not know: a known one would give the licence its IRI by name.
    license: '本機關自訂授權條款',
    costURL: 'https://example.org/fee schedule|2024^x',
    distribution: [
      { resourceID: 'a', downloadURL: 'http://exa mple.org/file.csv', accessURL: 'ftp://ftp.example.org/pub/file.csv' },
      { resourceID: 'b', downloadURL: 'https://example.org/\u3000全形空白.csv' },
      { resourceID: 'c', accessURL: 'http://', metadataSourceOfData: 'file:///etc/passwd' },
    ],
  };
  const document = build(record);
  t.equal(document['dcat:landingPage'], undefined, 'javascript: never becomes an IRI');
  t.equal(document['twod:landingPageText'], 'javascript:alert(document.cookie)');
  t.equal(document['twod:licenseURLText'], 'data.gov.tw/license', 'a URL without scheme is not guessed at');
  const licence = document['dct:license'] as Record<string, unknown>;
  t.equal(licence['@id'], undefined, 'the licence is a blank node with its name');
  t.same(licence['rdfs:label'], { '@value': '本機關自訂授權條款', '@language': 'zh-Hant' });

  const store = await toStore(document);
  const dataset = `${BASE_URL}/dataset/A41000000G-000008`;
  t.equal(only(store, dataset, 'twod:costURL').value, 'https://example.org/fee%20schedule%7C2024%5Ex');
  const distribution = (id: string) => `${dataset}/distribution/${id}`;
  t.same(objects(store, distribution('a'), 'dcat:downloadURL'), [], 'a space in the host cannot be repaired');
  t.equal(only(store, distribution('a'), 'twod:downloadURLText').value, 'http://exa mple.org/file.csv');
  t.equal(only(store, distribution('a'), 'dcat:accessURL').value, 'ftp://ftp.example.org/pub/file.csv');
  t.equal(
    only(store, distribution('b'), 'dcat:downloadURL').value,
    'https://example.org/%E3%80%80全形空白.csv',
    'only the full-width space is encoded: the rest of the IRI is the publisher’s text',
  );
  t.same(objects(store, distribution('c'), 'dcat:accessURL'), []);
  t.equal(only(store, distribution('c'), 'twod:accessURLText').value, 'http://');
  t.equal(only(store, distribution('c'), 'twod:metadataSourceText').value, 'file:///etc/passwd');
});

t.test('an IRI is the publisher’s text: only what RDF forbids is percent-encoded, a link a browser would rewrite is text', async (t) => {
  const record: NationalRecord = {
    identifier: 'A41000000G-000009',
    title: '網址原樣',
    description: '網址照來源原樣提供。',
    publisher: '範例機關',
    landingPage: 'HTTP://Example.GOV.tw:80',
    costURL: 'https://Example.GOV.tw/費用?Q="a b"&X={1}|<2>^`3`',
    distribution: [
      { resourceID: 'a', downloadURL: 'https://Example.GOV.tw/%7Efiles/Daten\u00A0Übersicht.CSV#Teil', accessURL: 'http:example.gov.tw/api' },
      { resourceID: 'b', downloadURL: 'http://example.gov.tw\\files\\a.csv', accessURL: 'https://example.gov.tw/lone\uD800.csv' },
      { resourceID: 'c', downloadURL: 'https://example.gov.tw/wrapped\n/line.csv' },
    ],
  };
  const document = build(record);
  const store = await toStore(document);
  const dataset = `${BASE_URL}/dataset/A41000000G-000009`;
  t.equal(only(store, dataset, 'dcat:landingPage').value, 'HTTP://Example.GOV.tw:80', 'scheme, host case and default port as sent, no slash added');
  t.equal(only(store, dataset, 'twod:costURL').value, 'https://Example.GOV.tw/費用?Q=%22a%20b%22&X=%7B1%7D%7C%3C2%3E%5E%603%60');
  const distribution = (id: string) => `${dataset}/distribution/${id}`;
  t.equal(
    only(store, distribution('a'), 'dcat:downloadURL').value,
    'https://Example.GOV.tw/%7Efiles/Daten%C2%A0Übersicht.CSV#Teil',
    'escapes the source wrote stay as they are',
  );
  t.same(
    objects(store, distribution('a'), 'dcat:accessURL').map((term) => term.value),
    ['https://Example.GOV.tw/%7Efiles/Daten%C2%A0Übersicht.CSV#Teil'],
  );
  t.equal(only(store, distribution('a'), 'twod:accessURLText').value, 'http:example.gov.tw/api', 'no // authority: not guessed at');
  t.same(objects(store, distribution('b'), 'dcat:downloadURL'), [], 'a backslash where the host ends would name another host once encoded');
  t.equal(only(store, distribution('b'), 'twod:downloadURLText').value, 'http://example.gov.tw\\files\\a.csv');
  t.equal(
    only(store, distribution('b'), 'dcat:accessURL').value,
    'https://example.gov.tw/lone\uFFFD.csv',
    'a lone surrogate is U+FFFD, as stored JSON is read',
  );
  t.equal(
    only(store, distribution('c'), 'dcat:downloadURL').value,
    'https://example.gov.tw/wrapped/line.csv',
    'a line break (a wrapped URL) is dropped, as browsers do',
  );
  t.same(await dcatApViolations(document), []);
});

t.test('hostile and broken input serializes without throwing and still expands', async (t) => {
  const keywords = Array.from({ length: 10_000 }, (_, i) => (i % 10 === 0 ? '' : `關鍵字${i % 5000}`));
  const hostile = {
    identifier: 'A41000000G/../../etc?x=<script>',
    title: '  \uD800 lone surrogate  ',
    description: '',
    keyword: keywords,
    categoryCode: 'Z99',
    type: 'unknown',
    license: '',
    licenseURL: ' ',
    cost: 42,
    publisher: ['not', 'a', 'string'],
    publisherOID: '1.2.3 | 數位部',
    publisherContactEmail: 'not-an-email, ok@example.org, <x@y>',
    publisherContactName: null,
    accrualPeriodicity: {},
    issued: 'yesterday',
    spatial: '{"type":"Point","coordinates":[121.5,25.03]}',
    language: '',
    numberOfData: -1,
    landingPage: 'https://example.org/"quoted"<tag>{x}',
    extensions: { datasetId: 6564, unknownKeys: { viewCount: 3 } },
    distribution: [null, 'text', {}, { resourceID: 'dup', format: 'csv' }, { resourceID: 'dup', format: 'json' }],
  } as unknown as NationalRecord;

  let document: Record<string, unknown> = {};
  t.doesNotThrow(() => {
    document = build(hostile);
  });
  const distinctKeywords = new Set(keywords.filter((keyword) => keyword !== '')).size;
  t.equal((document['dcat:keyword'] as unknown[]).length, distinctKeywords, 'empty and duplicate keywords dropped');
  t.match(document['@id'], /^https:\/\/gateway\.test\/dataset\/A41000000G%2F\.\.%2F\.\.%2Fetc%3Fx%3D%3Cscript%3E$/);
  t.equal(document['twod:categoryCodeText'], 'Z99');
  t.equal(document['dcat:theme'], undefined, 'an unknown category has no theme, EU or other');
  t.equal(document['twod:datasetTypeText'], 'unknown');
  t.equal(document['twod:cost'], '42');
  t.equal((document['dct:publisher'] as Record<string, unknown>)['twod:publisherOIDText'], '1.2.3 | 數位部');
  t.equal(document['dct:accrualPeriodicity'], undefined);
  t.equal(document['twod:numberOfRecords'], undefined, 'a negative count is no count');

  const store = await toStore(document);
  const dataset = document['@id'] as string;
  const contact = only(store, dataset, 'dcat:contactPoint');
  t.same(values(objects(store, contact, 'vcard:hasEmail')), ['mailto:ok@example.org']);
  t.equal(only(store, contact, 'twod:emailText').value, 'not-an-email, ok@example.org, <x@y>');
  const location = only(store, dataset, 'dct:spatial');
  t.same(literalOf(only(store, location, 'locn:geometry')).datatype, iri('gsp:geoJSONLiteral'));
  t.equal(only(store, dataset, 'dcat:landingPage').value, 'https://example.org/%22quoted%22%3Ctag%3E%7Bx%7D');
  t.equal(only(store, only(store, dataset, 'adms:identifier'), 'skos:notation').value, '6564');
  const distributions = objects(store, dataset, 'dcat:distribution');
  t.equal(distributions.length, 2, 'entries that are not objects or hold nothing are skipped');
  t.equal(distributions.filter((term) => term.termType === 'BlankNode').length, 1, 'a repeated resourceID does not merge two resources');

  for (const broken of [null, undefined, 'text', 42, [], {}] as unknown[]) {
    t.doesNotThrow(() => build(broken as NationalRecord), `record ${JSON.stringify(broken)}`);
    t.doesNotThrow(() => toDcatJsonLd(specExampleRecord(), { baseUrl: broken as string }), `baseUrl ${JSON.stringify(broken)}`);
  }
  const withoutBase = toDcatJsonLd(specExampleRecord(), { baseUrl: '' });
  t.equal(withoutBase['@id'], undefined, 'no valid base URL: a blank node, never a relative IRI');
  await t.resolves(toStore(withoutBase));
  await t.resolves(toStore(build({} as NationalRecord)));
});

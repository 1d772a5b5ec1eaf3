import t from 'tap';
import { readFileSync } from 'node:fs';
import { PageGraph } from '../../connectors/dcat/page-graph.js';
import { datasetsOf } from '../../connectors/dcat/datasets.js';
import { chooseFormat } from '../../connectors/dcat/formats.js';
import { parseRdf } from '../../connectors/dcat/parse.js';
import { mapDcatRecord } from '../../src/mapping/dcat.js';
import { frequencyText } from '../../src/mapping/dcat/codes.js';
import { languageRank } from '../../src/mapping/dcat/languages.js';
import { projectPath } from '../../src/model/project-root.js';
import type { MappingResult, NationalRecord, ValidationIssue } from '../../src/model/record.js';
import { recordViolations } from '../helpers/dcat-ap.js';
import { DataFactory } from 'n3';

/**
 * The DCAT mapping, fed the payloads the connector makes of real catalogues (W3C DCAT 3 and
 * DCAT-AP 3.0.1 examples, and one written for this project in a Taiwan agency's shape).
 */

const W3C = 'w3c-dcat3-examples';
const DCAT_AP = 'dcat-ap-3.0.1-examples';

async function mappedFile(folder: string, file: string, body?: string): Promise<Map<string, MappingResult>> {
  const url = `https://fixtures.test/${folder}/${file}`;
  const text = body ?? readFileSync(projectPath('test', 'fixtures', 'dcat', folder, file), 'utf8');
  const choice = chooseFormat(url, undefined, text);
  if ('refused' in choice) throw new Error(choice.reason);
  const quads = await parseRdf({ sourceId: 'test', url, body: text, format: choice.format });
  const found = await datasetsOf(PageGraph.of(quads), { maxQuadsPerDataset: 20_000 });
  return new Map(found.map((dataset) => [dataset.nativeId, mapDcatRecord(dataset.payload)]));
}

async function turtle(body: string): Promise<MappingResult> {
  const results = [...(await mappedFile('own', 'inline.ttl', body)).values()];
  if (results.length !== 1) throw new Error(`expected one dataset, got ${results.length}`);
  return results[0]!;
}

function accepted(result: MappingResult | undefined): { record: NationalRecord; issues: ValidationIssue[] } {
  if (result === undefined) throw new Error('no such dataset');
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result;
}

/** The rule breaks (severity error) as `field rule`, sorted. */
function errors(issues: ValidationIssue[]): string[] {
  return issues
    .filter((issue) => issue.severity === 'error')
    .map((issue) => `${issue.field} ${issue.rule}`)
    .sort();
}

/**
 * Fields no DCAT statement means, so every DCAT record lacks them: 服務分類 (categoryCode),
 * 主要欄位說明 (fieldDescription), 資料集類型 (type), 計費方式 (cost) and the 提供機關 (organization)
 * with its contact — DCAT has one publisher and one contact point, mapped to the publisher's.
 */
const NEVER_IN_DCAT = [
  'categoryCode required',
  'cost required',
  'fieldDescription required',
  'organization required',
  'organizationContactEmail required',
  'organizationContactName required',
  'organizationContactPhone required',
  'type required',
];
const NO_PUBLISHER_CONTACT = ['publisherContactEmail required', 'publisherContactName required', 'publisherContactPhone required'];
const NO_LICENCE = ['license required', 'licenseURL required'];
const IRI_IDENTIFIER = ['identifier pattern'];

t.test('a Taiwan agency catalogue: every mapped field', async (t) => {
  const results = await mappedFile('own', 'taiwan-agency.ttl');
  t.same([...results.keys()], ['https://opendata.example.gov.tw/dataset-parking', 'https://opendata.example.gov.tw/dataset-rain']);
  const { record, issues } = accepted(results.get('https://opendata.example.gov.tw/dataset-parking'));
  t.same(record, {
    identifier: 'A41000000G-000123',
    title: '公有停車場即時剩餘車位',
    description: '本市公有路外停車場即時剩餘車位數。',
    keyword: ['交通', '停車'],
    publisher: '範例市政府交通局',
    publisherContactName: '王小明',
    publisherContactEmail: 'parking@example.gov.tw',
    publisherContactPhone: '+886-2-2720-8889',
    accrualPeriodicity: '每日',
    issued: '2019-03-01',
    modified: '2024-05-02T01:30:00Z',
    temporalCoverageFrom: '2019-01-01',
    temporalCoverageTo: '2024-04-30',
    spatial: '臺北市',
    language: 'zh',
    landingPage: 'https://data.gov.tw/dataset/123',
    distribution: [
      {
        resourceID: 'https://opendata.example.gov.tw/dist-parking-api',
        resourceDescription: '停車場剩餘車位 API',
        format: 'JSON',
        accessURL: 'https://api.example.gov.tw/parking',
      },
      {
        resourceID: 'A41000000G-000123-001',
        resourceDescription: '停車場剩餘車位 CSV',
        format: 'CSV',
        downloadURL: 'https://opendata.example.gov.tw/files/parking.csv',
        resourceModified: '2024-05-02',
        characterSetCode: 'UTF-8',
      },
    ],
    licenseURL: 'https://data.gov.tw/license',
    license: '政府資料開放授權條款-第1版',
    publisherOrgCode: 'A41000000G',
    extensions: {
      sourceVocabulary: 'dcat',
      // The description is tagged @zh-TW (lower-cased by canonical N-Quads): kept, not made zh-Hant.
      textLanguages: { description: 'zh-tw' },
      sourceExtras: {
        '@id': 'https://opendata.example.gov.tw/dataset-parking',
        'dct:title': { en: 'Public car park vacancies', 'zh-hans': '公有停车场实时剩余车位' },
        'dct:description': { en: 'Real-time vacancies of public car parks.' },
        'dcat:keyword': { en: 'parking' },
        'dct:publisher': { '@type': 'vcard:Organization', 'vcard:hasURL': { '@id': 'https://traffic.example.gov.tw/' } },
        'dct:accrualPeriodicity': { '@id': 'http://publications.europa.eu/resource/authority/frequency/DAILY' },
        // The whole place, name included (n3 lower-cases the language tag as it parses).
        'dct:spatial': {
          '@type': 'dct:Location',
          'skos:prefLabel': { '@value': '臺北市', '@language': 'zh-hant' },
          'locn:geometry': { '@value': 'POINT(121.56 25.03)', '@type': 'geo:wktLiteral' },
        },
        'dct:language': [{ '@id': 'http://publications.europa.eu/resource/authority/language/ENG' }],
        'dcat:distribution': [
          {
            resourceID: 'https://opendata.example.gov.tw/dist-parking-api',
            'dcat:accessService': [
              {
                '@id': 'https://opendata.example.gov.tw/service-parking',
                'dct:title': { '@value': '停車資訊服務', '@language': 'zh-hant' },
                '@type': 'dcat:DataService',
                'dcat:endpointURL': { '@id': 'https://api.example.gov.tw/parking' },
              },
            ],
          },
          {
            resourceID: 'A41000000G-000123-001',
            '@id': 'https://opendata.example.gov.tw/dist-parking-csv',
            'dcat:byteSize': { '@value': '20480', '@type': 'xsd:nonNegativeInteger' },
          },
        ],
        'dcat:theme': { '@id': 'http://publications.europa.eu/resource/authority/data-theme/TRAN' },
      },
    },
  });
  // Only what DCAT cannot say: the catalogue gives everything else.
  t.same(errors(issues), NEVER_IN_DCAT);
  t.match(issues, [
    { field: 'distribution[0].accessURL', rule: 'derived', severity: 'warning' },
    { field: 'publisherOrgCode', rule: 'derived', severity: 'warning' },
  ]);

  const rain = accepted(results.get('https://opendata.example.gov.tw/dataset-rain'));
  t.same(rain.record, {
    identifier: 'https://opendata.example.gov.tw/dataset-rain',
    title: '雨量站觀測資料',
    extensions: { sourceVocabulary: 'dcat', textLanguages: { title: 'zh' }, sourceExtras: { 'dct:title': { '@none': 'Rain gauge observations' } } },
  });
  t.same(
    errors(rain.issues),
    [
      ...NEVER_IN_DCAT,
      'accrualPeriodicity required',
      'description required',
      ...IRI_IDENTIFIER,
      ...NO_LICENCE,
      'publisher required',
      ...NO_PUBLISHER_CONTACT,
    ].sort(),
  );
});

t.test('W3C basic example: the same record from Turtle, RDF/XML and JSON-LD', async (t) => {
  const [ttl, rdf, jsonld] = await Promise.all(['ttl', 'rdf', 'jsonld'].map((ext) => mappedFile(W3C, `basic-example.${ext}`)));
  t.same([...ttl!.keys()], ['https://dcat.example.org/dataset-001']);
  t.same(rdf, ttl);
  t.same(jsonld, ttl);
  const { record, issues } = accepted(ttl!.get('https://dcat.example.org/dataset-001'));
  t.same(record, {
    identifier: 'https://dcat.example.org/dataset-001',
    title: 'Imaginary dataset',
    keyword: ['accountability', 'payments', 'transparency'],
    // sdmx freq-W: weekly.
    accrualPeriodicity: '每週',
    issued: '2011-12-05',
    modified: '2011-12-15',
    temporalCoverageFrom: '2011-07-01',
    temporalCoverageTo: '2011-09-30',
    // A geonames IRI with no label in the catalogue: the IRI is the only name it has.
    spatial: 'http://sws.geonames.org/6695072/',
    language: 'en',
    distribution: [
      {
        resourceID: 'https://dcat.example.org/dataset-001-csv',
        resourceDescription: 'CSV distribution of imaginary dataset 001',
        format: 'CSV',
        downloadURL: 'http://dcat.example.org/files/001.csv',
        extensions: { textLanguages: { resourceDescription: 'en' } },
      },
    ],
    extensions: {
      sourceVocabulary: 'dcat',
      textLanguages: { title: 'en', keyword: ['en', 'en', 'en'] },
      sourceExtras: {
        'dct:publisher': { '@id': 'https://dcat.example.org/finance-ministry' },
        'dcat:contactPoint': { '@id': 'http://dcat.example.org/transparency-office/contact' },
        'dct:accrualPeriodicity': { '@id': 'http://purl.org/linked-data/sdmx/2009/code#freq-W' },
        // The place IRI is also the spatial text, yet kept as an IRI: the DCAT views serve it as one.
        'dct:spatial': { '@id': 'http://sws.geonames.org/6695072/' },
        'dcat:distribution': [{ resourceID: 'https://dcat.example.org/dataset-001-csv', 'dcat:byteSize': { '@value': '5120', '@type': 'xsd:decimal' } }],
        'dct:creator': { '@id': 'https://dcat.example.org/finance-employee-001' },
        'dcat:spatialResolutionInMeters': { '@value': '30.0', '@type': 'xsd:decimal' },
        'dcat:temporalResolution': { '@value': 'P1D', '@type': 'xsd:duration' },
      },
    },
  });
  // The example has no description, licence, named publisher or contact details (its publisher
  // and contact point are bare IRIs), and its identifier is an IRI, not 機關代碼-流水號.
  t.same(errors(issues), [...NEVER_IN_DCAT, 'description required', ...IRI_IDENTIFIER, ...NO_LICENCE, 'publisher required', ...NO_PUBLISHER_CONTACT].sort());
  t.match(issues, [{ field: 'publisher', rule: 'normalise', severity: 'warning' }]);
});

t.test('every W3C example maps alike in its three serialisations', async (t) => {
  // compress-and-package and identifier-types publish slightly different triples per serialisation.
  for (const name of [
    'basic-example',
    'csiro-dap-examples',
    'csiro-stratchart',
    'ga-courts',
    'series-membership',
    'series-releases',
    'series-versions',
    'spatial-properties',
    'temporal-properties',
    'threddsABC',
  ]) {
    const [ttl, rdf, jsonld] = await Promise.all(['ttl', 'rdf', 'jsonld'].map((ext) => mappedFile(W3C, `${name}.${ext}`)));
    t.same(rdf, ttl, `${name}: RDF/XML = Turtle`);
    t.same(jsonld, ttl, `${name}: JSON-LD = Turtle`);
  }
});

t.test('W3C ga-courts: vCard contact point, licence, frequency word, blank distributions', async (t) => {
  const { record, issues } = accepted((await mappedFile(W3C, 'ga-courts.ttl')).get('http://dcat.example.org/ga-courts#jc'));
  t.match(record, {
    identifier: 'http://dcat.example.org/ga-courts#jc',
    title: 'Judicial Courts',
    // Untagged keywords rank above English ones: the publisher did not say their language.
    keyword: ['AU', 'GIS'],
    publisherContactName: 'Commonwealth of Australia (Geoscience Australia)',
    publisherContactEmail: 'sales@ga.gov.au',
    accrualPeriodicity: '不定期',
    license: 'CC BY 4.0',
    licenseURL: 'https://creativecommons.org/licenses/by/4.0/',
    issued: '2012-01-01',
    modified: '2016-08-22',
  });
  t.equal(record.distribution?.length, 6);
  t.same(record.distribution?.[0], {
    resourceID: 'http://dcat.example.org/ga-courts#jc-001',
    extensions: { resourceIDSynthesised: true },
    format: 'ESRI Geodatabase (gdb)',
  });
  t.match(record.extensions?.sourceExtras, {
    'dct:identifier': 'cc365600-294a-597d-e044-00144fdd4fa6',
    'dcat:keyword': { en: ['Database', 'National dataset', 'Published_External', 'culture', 'infrastructure', 'risk analysis', 'risk assessment'] },
    'dct:spatial': { 'dcat:bbox': { '@type': 'geo:wktLiteral' } },
    'dct:created': { '@value': '2012-01-01' },
  });
  // Distributions carry only a format text: no title (resourceDescription), no URL; the
  // publisher is a bare IRI; the contact point has no telephone.
  const distributionErrors = record.distribution!.flatMap((_, i) => [`distribution[${i}] required`, `distribution[${i}].resourceDescription required`]);
  t.same(errors(issues), [...NEVER_IN_DCAT, ...IRI_IDENTIFIER, 'publisher required', 'publisherContactPhone required', ...distributionErrors].sort());
});

t.test('DCAT-AP 3.0.1 examples: JSON-LD (local context) and Turtle agree', async (t) => {
  for (const name of [
    'example-bee-population',
    'example-bee-population-2022-2023',
    'example-bee-population-dataset-series',
    'example-bee-population-dataset-series-gea-nha',
    'example-bee-population-dataset-series-modified',
  ]) {
    const [ttl, jsonld] = await Promise.all(['ttl', 'jsonld'].map((ext) => mappedFile(DCAT_AP, `${name}.${ext}`)));
    t.same(jsonld, ttl, name);
  }
  const { record, issues } = accepted((await mappedFile(DCAT_AP, 'example-bee-population.ttl')).get('https://data.gov.gr/id/dataset/BeePopulation'));
  t.same(record, {
    identifier: 'https://data.gov.gr/id/dataset/BeePopulation',
    title: 'Bee population',
    description: 'A dataset about bee population in Greece',
    extensions: {
      sourceVocabulary: 'dcat',
      textLanguages: { title: 'en', description: 'en' },
      sourceExtras: { 'dct:publisher': { '@id': 'https://agencies.gov.gr/id/GreekEnvironmentAgency' } },
    },
  });
  t.same(
    errors(issues),
    [...NEVER_IN_DCAT, 'accrualPeriodicity required', ...IRI_IDENTIFIER, ...NO_LICENCE, 'publisher required', ...NO_PUBLISHER_CONTACT].sort(),
  );
});

t.test('a dataset series keeps its type; members keep their series link', async (t) => {
  const results = await mappedFile(DCAT_AP, 'example-bee-population-dataset-series-gea-nha.ttl');
  const series = [...results.values()].map(accepted).find((r) => r.record.extensions?.sourceExtras?.['@type'] !== undefined);
  t.ok(series, 'the series is a record');
  t.same(series!.record.extensions?.sourceExtras?.['@type'], ['dcat:DatasetSeries']);
  const members = [...results.values()].map(accepted).filter((r) => r.record.extensions?.sourceExtras?.['dcat:inSeries'] !== undefined);
  t.ok(members.length > 0);
});

t.test('multilingual preference: zh-Hant, zh-TW, zh, untagged, en, then the rest', async (t) => {
  const ranked = ['zh-Hant-TW', 'zh-TW', 'zh', 'zh-HK', '', 'en', 'zh-Hans', 'fr'];
  t.same(
    [...ranked].sort((a, b) => languageRank(a) - languageRank(b)),
    ranked,
  );
  const head =
    '@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n<https://x.test/d> a dcat:Dataset ; dct:identifier "A41000000G-000001" ;';
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['dct:title "English"@en, "繁體"@zh-Hant, "台灣"@zh-TW, "中文"@zh, "none" .', '繁體', { en: 'English', 'zh-tw': '台灣', zh: '中文', '@none': 'none' }],
    ['dct:title "English"@en, "台灣"@zh-TW, "中文"@zh .', '台灣', { en: 'English', zh: '中文' }],
    ['dct:title "English"@en, "中文"@zh, "简体"@zh-Hans .', '中文', { en: 'English', 'zh-hans': '简体' }],
    ['dct:title "English"@en, "plain" .', 'plain', { en: 'English' }],
    ['dct:title "English"@en, "Deutsch"@de .', 'English', { de: 'Deutsch' }],
  ];
  for (const [titles, chosen, others] of cases) {
    const { record } = accepted(await turtle(`${head} ${titles}`));
    t.equal(record.title, chosen, titles);
    t.same(record.extensions?.sourceExtras?.['dct:title'], others, `${titles}: the others by language`);
  }
  const { record } = accepted(await turtle(`${head} dct:title "t"@zh-Hant ; dcat:keyword "a"@en, "b"@en, "甲"@zh-TW, "乙"@zh-TW, "丙"@zh .`));
  t.same(record.keyword, ['乙', '甲'], 'every keyword of the best language');
  t.same(record.extensions?.sourceExtras?.['dcat:keyword'], { en: ['a', 'b'], zh: '丙' });
});

t.test('codes: frequency IRIs, languages, formats, licences, dates', async (t) => {
  const iri = (value: string) => DataFactory.namedNode(value);
  t.equal(frequencyText(iri('http://publications.europa.eu/resource/authority/frequency/ANNUAL_2')), '每半年');
  t.equal(frequencyText(iri('http://publications.europa.eu/resource/authority/frequency/IRREG')), '不定期');
  t.equal(frequencyText(iri('http://publications.europa.eu/resource/authority/frequency/OTHER')), undefined);
  t.equal(frequencyText(iri('http://purl.org/cld/freq/monthly')), '每月');
  t.equal(frequencyText(DataFactory.literal('每日')), '每日');

  const head =
    '@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<https://x.test/d> a dcat:Dataset ; dct:title "t" ;';
  const other = accepted(
    await turtle(
      `${head} dct:language <http://id.loc.gov/vocabulary/iso639-2/jpn> ; dct:license <http://publications.europa.eu/resource/authority/licence/CC0> ; dct:issued "2020"^^xsd:gYear ; dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/OTHER> ;
       dcat:distribution [ dct:format "text/csv" ; dcat:accessURL <https://x.test/a> ; dct:license <http://publications.europa.eu/resource/authority/licence/CC0> ] .`,
    ),
  );
  t.equal(other.record.language, 'ja');
  t.equal(other.record.license, 'CC0 1.0');
  t.equal(other.record.licenseURL, 'http://publications.europa.eu/resource/authority/licence/CC0');
  t.equal(other.record.issued, undefined, 'a year is not an issue date');
  t.same(other.record.extensions?.sourceExtras?.['dct:issued'], { '@value': '2020', '@type': 'xsd:gYear' });
  t.equal(other.record.accrualPeriodicity, undefined);
  t.same(other.record.extensions?.sourceExtras?.['dct:accrualPeriodicity'], { '@id': 'http://publications.europa.eu/resource/authority/frequency/OTHER' });
  t.match(other.record.distribution, [
    { resourceID: 'https://x.test/d-001', format: 'CSV', accessURL: 'https://x.test/a', extensions: { resourceIDSynthesised: true } },
  ]);
  t.match(other.issues, [
    { field: 'accrualPeriodicity', rule: 'normalise' },
    { field: 'issued', rule: 'normalise' },
  ]);

  // The licence only on the distributions, all the same: the dataset takes it (DCAT-AP habit).
  const lifted = accepted(
    await turtle(
      `${head} dcat:distribution [ dcat:downloadURL <https://x.test/1.csv> ; dct:license <https://creativecommons.org/licenses/by/4.0/> ], [ dcat:downloadURL <https://x.test/2.csv> ; dct:license <https://creativecommons.org/licenses/by/4.0/> ] .`,
    ),
  );
  t.equal(lifted.record.license, 'CC BY 4.0');
  t.match(lifted.issues, [{ field: 'license', rule: 'derived', severity: 'warning' }]);
});

t.test('rejected: no title, no identity, not a payload', async (t) => {
  const noTitle = await turtle('@prefix dcat: <http://www.w3.org/ns/dcat#> . <https://x.test/d> a dcat:Dataset .');
  t.match(noTitle, { ok: false, issues: [{ field: 'title', rule: 'required' }] });
  const blank = await turtle('@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . [] a dcat:Dataset ; dct:title "t" .');
  t.match(blank, { ok: false, issues: [{ field: 'identifier', rule: 'required' }] });
  const blankWithIdentifier = accepted(
    await turtle(
      '@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . [] a dcat:Dataset ; dct:title "t" ; dct:identifier "X-1" .',
    ),
  );
  t.equal(blankWithIdentifier.record.identifier, 'X-1');
  t.match(mapDcatRecord({ nope: true }), { ok: false, issues: [{ rule: 'type' }] });
  t.match(mapDcatRecord({ subject: 'https://x.test/d', nquads: '<a> <b' }), { ok: false, issues: [{ rule: 'malformed-nquads' }] });
});

t.test('DCAT-AP SHACL: the served JSON-LD of mapped records', async (t) => {
  // The Taiwan catalogue: every DCAT-AP mandatory property has its source. What remains is
  // what the national record cannot hold (see docs/connectors/dcat.md).
  const taiwan = accepted((await mappedFile('own', 'taiwan-agency.ttl')).get('https://opendata.example.gov.tw/dataset-parking'));
  t.same(await recordViolations(taiwan.record), [], 'a complete source gives a conforming record');

  const basic = accepted((await mappedFile(W3C, 'basic-example.ttl')).get('https://dcat.example.org/dataset-001'));
  // No dct:description in the source (DCAT-AP: mandatory).
  t.same(await recordViolations(basic.record), ['dct:description MinCount']);

  const bee = accepted((await mappedFile(DCAT_AP, 'example-bee-population.ttl')).get('https://data.gov.gr/id/dataset/BeePopulation'));
  t.same(await recordViolations(bee.record), [], 'title and description: all DCAT-AP asks of a dataset');

  const courts = accepted((await mappedFile(W3C, 'ga-courts.ttl')).get('http://dcat.example.org/ga-courts#jc'));
  // Its six distributions have no URL in the source, but the view gives DCAT-AP's mandatory
  // accessURL the dataset's landing page (DCAT's own fallback), so nothing is left to flag.
  t.same(await recordViolations(courts.record), []);
  // Without a landing page, each URL-less distribution lacks its accessURL.
  const { landingPage: _landingPage, ...withoutLandingPage } = courts.record;
  t.same(
    await recordViolations(withoutLandingPage),
    Array.from({ length: 6 }, () => 'dcat:accessURL MinCount'),
  );
});

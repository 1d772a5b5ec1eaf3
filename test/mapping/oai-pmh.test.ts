import t from 'tap';
import { readFileSync } from 'node:fs';
import { projectPath } from '../../src/model/project-root.js';
import { all, parseXmlDocument, type XmlElement } from '../../src/mapping/xml-elements.js';
import { mapOaiDublinCore, preferredIdentifier } from '../../src/mapping/oai-dc.js';
import { mapDataCite } from '../../src/mapping/datacite.js';
import type { MappingResult, NationalRecord } from '../../src/model/record.js';
import { recordViolations } from '../helpers/dcat-ap.js';

const records = (name: string): XmlElement[] => {
  const root = parseXmlDocument(readFileSync(projectPath('test', 'fixtures', 'oai-pmh', name), 'utf8'));
  return [...all(root, 'oai:ListRecords/oai:record'), ...all(root, 'oai:GetRecord/oai:record')];
};

function issues(result: MappingResult): string[] {
  return result.issues.map((issue) => `${issue.field} ${issue.rule}${issue.severity === 'warning' ? ' (warning)' : ''}`);
}

function record(result: MappingResult): NationalRecord {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result.record;
}

const REQUIRED = [
  'categoryCode',
  'description',
  'fieldDescription',
  'type',
  'license',
  'licenseURL',
  'cost',
  'accrualPeriodicity',
  'organization',
  'organizationContactName',
  'organizationContactPhone',
  'organizationContactEmail',
  'publisher',
  'publisherContactName',
  'publisherContactPhone',
  'publisherContactEmail',
];

/** `before`, the missing required fields (validator order), the identifier pattern (DOIs and URLs are no national ids), `after`. */
function expected(missing: string[], before: string[] = [], after: string[] = []): string[] {
  for (const field of missing) if (!REQUIRED.includes(field)) throw new Error(`not a required field: ${field}`);
  return [...before, ...REQUIRED.filter((field) => missing.includes(field)).map((field) => `${field} required`), 'identifier pattern', ...after];
}

/** Neither Dublin Core nor DataCite has these: the national classification, field list, cost, 上級機關, frequency. */
const NEVER_IN_OAI = [
  'categoryCode',
  'fieldDescription',
  'cost',
  'accrualPeriodicity',
  'organization',
  'organizationContactName',
  'organizationContactPhone',
  'organizationContactEmail',
];

t.test('oai_dc (sickle sample): field by field, exact issues, DCAT-AP', async (t) => {
  const [deleted, live] = records('ListRecords.xml');
  t.match(mapOaiDublinCore(deleted), { ok: false, issues: [{ rule: 'type', message: /without oai_dc:dc metadata/ }] }, 'a deleted header carries no metadata');
  const result = mapOaiDublinCore(live);
  const mapped = record(result);
  t.match(mapped, {
    identifier: 'http://test.example.com/publication/1585322',
    title: 'Sample Title',
    landingPage: 'http://test.example.com/publication/1585322',
    publisher: 'Sample Publisher',
    language: 'en',
    modified: '2011-01-10T10:19:23Z',
  });
  t.match(mapped.description, /^Lorem ipsum dolor sit amet/);
  t.same(
    mapped.extensions,
    {
      sourceVocabulary: 'oai-dc',
      sourceExtras: {
        'oai:identifier': 'oai:test.example.com:1585322',
        'dc:creator': ['John Doe', 'John Doe', 'John Doe', 'John Doe'],
        'dc:source': 'Sample Source',
        'dc:date': '2010',
        'dc:type': ['info:eu-repo/semantics/article', 'doc-type:article', 'text'],
      },
    },
    'the OAI identifier, creators, source, the year-only date and the types are kept',
  );
  // dc:date 2010 is a year only (a warning); the description is longer than the standard's 500 characters.
  t.same(
    issues(result),
    expected(
      [...NEVER_IN_OAI, 'type', 'license', 'licenseURL', 'publisherContactName', 'publisherContactPhone', 'publisherContactEmail'],
      ['issued date (warning)'],
      ['description maxLength (warning)'],
    ),
  );
  t.same(await recordViolations(mapped), []);

  const [utf8] = records('GetRecord_utf8test.xml');
  const utf8Result = mapOaiDublinCore(utf8);
  t.same(record(utf8Result).extensions?.sourceExtras?.['dc:creator'], '某人', 'UTF-8 text is read as sent');
  t.same(
    issues(utf8Result),
    expected(
      [...NEVER_IN_OAI, 'description', 'type', 'license', 'licenseURL', 'publisherContactName', 'publisherContactPhone', 'publisherContactEmail'],
      ['issued date (warning)'],
    ),
  );
  t.same(await recordViolations(record(utf8Result)), ['dct:description MinCount'], 'the record has no dc:description');
});

t.test('oai_dc: identifier preference, rights, dates, bare oai_dc:dc', async (t) => {
  t.equal(preferredIdentifier(['1796-6361', 'http://hdl.handle.net/1975/7634', 'https://doi.org/10.1234/abc']), 'https://doi.org/10.1234/abc');
  t.equal(preferredIdentifier(['1796-6361', 'hdl:1975/7634', 'http://example.org/x']), 'hdl:1975/7634');
  t.equal(preferredIdentifier(['1796-6361', 'http://example.org/x']), 'http://example.org/x');
  const dc = parseXmlDocument(`<d:dc xmlns:d="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:e="http://purl.org/dc/elements/1.1/">
    <e:title>臺北市公車站牌</e:title><e:identifier>doi:10.5072/BUS</e:identifier><e:identifier>local-17</e:identifier>
    <e:rights>https://creativecommons.org/licenses/by/4.0/</e:rights><e:date>2023-05-01</e:date><e:type>Dataset</e:type><e:language>zh-TW</e:language></d:dc>`);
  t.same(
    record(mapOaiDublinCore(dc)),
    {
      identifier: 'doi:10.5072/BUS',
      title: '臺北市公車站牌',
      landingPage: 'https://doi.org/10.5072/BUS',
      language: 'zh',
      type: 'rawData',
      issued: '2023-05-01',
      licenseURL: 'https://creativecommons.org/licenses/by/4.0/',
      license: 'CC BY 4.0',
      // No language configured for the source: the Chinese title is not guessed to be zh-Hant.
      extensions: { sourceVocabulary: 'oai-dc', textLanguages: { title: '' }, sourceExtras: { 'dc:identifier': ['local-17'] } },
    },
    "prefixes are the document's own (d:, e:); namespaces decide",
  );
});

t.test('DataCite (kernel-4 inside oai_datacite): field by field, exact issues, DCAT-AP', async (t) => {
  const [air, rivers] = records('datacite-ListRecords.xml');
  const result = mapDataCite(air);
  const mapped = record(result);
  t.same(
    { ...mapped, extensions: undefined },
    {
      identifier: '10.5072/EXAMPLE.AIR-2023',
      title: 'Hourly air quality observations, Taipei basin, 2023',
      landingPage: 'https://doi.org/10.5072/EXAMPLE.AIR-2023',
      description: 'Hourly PM2.5, PM10, O3 and NO2 concentrations measured at 18 stations in the Taipei basin during 2023.',
      keyword: ['air quality', 'EARTH SCIENCE > ATMOSPHERE > AIR QUALITY', '空氣品質'],
      publisher: 'Environmental Research Institute',
      publisherContactName: 'Chen, Wei',
      issued: '2024-01-15',
      modified: '2024-02-20',
      temporalCoverageFrom: '2023-01-01',
      temporalCoverageTo: '2023-12-31',
      licenseURL: 'https://creativecommons.org/licenses/by/4.0/',
      license: 'Creative Commons Attribution 4.0 International',
      spatial: '{"type":"Polygon","coordinates":[[[121.4,24.95],[121.65,24.95],[121.65,25.15],[121.4,25.15],[121.4,24.95]]]}',
      language: 'en',
      type: 'rawData',
      extensions: undefined,
    },
  );
  const extras = mapped.extensions?.sourceExtras ?? {};
  t.same(extras['datacite:titles'], [{ title: '臺北盆地空氣品質逐時觀測資料 2023', titleType: 'TranslatedTitle' }]);
  t.same(extras['datacite:descriptions'], [
    { description: "Beta attenuation and UV photometry; values validated by the institute's QA procedure.", descriptionType: 'Methods' },
  ]);
  t.same(extras['datacite:creators'], [
    { name: 'Lin, Mei-Hua', nameIdentifiers: ['https://orcid.org/0000-0002-1825-0097'], affiliations: ['Environmental Research Institute'] },
  ]);
  t.same(extras['datacite:dates'], [
    { date: '2023-12-31', dateType: 'Created' },
    { date: '2023-01-01/2023-12-31', dateType: 'Collected' },
  ]);
  t.same(extras['datacite:relatedIdentifiers'], {
    'datacite:relatedIdentifier': [
      { '@relatedIdentifierType': 'DOI', '@relationType': 'IsSupplementTo', '#text': '10.5072/EXAMPLE.PAPER-77' },
      { '@relatedIdentifierType': 'URL', '@relationType': 'IsDocumentedBy', '#text': 'https://repository.example.org/docs/air-2023' },
    ],
  });
  t.same(extras['datacite:sizes'], { 'datacite:size': ['8760 rows', '12 MB'] });
  t.same(extras['datacite:formats'], { 'datacite:format': 'text/csv' });
  t.same(extras['oai:setSpec'], ['environment']);
  t.equal(extras['oai_datacite:datacentreSymbol'], 'EXAMPLE.REPO');
  t.same(issues(result), expected([...NEVER_IN_OAI, 'publisherContactPhone', 'publisherContactEmail']));
  t.same(await recordViolations(mapped), []);

  const riversResult = mapDataCite(rivers);
  t.match(
    record(riversResult),
    { identifier: '10.5072/EXAMPLE.RIVERS', modified: '2024-02-21T10:00:00Z', spatial: '{"type":"Point","coordinates":[121,23.5]}' },
    'kernel-3 point "lat lon"; modified from the OAI datestamp',
  );
  t.same(
    issues(riversResult),
    expected([...NEVER_IN_OAI, 'description', 'license', 'licenseURL', 'publisherContactName', 'publisherContactPhone', 'publisherContactEmail']),
  );
  t.same(await recordViolations(record(riversResult)), ['dct:description MinCount'], 'the resource has no description');
});

t.test('DataCite: not a DataCite record', async (t) => {
  t.match(mapDataCite(records('ListRecords.xml')[1]), { ok: false, issues: [{ rule: 'type', message: /without a DataCite resource/ }] });
  t.match(mapDataCite('<resource/>'), { ok: false, issues: [{ rule: 'type' }] });
});

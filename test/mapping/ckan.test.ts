import t from 'tap';
import { mapCkanPackage } from '../../src/mapping/ckan.js';
import type { MappingResult, NationalRecord } from '../../src/model/record.js';
import { toGen1Json } from '../../src/views/gen1.js';
import { readFixture } from '../helpers/gateway.js';
import { recordViolations } from '../helpers/dcat-ap.js';

type Raw = Record<string, unknown>;
const search = readFixture<{ result: { results: Raw[] } }>('ckan', 'package_search.json');
const [pollinators, orgChart, trees, cefas] = search.result.results as [Raw, Raw, Raw, Raw];
const csps = readFixture<Raw>('ckan', 'stable_package_show.inner.civil-service-people-survey-2011.json');

function accepted(result: MappingResult): { record: NationalRecord; errors: string[]; warnings: string[] } {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return {
    record: result.record,
    errors: result.issues.filter((i) => i.severity === 'error').map((i) => `${i.field} ${i.rule}`),
    warnings: result.issues.filter((i) => i.severity === 'warning').map((i) => `${i.field} ${i.rule}`),
  };
}

/**
 * What every data.gov.uk package lacks for the national standard: the Taiwan-only fields
 * (服務分類, 主要欄位說明, 資料集類型, 計費方式, 上級機關 and its contacts), a publisher contact
 * name and phone (CKAN core has only maintainer, unset there), and an identifier in the national
 * 機關代碼-流水號 form (the CKAN id is a UUID).
 */
const UK_LACKS = [
  'categoryCode required',
  'fieldDescription required',
  'type required',
  'cost required',
  'organization required',
  'organizationContactName required',
  'organizationContactPhone required',
  'organizationContactEmail required',
  'publisherContactName required',
  'publisherContactPhone required',
  'identifier pattern',
];

t.test('a data.gov.uk package_search result, field by field', async (t) => {
  const { record, errors, warnings } = accepted(mapCkanPackage(pollinators));
  t.equal(record.identifier, 'df1a587d-836a-4c63-b070-e5b6192117e4', 'the immutable CKAN id');
  t.match(record.title, /^Pollinator and pollination service data/);
  t.match(record.description, /^This dataset contains data on insects/);
  t.equal(record.publisher, 'Environmental Information Data Centre', 'organization.title');
  t.equal(record.keyword?.length, 13);
  t.same(record.keyword?.slice(0, 2), ['Common Carder Bee', 'Early bumblebee'], 'tags[].display_name');
  t.equal(record.license, 'UK Open Government Licence (OGL)', 'license_title: a licence we do not know is kept as sent');
  t.equal(record.licenseURL, 'http://reference.data.gov.uk/id/open-government-licence');
  t.equal(record.issued, '2016-08-16T18:34:06Z', 'metadata_created is UTC without offset: read as UTC, not Taipei');
  t.equal(record.modified, '2020-03-18T04:48:27Z');
  t.equal(record.publisherContactEmail, 'm.p.garratt@reading.ac.uk', 'contact-email, trimmed of its newlines');
  t.equal(record.accrualPeriodicity, '不更新', 'extras frequency-of-update notPlanned (ISO 19115)');
  t.match(record.spatial, /^\{"type": "Polygon"/, 'extras spatial (GeoJSON)');
  t.equal(record.temporalCoverageFrom, '2015-01-01', 'temporal_coverage-from sent as a one-element list');
  t.equal(record.temporalCoverageTo, '2015-12-31');
  t.same(record.distribution, [
    {
      resourceID: 'bf59b729-ab16-43eb-bf66-3e3b47d30a01',
      resourceDescription: 'Supporting information',
      extensions: { resourceNotes: 'Supporting information available to assist in re-use of this dataset' },
      format: 'ZIP',
      downloadURL: 'https://data-package.ceh.ac.uk/sd/5822900b-3af4-4bb9-a2d6-0b5d384e2a3c.zip',
      resourceModified: '2020-03-18T04:48:27Z',
    },
    {
      resourceID: 'cbda648e-67c0-4a4b-b43b-4e027101a9bb',
      resourceDescription: 'Download the data',
      extensions: { resourceNotes: 'Download a copy of this data' },
      downloadURL: 'https://catalogue.ceh.ac.uk/download?fileIdentifier=5822900b-3af4-4bb9-a2d6-0b5d384e2a3c',
      resourceModified: '2020-03-18T04:48:27Z',
    },
  ]);
  const extras = record.extensions?.sourceExtras ?? {};
  t.equal(record.extensions?.sourceVocabulary, 'ckan');
  t.same(extras['organization'], { id: '866f4088-ae4f-43b8-ba8c-6d3141a327f2', name: 'eidc' }, 'organization.name kept');
  t.equal(extras['name'], 'pollinator-and-pollination-service-data-from-the-national-pollinator-and-pollination-monit-2015');
  t.equal(extras['license_id'], 'uk-ogl');
  t.equal(extras['guid'], '5822900b-3af4-4bb9-a2d6-0b5d384e2a3c', 'unmapped extras kept under their own key');
  t.equal(extras['bbox-east-long'], '1.768');
  t.equal(extras['metadata-language'], 'eng', 'the metadata language is not the dataset language');
  t.equal(extras['harvest_source_title'], 'EIDC GEMINI records');
  t.notOk('frequency-of-update' in extras, 'a mapped extra is not kept twice');
  t.notOk('spatial' in extras);
  t.same(extras['resources'], [
    { id: 'bf59b729-ab16-43eb-bf66-3e3b47d30a01', resource_locator_function: 'information' },
    { id: 'cbda648e-67c0-4a4b-b43b-4e027101a9bb', resource_locator_function: 'order' },
  ]);
  // The second resource has format "": the source really lacks it.
  t.same(errors, [...UK_LACKS, 'distribution[1].format required']);
  t.same(warnings, ['license codelist', 'description maxLength'], 'OGL is not in our licence list; the description is long');
  t.same(await recordViolations(record), [], 'DCAT-AP 3.0.1: no violation (publisher, licence, distributions with URLs are all there)');
});

t.test('the exact validation errors of every data.gov.uk fixture package', async (t) => {
  // organisation-chart: no frequency extra and no contact email at all.
  t.same(accepted(mapCkanPackage(orgChart)).errors, [
    ...UK_LACKS.slice(0, 4),
    'accrualPeriodicity required',
    ...UK_LACKS.slice(4, 10),
    'publisherContactEmail required',
    'identifier pattern',
  ]);
  t.same(accepted(mapCkanPackage(trees)).errors, [...UK_LACKS, 'distribution[0].format required'], 'first resource has format ""');
  t.same(accepted(mapCkanPackage(cefas)).errors, [...UK_LACKS, 'distribution[0].format required'], 'its only resource has format ""');
  t.same(
    accepted(mapCkanPackage(csps)).errors,
    [...UK_LACKS.slice(0, 10), 'publisherContactEmail required', 'identifier pattern'],
    'package_show: no contact email in the package',
  );
  for (const pkg of [orgChart, trees, cefas, csps]) {
    t.same(await recordViolations(accepted(mapCkanPackage(pkg)).record), [], `${String(pkg['name'])}: DCAT-AP conformant`);
  }
});

t.test('package_show of civil-service-people-survey-2011: landing page, frequency, custom fields', async (t) => {
  const { record } = accepted(mapCkanPackage(csps));
  t.equal(record.landingPage, 'http://www.civilservice.gov.uk/about/improving/employee-engagement-in-the-civil-service/people-survey-2011', 'url');
  t.equal(record.accrualPeriodicity, '不更新', 'update_frequency "never"');
  t.equal(record.temporalCoverageFrom, '2011-09-19');
  t.equal(record.temporalCoverageTo, '2011-10-21');
  t.equal(record.publisher, 'Cabinet Office');
  t.equal(record.distribution?.length, 4);
  t.same(
    record.distribution?.[3],
    {
      resourceID: 'e2e32da6-3155-4142-be31-7c8d7f0d6c88',
      resourceDescription: 'CSPS 201 - summary of organisation scores (CSV)',
      format: 'CSV',
      downloadURL: 'http://www.civilservice.gov.uk/wp-content/uploads/2012/02/csps2011_allorganisations_20120202.csv',
    },
    'no name: the description is the resource description; no dates on the resource',
  );
  const extras = record.extensions?.sourceExtras ?? {};
  t.equal(extras['precision'], 'percentages rounded to whole integer', 'a site schema field is kept');
  t.equal(extras['geographic_granularity'], 'national');
  t.match(extras['odi-certificate'], { level: 'bronze' }, 'objects are kept whole');
  t.notOk('revision_id' in extras, 'CKAN bookkeeping is not metadata');
});

t.test('well-known keys, the national identifier and licences', async (t) => {
  const pkg: Raw = {
    id: 'b1d2c3',
    name: 'air-quality',
    title: '空氣品質監測',
    notes: '每小時更新',
    maintainer: '王小明',
    maintainer_email: 'wang@example.gov.tw',
    license_id: 'cc-by',
    license_title: 'Creative Commons Attribution 4.0',
    license_url: 'https://creativecommons.org/licenses/by/4.0/',
    metadata_created: '2023-01-01T00:00:00',
    metadata_modified: '2024-06-30T20:15:00.123456',
    tags: ['空氣', { name: 'pm25', display_name: 'PM2.5' }, '空氣'],
    groups: [{ name: 'environment' }],
    extras: [
      { key: 'identifier', value: 'A41000000G-000123' },
      { key: 'accrual_periodicity', value: 'R/PT1H' },
      { key: 'language', value: 'zh-TW' },
      { key: 'temporal_start', value: '2018-05' },
      { key: 'temporal_end', value: '107/12' },
      { key: 'contact_phone', value: '02-1234-5678' },
      { key: 'custom', value: 'kept' },
    ],
    resources: [
      { id: 'r1', name: 'API', format: 'API', url: 'https://api.example.gov.tw/aq', last_modified: '2024-06-30T20:00:00' },
      { id: 'r2', name: '下載', format: '', mimetype: 'text/csv', url: 'https://example.gov.tw/aq.csv', created: '2024-06-01T00:00:00' },
    ],
  };
  const { record, warnings } = accepted(mapCkanPackage(pkg));
  t.equal(record.identifier, 'A41000000G-000123', 'a national-pattern identifier in the extras wins');
  t.equal(record.publisherOrgCode, 'A41000000G', 'derived from it');
  t.equal(record.extensions?.sourceExtras?.['id'], 'b1d2c3', 'the CKAN id is kept');
  t.equal(record.license, 'CC BY 4.0');
  t.equal(record.licenseURL, 'https://creativecommons.org/licenses/by/4.0/');
  t.equal(record.accrualPeriodicity, '每小時');
  t.equal(record.language, 'zh');
  t.equal(record.temporalCoverageFrom, '2018-05', 'a partial date stays partial');
  t.equal(record.temporalCoverageTo, '2018-12', 'ROC 107/12');
  t.equal(record.publisherContactName, '王小明');
  t.equal(record.publisherContactEmail, 'wang@example.gov.tw');
  t.equal(record.publisherContactPhone, '02-1234-5678');
  t.equal(record.issued, '2023-01-01T00:00:00Z');
  t.equal(record.modified, '2024-06-30T20:15:00Z', 'UTC, fractions dropped');
  t.same(record.keyword, ['空氣', 'PM2.5'], 'plain and object tags, once each');
  t.same(record.distribution, [
    { resourceID: 'r1', resourceDescription: 'API', format: 'API', accessURL: 'https://api.example.gov.tw/aq', resourceModified: '2024-06-30T20:00:00Z' },
    // No language configured for the source: the Chinese text is left untagged, not guessed.
    {
      resourceID: 'r2',
      resourceDescription: '下載',
      format: 'CSV',
      downloadURL: 'https://example.gov.tw/aq.csv',
      resourceModified: '2024-06-01T00:00:00Z',
      extensions: { textLanguages: { resourceDescription: '' } },
    },
  ]);
  t.ok(warnings.includes('distribution[1].format derived'), 'a derived format is said');
  t.ok(warnings.includes('language normalise'));
  t.same(record.extensions?.sourceExtras?.['groups'], [{ name: 'environment' }]);
  t.equal(record.extensions?.sourceExtras?.['custom'], 'kept');
  const gen1 = toGen1Json(record);
  t.equal(gen1['temporalCoverageFrom'], '2018-05', 'the gen-1 view serves the partial date as it is');
  t.equal(gen1['modified'], '2024-07-01 04:15:00', 'and date-times in Taipei time');
  // The package has no organization: the publisher node carries only the derived agency code.
  t.same(await recordViolations(record), ['foaf:name MinCount']);
});

t.test('rejections and odd shapes', async (t) => {
  t.notOk(mapCkanPackage([]).ok, 'not an object');
  const noId = mapCkanPackage({ title: 'x' });
  t.notOk(noId.ok);
  t.match(noId.issues, [{ field: 'identifier', rule: 'required' }]);
  const nameAsTitle = accepted(mapCkanPackage({ id: 'p1', name: 'slug-only' }));
  t.equal(nameAsTitle.record.title, 'slug-only', 'no title: the name stands in');
  t.ok(nameAsTitle.warnings.includes('title normalise'));
  const odd = accepted(mapCkanPackage({ id: 'p2', title: 'T', extras: { frequency: 'daily' }, tags: 'a,b', resources: {}, organization: 'x' }));
  t.equal(odd.record.accrualPeriodicity, '每日', 'extras as an object (old CKAN)');
  t.same(odd.record.extensions?.unknownKeys, { tags: 'a,b', resources: {}, organization: 'x' }, 'wrong shapes are parked, not dropped');
});

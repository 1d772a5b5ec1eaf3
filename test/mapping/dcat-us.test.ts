import t from 'tap';
import { mapDcatUsDataset } from '../../src/mapping/dcat-us.js';
import type { MappingResult, NationalRecord } from '../../src/model/record.js';
import { toGen1Json } from '../../src/views/gen1.js';
import { readFixture } from '../helpers/gateway.js';
import { recordViolations } from '../helpers/dcat-ap.js';

type Raw = Record<string, unknown>;
const extended = readFixture<{ dataset: Raw[] }>('dcat-us', 'catalog-sample-extended.json').dataset;
const cftc = readFixture<{ dataset: Raw[] }>('dcat-us', 'dcatus.json').dataset;
const v3 = readFixture<{ dataset: Raw[] }>('dcat-us', 'dcatus3_0.json').dataset;

function accepted(result: MappingResult): { record: NationalRecord; errors: string[]; warnings: string[] } {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return {
    record: result.record,
    errors: result.issues.filter((i) => i.severity === 'error').map((i) => `${i.field} ${i.rule}`),
    warnings: result.issues.filter((i) => i.severity === 'warning').map((i) => `${i.field} ${i.rule}`),
  };
}

/**
 * What no DCAT-US dataset has: the Taiwan-only fields (服務分類, 主要欄位說明, 資料集類型, 計費方式),
 * the parent agency's contacts and a contact phone (POD's contactPoint has fn and hasEmail only).
 */
const US_LACKS_HEAD = ['categoryCode required', 'fieldDescription required', 'type required'];
const US_LACKS_CONTACTS = [
  'organizationContactName required',
  'organizationContactPhone required',
  'organizationContactEmail required',
  'publisherContactPhone required',
];

t.test('Project Open Data 1.1 extended sample, field by field', async (t) => {
  const { record, errors, warnings } = accepted(mapDcatUsDataset(extended[0]));
  t.equal(record.identifier, 'http://dx.doi.org/10.7927/H4PZ56R2');
  t.equal(record.title, 'U.S. Widget Manufacturing Statistics');
  t.equal(record.description, 'This dataset provides national statistics on the production of widgets');
  t.same(record.keyword, ['widget', 'manufacturing', 'factory']);
  t.equal(record.modified, '2011-11-19T12:00:00Z');
  t.equal(record.issued, '2011-11-22');
  t.equal(record.publisher, 'Widget Services');
  t.equal(record.organization, 'Office of Citizen Services and Innovative Technologies', 'subOrganizationOf is the parent agency');
  t.equal(record.publisherContactName, 'Jane Doe');
  t.equal(record.publisherContactEmail, 'jane.doe@agency.gov', 'mailto: dropped');
  t.equal(record.license, 'CC0 1.0');
  t.equal(record.licenseURL, 'http://creativecommons.org/publicdomain/zero/1.0/', 'the licence URL as the source wrote it (http), not the canonical one');
  t.equal(record.spatial, 'United States');
  t.equal(record.temporalCoverageFrom, '2009-09-01T12:00:00Z', 'temporal interval start');
  t.equal(record.temporalCoverageTo, '2010-05-31T12:00:00Z');
  t.equal(record.accrualPeriodicity, '每年', 'R/P1Y');
  t.equal(record.language, 'en', 'en-US');
  t.equal(record.landingPage, 'http://agency.gov/widgets/data');
  t.equal(record.distribution?.length, 4);
  t.same(record.distribution?.[0], {
    resourceID: 'http://dx.doi.org/10.7927/H4PZ56R2-001',
    extensions: { resourceIDSynthesised: true, resourceNotes: 'Widgets data as a CSV file' },
    resourceDescription: 'widgets.csv',
    format: 'CSV',
    downloadURL: 'https://data.agency.gov/datasets/widgets-statistics/widgets.csv',
  });
  t.same(record.distribution?.[3], {
    resourceID: 'http://dx.doi.org/10.7927/H4PZ56R2-004',
    extensions: { resourceIDSynthesised: true, resourceNotes: 'A fully queryable REST API with JSON and XML output' },
    resourceDescription: 'Widgets REST API',
    format: 'API',
    accessURL: 'https://data.agency.gov/api/widgets-statistics/',
  });
  const extras = record.extensions?.sourceExtras ?? {};
  t.equal(record.extensions?.sourceVocabulary, 'dcat-us');
  t.equal(extras['accessLevel'], 'public');
  t.same(extras['bureauCode'], ['018:10']);
  t.same(extras['programCode'], ['018:001']);
  t.equal(extras['dataQuality'], true);
  t.equal(extras['primaryITInvestmentUII'], '021-006227212');
  t.equal(extras['systemOfRecords'], 'http://www.agency.gov/widgets/sorn/');
  t.same(extras['theme'], ['manufacturing']);
  t.same(extras['references'], ['http://agency.gov/docs/widgets-1.html', 'http://agency.gov/docs/widgets-2.html']);
  t.match(extras['rights'], /public domain dedication/);
  t.equal(extras['conformsTo'], 'http://www.agency.gov/widget-taxonomy/');
  t.equal(extras['describedBy'], 'http://www.agency.gov/datasets/widgets-dictionary.html');
  t.same(extras['language'], ['en-US']);
  t.same(extras['publisherHierarchy'], [
    'Widget Services',
    'Office of Citizen Services and Innovative Technologies',
    'General Services Administration',
    'U.S. Government',
  ]);
  t.same((extras['distribution'] as Raw[])[2], {
    resourceID: 'http://dx.doi.org/10.7927/H4PZ56R2-003',
    conformsTo: 'http://www.agency.gov/widget-data-standard/',
    describedBy: 'http://www.agency.gov/widgets/schema.json',
    describedByType: 'application/schema+json',
    mediaType: 'application/json',
  });
  t.same(errors, [...US_LACKS_HEAD, 'cost required', ...US_LACKS_CONTACTS, 'identifier pattern']);
  t.same(warnings, ['distribution[1].format codelist'], '"Zipped CSV" is not written in capitals');
  t.same(await recordViolations(record), []);
});

t.test('the other extended-sample datasets: a licence we do not know is kept as sent', async (t) => {
  for (const dataset of extended.slice(1)) {
    const { record, errors, warnings } = accepted(mapDcatUsDataset(dataset));
    t.equal(record.license, 'http://creativecommons.org/publicdomain/mark/1.0/');
    t.equal(record.licenseURL, 'http://creativecommons.org/publicdomain/mark/1.0/');
    t.same(errors, [...US_LACKS_HEAD, 'cost required', ...US_LACKS_CONTACTS, 'identifier pattern']);
    t.same(warnings, ['license codelist']);
    t.same(await recordViolations(record), []);
  }
  t.equal(accepted(mapDcatUsDataset(extended[2])).record.extensions?.sourceExtras?.['isPartOf'], 'widget-modulators');
});

t.test('data.gov harvester 1.1 example: modified as a repeating duration', async (t) => {
  const { record, errors, warnings } = accepted(mapDcatUsDataset(cftc[0]));
  t.equal(record.identifier, 'cftc-dc1');
  t.equal(record.modified, undefined, 'R/P1W is no date');
  t.equal(record.accrualPeriodicity, '每週', 'it is a frequency');
  t.equal(record.extensions?.sourceExtras?.['modified'], 'R/P1W', 'kept as sent');
  t.equal(record.organization, 'U.S. Government');
  t.same(record.distribution, [
    { resourceID: 'cftc-dc1-001', extensions: { resourceIDSynthesised: true }, accessURL: 'https://www.cftc.gov/MarketReports/CommitmentsofTraders/index.htm' },
  ]);
  // No license, and the only distribution has neither title, description nor format.
  t.same(errors, [
    ...US_LACKS_HEAD,
    'license required',
    'licenseURL required',
    'cost required',
    ...US_LACKS_CONTACTS,
    'identifier pattern',
    'distribution[0].resourceDescription required',
    'distribution[0].format required',
  ]);
  t.same(warnings, ['modified normalise']);
  t.same(await recordViolations(record), [], 'DCAT-AP has no licence minimum on the dataset');
  const dated = accepted(mapDcatUsDataset(cftc[4]));
  t.equal(dated.record.modified, '2011-06-30', 'a real date');
  t.ok(dated.errors.includes('accrualPeriodicity required'), 'and then no frequency: the source has none');
});

t.test('DCAT-US 3.0: identifier objects, the same national fields', async (t) => {
  const ids = v3.map((dataset) => accepted(mapDcatUsDataset(dataset)).record.identifier);
  t.same(ids, ['https://example.gov/datasets/one', 'https://example.gov/datasets/two', 'https://example.gov/datasets/three', 'NCDC-CLIMATE-OBS-2024']);
  const fourth = accepted(mapDcatUsDataset(v3[3]));
  t.same(fourth.record.extensions?.sourceExtras?.['identifier'], v3[3]!['identifier'], 'the identifier object is kept whole');
  t.equal(fourth.record.publisherContactEmail, 'four@example.gov');
  // 3.0 examples have no licence, frequency, or parent agency.
  t.same(fourth.errors, [
    ...US_LACKS_HEAD,
    'license required',
    'licenseURL required',
    'cost required',
    'accrualPeriodicity required',
    'organization required',
    ...US_LACKS_CONTACTS,
    'identifier pattern',
  ]);
  t.same(await recordViolations(fourth.record), []);

  const rich = accepted(
    mapDcatUsDataset({
      identifier: { '@id': 'https://example.gov/datasets/rich' },
      title: 'Rich',
      contactPoint: [
        { fn: 'A', hasEmail: 'mailto:a@example.gov', hasTelephone: 'tel:+1-202-555-0100' },
        { fn: 'B', hasEmail: 'mailto:b@example.gov' },
      ],
      license: { '@id': 'https://creativecommons.org/licenses/by/4.0/' },
      temporal: { startDate: '2018-05', endDate: '2019' },
      spatial: { '@type': 'Location', bbox: '1,2,3,4' },
      accrualPeriodicity: 'http://publications.europa.eu/resource/authority/frequency/MONTHLY',
      distribution: [{ downloadURL: 'https://example.gov/x.csv', mediaType: 'text/csv' }],
    }),
  );
  t.equal(rich.record.publisherContactPhone, '+1-202-555-0100');
  t.same(rich.record.extensions?.sourceExtras?.['contactPoint'], [{ fn: 'B', hasEmail: 'mailto:b@example.gov' }]);
  t.equal(rich.record.license, 'CC BY 4.0');
  t.equal(rich.record.temporalCoverageFrom, '2018-05');
  t.equal(rich.record.temporalCoverageTo, '2019');
  t.equal(rich.record.accrualPeriodicity, '每月');
  t.same(rich.record.extensions?.sourceExtras?.['spatial'], { '@type': 'Location', bbox: '1,2,3,4' });
  t.equal(rich.record.distribution?.[0]?.format, 'CSV', 'derived from mediaType');
  t.ok(rich.warnings.includes('distribution[0].format derived'));
  t.equal(toGen1Json(rich.record)['temporalCoverageTo'], '2019', 'gen-1 view keeps the partial year');
});

t.test('temporal intervals with partial dates, unreadable values kept', async (t) => {
  const base = { identifier: 'x', title: 'X' };
  const partial = accepted(mapDcatUsDataset({ ...base, temporal: '2018-05/2018-06' })).record;
  t.equal(partial.temporalCoverageFrom, '2018-05');
  t.equal(partial.temporalCoverageTo, '2018-06');
  t.same(await recordViolations(partial).then((v) => v.filter((x) => x.includes('temporal') || x.includes('Date'))), [], 'xsd:gYearMonth in DCAT-AP');
  const bad = accepted(mapDcatUsDataset({ ...base, temporal: '2010-01-01/P1Y', accrualPeriodicity: 'every now and then' }));
  t.equal(bad.record.temporalCoverageFrom, undefined);
  t.equal(bad.record.extensions?.sourceExtras?.['temporal'], '2010-01-01/P1Y');
  t.equal(bad.record.accrualPeriodicity, 'every now and then', 'an unreadable frequency stays as sent');
  t.ok(bad.warnings.includes('accrualPeriodicity codelist'));
  t.notOk(mapDcatUsDataset({ title: 'no id' }).ok);
  t.notOk(mapDcatUsDataset({ identifier: { schemaAgency: 'x' }, title: 'id object without @id or notation' }).ok);
  t.notOk(mapDcatUsDataset('x').ok);
});

t.test('Project Open Data 1.0: contactPoint as a name and mbox at the dataset level are the contact', async (t) => {
  const [es, de, tw] = readFixture<{ dataset: Raw[] }>('dcat-us', 'pod-1.0-contacts.json').dataset;
  const spanish = accepted(mapDcatUsDataset(es));
  t.equal(spanish.record.publisherContactName, 'María José Núñez', 'contactPoint text is the contact name, as sent');
  t.equal(spanish.record.publisherContactEmail, 'maria.nunez@ayto-ejemplo.es', 'mbox is the contact email');
  t.notOk(
    spanish.errors.some((e) => /^publisherContact(Name|Email)/.test(e)),
    `no contact error: ${spanish.errors.join('; ')}`,
  );
  t.notOk(spanish.record.extensions?.unknownKeys, 'nothing parked');
  t.notOk(spanish.record.extensions?.sourceExtras?.['mbox'], 'mbox is read, not kept as an unknown extra');

  const german = accepted(mapDcatUsDataset(de));
  t.equal(german.record.publisherContactName, 'Jörg Müller');
  t.equal(german.record.publisherContactEmail, 'joerg.mueller@stadtwerke-beispiel.de', 'mailto: dropped as for hasEmail');

  const chinese = accepted(mapDcatUsDataset(tw));
  t.equal(chinese.record.publisherContactName, '王小明');
  t.equal(chinese.record.publisherContactEmail, 'wang@example.gov.tw', "the vCard's hasEmail wins over mbox");
  t.equal(chinese.record.extensions?.sourceExtras?.['mbox'], 'service@example.gov.tw', 'a different mbox is kept as sent');

  const list = accepted(mapDcatUsDataset({ identifier: 'x-1', title: 'x', contactPoint: ['Ana Lima', { fn: 'B' }] }));
  t.equal(list.record.publisherContactName, 'Ana Lima', 'a name first in a list');

  const bad = accepted(mapDcatUsDataset({ identifier: 'x-2', title: 'x', contactPoint: 42, mbox: ['a@b.example'] }));
  t.notOk(bad.record.publisherContactName, 'a number is no name');
  t.ok(bad.errors.includes('publisherContactName type'), 'a contactPoint of another type is still reported');
  t.ok(
    bad.errors.some((e) => e.startsWith('publisherContactEmail')),
    `an mbox that is not text is reported: ${bad.errors.join('; ')}`,
  );
});

import t from 'tap';
import { readFileSync } from 'node:fs';
import { mapGen1 } from '../../src/mapping/gen1.js';
import { mapNationalRecord, detectNationalVocabulary } from '../../src/mapping/detect.js';
import { projectPath } from '../../src/model/project-root.js';
import type { MappingResult, NationalRecord, ValidationIssue } from '../../src/model/record.js';

type Raw = Record<string, unknown>;

function fixture(...parts: string[]): Raw {
  return JSON.parse(readFileSync(projectPath('test', 'fixtures', ...parts), 'utf8')) as Raw;
}

const specExample = fixture('crossplatform', 'spec-example-record.json')['result'] as Raw;

function accepted(result: MappingResult): { record: NationalRecord; issues: ValidationIssue[] } {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result;
}

function issueAt(issues: ValidationIssue[], field: string, rule?: string): ValidationIssue | undefined {
  return issues.find((issue) => issue.field === field && (rule === undefined || issue.rule === rule));
}

t.test('the cross-platform spec example maps with exactly its real-world flaws flagged', async (t) => {
  const { record, issues } = accepted(mapGen1(structuredClone(specExample)));
  t.equal(record.identifier, 'A41000000G-000001');
  t.equal(record.title, '行政院公報');
  t.equal(record.organizationContactEmail, 'example1@ndc.gov.tw', 'trailing space trimmed');
  t.equal(record.publisherContactPhone, '02-23165300#OO', 'trailing space trimmed');
  t.equal(record.costURL, '', 'empty string kept');
  t.equal(record.costLaw, '');
  t.equal(record.issued, '2015-01-01T15:59:59Z', 'Taipei local time → UTC');
  t.equal(record.temporalCoverageFrom, '2014-01-01', 'date stays a date');
  t.equal(record.distribution?.[0]?.resourceModified, '2015-01-01T15:59:59Z');
  t.equal(record.distribution?.[2]?.format, 'services', 'format kept as sent');
  t.equal(record.license, '政府資料開放平臺資料使用規範', 'licence text kept');
  t.equal(record.numberOfData, 4600);
  t.same(record.keyword, ['公報', '施政', '服務', '行政院']);
  t.same(record.extensions, { sourceVocabulary: 'gen1' });

  t.same(
    issues.map(({ field, rule, severity }) => ({ field, rule, severity })),
    [
      { field: 'landingPage', rule: 'url', severity: 'error' },
      { field: 'distribution[0].downloadURL', rule: 'url', severity: 'error' },
      { field: 'distribution[1].downloadURL', rule: 'url', severity: 'error' },
      { field: 'distribution[2].format', rule: 'codelist', severity: 'warning' },
    ],
  );
  t.match(issueAt(issues, 'landingPage')?.message, 'http://gazette.nat.gov.tw/egFront/Open Data/list.jsp');
});

t.test('the example is also routed to gen-1 by detection', async (t) => {
  t.equal(detectNationalVocabulary(specExample), 'gen1');
  const viaDetect = accepted(mapNationalRecord(structuredClone(specExample)));
  t.same(viaDetect.record, accepted(mapGen1(structuredClone(specExample))).record);
});

t.test('a record missing its title is rejected naming title', async (t) => {
  const raw = structuredClone(specExample);
  delete raw['title'];
  const result = mapGen1(raw);
  t.equal(result.ok, false);
  t.match(result.issues, [{ field: 'title', rule: 'required', severity: 'error', message: /^title is required/ }]);
  t.equal(result.issues.length, 1);
});

t.test('blank, null or non-string identifier / title are rejected', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['title', '   '],
    ['title', null],
    ['title', 42],
    ['identifier', ''],
    ['identifier', null],
    ['identifier', 12345],
    ['identifier', ['A41000000G-000001']],
  ];
  for (const [field, value] of cases) {
    const raw = structuredClone(specExample);
    raw[field] = value;
    const result = mapGen1(raw);
    t.equal(result.ok, false, `${field} ${JSON.stringify(value)}`);
    t.equal(result.issues[0]?.field, field);
    t.equal(result.issues[0]?.rule, 'required');
  }
  const bothMissing = mapGen1({ description: 'x' });
  t.same(
    bothMissing.issues.map((issue) => issue.field),
    ['identifier', 'title'],
  );
});

t.test('non-objects are rejected', async (t) => {
  for (const raw of [null, undefined, 'A41000000G-000001', 42, true, [], [specExample], new Date()]) {
    const result = mapGen1(raw);
    t.equal(result.ok, false, String(raw));
    t.match(result.issues, [{ rule: 'type', severity: 'error', message: /must be a JSON object/ }]);
  }
  t.equal(mapNationalRecord(null).ok, false, 'detection rejects too');
});

t.test('a wrapped API response is not a record', async (t) => {
  const result = mapGen1(fixture('crossplatform', 'spec-example-record.json'));
  t.equal(result.ok, false);
  t.same(
    result.issues.map((issue) => issue.field),
    ['identifier', 'title'],
  );
});

t.test('value normalisation', async (t) => {
  const raw: Raw = {
    ...structuredClone(specExample),
    identifier: '  A41000000G-000001 ',
    title: ' 行政院公報\n',
    notes: null,
    spatial: null,
    distribution: null,
    numberOfData: '4600',
    keyword: '公報, 施政、服務',
    issued: '110/08/01',
    modified: '民國110年8月1日 14時30分',
    temporalCoverageFrom: '2014/01/01',
    temporalCoverageTo: 'until further notice',
    viewCount: 1234,
    downloadCount: { total: 5 },
  };
  const { record, issues } = accepted(mapGen1(raw));
  t.equal(record.identifier, 'A41000000G-000001');
  t.equal(record.title, '行政院公報');
  t.notOk('notes' in record, 'null → absent');
  t.notOk('spatial' in record);
  t.notOk('distribution' in record, 'distribution: null → absent');
  t.equal(record.numberOfData, 4600, 'numeric string → number');
  t.notOk(issueAt(issues, 'numberOfData'), 'an integer string is fine');
  t.same(record.keyword, ['公報', '施政', '服務']);
  t.match(issueAt(issues, 'keyword', 'normalise'), { severity: 'warning' });
  t.equal(record.issued, '2021-08-01');
  t.equal(record.modified, '2021-08-01T06:30:00Z');
  t.equal(record.temporalCoverageFrom, '2014-01-01');
  t.equal(record.temporalCoverageTo, 'until further notice', 'unparseable date kept verbatim');
  t.match(issueAt(issues, 'temporalCoverageTo', 'date'), { severity: 'error', message: /could not be read as a date/ });
  t.equal(issues.filter((issue) => issue.field === 'temporalCoverageTo').length, 1, 'reported once, not again by validation');
  t.same(record.extensions?.unknownKeys, { viewCount: 1234, downloadCount: { total: 5 } });
});

t.test('numberOfData that is not an integer', async (t) => {
  const decimal = accepted(mapGen1({ ...structuredClone(specExample), numberOfData: '46.5' }));
  t.equal(decimal.record.numberOfData, 46.5);
  t.match(issueAt(decimal.issues, 'numberOfData', 'type'), { severity: 'error' });

  const text = accepted(mapGen1({ ...structuredClone(specExample), numberOfData: '約4600筆' }));
  t.notOk('numberOfData' in text.record);
  t.equal(text.record.extensions?.unknownKeys?.['numberOfData'], '約4600筆', 'nothing is lost');
  t.match(issueAt(text.issues, 'numberOfData', 'type'), { severity: 'error' });

  const thousands = accepted(mapGen1({ ...structuredClone(specExample), numberOfData: '4,600' }));
  t.equal(thousands.record.numberOfData, 4600);
});

t.test('licence and frequency texts are kept; only issues are reported', async (t) => {
  const raw: Raw = {
    ...structuredClone(specExample),
    license: '政府資料開放授權條款－第1版',
    licenseURL: 'http://data.gov.tw/principle',
    accrualPeriodicity: '每1年',
  };
  const { record, issues } = accepted(mapGen1(raw));
  t.equal(record.license, '政府資料開放授權條款－第1版');
  t.equal(record.accrualPeriodicity, '每1年');
  t.match(issueAt(issues, 'licenseURL', 'consistency'), { severity: 'warning' });
  t.match(issueAt(issues, 'accrualPeriodicity', 'codelist'), { severity: 'warning', message: /每年/ });

  const unknown = accepted(mapGen1({ ...structuredClone(specExample), license: '創用CC 姓名標示 3.0 台灣', accrualPeriodicity: '每15日或每2月' }));
  t.equal(unknown.record.license, '創用CC 姓名標示 3.0 台灣');
  t.match(issueAt(unknown.issues, 'license', 'codelist'), { severity: 'warning' });
  t.match(issueAt(unknown.issues, 'accrualPeriodicity', 'codelist'), { severity: 'warning' });
});

t.test('publisherOrgCode is derived only when absent and the identifier has the standard shape', async (t) => {
  const raw = structuredClone(specExample);
  delete raw['publisherOrgCode'];
  const derived = accepted(mapGen1(raw));
  t.equal(derived.record.publisherOrgCode, 'A41000000G');
  t.match(issueAt(derived.issues, 'publisherOrgCode', 'derived'), { severity: 'warning' });

  const badIdentifier = accepted(mapGen1({ ...raw, identifier: '355000000-000004' }));
  t.notOk('publisherOrgCode' in badIdentifier.record, 'no derivation from a malformed identifier');
  t.match(issueAt(badIdentifier.issues, 'identifier', 'pattern'), { severity: 'error' });

  const present = accepted(mapGen1(structuredClone(specExample)));
  t.notOk(issueAt(present.issues, 'publisherOrgCode', 'derived'));
});

t.test('distribution oddities', async (t) => {
  const single = accepted(
    mapGen1({
      ...structuredClone(specExample),
      distribution: { resourceID: 'A41000000G-000001-001', resourceDescription: 'x', format: 'CSV', downloadURL: 'https://example.gov.tw/a.csv', size: 10 },
    }),
  );
  t.equal(single.record.distribution?.length, 1, 'a lone object is one resource');
  t.match(issueAt(single.issues, 'distribution', 'type'), { severity: 'warning' });
  t.equal(single.record.extensions?.unknownKeys?.['distribution[0].size'], 10, 'unknown resource keys are kept');

  const garbage = accepted(mapGen1({ ...structuredClone(specExample), distribution: 'none' }));
  t.notOk('distribution' in garbage.record);
  t.match(issueAt(garbage.issues, 'distribution', 'type'), { severity: 'error' });

  const badItem = accepted(mapGen1({ ...structuredClone(specExample), distribution: ['x'] }));
  t.same(badItem.record.distribution, []);
  t.match(issueAt(badItem.issues, 'distribution[0]', 'type'), { severity: 'error' });
});

t.test('text fields given as numbers or objects', async (t) => {
  const { record, issues } = accepted(mapGen1({ ...structuredClone(specExample), organizationContactPhone: 223165300, spatial: { lat: 25, lon: 121 } }));
  t.equal(record.organizationContactPhone, '223165300');
  t.match(issueAt(issues, 'organizationContactPhone', 'type'), { severity: 'warning' });
  t.notOk('spatial' in record);
  t.same(record.extensions?.unknownKeys?.['spatial'], { lat: 25, lon: 121 });
  t.match(issueAt(issues, 'spatial', 'type'), { severity: 'error' });
});

t.test('the input is not modified', async (t) => {
  const raw = structuredClone(specExample);
  const before = JSON.stringify(raw);
  mapGen1(raw);
  t.equal(JSON.stringify(raw), before);
});

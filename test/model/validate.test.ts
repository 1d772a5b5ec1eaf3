import t from 'tap';
import { readFileSync } from 'node:fs';
import { DATASET_TYPES, LANGUAGE_CODES, SERVICE_CATEGORIES, COST_VALUES } from '../../src/model/codelists.js';
import { projectPath } from '../../src/model/project-root.js';
import type { NationalRecord, ValidationIssue } from '../../src/model/record.js';
import { nationalRecordSchema, validateNationalRecord } from '../../src/model/validate.js';

function validRecord(): NationalRecord {
  return {
    categoryCode: 'A00',
    identifier: '315000000H-000123',
    title: '國道計程收費通行量統計',
    description: '國道計程收費各門架每5分鐘通行量。',
    fieldDescription: 'TimeInterval(時間區間)、GantryID(門架編號)',
    type: 'rawData',
    license: '政府資料開放授權條款-第1版',
    licenseURL: 'https://data.gov.tw/license',
    cost: '免費',
    costURL: '',
    costLaw: '',
    organization: '交通部',
    organizationContactName: '王小明 先生',
    organizationContactPhone: '02-23492900#100',
    organizationContactEmail: 'contact1@example.gov.tw',
    publisher: '交通部高速公路局',
    publisherContactName: '陳小華 小姐',
    publisherContactPhone: '02-29096141#2233',
    publisherContactEmail: 'contact2@example.gov.tw,contact3@example.gov.tw',
    publisherOID: '2.16.886.101.20003.20007.20009',
    publisherOrgCode: '315000000H',
    accrualPeriodicity: '每5分鐘',
    temporalCoverageFrom: '2014-01-01',
    temporalCoverageTo: '2021-07-31',
    issued: '2014-03-01T01:00:00Z',
    modified: '2021-08-01T02:30:00Z',
    spatial: '臺灣',
    language: 'zh',
    landingPage: 'https://tisvcloud.freeway.gov.tw/',
    keyword: ['國道', '交通量'],
    numberOfData: 288,
    notes: '',
    distribution: [
      {
        resourceID: '315000000H-000123-001',
        resourceDescription: '通行量-CSV',
        format: 'CSV',
        characterSetCode: 'UTF-8',
        resourceModified: '2021-08-01T02:30:00Z',
        downloadURL: 'https://tisvcloud.freeway.gov.tw/history/TDCS/M03A/',
      },
      {
        resourceID: '315000000H-000123-002',
        resourceDescription: '通行量-API',
        format: 'SERVICES',
        characterSetCode: 'UTF-8',
        accessURL: 'https://tisvcloud.freeway.gov.tw/api',
        metadataSourceOfData: 'https://tisvcloud.freeway.gov.tw/about',
      },
    ],
    extensions: { sourceVocabulary: 'gen1' },
  };
}

function find(issues: ValidationIssue[], field: string, rule?: string): ValidationIssue | undefined {
  return issues.find((issue) => issue.field === field && (rule === undefined || issue.rule === rule));
}

t.test('a complete, well-formed record has no issues', async (t) => {
  t.same(validateNationalRecord(validRecord()), []);
});

t.test('every mandatory SPEC2015 field is required', async (t) => {
  const mandatory = [
    'categoryCode',
    'identifier',
    'title',
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
  ] as const;
  for (const field of mandatory) {
    const record = validRecord() as unknown as Record<string, unknown>;
    delete record[field];
    const issues = validateNationalRecord(record as unknown as NationalRecord);
    t.match(find(issues, field, 'required'), { severity: 'error', message: `${field} is required` }, field);
  }
  const record = validRecord();
  delete record.publisherOID;
  delete record.publisherOrgCode;
  delete record.keyword;
  delete record.distribution;
  t.same(validateNationalRecord(record), [], 'exchange keys, keyword and distribution are not mandatory');
});

t.test('an empty mandatory field is an error; an empty optional one is not', async (t) => {
  const record = validRecord();
  record.description = '';
  record.licenseURL = '';
  record.publisherContactEmail = '';
  const issues = validateNationalRecord(record);
  t.match(find(issues, 'description', 'required'), { severity: 'error', message: /description is required and must not be empty/ });
  t.ok(find(issues, 'licenseURL', 'required'));
  t.ok(find(issues, 'publisherContactEmail', 'required'));
  t.equal(issues.length, 3, 'costURL "", costLaw "", notes "" raise nothing');
});

t.test('identifier pattern', async (t) => {
  for (const bad of ['355000000-000004', 'A41000000G000001', 'A41000000G-00001', 'A41000000G-0000011', 'A41000000G-000 01']) {
    const record = validRecord();
    record.identifier = bad;
    const issue = find(validateNationalRecord(record), 'identifier', 'pattern');
    t.match(issue, { severity: 'error', message: /identifier does not match/ }, bad);
    t.match(issue?.message, bad);
  }
});

t.test('code lists: categoryCode, type, cost, language', async (t) => {
  const cases: Array<[keyof NationalRecord, string]> = [
    ['categoryCode', 'J00'],
    ['categoryCode', 'i00'],
    ['type', 'rawdata'],
    ['type', 'services'],
    ['cost', 'free'],
    ['language', 'zh-TW'],
  ];
  for (const [field, value] of cases) {
    const record = validRecord() as unknown as Record<string, unknown>;
    record[field] = value;
    const issue = find(validateNationalRecord(record as unknown as NationalRecord), field, 'enum');
    t.match(issue, { severity: 'error', message: new RegExp(`^${field} must be one of .*: "${value}"$`) }, `${field} ${value}`);
  }
});

t.test('URL fields must be absolute http(s) URLs', async (t) => {
  const bad = [
    'http://a b',
    'http://gazette.nat.gov.tw/egFront/Open Data/list.jsp',
    'ftp://example.org/file',
    '/relative/path',
    'www.example.org',
    'http://',
    'mailto:a@b.tw',
    'javascript:alert(1)',
  ];
  for (const url of bad) {
    const record = validRecord();
    record.distribution![0]!.downloadURL = url;
    record.landingPage = url;
    const issues = validateNationalRecord(record);
    t.match(
      find(issues, 'distribution[0].downloadURL', 'url'),
      {
        severity: 'error',
        message: `distribution[0].downloadURL is not an absolute http(s) URL: ${JSON.stringify(url)}`,
      },
      url,
    );
    t.ok(find(issues, 'landingPage', 'url'), `landingPage ${url}`);
  }
  const record = validRecord();
  record.licenseURL = 'data.gov.tw/license';
  record.costURL = 'https://example.gov.tw/fee?x=1#a';
  record.distribution![1]!.metadataSourceOfData = 'HTTPS://example.gov.tw/資料/說明.pdf';
  const issues = validateNationalRecord(record);
  t.ok(find(issues, 'licenseURL', 'url'), 'licenseURL without scheme');
  t.notOk(find(issues, 'costURL'), 'query and fragment are fine');
  t.notOk(find(issues, 'distribution[1].metadataSourceOfData'), 'upper-case scheme and Chinese path are fine');
});

t.test('contact emails are a comma-separated list of addresses', async (t) => {
  const good = ['a@example.gov.tw', 'a@example.gov.tw,b@example.gov.tw', 'a.b+c@example.gov.tw , d@mail.example.tw'];
  for (const email of good) {
    const record = validRecord();
    record.organizationContactEmail = email;
    t.notOk(find(validateNationalRecord(record), 'organizationContactEmail'), email);
  }
  const bad = ['example1@ndc.gov.tw ', 'not-an-email', 'a@b', 'a@example.gov.tw;b@example.gov.tw', 'a@example.gov.tw,', '王@例子', 'a b@example.gov.tw'];
  for (const email of bad) {
    const record = validRecord();
    record.publisherContactEmail = email;
    t.match(
      find(validateNationalRecord(record), 'publisherContactEmail', 'email'),
      { severity: 'error', message: /publisherContactEmail is not an email address/ },
      JSON.stringify(email),
    );
  }
});

t.test('costURL and costLaw are required when cost is 付費', async (t) => {
  const record = validRecord();
  record.cost = '付費';
  delete record.costURL;
  record.costLaw = '';
  const issues = validateNationalRecord(record);
  t.match(find(issues, 'costURL', 'conditional'), { severity: 'error', message: 'costURL is required when cost is 付費' });
  t.match(find(issues, 'costLaw', 'conditional'), { severity: 'error', message: /costLaw is required when cost is 付費/ });
  t.equal(issues.length, 2);

  record.costURL = 'https://example.gov.tw/fee';
  record.costLaw = '規費法';
  t.same(validateNationalRecord(record), [], 'both given');
});

t.test('distribution items', async (t) => {
  const record = validRecord();
  record.distribution = [
    { resourceID: 'x-001', resourceDescription: 'd', format: 'CSV' },
    { resourceID: 'x-002', resourceDescription: 'd', format: 'CSV', downloadURL: '', accessURL: '' },
    { downloadURL: 'https://example.gov.tw/a.csv' },
    { resourceID: 'x-004', resourceDescription: 'd', format: 'CSV', accessURL: 'https://example.gov.tw/api' },
  ];
  const issues = validateNationalRecord(record);
  t.match(find(issues, 'distribution[0]', 'required'), { message: /distribution\[0\] has neither an accessURL nor a downloadURL/ });
  t.ok(find(issues, 'distribution[1]', 'required'), 'empty URLs do not count');
  t.ok(find(issues, 'distribution[2].resourceID', 'required'));
  t.ok(find(issues, 'distribution[2].resourceDescription', 'required'));
  t.ok(find(issues, 'distribution[2].format', 'required'));
  t.notOk(
    issues.some((issue) => issue.field.startsWith('distribution[3]')),
    'accessURL alone is enough',
  );
  t.notOk(find(issues, 'distribution[2]', 'required'), 'downloadURL alone is enough');
});

t.test('format written in lower case is a warning', async (t) => {
  const record = validRecord();
  record.distribution![1]!.format = 'services';
  t.same(validateNationalRecord(record), [
    {
      field: 'distribution[1].format',
      rule: 'codelist',
      severity: 'warning',
      message: 'distribution[1].format is written "SERVICES" in the standard: "services"',
    },
  ]);
});

t.test('keyword and numberOfData', async (t) => {
  const record = validRecord();
  record.keyword = [];
  record.numberOfData = -1;
  let issues = validateNationalRecord(record);
  t.match(find(issues, 'keyword', 'minItems'), { severity: 'error', message: 'keyword must have at least 1 item' });
  t.match(find(issues, 'numberOfData', 'minimum'), { severity: 'error' });

  record.keyword = ['ok', ''];
  record.numberOfData = 4.5;
  issues = validateNationalRecord(record);
  t.ok(find(issues, 'keyword[1]', 'required'), 'empty keyword');
  t.match(find(issues, 'numberOfData', 'type'), { message: /numberOfData must be an integer/ });
});

t.test('dates must be normalised ISO 8601', async (t) => {
  const record = validRecord();
  record.issued = '2015-01-01 23:59:59';
  record.modified = '110/08/01';
  record.temporalCoverageFrom = '2021-02-30';
  record.temporalCoverageTo = '2015-01-01T23:59:59+08:00';
  record.distribution![0]!.resourceModified = 'yesterday';
  const issues = validateNationalRecord(record);
  for (const field of ['issued', 'modified', 'temporalCoverageFrom', 'temporalCoverageTo', 'distribution[0].resourceModified']) {
    t.match(find(issues, field, 'date'), { severity: 'error', message: new RegExp(`^${field.replace(/[[\]]/g, '\\$&')} is not an ISO 8601 date`) }, field);
  }
  t.equal(issues.length, 5, 'one issue per date, not one per anyOf branch');

  const fine = validRecord();
  fine.issued = '2015-01-01';
  fine.modified = '';
  fine.temporalCoverageTo = '2015-01-01T15:59:59Z';
  t.same(validateNationalRecord(fine), [], 'date, empty and UTC date-time are fine');
});

t.test('suggested limits and exchange keys are warnings', async (t) => {
  const record = validRecord();
  record.title = '題'.repeat(256);
  record.description = '述'.repeat(501);
  record.fieldDescription = 'f'.repeat(256);
  record.distribution![0]!.resourceDescription = 'r'.repeat(501);
  record.publisherOID = '2.16.886.101.20003.20082 | 數位部';
  record.publisherOrgCode = '315000000';
  const issues = validateNationalRecord(record);
  t.ok(issues.length === 6 && issues.every((issue) => issue.severity === 'warning'), 'six warnings, no errors');
  t.match(find(issues, 'title', 'maxLength'), { message: 'title is 256 characters long; the standard suggests at most 255' });
  t.ok(find(issues, 'description', 'maxLength'));
  t.ok(find(issues, 'fieldDescription', 'maxLength'));
  t.ok(find(issues, 'distribution[0].resourceDescription', 'maxLength'));
  t.match(find(issues, 'publisherOID', 'pattern'), { message: /publisherOID does not look like an OID/ });
  t.match(find(issues, 'publisherOrgCode', 'pattern'), { message: /publisherOrgCode is not a 10-character agency code/ });
});

t.test('accrualPeriodicity outside the standard form is a warning', async (t) => {
  const record = validRecord();
  record.accrualPeriodicity = '每15日或每2月';
  t.match(validateNationalRecord(record), [{ field: 'accrualPeriodicity', rule: 'codelist', severity: 'warning', message: /compound values/ }]);
  record.accrualPeriodicity = '每1年';
  t.match(validateNationalRecord(record), [
    { field: 'accrualPeriodicity', rule: 'codelist', severity: 'warning', message: 'accrualPeriodicity "每1年" is written "每年" in the standard' },
  ]);
});

t.test('wrong types are named', async (t) => {
  const record = validRecord() as unknown as Record<string, unknown>;
  record['title'] = 42;
  record['keyword'] = 'a,b';
  const issues = validateNationalRecord(record as unknown as NationalRecord);
  t.match(find(issues, 'title', 'type'), { severity: 'error', message: 'title must be a string, not a number' });
  t.match(find(issues, 'keyword', 'type'), { message: 'keyword must be an array, not a string' });
});

t.test('the schema file is the exported schema and agrees with the code lists', async (t) => {
  const onDisk = JSON.parse(readFileSync(projectPath('mappings', 'national-record.schema.json'), 'utf8')) as Record<string, unknown>;
  t.same(nationalRecordSchema, onDisk);
  t.equal(nationalRecordSchema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
  const properties = nationalRecordSchema['properties'] as Record<string, { enum?: string[] }>;
  t.same(properties['categoryCode']?.enum, Object.keys(SERVICE_CATEGORIES));
  t.equal(properties['categoryCode']?.enum?.length, 18);
  t.same(properties['type']?.enum, [...DATASET_TYPES]);
  t.same(properties['cost']?.enum, [...COST_VALUES]);
  t.same(properties['language']?.enum, [...LANGUAGE_CODES]);
});

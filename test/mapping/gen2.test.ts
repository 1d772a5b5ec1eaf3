import t from 'tap';
import { readFileSync } from 'node:fs';
import { mapGen2 } from '../../src/mapping/gen2.js';
import { detectNationalVocabulary, mapNationalRecord } from '../../src/mapping/detect.js';
import { projectPath } from '../../src/model/project-root.js';
import type { MappingResult, NationalRecord, ValidationIssue } from '../../src/model/record.js';
import { toGen1Json } from '../../src/views/gen1.js';

type Raw = Record<string, unknown>;

function fixture(name: string): Raw {
  return JSON.parse(readFileSync(projectPath('test', 'fixtures', 'datagovtw', name), 'utf8')) as Raw;
}

const instructionSample = fixture('instruction-post-body.json');
const natdocVariant = fixture('natdoc-variant.json');
const readResponse = fixture('v2-read-response.json')['result'] as Raw;

function accepted(result: MappingResult): { record: NationalRecord; issues: ValidationIssue[] } {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result;
}

function issueAt(issues: ValidationIssue[], field: string, rule?: string): ValidationIssue | undefined {
  return issues.find((issue) => issue.field === field && (rule === undefined || issue.rule === rule));
}

t.test('the §1.7 sample (instruction.vue POST body)', async (t) => {
  const { record, issues } = accepted(mapGen2(structuredClone(instructionSample)));
  t.match(record, {
    categoryCode: 'I00',
    identifier: 'A41000000G-000001',
    title: '政府資料開放平臺資料集清單',
    license: '政府資料開放授權條款-第1版',
    licenseURL: 'https://data.gov.tw/license',
    cost: '免費',
    publisherOID: '2.16.886.101.20003.20082',
    publisher: '數位部',
    publisherOrgCode: 'A41000000G',
    accrualPeriodicity: '每日',
    temporalCoverageFrom: '2014-01-01',
    temporalCoverageTo: '2015-01-01',
    spatial: 'A6305-0001-00',
    language: 'zh',
    landingPage: 'https://example1.gov.tw',
    keyword: ['OpenData', '全部資料集'],
    fieldDescription: '村名(name)、人口(population)',
    numberOfData: 4600,
  });
  t.same(record.extensions, {
    sourceVocabulary: 'gen2',
    categoryTheme: '001',
    categoryDataset: 'A',
    dataProvider: 'loginaccount',
    detectFrequency: 'everyday',
  });
  t.same(record.distribution, [
    {
      resourceID: 'A41000000G-000001-001',
      resourceDescription: '103年01月01日開始收錄',
      format: 'CSV',
      characterSetCode: 'UTF-8',
      downloadURL: '',
      extensions: { resourceIDSynthesised: true, resourceField: '村名(name)、人口(population)', resourceAmount: 4600 },
    },
  ]);
  // The shortened sample lacks description, type and contacts, and its download URL is empty.
  t.ok(issueAt(issues, 'description', 'required'));
  t.ok(issueAt(issues, 'type', 'required'));
  t.ok(issueAt(issues, 'organization', 'required'));
  t.ok(issueAt(issues, 'publisherContactEmail', 'required'));
  t.ok(issueAt(issues, 'distribution[0]', 'required'), 'no non-empty accessURL/downloadURL');
  t.notOk(issueAt(issues, 'publisher'), 'publisher came from publisherOID');
  t.notOk(issueAt(issues, 'license'));
  t.notOk(issueAt(issues, 'cost'));
  t.match(issueAt(issues, 'publisherOrgCode', 'derived'), { severity: 'warning' });
});

t.test('the NATDOC variant: datasetid, structured updateFrequency, resourceField array', async (t) => {
  const { record, issues } = accepted(mapGen2(structuredClone(natdocVariant)));
  t.same(
    issues.filter((issue) => issue.severity === 'error'),
    [],
    'a complete record has no errors',
  );
  t.same(
    issues.map((issue) => issue.rule),
    ['derived'],
    'only the derived publisherOrgCode is reported',
  );
  t.equal(record.extensions?.datasetId, '6564');
  t.equal(record.extensions?.dataQuality, '無(白名單)');
  t.equal(record.accrualPeriodicity, '每日');
  t.equal(record.issued, '2013-11-01');
  t.equal(record.modified, '2023-04-21T07:43:26Z');
  t.equal(record.notes, '', 'empty string kept');
  t.equal(record.publisher, '數位發展部', 'an explicit publisher wins over the name in publisherOID');
  t.equal(record.publisherOID, '2.16.886.101.20003.20082');
  t.equal(record.fieldDescription, '資料集識別碼(identifier)、資料集名稱(title)、提供機關(publisher)', 'from the first resource');
  t.equal(record.numberOfData, 4600, 'the first resource amount, read through the "resourceAmount " typo key');
  t.same(record.distribution?.[0], {
    resourceID: 'A41000000G-000001-001',
    resourceDescription: '政府資料開放平臺資料集清單-CSV',
    format: 'CSV',
    characterSetCode: 'UTF-8',
    downloadURL: 'https://data.gov.tw/datasets/export/csv',
    resourceModified: '2023-04-21T07:43:26Z',
    extensions: {
      resourceIDSynthesised: true,
      resourceField: '資料集識別碼(identifier)、資料集名稱(title)、提供機關(publisher)',
      resourceAmount: 4600,
      resourceNotes: '每日凌晨1時更新',
      qcLevel: '/Document/definition/dataset',
    },
  });
  t.equal(record.distribution?.[1]?.resourceID, 'A41000000G-000001-002');
  t.equal(record.distribution?.[1]?.extensions?.resourceAmount, 4599, 'numeric amount');
  t.notOk(record.extensions?.unknownKeys, 'every key was understood');
});

t.test('the §3.2 read response: numeric datasetId, bare OID', async (t) => {
  const { record, issues } = accepted(mapGen2(structuredClone(readResponse)));
  t.equal(record.extensions?.datasetId, '18420');
  t.equal(record.extensions?.dataProvider, 'N121467221');
  t.equal(record.publisherOID, '2.16.886.101.20003.20052.20004');
  t.notOk('publisher' in record);
  t.equal(record.modified, '2026-09-06T16:00:00Z');
  t.equal(record.distribution?.[0]?.downloadURL, 'https://mopsfin.twse.com.tw/opendata/t187ap05_L.csv');
  t.equal(record.distribution?.[0]?.resourceID, 'A45020000D-000354-001');
  t.ok(issueAt(issues, 'publisher', 'required'), 'the short read shape lacks mandatory fields');
  t.ok(issueAt(issues, 'distribution[0].resourceDescription', 'required'));
});

t.test('both updateFrequency shapes give the same text', async (t) => {
  const cases: Array<[unknown, string]> = [
    ['每日', '每日'],
    [{ regularupdate: '1', Frequency: '1', unittime: '日' }, '每日'],
    ['每1年', '每年'],
    [{ regularupdate: '1', Frequency: '1', unittime: '年' }, '每年'],
    [{ regularupdate: '1', Frequency: '10', unittime: '分鐘' }, '每10分鐘'],
    [{ regularupdate: '0' }, '不定期'],
    ['day', '每日'],
  ];
  for (const [updateFrequency, text] of cases) {
    const { record } = accepted(mapGen2({ ...structuredClone(natdocVariant), updateFrequency }));
    t.equal(record.accrualPeriodicity, text, JSON.stringify(updateFrequency));
  }

  const compound = accepted(mapGen2({ ...structuredClone(natdocVariant), updateFrequency: '每15日或每2月' }));
  t.equal(compound.record.accrualPeriodicity, '每15日或每2月', 'unknown text kept');
  t.match(issueAt(compound.issues, 'accrualPeriodicity', 'codelist'), { severity: 'warning' });

  const badObject = { regularupdate: '1', Frequency: 'x', unittime: '日' };
  const broken = accepted(mapGen2({ ...structuredClone(natdocVariant), updateFrequency: badObject }));
  t.notOk('accrualPeriodicity' in broken.record);
  t.same(broken.record.extensions?.unknownKeys?.['updateFrequency'], badObject, 'nothing is lost');
  t.match(issueAt(broken.issues, 'accrualPeriodicity', 'normalise'), { severity: 'error' });
  t.ok(issueAt(broken.issues, 'accrualPeriodicity', 'required'));
});

t.test('both resourceField shapes give the standard fieldDescription text', async (t) => {
  const asString = accepted(mapGen2(structuredClone(instructionSample)));
  t.equal(asString.record.distribution?.[0]?.extensions?.resourceField, '村名(name)、人口(population)');

  const array = structuredClone(instructionSample);
  (array['distribution'] as Raw[])[0]!['resourceField'] = [
    { name: 'name', description: '村名' },
    { name: 'population', description: '人口' },
  ];
  const asArray = accepted(mapGen2(array));
  t.equal(asArray.record.distribution?.[0]?.extensions?.resourceField, '村名(name)、人口(population)');
  t.equal(asArray.record.fieldDescription, '村名(name)、人口(population)');

  const partial = structuredClone(instructionSample);
  (partial['distribution'] as Raw[])[0]!['resourceField'] = [{ name: 'id' }, { description: '名稱' }, {}, ' 備註 '];
  t.equal(accepted(mapGen2(partial)).record.fieldDescription, 'id、名稱、備註');

  const given = accepted(mapGen2({ ...structuredClone(instructionSample), fieldDescription: '已有說明' }));
  t.equal(given.record.fieldDescription, '已有說明', 'a dataset fieldDescription is not replaced');
});

t.test('identifier falls back to datasetId with a warning', async (t) => {
  const raw = structuredClone(natdocVariant);
  delete raw['identifier'];
  const { record, issues } = accepted(mapGen2(raw));
  t.equal(record.identifier, '6564');
  t.match(issueAt(issues, 'identifier', 'derived'), { severity: 'warning', message: /datasetId "6564"/ });
  t.ok(issueAt(issues, 'identifier', 'pattern'), 'and the standard pattern is still checked');
  t.equal(record.distribution?.[0]?.resourceID, '6564-001');
  t.notOk('publisherOrgCode' in raw, 'no orgCode derived from a datasetId');

  const numeric = structuredClone(readResponse);
  delete numeric['identifier'];
  t.equal(accepted(mapGen2(numeric)).record.identifier, '18420');
});

t.test('rejections', async (t) => {
  const noTitle = structuredClone(natdocVariant);
  delete noTitle['title'];
  t.match(mapGen2(noTitle), { ok: false, issues: [{ field: 'title', rule: 'required' }] });

  const noIds = structuredClone(natdocVariant);
  delete noIds['identifier'];
  delete noIds['datasetid'];
  t.match(mapGen2(noIds), { ok: false, issues: [{ field: 'identifier', rule: 'required' }] });

  for (const raw of [null, 'x', 3, []]) {
    t.match(mapGen2(raw), { ok: false, issues: [{ rule: 'type' }] }, JSON.stringify(raw));
  }
});

t.test('coded values', async (t) => {
  const paid = accepted(mapGen2({ ...structuredClone(natdocVariant), cost: 'paid', costURL: 'https://example.gov.tw/fee', costLaw: '規費法' }));
  t.equal(paid.record.cost, '付費');
  t.same(
    paid.issues.filter((issue) => issue.severity === 'error'),
    [],
  );

  const odd = accepted(mapGen2({ ...structuredClone(natdocVariant), cost: 'maybe' }));
  t.equal(odd.record.cost, 'maybe', 'unknown cost kept');
  t.match(issueAt(odd.issues, 'cost', 'enum'), { severity: 'error' });
  t.equal(odd.issues.filter((issue) => issue.field === 'cost').length, 1, 'reported once');

  const unknownLicence = accepted(mapGen2({ ...structuredClone(natdocVariant), license: '7' }));
  t.equal(unknownLicence.record.license, '7');
  t.notOk('licenseURL' in unknownLicence.record);
  t.match(issueAt(unknownLicence.issues, 'license', 'codelist'), { severity: 'warning' });

  const ccBy = accepted(mapGen2({ ...structuredClone(natdocVariant), license: 'CC BY 4.0' }));
  t.same([ccBy.record.license, ccBy.record.licenseURL], ['CC BY 4.0', 'https://creativecommons.org/licenses/by/4.0/']);

  const label = accepted(mapGen2({ ...structuredClone(natdocVariant), categoryService: '投資理財' }));
  t.equal(label.record.categoryCode, '800');
  t.match(issueAt(label.issues, 'categoryCode', 'normalise'), { severity: 'warning' });
});

t.test('unknown keys and distribution null', async (t) => {
  const { record } = accepted(mapGen2({ ...structuredClone(readResponse), distribution: null, viewCount: 3, extra: { a: 1 } }));
  t.notOk('distribution' in record);
  t.same(record.extensions?.unknownKeys, { viewCount: 3, extra: { a: 1 } });

  const resource = structuredClone(readResponse);
  (resource['distribution'] as Raw[])[0]!['resourceSize'] = 10;
  t.same(accepted(mapGen2(resource)).record.extensions?.unknownKeys, { 'distribution[0].resourceSize': 10 });
});

t.test('detection sends gen-2 records to mapGen2', async (t) => {
  t.equal(detectNationalVocabulary(instructionSample), 'gen2');
  t.equal(detectNationalVocabulary(natdocVariant), 'gen2');
  t.equal(detectNationalVocabulary(readResponse), 'gen2');
  t.equal(detectNationalVocabulary({ identifier: 'x', title: 'y', distribution: [{ resourceFormat: 'CSV' }] }), 'gen2');
  t.equal(detectNationalVocabulary({ identifier: 'x', title: 'y', 'resourceAmount ': 1 }), 'gen1');
  t.equal(detectNationalVocabulary({ identifier: 'x', title: 'y', distribution: [{ format: 'CSV' }] }), 'gen1');
  t.same(accepted(mapNationalRecord(structuredClone(natdocVariant))).record, accepted(mapGen2(structuredClone(natdocVariant))).record);
});

t.test('a gen-2 record reads back in gen-1 form', async (t) => {
  const json = toGen1Json(accepted(mapGen2(structuredClone(natdocVariant))).record);
  t.equal(json['accrualPeriodicity'], '每日');
  t.equal(json['modified'], '2023-04-21 15:43:26');
  t.equal(json['license'], '政府資料開放授權條款-第1版');
  t.notOk('extensions' in json);
  t.same((json['distribution'] as Raw[])[0], {
    resourceID: 'A41000000G-000001-001',
    resourceDescription: '政府資料開放平臺資料集清單-CSV',
    format: 'CSV',
    characterSetCode: 'UTF-8',
    resourceModified: '2023-04-21 15:43:26',
    downloadURL: 'https://data.gov.tw/datasets/export/csv',
  });
});

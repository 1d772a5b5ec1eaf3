import t from 'tap';
import { readFileSync } from 'node:fs';
import { mapGen1 } from '../../src/mapping/gen1.js';
import { projectPath } from '../../src/model/project-root.js';
import type { NationalRecord } from '../../src/model/record.js';
import { toGen1Json } from '../../src/views/gen1.js';

type Raw = Record<string, unknown>;

const specExample = (JSON.parse(readFileSync(projectPath('test', 'fixtures', 'crossplatform', 'spec-example-record.json'), 'utf8')) as Raw)['result'] as Raw;

function trimmedDeep<T>(value: T): T {
  if (typeof value === 'string') return value.trim() as T;
  if (Array.isArray(value)) return value.map((item: unknown) => trimmedDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, trimmedDeep(item)])) as T;
  }
  return value;
}

function mapped(raw: unknown): NationalRecord {
  const result = mapGen1(raw);
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result.record;
}

t.test('the spec example reads back as sent, strings trimmed', async (t) => {
  const json = toGen1Json(mapped(structuredClone(specExample)));
  t.same(json, trimmedDeep(specExample));
  t.strictSame(Object.keys(json), Object.keys(specExample), 'same keys, in the spec order');
  t.equal(json['issued'], '2015-01-01 23:59:59', 'UTC back to Taipei wall-clock');
  t.equal(json['costURL'], '', 'empty string kept');
  t.equal(json['numberOfData'], 4600);
});

t.test('distribution items carry their gen-1 keys only, in the standard order', async (t) => {
  const json = toGen1Json(mapped(structuredClone(specExample)));
  const distribution = json['distribution'] as Raw[];
  t.strictSame(Object.keys(distribution[0]!), [
    'resourceID',
    'resourceDescription',
    'format',
    'characterSetCode',
    'resourceModified',
    'downloadURL',
    'metadataSourceOfData',
  ]);
  t.strictSame(Object.keys(distribution[2]!), [
    'resourceID',
    'resourceDescription',
    'format',
    'characterSetCode',
    'resourceModified',
    'accessURL',
    'metadataSourceOfData',
  ]);
});

t.test('only present keys are written; extensions never are', async (t) => {
  const record: NationalRecord = {
    identifier: 'A41000000G-000002',
    title: '測試',
    issued: '2021-08-01',
    modified: '2021-07-31T16:00:00Z',
    temporalCoverageTo: 'until further notice',
    keyword: ['a'],
    publisherOrgCode: 'A41000000G',
    distribution: [
      {
        resourceID: 'A41000000G-000002-001',
        resourceModified: '2021-08-01T04:30:00Z',
        downloadURL: 'https://example.gov.tw/a.csv',
        extensions: { resourceAmount: 3, resourceIDSynthesised: true },
      },
    ],
    extensions: { sourceVocabulary: 'gen2', datasetId: '1', unknownKeys: { viewCount: 1 } },
  };
  t.strictSame(toGen1Json(record), {
    identifier: 'A41000000G-000002',
    title: '測試',
    publisherOrgCode: 'A41000000G',
    temporalCoverageTo: 'until further notice',
    issued: '2021-08-01',
    modified: '2021-08-01 00:00:00',
    keyword: ['a'],
    distribution: [{ resourceID: 'A41000000G-000002-001', resourceModified: '2021-08-01 12:30:00', downloadURL: 'https://example.gov.tw/a.csv' }],
  });
  t.strictSame(Object.keys(toGen1Json(record)), [
    'identifier',
    'title',
    'publisherOrgCode',
    'temporalCoverageTo',
    'issued',
    'modified',
    'keyword',
    'distribution',
  ]);
});

t.test('the output does not share arrays with the record', async (t) => {
  const record = mapped(structuredClone(specExample));
  const json = toGen1Json(record);
  (json['keyword'] as string[]).push('changed');
  t.equal(record.keyword?.length, 4);
});

t.test('normalised ROC and local forms read back in the standard form', async (t) => {
  const raw = { ...structuredClone(specExample), issued: '110/08/01', modified: '民國110年8月1日 14時30分' };
  const json = toGen1Json(mapped(raw));
  t.equal(json['issued'], '2021-08-01');
  t.equal(json['modified'], '2021-08-01 14:30:00');
});

/**
 * dcatCatalogJsonFrame: a catalogue page assembled from its frame and per-dataset JSON texts is,
 * byte for byte, the JSON.stringify of the whole document toDcatCatalog builds, whatever the
 * page says (no datasets, no modified, no next or previous link, odd text in links and records).
 */
import t from 'tap';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import type { NationalRecord } from '../../src/model/record.js';
import { dcatCatalogDatasetJson, dcatCatalogJsonFrame, toDcatCatalog, type CatalogPage, type CatalogPageFrame } from '../../src/views/dcat-catalog.js';
import { readFixture } from '../helpers/gateway.js';
import { CATALOG_RECORDS } from '../api/catalog-records.js';

type Raw = Record<string, unknown>;

const BASE_URL = 'https://gateway.test';

function mapped(raw: Raw): NationalRecord {
  const result = mapNationalRecord(raw);
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result.record;
}

const spec = readFixture<Raw>('crossplatform', 'spec-example-record.json');
const specRecord = mapped((spec.result ?? spec) as Raw);

/** Records a view must survive: text JSON escapes, lone surrogates, line separators, a broken shape. */
const ODD_RECORDS = [
  { ...specRecord, identifier: 'odd-"quoted"\\slash', title: 'a \u2028 line\u2029 separator </script> \u0000 nul' },
  { ...specRecord, identifier: 'surrogate-\uD800', title: 'lone \uDC00 surrogates \uD83D' },
  { identifier: 'bare' } as unknown as NationalRecord,
  null as unknown as NationalRecord,
];

const LINKS = { self: `${BASE_URL}/catalog?page=2&q=%22x%22`, first: `${BASE_URL}/catalog?page=1`, last: `${BASE_URL}/catalog?page=3` };

function assembled(page: CatalogPage, baseUrl: string): string {
  const { records, ...frame } = page;
  const { before, after } = dcatCatalogJsonFrame(frame satisfies CatalogPageFrame, { baseUrl });
  return before + records.map((record) => dcatCatalogDatasetJson(record, { baseUrl })).join(',') + after;
}

t.test('frame + dataset texts are the whole document, byte for byte', async (t) => {
  const fixtureRecords = CATALOG_RECORDS.map(mapped);
  const pages: Array<[string, CatalogPage]> = [
    [
      'a full page with every link',
      {
        records: fixtureRecords,
        totalItems: 42,
        modified: '2026-01-02T03:04:05Z',
        links: { ...LINKS, next: `${BASE_URL}/catalog?cursor=abc`, previous: `${BASE_URL}/catalog?page=1` },
      },
    ],
    ['one dataset, no neighbours', { records: [specRecord], totalItems: 1, modified: '2026-01-02T03:04:05Z', links: LINKS }],
    ['no datasets, no modified (an empty catalogue)', { records: [], totalItems: 0, links: LINKS }],
    ['modified present but undefined', { records: [specRecord], totalItems: 1, modified: undefined, links: { ...LINKS, next: undefined } }],
    [
      'odd records and odd link text',
      { records: ODD_RECORDS, totalItems: 4, modified: '2026-01-02T03:04:05Z', links: { ...LINKS, next: `${BASE_URL}/catalog?q=\u2028"\\` } },
    ],
  ];
  for (const [label, page] of pages) {
    for (const baseUrl of [BASE_URL, `${BASE_URL}/`, 'http://127.0.0.1:8080/gateway']) {
      const expected = JSON.stringify(toDcatCatalog(page, { baseUrl }));
      t.equal(assembled(page, baseUrl), expected, `${label} (${baseUrl})`);
    }
  }
});

t.test('the frame is valid JSON around a dataset list and keeps the catalogue node order', async (t) => {
  const { before, after } = dcatCatalogJsonFrame({ totalItems: 0, modified: '2026-01-02T03:04:05Z', links: LINKS }, { baseUrl: BASE_URL });
  t.ok(before.endsWith('"dcat:dataset":['), 'the datasets come where the node has them');
  t.ok(after.startsWith('],"hydra:view":'), 'the paging view follows them');
  const doc = JSON.parse(`${before}${after}`) as Raw;
  t.same(Object.keys(doc).slice(-3), ['dct:modified', 'dcat:dataset', 'hydra:view']);
  t.same(doc['dcat:dataset'], []);
});

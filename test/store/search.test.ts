import t, { type Test } from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { resolveIdentity } from '../../src/identity/resolve.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { normaliseText } from '../../src/model/comparison-forms.js';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import type { NationalRecord } from '../../src/model/record.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { contentHash, writeRecordPage, type MappedRecord } from '../../src/store/records.js';
import { queueRun } from '../../src/store/runs.js';
import { refreshSearchIndex } from '../../src/store/search-index.js';
import { compareCodePoints } from '../../src/store/search-snapshot.js';
import { datasetsWithKeyword, identifiersWithKeyword, keywordCounts, listKeywords } from '../../src/store/keywords.js';
import {
  formatsOf,
  keywordsOf,
  MAX_FACET_VALUES,
  type FacetValue,
  publisherOf,
  searchDatasets,
  type SearchQuery,
  type SearchResult,
} from '../../src/store/search.js';
import { indexText, parseQuery, MAX_QUERY_TERMS } from '../../src/store/search-text.js';
import { syncSources } from '../../src/store/sources.js';
import { withdrawDeleted } from '../../src/store/withdrawals.js';
import { tempDir } from '../helpers/gateway.js';
import { syntheticRecord } from '../bench/synthetic-catalogue.js';
import { fileSource } from '../helpers/file-source.js';

/**
 * searchDatasets over a real SQLite store, fed through the real write path (writeRecordPage,
 * resolveIdentity): the index is kept by migration 4's triggers and refreshSearchIndex.
 */

type Raw = Record<string, unknown>;

interface Catalogue {
  db: Db;
  path: string;
  /** Store records of a source (native id = identifier) and resolve identity, as a harvest run does. */
  put(sourceId: string, records: readonly Raw[]): Promise<void>;
  /** The source announced these records deleted: withdrawn, then resolved. */
  withdraw(sourceId: string, nativeIds: readonly string[]): Promise<void>;
  search(query: Partial<SearchQuery>): SearchResult;
  ids(query: Partial<SearchQuery>): string[];
}

async function catalogue(t: Test, records: readonly Raw[] = []): Promise<Catalogue> {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'catalog.db');
  const db = openDatabase(path);
  const store = sqliteStoreOn(db);
  t.teardown(() => {
    db.close();
    cleanup();
  });
  syncSources(db, [fileSource('city', 10), fileSource('portal', 0)]);
  const runs = new Map<string, number>();
  const runOf = (sourceId: string): number => {
    if (!runs.has(sourceId)) runs.set(sourceId, queueRun(db, sourceId));
    return runs.get(sourceId)!;
  };
  const cat: Catalogue = {
    db,
    path,
    async put(sourceId, raws) {
      const changed: MappedRecord[] = raws.map((raw) => {
        const result = mapNationalRecord(raw);
        if (!result.ok) throw new Error(`fixture record did not map: ${JSON.stringify(result.issues)}`);
        const payloadJson = JSON.stringify(raw);
        return { nativeId: String(raw.identifier), payloadJson, contentHash: contentHash(payloadJson), record: result.record, issues: result.issues };
      });
      writeRecordPage(db, { sourceId, priority: 0, runId: runOf(sourceId), changed, presentNativeIds: [], refreshedValidators: [], errors: [] });
      await resolveIdentity(store);
    },
    async withdraw(sourceId, nativeIds) {
      withdrawDeleted(db, sourceId, nativeIds);
      await resolveIdentity(store);
    },
    search: (query) => searchDatasets(db, { limit: 100, offset: 0, ...query }),
    ids: (query) => searchDatasets(db, { limit: 100, offset: 0, ...query }).identifiers,
  };
  if (records.length > 0) await cat.put('city', records);
  return cat;
}

const LICENCE = '政府資料開放授權條款-第1版';
const LICENCE_URL = 'https://data.gov.tw/license';

function record(serial: string, overrides: Raw = {}): Raw {
  return {
    identifier: `A41000000G-${serial}`,
    title: `資料集${serial}`,
    description: '本資料集提供統計數據。',
    type: 'rawData',
    categoryCode: 'I00',
    license: LICENCE,
    licenseURL: LICENCE_URL,
    cost: '免費',
    organization: '國家發展委員會',
    publisher: '國家發展委員會資訊管理處',
    accrualPeriodicity: '每月',
    modified: '2025-01-01 10:00:00',
    distribution: [{ resourceID: `A41000000G-${serial}-001`, format: 'CSV', downloadURL: `https://data.example.gov.tw/${serial}.csv` }],
    ...overrides,
  };
}

/** A small catalogue in the words Taiwan's platforms use. */
const FIXTURE: Raw[] = [
  record('000001', {
    title: '臺北市空氣品質監測資料',
    description: '臺北市各測站每小時空氣品質指標(AQI)。提供ＣＳＶ及JSON格式。',
    keyword: ['空氣品質', 'AQI'],
    categoryCode: 'E00',
    publisher: '臺北市政府環境保護局',
    modified: '2025-03-01 10:00:00',
    distribution: [
      { resourceID: 'A41000000G-000001-001', format: 'csv', downloadURL: 'https://data.example.gov.tw/1.csv' },
      { resourceID: 'A41000000G-000001-002', format: 'JSON', downloadURL: 'https://data.example.gov.tw/1.json' },
    ],
  }),
  record('000002', {
    title: '新北市公車路線',
    description: '新北市市區公車路線、站牌位置及班表。',
    categoryCode: 'A00',
    publisher: '新北市政府交通局',
    modified: '2024-06-01 09:00:00',
    distribution: [{ resourceID: 'A41000000G-000002-001', format: 'JSON', downloadURL: 'https://data.example.gov.tw/2.json' }],
  }),
  record('000003', {
    title: '台北市公共自行車租賃站',
    description: '臺北市公共自行車（YouBike）各租賃站位置及即時車位。',
    keyword: ['YouBike', '公共自行車'],
    categoryCode: 'A00',
    publisher: '臺北市政府交通局',
    license: 'CC BY 4.0',
    licenseURL: 'https://creativecommons.org/licenses/by/4.0/',
    modified: '2025-02-01 08:00:00',
  }),
  record('000004', {
    title: '空氣污染防制計畫執行成果',
    description: '各縣市改善空氣品質之計畫執行成果。',
    categoryCode: 'E00',
    publisher: '環境部',
    modified: '2023-01-01 00:00:00',
    distribution: [{ resourceID: 'A41000000G-000004-001', format: 'PDF', downloadURL: 'https://data.example.gov.tw/4.pdf' }],
  }),
  record('000005', {
    title: 'YouBike2.0站點即時資訊',
    description: '微笑單車2.0各站點可借可還數量。',
    categoryCode: 'A00',
    publisher: '臺北市政府交通局',
    modified: '2025-04-01 12:00:00',
  }),
  record('000006', {
    title: '路外停車場資訊',
    description: '公有路外停車場位置與收費標準。',
    keyword: ['停車'],
    categoryCode: 'A00',
    publisher: '臺中市政府交通局',
    modified: '2022-05-05 05:05:05',
    distribution: [{ resourceID: 'A41000000G-000006-001', format: 'xml', downloadURL: 'https://data.example.gov.tw/6.xml' }],
  }),
];

const id = (serial: string): string => `A41000000G-${serial}`;

t.test('Chinese queries find the datasets that say it, in title, description, keywords or publisher', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.same(c.ids({ q: '空氣品質' }), [id('000001'), id('000004')], 'the dataset named for it first, then the one whose description says it');
  t.same(c.ids({ q: '公車' }), [id('000002')]);
  t.same(c.ids({ q: '公共自行車' }), [id('000003')]);
  t.same(c.ids({ q: '臺北市 公共自行車' }), [id('000003')], '臺北 in the query finds 台北 in the title (and 臺北 in the description)');
  t.same(c.ids({ q: '台北市公共自行車' }).length, 1, '台北 finds it too');
  t.same(new Set(c.ids({ q: '臺北' })), new Set([id('000001'), id('000003'), id('000005')]), '臺北 and 台北 are one (a publisher counts)');
  t.same(c.ids({ q: '台北' }), c.ids({ q: '臺北' }), 'whichever way it is written');
  t.same(c.ids({ q: '環境部' }), [id('000004')], 'the publisher is searched');
  t.same(c.ids({ q: '租賃站位置' }), [id('000003')], 'a phrase inside the description');
  t.same(c.ids({ q: '站牌' }), [id('000002')]);
  t.same(c.ids({ q: '測站空氣' }), [], 'characters that are not consecutive in the text do not match');
  t.same(c.ids({ q: '品質監' }), [id('000001')], 'a substring across word boundaries of the Chinese text');
  t.end();
});

t.test('a one-character query finds the character anywhere, at the end of a run too', async (t) => {
  const c = await catalogue(t, FIXTURE);
  // 車 in 公車 (end of a run), 自行車租賃 (inside), 車位 (start), 停車場 (inside): all of them.
  t.same(new Set(c.ids({ q: '車' })), new Set([id('000002'), id('000003'), id('000005'), id('000006')]));
  t.same(c.ids({ q: '測' }), [id('000001')]);
  t.same(c.ids({ q: '鯨' }), [], 'a character no dataset has');
  t.same(c.ids({ q: '臺' }), c.ids({ q: '台' }), 'one character folds too');
  t.end();
});

t.test('mixed scripts, full-width letters and Latin prefixes', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.same(c.ids({ q: 'YouBike站' }), [id('000005'), id('000003')], 'YouBike and 站 both required; the title holding both ranks first');
  t.same(c.ids({ q: 'youbike' }), [id('000005'), id('000003')], 'case-insensitive');
  t.same(c.ids({ q: 'youb' }), [id('000005'), id('000003')], 'a Latin term matches as a word prefix');
  t.same(c.ids({ q: 'ｙｏｕｂｉｋｅ' }), [id('000005'), id('000003')], 'full-width letters fold to ASCII');
  t.same(c.ids({ q: 'csv' }), [id('000001')], 'ＣＳＶ in the text is found by csv');
  t.same(c.ids({ q: 'ＣＳＶ' }), [id('000001')], 'and by ＣＳＶ');
  t.same(c.ids({ q: 'aqi' }), [id('000001')], 'text in parentheses and in keywords');
  t.same(c.ids({ q: '2.0' }), [id('000005')], 'punctuation is a word break on both sides: 2.0 is the phrase "2 0"');
  t.same(c.ids({ q: 'bike' }), [], 'not a substring in the middle of a word');
  t.end();
});

t.test('several terms must all match', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.same(c.ids({ q: '臺北市 空氣品質' }), [id('000001')]);
  t.same(c.ids({ q: '空氣品質 公車' }), []);
  t.same(c.ids({ q: '  交通局   即時  ' }), [id('000005'), id('000003')], 'any amount of white space, the full-width space too');
  t.same(c.ids({ q: '交通局\u3000即時' }), [id('000005'), id('000003')]);
  t.same(c.ids({ q: '即時 即時 即時' }), c.ids({ q: '即時' }), 'a repeated term counts once');
  t.end();
});

t.test('FTS5 syntax in a query is only text: never an error, never an operator', async (t) => {
  const c = await catalogue(t, FIXTURE);
  const hostile = [
    '"',
    '""',
    '"空氣',
    '*',
    '空氣*',
    'AND',
    'OR',
    'NOT',
    '空氣 OR 公車',
    '空氣 NOT 品質',
    'NEAR(空氣 品質)',
    'NEAR(',
    ':',
    'title:空氣',
    '{title}:公車',
    '{body} : 空氣',
    '^公車',
    '-公車',
    '+',
    '(',
    ')',
    '空氣)',
    "'; DROP TABLE dataset_search; --",
    '\u0000',
    '\u0301',
    '🚌',
    'a'.repeat(5000),
    '車 '.repeat(100),
  ];
  for (const q of hostile) {
    t.doesNotThrow(() => c.search({ q, facets: true }), JSON.stringify(q.slice(0, 30)));
  }
  t.same(c.ids({ q: '空氣 OR 公車' }), [], '"or" is a word (no dataset has it), not OR');
  t.same(c.ids({ q: 'NEAR(空氣 品質)' }), [], 'near( is a word, not NEAR');
  t.same(c.ids({ q: '{title}:公車' }), [], 'a column filter is only the words "title" and 公車 (no dataset says "title")');
  t.same(c.ids({ q: 'title:空氣品質' }).length, 0, 'the word "title" is required (no dataset has it)');
  t.same(c.ids({ q: '"空氣品質"' }), c.ids({ q: '空氣品質' }), 'quotes are punctuation');
  t.same(c.ids({ q: '空氣品質*' }), c.ids({ q: '空氣品質' }), 'a star is a symbol, ignored');
  t.same(c.search({ q: '!!! ...' }).total, FIXTURE.length, 'only punctuation: no text filter, everything');
  t.equal(c.db.prepare('SELECT count(*) FROM search_docs').pluck().get(), FIXTURE.length, 'the index is intact');
  t.end();
});

t.test('a query longer than MAX_QUERY_TERMS terms is cut and says so', async (t) => {
  const terms = Array.from({ length: MAX_QUERY_TERMS + 5 }, (_, i) => `w${i}`);
  const parsed = parseQuery(terms.join(' '));
  t.equal(parsed.terms.length, MAX_QUERY_TERMS);
  t.ok(parsed.truncated);
  t.notOk(parseQuery(terms.slice(0, MAX_QUERY_TERMS).join(' ')).truncated);
  t.notOk(parseQuery(Array.from({ length: 100 }, () => '車').join(' ')).truncated, 'repeats are one term');
  t.end();
});

t.test('the index text: folded, CJK as bigrams and a final character, Latin words kept', async (t) => {
  t.equal(indexText('臺北市 公共自行車（YouBike）'), '台北 北市 市 公共 共自 自行 行車 車 youbike');
  t.equal(indexText('ＣＳＶ、JSON'), 'csv json');
  t.equal(indexText('車'), '車');
  t.equal(indexText('COVID-19疫苗'), 'covid 19 疫苗 苗');
  t.equal(indexText(''), '');
  t.same(
    parseQuery('空氣品質').terms.map((term) => term.match),
    ['"空氣 氣品 品質"'],
  );
  t.same(
    parseQuery('車').terms.map((term) => term.match),
    ['"車"*'],
  );
  t.same(
    parseQuery('YouBike站').terms.map((term) => term.match),
    ['"youbike"*', '"站"*'],
  );
  t.same(
    parseQuery('covid-19').terms.map((term) => term.match),
    ['"covid 19"*'],
  );
  t.same(
    parseQuery('a"b').terms.map((term) => term.match),
    ['"a b"*'],
    'a quote is punctuation: never reaches FTS5 unescaped',
  );
  t.equal(parseQuery('  ').match, undefined);
  t.end();
});

t.test('filters: publisher, category, format (any case), licence text or URL, modified since; combined with AND', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.same(c.ids({ publisher: '臺北市政府交通局' }), [id('000003'), id('000005')]);
  t.same(c.ids({ publisher: '  臺北市政府交通局 ' }), [id('000003'), id('000005')], 'trimmed');
  t.same(c.ids({ publisher: '台北市政府交通局' }), [], 'exact: no folding for a filter');
  t.same(c.ids({ publisher: '國家發展委員會' }), [], 'the organization is not the publisher when there is one');
  t.same(c.ids({ category: 'E00' }), [id('000001'), id('000004')]);
  t.same(c.ids({ format: 'csv' }), [id('000001'), id('000003'), id('000005')], 'case-insensitive (csv stored as CSV)');
  t.same(c.ids({ format: 'Json' }), [id('000001'), id('000002')]);
  t.same(c.ids({ format: 'docx' }), []);
  t.same(c.ids({ license: 'CC BY 4.0' }), [id('000003')], 'licence text');
  t.same(c.ids({ license: 'https://creativecommons.org/licenses/by/4.0/' }), [id('000003')], 'licence URL');
  t.same(c.ids({ license: LICENCE_URL }).length, 5);
  t.same(c.ids({ modifiedSince: '2025-02-01T00:00:00Z' }), [id('000003'), id('000005'), id('000001')].sort(), 'at or after the instant');
  t.same(c.ids({ modifiedSince: '2025-02-01T00:00:00Z', sort: 'modified' }), [id('000005'), id('000001'), id('000003')], 'newest first');
  t.same(c.ids({ q: '交通局', category: 'A00', format: 'CSV', modifiedSince: '2025-01-01T00:00:00Z' }), [id('000005'), id('000003')]);
  t.same(c.ids({ q: '交通局', publisher: '新北市政府交通局' }), [id('000002')]);
  t.same(c.ids({ category: 'E00', format: 'JSON', license: 'CC BY 4.0' }), [], 'AND, not OR');
  t.same(c.ids({ category: '' }), [], 'an empty filter value matches no dataset (the HTTP API drops empty parameters)');
  t.end();
});

t.test('keywords: every one required, exact after trimming, including past the in-row slots', async (t) => {
  const many = ['一', '二', '三', '四', '五', '六', '七'];
  const c = await catalogue(t, [...FIXTURE, record('000007', { keyword: [...many, ' 停車 ', '停車', '', 7, null] })]);
  t.same(c.ids({ keywords: ['AQI'] }), [id('000001')]);
  t.same(c.ids({ keywords: [' AQI '] }), [id('000001')], 'the query value is trimmed');
  t.same(c.ids({ keywords: ['aqi'] }), [], 'case matters, as in CKAN tags');
  t.same(c.ids({ keywords: ['空氣'] }), [], 'a whole keyword, not a part of one');
  t.same(c.ids({ keywords: ['空氣品質', 'AQI'] }), [id('000001')], 'both');
  t.same(c.ids({ keywords: ['空氣品質', '停車'] }), [], 'every keyword, not any');
  t.same(c.ids({ keywords: ['停車'] }), [id('000006'), id('000007')], 'a stored keyword is trimmed too');
  for (const keyword of many) t.same(c.ids({ keywords: [keyword] }), [id('000007')], `${keyword}: slot or overflow`);
  t.same(c.ids({ keywords: ['七', '一', '停車'] }), [id('000007')]);
  t.same(c.ids({ keywords: [] }).length, 7, 'no keyword: no filter');
  t.same(c.ids({ keywords: [''] }), [], 'an empty keyword matches nothing');
  t.same(c.ids({ q: '臺北市', keywords: ['YouBike'] }), [id('000003')], 'with full text');
  t.same(c.ids({ keywords: ['停車'], category: 'A00', publisher: '臺中市政府交通局' }), [id('000006')], 'with other filters');
  t.end();
});

t.test('categories: any of them; with category, both must hold', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.same(c.ids({ categories: ['E00'] }), [id('000001'), id('000004')]);
  t.same(c.ids({ categories: ['E00', 'A00'] }).length, 6);
  t.same(c.ids({ categories: ['E00', 'Z99'] }), [id('000001'), id('000004')], 'a code no dataset has adds nothing');
  t.same(c.ids({ categories: [' E00 '] }), [id('000001'), id('000004')], 'trimmed');
  t.same(c.ids({ categories: [] }), [], 'no category at all matches nothing');
  t.same(c.ids({ categories: ['Z99'] }), []);
  t.same(c.ids({ category: 'A00', categories: ['E00'] }), [], 'AND with category');
  t.same(c.ids({ category: 'E00', categories: ['A00', 'E00'] }), [id('000001'), id('000004')]);
  t.same(c.search({ categories: ['E00', 'A00'], facets: true, limit: 0 }).facets!.category, [
    { value: 'A00', count: 4 },
    { value: 'E00', count: 2 },
  ]);
  t.end();
});

t.test('modified bounds: since (≥), after (>), until (≤), before (<), combined into ranges', async (t) => {
  const c = await catalogue(t, FIXTURE);
  // 000003 was modified 2025-02-01 08:00:00 Taipei, 2025-02-01T00:00:00Z.
  const at = '2025-02-01T00:00:00Z';
  t.ok(c.ids({ modifiedSince: at }).includes(id('000003')), 'since: at the instant');
  t.notOk(c.ids({ modifiedAfter: at }).includes(id('000003')), 'after: strictly');
  t.ok(c.ids({ modifiedUntil: at }).includes(id('000003')), 'until: at the instant');
  t.notOk(c.ids({ modifiedBefore: at }).includes(id('000003')), 'before: strictly');
  t.same(c.ids({ modifiedBefore: at }), [id('000002'), id('000004'), id('000006')]);
  t.same(c.ids({ modifiedUntil: at }), [id('000002'), id('000003'), id('000004'), id('000006')]);
  t.same(c.ids({ modifiedSince: '2024-01-01T00:00:00Z', modifiedBefore: '2025-03-01T02:00:00Z' }), [id('000002'), id('000003')], 'a range');
  t.same(
    c.ids({ modifiedSince: '2024-01-01T00:00:00Z', modifiedUntil: '2025-03-01T02:00:00Z' }),
    [id('000001'), id('000002'), id('000003')],
    'the upper end included',
  );
  t.same(c.ids({ modifiedAfter: '2025-03-01T02:00:00Z', modifiedBefore: '2025-03-01T02:00:00Z' }), [], 'an empty range');
  t.same(c.ids({ modifiedSince: at, modifiedUntil: at }), [id('000003')], 'a single instant');
  t.end();
});

t.test('conditions: any of several values of one field, or none of them', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.same(
    c.ids({ conditions: [{ field: 'format', anyOf: ['csv', 'XML'] }] }),
    [id('000001'), id('000003'), id('000005'), id('000006')],
    'formats: any, any case',
  );
  t.same(c.ids({ conditions: [{ field: 'format', anyOf: ['CSV'], negated: true }] }), [id('000002'), id('000004'), id('000006')], 'no CSV');
  t.same(c.ids({ conditions: [{ field: 'format', anyOf: ['CSV', 'JSON'], negated: true }] }), [id('000004'), id('000006')], 'neither');
  t.same(c.ids({ conditions: [{ field: 'keyword', anyOf: ['AQI', '停車'] }] }), [id('000001'), id('000006')]);
  t.same(c.ids({ conditions: [{ field: 'keyword', anyOf: ['AQI'], negated: true }] }).length, 5, 'datasets without keywords have none of them');
  t.same(c.ids({ conditions: [{ field: 'publisher', anyOf: ['環境部', '新北市政府交通局'] }] }), [id('000002'), id('000004')]);
  t.same(c.ids({ conditions: [{ field: 'publisher', anyOf: ['臺北市政府交通局'], negated: true }] }), [id('000001'), id('000002'), id('000004'), id('000006')]);
  t.same(
    c.ids({ conditions: [{ field: 'license', anyOf: ['https://creativecommons.org/licenses/by/4.0/'], negated: true }] }).length,
    5,
    'licence URL, negated',
  );
  t.same(
    c.ids({
      conditions: [
        { field: 'category', anyOf: ['A00'] },
        { field: 'category', anyOf: ['E00'] },
      ],
    }),
    [],
    'conditions are ANDed',
  );
  t.same(c.ids({ conditions: [{ field: 'format', anyOf: [] }] }), [], 'no value: nothing');
  t.same(c.ids({ conditions: [{ field: 'format', anyOf: ['DOCX'] }] }), [], 'an unknown value: nothing');
  t.same(c.ids({ conditions: [{ field: 'format', anyOf: [], negated: true }] }).length, 6, 'none of no value: everything');
  t.same(c.ids({ conditions: [{ field: 'format', anyOf: ['DOCX'], negated: true }] }).length, 6, 'none of an unknown value: everything');
  t.same(c.ids({ q: '公車', conditions: [{ field: 'format', anyOf: ['JSON'], negated: true }] }), [], 'with full text');
  const faceted = c.search({ conditions: [{ field: 'category', anyOf: ['A00'], negated: true }], facets: true, limit: 0 });
  t.same(faceted.facets!.category, [{ value: 'E00', count: 2 }], 'facets count the matches');
  t.end();
});

t.test('the keyword column follows the catalogue: the tag list and its counts, changes, withdrawals, other connections', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.same(listKeywords(c.db), ['AQI', 'YouBike', '停車', '公共自行車', '空氣品質'], 'code-point order');
  t.same(keywordCounts(c.db, { limit: 2 }), [
    { keyword: 'AQI', count: 1 },
    { keyword: 'YouBike', count: 1 },
  ]);
  t.same(listKeywords(c.db, { offset: 3 }), ['公共自行車', '空氣品質']);
  t.same(listKeywords(c.db, { offset: 1, limit: 2 }), ['YouBike', '停車']);
  t.same(listKeywords(c.db, { offset: 9 }), []);
  const other = openDatabase(c.path);
  t.teardown(() => other.close());
  t.same(listKeywords(other), listKeywords(c.db), 'another connection builds the same list');

  // 𠀀 (U+20000) sorts after ｚ (U+FF5A) by code point, before it by UTF-16 code unit.
  await c.put('city', [
    { ...FIXTURE[0]!, keyword: ['停車'] },
    record('000009', {
      title: '另一個',
      keyword: ['停車', '𠀀', 'ｚ'],
      distribution: [{ resourceID: 'A41000000G-000009-001', format: 'CSV', downloadURL: 'https://data.example.gov.tw/9.csv' }],
    }),
  ]);
  t.same(listKeywords(c.db), ['YouBike', '停車', '公共自行車', 'ｚ', '𠀀'], 'the old keywords of a changed record are gone; new ones merged in order');
  t.same(
    keywordCounts(c.db).find((entry) => entry.keyword === '停車'),
    { keyword: '停車', count: 3 },
  );
  t.same(datasetsWithKeyword(c.db, '停車'), { total: 3, identifiers: [id('000001'), id('000006'), id('000009')] });
  t.same(datasetsWithKeyword(c.db, '停車', { limit: 1, offset: 1 }), { total: 3, identifiers: [id('000006')] }, 'a page, and the whole count');
  t.same(identifiersWithKeyword(c.db, 'AQI'), [], 'no longer');
  t.same(listKeywords(other), ['YouBike', '停車', '公共自行車', 'ｚ', '𠀀'], 'the other connection catches up from the index rows');

  await c.withdraw('city', [id('000006'), id('000009')]);
  t.same(listKeywords(c.db), ['YouBike', '停車', '公共自行車'], 'withdrawn datasets take their keywords with them');
  t.same(datasetsWithKeyword(c.db, '停車'), { total: 1, identifiers: [id('000001')] });
  t.same(datasetsWithKeyword(other, 'ｚ'), { total: 0, identifiers: [] });
  t.end();
});

t.test('code-point order is the order of UTF-8 bytes', async (t) => {
  const samples = ['', 'a', 'A', 'ab', 'é', '公', '公車', '\uE000', '\uFFFD', 'ｚ', '𠀀', '𠀀a', '😀', 'ｚ𠀀', 'a\uD83D\uDE00', 'a\uFFFF'];
  for (const a of samples) {
    for (const b of samples) {
      const expected = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      t.equal(Math.sign(compareCodePoints(a, b)), expected, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  }
  t.end();
});

t.test('facets count all matches (not the page), most frequent first, then by value', async (t) => {
  const c = await catalogue(t, FIXTURE);
  const all = c.search({ limit: 1, facets: true });
  t.equal(all.total, 6);
  t.equal(all.identifiers.length, 1);
  t.same(all.facets!.category, [
    { value: 'A00', count: 4 },
    { value: 'E00', count: 2 },
  ]);
  t.same(all.facets!.format, [
    { value: 'CSV', count: 3 },
    { value: 'JSON', count: 2 },
    { value: 'PDF', count: 1 },
    { value: 'XML', count: 1 },
  ]);
  t.same(
    all.facets!.license,
    [
      { value: LICENCE, count: 5 },
      { value: 'CC BY 4.0', count: 1 },
    ],
    'licence facet counts the licence text, not the URL',
  );
  t.same(all.facets!.publisher[0], { value: '臺北市政府交通局', count: 2 });
  t.equal(all.facets!.publisher.length, 5);

  const air = c.search({ q: '空氣品質', facets: true });
  t.same(
    air.facets!.publisher,
    [
      { value: '環境部', count: 1 },
      { value: '臺北市政府環境保護局', count: 1 },
    ],
    'ties in code-unit order of the value',
  );
  t.same(c.search({ q: '空氣品質', format: 'PDF', facets: true }).facets!.format, [{ value: 'PDF', count: 1 }], 'facets over the filtered matches');
  t.notOk(c.search({ q: '空氣品質' }).facets, 'no facets unless asked');
  t.end();
});

t.test('a dataset with many formats: each counted once, each selectable', async (t) => {
  const formats = ['CSV', 'JSON', 'XML', 'XLSX', 'ODS', 'GeoJSON', 'KML', 'csv'];
  const c = await catalogue(t, [
    record('000001', {
      distribution: formats.map((format, n) => ({ resourceID: `A41000000G-000001-00${n}`, format, downloadURL: `https://data.example.gov.tw/1-${n}` })),
    }),
    record('000002'),
  ]);
  const facet = c.search({ limit: 0, facets: true }).facets!.format;
  t.same(facet, [
    { value: 'CSV', count: 2 },
    { value: 'GEOJSON', count: 1 },
    { value: 'JSON', count: 1 },
    { value: 'KML', count: 1 },
    { value: 'ODS', count: 1 },
    { value: 'XLSX', count: 1 },
    { value: 'XML', count: 1 },
  ]);
  for (const format of ['kml', 'GeoJSON', 'ods', 'csv']) t.ok(c.ids({ format }).includes(id('000001')), format);
  t.same(c.search({ q: '資料集000002', limit: 0, facets: true }).facets!.format, [{ value: 'CSV', count: 1 }], 'only the matches counted');
  t.end();
});

t.test(`at most ${MAX_FACET_VALUES} values per facet`, async (t) => {
  const records = Array.from({ length: MAX_FACET_VALUES + 10 }, (_, i) =>
    record(String(100 + i).padStart(6, '0'), { publisher: `機關${String(i).padStart(3, '0')}`, ...(i < 3 ? { categoryCode: 'B00' } : {}) }),
  );
  records.push(record('000999', { publisher: '機關059' }));
  const c = await catalogue(t, records);
  const facets = c.search({ limit: 0, facets: true }).facets!;
  t.equal(facets.publisher.length, MAX_FACET_VALUES);
  t.same(facets.publisher[0], { value: '機關059', count: 2 }, 'the most frequent first');
  t.same(facets.publisher[1], { value: '機關000', count: 1 });
  t.same(facets.category, [
    { value: 'I00', count: MAX_FACET_VALUES + 8 },
    { value: 'B00', count: 3 },
  ]);
  t.end();
});

t.test('sorts: relevance, modified, title (zh-Hant), identifier; ties by identifier', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.same(
    c.ids({}),
    FIXTURE.map((r) => String(r.identifier)),
    'no query: identifier order',
  );
  t.same(c.ids({ sort: 'relevance' }), c.ids({}), 'relevance without a query is identifier order');
  t.same(c.ids({ sort: 'modified' }), [id('000005'), id('000001'), id('000003'), id('000002'), id('000004'), id('000006')], 'newest first');
  const titles = FIXTURE.map((r) => ({ id: String(r.identifier), title: String(r.title) }));
  titles.sort((a, b) => a.title.localeCompare(b.title, 'zh-Hant') || (a.id < b.id ? -1 : 1));
  t.same(
    c.ids({ sort: 'title' }),
    titles.map((x) => x.id),
    'title in the zh-Hant collation',
  );
  t.same(c.ids({ q: '交通局', sort: 'identifier' }), [id('000002'), id('000003'), id('000005'), id('000006')]);

  // Relevance: a title match above a body match; a short title naming the subject above a long one.
  const r = await catalogue(t, [
    record('000011', { title: '交通事故統計', description: '各縣市交通事故件數。' }),
    record('000012', { title: '道路資料', description: '含交通事故熱點。' }),
    record('000013', { title: '臺中市政府警察局交通事故與肇事原因分析年度統計報表', description: '交通事故。' }),
  ]);
  t.same(r.ids({ q: '交通事故' }), [id('000011'), id('000013'), id('000012')]);
  t.end();
});

t.test('paging is stable: the pages together are the whole ordered list, whatever the sort', async (t) => {
  const records = Array.from({ length: 37 }, (_, i) =>
    record(String(i + 1).padStart(6, '0'), {
      title: i % 3 === 0 ? '公車動態' : `公車資訊${i % 5}`,
      modified: `2025-0${1 + (i % 4)}-01 00:00:00`,
    }),
  );
  const c = await catalogue(t, records);
  for (const sort of ['relevance', 'modified', 'title', 'identifier'] as const) {
    const whole = c.ids({ q: '公車', sort, limit: 1000 });
    t.equal(whole.length, 37, sort);
    const paged: string[] = [];
    for (let offset = 0; offset < 37; offset += 5) paged.push(...c.ids({ q: '公車', sort, limit: 5, offset }));
    t.same(paged, whole, `${sort}: pages of 5 make the whole`);
    t.same(c.ids({ q: '公車', sort, limit: 1000 }), whole, `${sort}: the same order again`);
  }
  t.same(c.search({ q: '公車', offset: 37 }).identifiers, [], 'past the end: empty page');
  t.equal(c.search({ q: '公車', offset: 1e12 }).total, 37, 'a huge offset: empty page, total kept');
  t.same(c.search({ q: '公車', limit: 0 }).identifiers, []);
  t.equal(c.search({ q: '公車', limit: Number.POSITIVE_INFINITY }).identifiers.length, 37, 'limit "all"');
  t.equal(c.search({ q: '公車', limit: 2_147_483_647 }).identifiers.length, 37);
  t.same(c.search({ q: '公車', limit: Number.NaN, offset: -5 }).identifiers, [], 'a NaN limit is no page, not a crash');
  t.end();
});

t.test('datasets added after a search take their place in identifier order, and in ties of other orders', async (t) => {
  const c = await catalogue(
    t,
    ['000020', '000040', '000060'].map((serial) => record(serial, { title: '同名資料集' })),
  );
  t.same(c.ids({}), [id('000020'), id('000040'), id('000060')]);
  await c.put(
    'city',
    ['000010', '000050', '000070', '000030'].map((serial) => record(serial, { title: '同名資料集' })),
  );
  const expected = ['000010', '000020', '000030', '000040', '000050', '000060', '000070'].map(id);
  t.same(c.ids({}), expected, 'a walk along the identifier order (a page reaching the end)');
  t.same(c.ids({ limit: 1, offset: 2 }), [id('000030')], 'a heap over identifier ranks (a short page)');
  t.same(c.ids({ sort: 'title' }), expected, 'equal titles: identifier order');
  t.same(c.ids({ sort: 'modified' }), expected, 'equal modified: identifier order');
  t.same(c.ids({ q: '同名', limit: 3, offset: 4 }), expected.slice(4), 'equal relevance: identifier order');
  t.end();
});

t.test('an unfiltered page in identifier order (the walk along the identifier order) is the page of the general path', async (t) => {
  const c = await catalogue(
    t,
    Array.from({ length: 23 }, (_, i) => record(String(((i * 7) % 23) + 1).padStart(6, '0'))),
  );
  await c.withdraw('city', [id('000004'), id('000005'), id('000023')]);
  // Facets take the general path (they count every match); without them an unfiltered page is a walk.
  const general = (query: Partial<SearchQuery>): SearchResult => {
    const { facets: _facets, ...result } = c.search({ ...query, facets: true });
    return result;
  };
  t.equal(c.search({}).total, 20);
  let checked = 0;
  for (const sort of [undefined, 'identifier', 'relevance'] as const) {
    for (const limit of [0, 1, 3, 19, 20, 21, 1000]) {
      for (const offset of [0, 1, 2, 17, 19, 20, 25]) {
        t.same(c.search({ sort, limit, offset }), general({ sort, limit, offset }), `sort ${sort}, limit ${limit}, offset ${offset}`);
        checked += 1;
      }
    }
  }
  // Keyset paging: from a live dataset, a withdrawn one, before the first and after the last.
  for (const after of [id('000003'), id('000004'), id('000022'), id('000023'), 'A', 'Z']) {
    const position = { order: 'identifier' as const, key: null, identifier: after };
    for (const limit of [1, 5, 100]) {
      t.same(c.search({ after: position, limit, offset: 0 }), general({ after: position, limit, offset: 0 }), `after ${after}, limit ${limit}`);
      t.same(c.search({ after: position, limit, offset: 2 }), general({ after: position, limit, offset: 2 }), `after ${after}, limit ${limit}, offset 2`);
    }
  }
  // Walking the next positions from the first page sees every live dataset once, in order.
  const walked: string[] = [];
  let page = c.search({ limit: 6 });
  walked.push(...page.identifiers);
  while (page.last !== undefined) {
    page = c.search({ limit: 6, after: page.last });
    walked.push(...page.identifiers);
  }
  t.same(walked, general({ limit: 1000 }).identifiers);
  t.throws(() => c.search({ after: { order: 'modified', key: 0, identifier: id('000001') } }), { name: 'SearchPositionError' });
  t.ok(checked > 100);
  t.end();
});

t.test('withdrawn datasets are never returned; a reinstated one is again', async (t) => {
  const c = await catalogue(t, FIXTURE);
  await c.withdraw('city', [id('000002')]);
  t.same(c.ids({ q: '公車' }), []);
  t.notOk(c.ids({}).includes(id('000002')));
  t.notOk(
    c.search({ facets: true }).facets!.publisher.some((p) => p.value === '新北市政府交通局'),
    'nor counted in facets',
  );
  t.equal(c.search({}).total, 5);
  await c.put('city', [FIXTURE[1]!]);
  t.same(c.ids({ q: '公車' }), [id('000002')], 'listed again: searchable again');
  t.end();
});

t.test('an updated record is found by its new text and no longer by its old', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.same(c.ids({ q: '公車' }), [id('000002')]);
  await c.put('city', [{ ...FIXTURE[1]!, title: '新北市捷運站出入口', description: '捷運站出入口位置。', modified: '2026-01-01 00:00:00' }]);
  t.same(c.ids({ q: '捷運' }), [id('000002')]);
  t.same(c.ids({ q: '公車' }), [], 'the old title is gone');
  t.same(c.ids({ sort: 'modified', limit: 1 }), [id('000002')], 'and its new modified time sorts it first');
  t.end();
});

t.test('a dataset published by two sources is one result, searchable by what it serves', async (t) => {
  const c = await catalogue(t, [FIXTURE[2]!]);
  // data.gov.tw's copy of the city's record: the same agency identifier, its own spelling.
  await c.put('portal', [{ ...FIXTURE[2]!, title: '台北市公共自行車租借站', description: '轉載自臺北市資料平臺。' }]);
  t.equal(c.db.prepare('SELECT count(*) FROM datasets WHERE withdrawn_at IS NULL').pluck().get(), 1, 'merged into one dataset');
  t.same(c.ids({ q: '公共自行車' }), [id('000003')], 'once');
  t.same(c.ids({ q: '租賃站' }), [id('000003')], "the city's title (higher priority) is what is served and searched");
  t.same(c.ids({ q: '租借站' }), [], "not the copy's title");
  t.equal(c.search({ facets: true }).facets!.publisher[0]!.count, 1);
  t.end();
});

t.test('an empty catalogue answers every query with nothing', async (t) => {
  const c = await catalogue(t);
  for (const query of [{}, { q: '空氣品質' }, { q: '車' }, { publisher: 'x', sort: 'title' as const }, { sort: 'modified' as const, offset: 10 }]) {
    const result = c.search({ ...query, facets: true });
    t.same(result, { total: 0, identifiers: [], facets: { publisher: [], category: [], format: [], license: [] } }, JSON.stringify(query));
  }
  t.equal(refreshSearchIndex(c.db), 0);
  t.end();
});

t.test('refreshSearchIndex drains the queue the triggers fill, in batches, and is cheap when it is empty', async (t) => {
  const c = await catalogue(t);
  const pending = (): number => c.db.prepare('SELECT count(*) FROM search_pending').pluck().get() as number;
  await c.put('city', FIXTURE);
  t.equal(pending(), 6, 'every new dataset is queued by the trigger');
  t.equal(refreshSearchIndex(c.db, { batch: 4 }), 6, 'two batches');
  t.equal(pending(), 0);
  t.equal(refreshSearchIndex(c.db), 0, 'nothing to do');

  await c.put('city', [{ ...FIXTURE[0]!, title: '臺北市空氣品質即時資料' }]);
  t.equal(pending(), 1, 'an update queues that dataset only');
  t.equal(refreshSearchIndex(c.db), 1);
  await c.withdraw('city', [id('000001')]);
  t.equal(pending(), 1, 'a withdrawal queues it');
  t.equal(refreshSearchIndex(c.db), 1);
  t.same(c.db.prepare('SELECT live FROM search_docs WHERE identifier = ?').pluck().get(id('000001')), 0, 'retired, not indexed');
  t.equal(
    c.db.prepare('SELECT count(*) FROM dataset_search WHERE dataset_search MATCH \'"空氣 氣品 品質"\'').pluck().get(),
    1,
    'its text left the full-text index',
  );
  t.end();
});

t.test('a refresh indexing 1 % of the catalogue (at least 1000 datasets) merges the full-text index into one segment', async (t) => {
  const c = await catalogue(t);
  const segments = (): number => c.db.prepare('SELECT count(DISTINCT segid) FROM dataset_search_idx').pluck().get() as number;
  await c.put(
    'city',
    Array.from({ length: 1000 }, (_, i) => record(String(i + 1).padStart(6, '0'), { title: `公車動態資訊${i}` })),
  );
  t.equal(refreshSearchIndex(c.db, { batch: 100 }), 1000, 'ten batches');
  t.equal(segments(), 1, 'merged after the batches');
  await c.put('city', [record('000001', { title: '公車站位' })]);
  await c.put('city', [record('000002', { title: '公車站牌' })]);
  t.equal(refreshSearchIndex(c.db, { batch: 1 }), 2);
  t.ok(segments() > 1, "a small refresh is left to FTS5's incremental merging");
  t.equal(c.search({ q: '公車' }).total, 1000, 'every dataset still found');
  t.same(c.ids({ q: '公車站' }), [id('000001'), id('000002')]);
  t.end();
});

t.test('a search never waits behind another connection holding the write lock', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.equal(c.search({}).total, 6);
  await c.put('city', [record('000100', { title: '地震速報' })]);
  const other = new Database(c.path);
  t.teardown(() => other.close());
  other.prepare('BEGIN IMMEDIATE').run();
  const started = Date.now();
  const stale = c.search({ q: '地震' });
  t.ok(Date.now() - started < 2000, 'answered at once (the busy timeout is 30 s)');
  t.equal(stale.total, 0, 'from the index as it was: the new dataset is not indexed yet');
  t.equal(c.db.pragma('busy_timeout', { simple: true }), 30000, 'the connection keeps its busy timeout');
  other.prepare('ROLLBACK').run();
  t.same(c.ids({ q: '地震' }), [id('000100')], 'indexed by the next search once the lock is free');
  t.end();
});

t.test('a connection sees what another process indexed (its in-memory columns catch up)', async (t) => {
  const c = await catalogue(t, FIXTURE);
  t.equal(c.search({ q: '車', facets: true }).total, 4);
  const other = openDatabase(c.path);
  t.teardown(() => other.close());
  other.prepare('UPDATE dataset_entries SET modified_at = ? WHERE identifier = ?').run('2030-01-01T00:00:00Z', id('000006'));
  t.equal(refreshSearchIndex(other), 1, 'the other connection indexes the change');
  t.same(c.ids({ sort: 'modified', limit: 1 }), [id('000006')], 'this connection sees it, with nothing left to index itself');
  t.end();
});

t.test('records with odd values are indexed without failing the refresh', async (t) => {
  const c = await catalogue(t, FIXTURE);
  // A merged record as a bug elsewhere might store it: wrong types everywhere.
  c.db.prepare('UPDATE dataset_entries SET record = ? WHERE identifier = ?').run(
    JSON.stringify({
      identifier: id('000002'),
      title: 42,
      description: { a: 1 },
      keyword: ['公車', 7, null],
      publisher: ['x'],
      organization: '新北市政府',
      distribution: [null, { format: 5 }, { format: ' geojson ' }],
    }),
    id('000002'),
  );
  c.db.prepare('UPDATE dataset_entries SET record = ? WHERE identifier = ?').run('not json', id('000006'));
  t.doesNotThrow(() => refreshSearchIndex(c.db));
  t.same(c.ids({ q: '公車' }), [id('000002')], 'its string keywords are searched');
  t.same(c.ids({ publisher: '新北市政府' }), [id('000002')], 'the organization stands in for a publisher that is not text');
  t.same(c.ids({ format: 'GEOJSON' }), [id('000002')]);
  t.notOk(c.ids({}).includes(id('000006')), 'a record that is not JSON cannot be searched');
  t.end();
});

t.test('upgrading a version-3 database queues every served dataset for the index', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  const raw = new Database(path);
  for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) raw.exec(migration.sql);
  raw.pragma('user_version = 3');
  raw.prepare("INSERT INTO sources (id, name, type, url, updated_at) VALUES ('city', 'city', 'file', 'file:///x', '2026-01-01T00:00:00Z')").run();
  raw
    .prepare(
      `INSERT INTO dataset_entries (identifier, source_id, native_id, priority, title, modified_at, record, issues, created_at, updated_at)
       VALUES (?, 'city', ?, 0, '臺北市公車站位', '2026-01-01T00:00:00Z', ?, '[]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
    )
    .run(id('000001'), id('000001'), JSON.stringify({ identifier: id('000001'), title: '臺北市公車站位' }));
  raw.close();
  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.equal(db.prepare('SELECT count(*) FROM search_pending').pluck().get(), 1);
  t.same(searchDatasets(db, { q: '公車', limit: 10, offset: 0 }).identifiers, [id('000001')], 'searchable at the first search');
  t.end();
});

/** The scan searchDatasets replaced (its behaviour is the spec), for the match sets, facets and orders. */
function referenceSearch(
  records: readonly NationalRecord[],
  query: SearchQuery,
): { total: number; ids: string[]; facets: Record<string, Array<[string, number]>> } {
  const terms = (query.q ?? '')
    .split(/\s+/)
    .map((term) => normaliseText(term))
    .filter((term) => term !== '');
  const matches = records.filter((record) => {
    if (query.publisher !== undefined && publisherOf(record) !== query.publisher.trim()) return false;
    if (query.category !== undefined && record.categoryCode !== query.category.trim()) return false;
    if (query.format !== undefined && !formatsOf(record).includes(query.format.trim().toUpperCase())) return false;
    if (query.categories !== undefined && !query.categories.includes(record.categoryCode ?? '')) return false;
    if (query.keywords !== undefined && !query.keywords.every((keyword) => keywordsOf(record).includes(keyword))) return false;
    for (const condition of query.conditions ?? []) {
      if (condition.field !== 'format') throw new Error('the reference knows format conditions only');
      const any = condition.anyOf.some((format) => formatsOf(record).includes(format.toUpperCase()));
      if (any === Boolean(condition.negated)) return false;
    }
    const title = normaliseText(record.title);
    const rest = normaliseText([record.description ?? '', ...(record.keyword ?? []), publisherOf(record) ?? ''].join(' '));
    return terms.every((term) => title.includes(term) || rest.includes(term));
  });
  const counts: Record<string, Map<string, number>> = { publisher: new Map(), category: new Map(), format: new Map(), license: new Map() };
  const add = (facet: string, value: string | undefined): void => {
    if (value) counts[facet]!.set(value, (counts[facet]!.get(value) ?? 0) + 1);
  };
  for (const record of matches) {
    add('publisher', publisherOf(record));
    add('category', record.categoryCode);
    add('license', record.license);
    for (const format of formatsOf(record)) add('format', format);
  }
  const facets = Object.fromEntries(
    Object.entries(counts).map(([facet, map]) => [facet, [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_FACET_VALUES)]),
  );
  const ordered = [...matches];
  if (query.sort === 'title') ordered.sort((a, b) => a.title.localeCompare(b.title, 'zh-Hant') || (a.identifier < b.identifier ? -1 : 1));
  else ordered.sort((a, b) => (a.identifier < b.identifier ? -1 : 1));
  return { total: matches.length, ids: ordered.slice(query.offset, query.offset + query.limit).map((r) => r.identifier), facets };
}

t.test('over 400 synthetic datasets, matches, facets and orders are those of the scan it replaced', async (t) => {
  const raws = Array.from({ length: 400 }, (_, i) => syntheticRecord(i + 1));
  const c = await catalogue(t, raws);
  const records = raws.map((raw) => {
    const result = mapNationalRecord(raw);
    return (result as { record: NationalRecord }).record;
  });
  const queries: SearchQuery[] = [];
  // CJK terms within runs (the index treats punctuation as a break; the scan ignored it).
  for (const q of [
    '空氣品質',
    '公共自行車',
    '車',
    '臺北市 交通事故',
    '台中市',
    '年度統計 桃園',
    '資料',
    '本會',
    '新臺幣',
    '歷史資料 即時',
    '管制考核處',
    '縣市',
  ]) {
    for (const sort of ['identifier', 'title'] as const) queries.push({ q, sort, limit: 25, offset: 3, facets: true });
  }
  queries.push({ category: 'E00', format: 'json', limit: 1000, offset: 0, facets: true, sort: 'identifier' });
  queries.push({ q: '統計', publisher: '國家發展委員會綜合規劃處', limit: 1000, offset: 0, facets: true, sort: 'title' });
  // Keywords (up to six per record: past the in-row slots), categories, formats any-of and none-of.
  const keywordPool = [...new Set(records.flatMap((record) => keywordsOf(record)))].slice(0, 6);
  for (const keyword of keywordPool) queries.push({ keywords: [keyword], limit: 1000, offset: 0, facets: true, sort: 'identifier' });
  queries.push({ keywords: keywordPool.slice(0, 2), limit: 1000, offset: 0, facets: true, sort: 'identifier' });
  queries.push({
    q: '資料',
    keywords: keywordPool.slice(0, 1),
    categories: ['A00', 'E00', 'I00', 'B00', '100', 'G00'],
    limit: 50,
    offset: 5,
    facets: true,
    sort: 'title',
  });
  queries.push({
    conditions: [
      { field: 'format', anyOf: ['CSV', 'json'] },
      { field: 'format', anyOf: ['XML'], negated: true },
    ],
    limit: 1000,
    offset: 0,
    facets: true,
    sort: 'identifier',
  });
  for (const query of queries) {
    const expected = referenceSearch(records, query);
    const actual = searchDatasets(c.db, query);
    const label = JSON.stringify({ q: query.q, sort: query.sort, category: query.category, keywords: query.keywords, conditions: query.conditions });
    t.equal(actual.total, expected.total, `${label}: total`);
    if (query.keywords !== undefined || query.conditions !== undefined) t.ok(expected.total > 0, `${label}: matches something`);
    t.same(actual.identifiers, expected.ids, `${label}: page`);
    const facets = Object.fromEntries(
      Object.entries(actual.facets!).map(([facet, values]: [string, FacetValue[]]) => [facet, values.map((v) => [v.value, v.count])]),
    );
    t.same(facets, expected.facets, `${label}: facets`);
  }
  t.end();
});

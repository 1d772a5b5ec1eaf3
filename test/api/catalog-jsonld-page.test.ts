/**
 * CatalogJsonLdPages over a real store: a page assembled from per-dataset fragments is the JSON
 * of the whole document toDcatCatalog builds from the served records, each dataset is rendered
 * once and reused until it changes, and the budget bounds what is kept without changing a byte.
 */
import t from 'tap';
import { CatalogJsonLdPages } from '../../src/api/catalog-jsonld-page.js';
import { DatasetFragmentCache } from '../../src/api/dataset-fragment-cache.js';
import { getDataset } from '../../src/store/catalogue.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import type { Db } from '../../src/store/database.js';
import { toDcatCatalog, type CatalogPageFrame } from '../../src/views/dcat-catalog.js';
import { catalogueStore, record } from '../helpers/catalogue-store.js';

const BASE_URL = 'https://gateway.example.tw';
const FRAME: CatalogPageFrame = {
  totalItems: 4,
  modified: '2025-01-01T02:00:00Z',
  links: { self: `${BASE_URL}/catalog?page=1`, first: `${BASE_URL}/catalog?page=1`, last: `${BASE_URL}/catalog?page=1` },
};

/** Counts the fragments rendered (every rendering is offered to the cache). */
class CountingFragments extends DatasetFragmentCache {
  rendered: string[] = [];
  override set(identifier: string, stamp: string, json: Buffer): void {
    this.rendered.push(identifier);
    super.set(identifier, stamp, json);
  }
}

/** What the page must be: the whole document of the live datasets' records, serialised at once. */
function expected(db: Db, identifiers: readonly string[]): string {
  const records = identifiers.flatMap((identifier) => {
    const entry = getDataset(db, identifier);
    return entry === undefined || entry.withdrawnAt !== null || entry.mergedInto !== null ? [] : [entry.record];
  });
  return JSON.stringify(toDcatCatalog({ ...FRAME, records }, { baseUrl: BASE_URL }));
}

t.test('a page of cached fragments, each rendered once per served version', async (t) => {
  const s = await catalogueStore(t);
  await s.put('city', [record('A'), record('B', { keyword: ['公車', '路線'] }), record('C', { title: '含 "引號" 與 \\ 的標題' }), record('D')]);
  const fragments = new CountingFragments(() => 64 * 1024 * 1024);
  const pages = new CatalogJsonLdPages(sqliteStoreOn(s.db).catalogue, fragments, { baseUrl: BASE_URL });
  const ids = ['A', 'B', 'C', 'D'];

  const first = await pages.render(ids, FRAME);
  t.ok(Buffer.isBuffer(first));
  t.equal(first.toString('utf8'), expected(s.db, ids), 'the bytes of the whole document');
  t.same(fragments.rendered, ids, 'every dataset rendered once');

  fragments.rendered = [];
  t.same((await pages.render(['D', 'B'], FRAME)).toString('utf8'), expected(s.db, ['D', 'B']), 'another page of the same datasets');
  t.same(fragments.rendered, [], 'from the fragments alone');

  await s.put('city', [record('B', { title: '改名的資料集' })]);
  fragments.rendered = [];
  const changed = (await pages.render(ids, FRAME)).toString('utf8');
  t.equal(changed, expected(s.db, ids));
  t.match(changed, /改名的資料集/, 'the change is served');
  t.same(fragments.rendered, ['B'], 'only the changed dataset is rendered again');

  await s.put('city', [record('C', { title: '尚未整合的新標題' })], false);
  fragments.rendered = [];
  t.match(
    (await pages.render(ids, FRAME)).toString('utf8'),
    /尚未整合的新標題/,
    'a payload harvested before identity resolution is what the datasets view serves',
  );
  t.same(fragments.rendered, ['C']);

  await s.withdraw('city', ['A']);
  fragments.rendered = [];
  t.equal((await pages.render(ids, FRAME)).toString('utf8'), expected(s.db, ['B', 'C', 'D']), 'a withdrawn dataset leaves the page');
  t.same(fragments.rendered, ['C'], "the resolution that withdrew A also took in C's change: C once more, no other");
  t.equal(
    (await pages.render(['nope'], { ...FRAME, totalItems: 0 })).toString('utf8'),
    JSON.stringify(toDcatCatalog({ ...FRAME, totalItems: 0, records: [] }, { baseUrl: BASE_URL })),
    'no live dataset: an empty dcat:dataset',
  );
});

t.test('with no room for fragments the page is the same, rendered every time', async (t) => {
  const s = await catalogueStore(t);
  await s.put('city', [record('A'), record('B')]);
  const fragments = new CountingFragments(() => 0);
  const pages = new CatalogJsonLdPages(sqliteStoreOn(s.db).catalogue, fragments, { baseUrl: BASE_URL });
  for (let round = 0; round < 2; round += 1) t.equal((await pages.render(['A', 'B'], FRAME)).toString('utf8'), expected(s.db, ['A', 'B']));
  t.same(fragments.rendered, ['A', 'B', 'A', 'B'], 'nothing kept');
  t.equal(fragments.size, 0);
});

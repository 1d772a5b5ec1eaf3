/**
 * CataloguePageReader over a real SQLite store fed through the real write path (writeRecordPage,
 * resolveIdentity, withdrawals): which datasets of a page are served, in what order, the stamp
 * that says when a dataset's rendering must be redone, and records read only when asked.
 */
import t, { type Test } from 'tap';
import { getDataset } from '../../src/store/catalogue.js';
import { CataloguePageReader } from '../../src/store/catalogue-page.js';
import { catalogueStore, record, type CatalogueStore } from '../helpers/catalogue-store.js';

interface Store extends CatalogueStore {
  reader: CataloguePageReader;
  stamps(identifiers: readonly string[]): Map<string, string>;
}

async function store(t: Test): Promise<Store> {
  const s = await catalogueStore(t);
  const reader = new CataloguePageReader(s.db);
  return { ...s, reader, stamps: (identifiers) => new Map(reader.read(identifiers, () => true).map((entry) => [entry.identifier, entry.stamp])) };
}

t.test('the live datasets of a page, in its order, records read only where no rendering is known', async (t) => {
  const s = await store(t);
  await s.put(
    'city',
    ['A', 'B', 'C', 'D'].map((id) => record(id)),
  );
  t.same(
    s.reader.read([], () => 'x'),
    [],
    'an empty page reads nothing',
  );

  const asked: Array<[string, string]> = [];
  const entries = s.reader.read(['C', 'nope', 'A', 'D', 'B'], (identifier, stamp) => {
    asked.push([identifier, stamp]);
    return identifier === 'A' || identifier === 'D' ? `rendered ${identifier}` : undefined;
  });
  t.same(
    entries.map((e) => e.identifier),
    ['C', 'A', 'D', 'B'],
    'in the order asked; an identifier with no dataset is left out',
  );
  t.same(
    asked.map(([identifier]) => identifier),
    ['C', 'A', 'D', 'B'],
    'the caller is asked once per live dataset',
  );
  t.ok(
    asked.every(([, stamp]) => stamp.length > 0),
    'with a stamp',
  );
  for (const entry of entries) {
    if (entry.identifier === 'A' || entry.identifier === 'D') {
      t.equal(entry.rendered, `rendered ${entry.identifier}`, `${entry.identifier}: the caller's rendering`);
      t.equal(entry.record, undefined, `${entry.identifier}: its record is not read`);
    } else {
      t.equal(entry.rendered, undefined);
      t.same(entry.record, getDataset(s.db, entry.identifier)!.record, `${entry.identifier}: the served record`);
    }
  }
});

t.test('a stamp holds while nothing changes and moves when what is served may have', async (t) => {
  const s = await store(t);
  await s.put('city', [record('A'), record('B')]);
  const first = s.stamps(['A', 'B']);
  t.same(s.stamps(['A', 'B']), first, 'read again: the same stamps');

  await s.put('city', [record('A')]);
  t.same(s.stamps(['A', 'B']), first, 'the same payload harvested again: the same stamps');

  await s.put('city', [record('A', { title: '新標題' })], false);
  const beforeResolution = s.stamps(['A', 'B']);
  t.not(beforeResolution.get('A'), first.get('A'), 'a re-harvested payload moves it before identity resolution runs');
  t.equal(beforeResolution.get('B'), first.get('B'), 'the other datasets keep theirs');
  const [read] = s.reader.read(['A'], () => undefined);
  t.equal(read?.record?.title, '新標題', 'and the record read with it is the new one');

  await s.put('city', [], true);
  const afterResolution = s.stamps(['A', 'B']);
  t.not(afterResolution.get('A'), beforeResolution.get('A'), 'resolution moves it again (the dataset was updated)');
  t.equal(afterResolution.get('B'), first.get('B'));
});

t.test('withdrawn and absorbed datasets are not on the page; a merged one is, with its merged record', async (t) => {
  const s = await store(t);
  await s.put('city', [record('A'), record('B'), record('C')]);
  await s.withdraw('city', ['B']);
  t.same([...s.stamps(['A', 'B', 'C']).keys()], ['A', 'C'], 'withdrawn: left out');

  // The portal publishes C too (same identifier): one dataset of two records, merged.
  const single = s.stamps(['C']).get('C');
  await s.put('portal', [record('C', { description: '入口網站的描述。', keyword: ['入口'] })]);
  const merged = s.reader.read(['C'], () => undefined);
  t.equal(merged.length, 1);
  t.not(merged[0]!.stamp, single, 'a dataset that became a merge of two records has a new stamp');
  t.ok(merged[0]!.record, 'and its record, the merged one, is read');

  // The portal's own dataset P later turns out to be A (same download URL): one absorbs the other.
  await s.put('portal', [record('P')]);
  t.same([...s.stamps(['A', 'P']).keys()], ['A', 'P'], 'two datasets at first');
  await s.put('portal', [record('P', { distribution: [{ resourceID: 'P-001', format: 'CSV', downloadURL: 'https://data.example.gov.tw/A.csv' }] })]);
  const absorbed = s.db.prepare('SELECT identifier, merged_into FROM dataset_entries WHERE merged_into IS NOT NULL').all() as Array<{
    identifier: string;
    merged_into: string;
  }>;
  t.equal(absorbed.length, 1, 'one of A and P was absorbed into the other');
  const gone = absorbed[0]!.identifier;
  t.same(
    s.reader.read(['A', 'P'], () => undefined).map((e) => e.identifier),
    [absorbed[0]!.merged_into],
    `absorbed (${gone}): left out, the survivor stays`,
  );
});

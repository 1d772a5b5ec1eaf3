import t from 'tap';
import { ResponseCache, type CachedAnswer } from '../../src/api/response-cache.js';
import { DatasetFragmentCache } from '../../src/api/dataset-fragment-cache.js';
import { strongEtag } from '../../src/api/http-caching.js';
import { recordChange } from '../../src/store/changes.js';
import { openDatabase } from '../../src/store/database.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { startFederation } from '../helpers/federation.js';
import { CATALOG_RECORDS } from './catalog-records.js';

const answer = (body: string): CachedAnswer => ({
  body: Buffer.from(body),
  contentType: 'application/ld+json; charset=utf-8',
  etag: `"${body.slice(0, 8)}"`,
  headers: {},
});

t.test('a cached answer lives until the catalogue changes', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  db.prepare("INSERT INTO sources (id, name, type, url, updated_at) VALUES ('s', 's', 'file', 'file:///s', '2026-01-01T00:00:00Z')").run();
  const cache = new ResponseCache(sqliteStoreOn(db).catalogue);

  const first = await cache.lookup('page1');
  t.equal(first.hit, undefined);
  await cache.store('page1', first.version, answer('one'));
  t.same((await cache.lookup('page1')).hit?.body, Buffer.from('one'), 'served again while nothing changed, as the bytes stored');

  recordChange(db, { identifier: 'A', sourceId: 's', kind: 'updated', runId: null, at: '2026-01-01T00:00:00Z' });
  t.equal((await cache.lookup('page1')).hit, undefined, 'a change anywhere in the catalogue drops it');

  const stale = await cache.lookup('page2');
  recordChange(db, { identifier: 'B', sourceId: 's', kind: 'created', runId: null, at: '2026-01-01T00:00:00Z' });
  await cache.store('page2', stale.version, answer('rendered across a change'));
  t.equal((await cache.lookup('page2')).hit, undefined, 'an answer rendered while the catalogue changed is not kept');
  t.end();
});

t.test('the cache is bounded by entries and bytes, least recently used first', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  // Every entry also costs an estimated overhead (~0.5 KB): bodies of 3 KB leave room for three.
  const cache = new ResponseCache(sqliteStoreOn(db).catalogue, { maxEntries: 2, maxBytes: 12_000 });
  const { version } = await cache.lookup('a');
  await cache.store('a', version, answer('a'));
  await cache.store('b', version, answer('b'));
  await cache.lookup('a');
  await cache.store('c', version, answer('c'));
  t.ok((await cache.lookup('a')).hit, 'recently used: kept');
  t.equal((await cache.lookup('b')).hit, undefined, 'least recently used: evicted');
  t.ok((await cache.lookup('c')).hit);

  const bytes = new ResponseCache(sqliteStoreOn(db).catalogue, { maxEntries: 100, maxBytes: 12_000 });
  await bytes.store('big', version, answer('x'.repeat(12_000)));
  t.equal((await bytes.lookup('big')).hit, undefined, 'larger than the whole budget: not kept');
  t.equal(bytes.spareBytes(), 12_000);
  for (const key of ['d', 'e', 'f', 'g']) await bytes.store(key, version, answer(key.repeat(3000)));
  t.equal((await bytes.lookup('d')).hit, undefined, 'over the byte budget: the oldest goes');
  t.ok((await bytes.lookup('e')).hit && (await bytes.lookup('f')).hit && (await bytes.lookup('g')).hit, 'the three newest fit');
  t.ok(bytes.spareBytes() < 12_000 - 9000, 'bodies, key and overhead are counted');
  await bytes.store('e', version, answer('E'.repeat(3000)));
  t.same((await bytes.lookup('e')).hit?.body, Buffer.from('E'.repeat(3000)), 'storing a key again replaces its answer');
  t.ok((await bytes.lookup('f')).hit && (await bytes.lookup('g')).hit, 'and counts it once');

  const none = new ResponseCache(sqliteStoreOn(db).catalogue, { maxEntries: 0, maxBytes: 12_000 });
  await none.store('a', version, answer('a'));
  t.equal((await none.lookup('a')).hit, undefined, 'no entries allowed: nothing kept');
  t.end();
});

t.test('a tenant lives in what the answers leave of the budget', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const told: number[] = [];
  const cache = new ResponseCache(sqliteStoreOn(db).catalogue, { maxEntries: 10, maxBytes: 20_000 }, { shrinkTo: (maxBytes) => told.push(maxBytes) });
  const { version } = await cache.lookup('a');
  await cache.store('a', version, answer('a'.repeat(5000)));
  await cache.store('b', version, answer('b'.repeat(5000)));
  t.equal(told.length, 2, 'told at every answer stored');
  t.ok(told[0]! < 15_000 && told[1]! < told[0]! - 5000 + 1, 'the room left shrinks as answers are stored');
  t.equal(told[1], cache.spareBytes());
  await cache.store('c', version, answer('c'.repeat(30_000)));
  t.equal(told.length, 2, 'an answer too big to keep takes nothing from the tenant');
  t.end();
});

t.test('the fragment cache: by stamp, least recently used first, within a budget that moves', (t) => {
  let budget = 3000;
  const fragments = new DatasetFragmentCache(() => budget);
  const json = (text: string): Buffer => Buffer.from(text.padEnd(700, ' '));
  fragments.set('A', 'a1', json('A1'));
  t.same(fragments.get('A', 'a1'), json('A1'));
  t.equal(fragments.get('A', 'a2'), undefined, 'another stamp: the dataset changed, a miss');
  t.equal(fragments.get('A', 'a1'), undefined, 'and the stale text is dropped');
  t.equal(fragments.size, 0);
  t.equal(fragments.heldBytes, 0);

  for (const id of ['B', 'C', 'D']) fragments.set(id, 's', json(id));
  t.equal(fragments.size, 3, 'three of ~900 bytes each fit in 3000');
  fragments.get('B', 's');
  fragments.set('E', 's', json('E'));
  t.equal(fragments.get('C', 's'), undefined, 'least recently used: evicted');
  t.ok(fragments.get('B', 's') && fragments.get('D', 's') && fragments.get('E', 's'));
  t.ok(fragments.heldBytes <= 3000);

  fragments.set('D', 't', json('D2'));
  t.same(fragments.get('D', 't'), json('D2'), 'a new rendering replaces the old one');
  t.equal(fragments.size, 3);

  fragments.shrinkTo(1000);
  t.equal(fragments.size, 1, 'shrunk to what the owner of the budget leaves');
  budget = 500;
  fragments.set('F', 's', json('F'));
  t.equal(fragments.get('F', 's'), undefined, 'larger than the budget: not kept');
  budget = 0;
  fragments.set('G', 's', json('G'));
  t.equal(fragments.size, 0, 'no budget left: nothing kept, the rest evicted');
  t.end();
});

t.test('a catalogue page is served from the cache, and rebuilt after a harvest changes a dataset', async (t) => {
  const { harvester, base, platform } = await startFederation(t, CATALOG_RECORDS, 'https://gateway.example.tw');
  await harvester.run('fixture');
  const page = async (
    path = '/catalog?pageSize=50',
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string; etag: string | null; type: string | null }> => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, body: await res.text(), etag: res.headers.get('etag'), type: res.headers.get('content-type') };
  };
  const first = await page();
  const second = await page();
  t.equal(second.body, first.body);
  t.equal(second.etag, first.etag, 'the same tag for the same body');
  // fetch asks for compression: the tag of a compressed body is the identity tag with a suffix.
  t.equal(
    first.etag?.replace(/-(?:br|gzip)"$/, '"'),
    strongEtag(first.type!, Buffer.from(first.body)),
    'the tag is the hash of the bytes rendered, as for any other route',
  );
  t.equal(JSON.parse(first.body)['dcat:dataset'].length, CATALOG_RECORDS.length);

  const revalidated = await page('/catalog?pageSize=50', { 'if-none-match': first.etag! });
  t.equal(revalidated.status, 304, 'a cached page still answers conditionals');
  t.equal(revalidated.body, '');

  // Another page of the same datasets (assembled from the fragments the first one left).
  const small = await page('/catalog?pageSize=2&page=2');
  t.same(JSON.parse(small.body)['dcat:dataset'], JSON.parse(first.body)['dcat:dataset'].slice(2, 4), 'the same dataset nodes on a page of another size');
  const turtle = await page('/catalog.ttl?pageSize=50');
  t.equal(turtle.status, 200);
  t.match(turtle.type, /^text\/turtle/);
  t.equal((await page('/catalog.ttl?pageSize=50')).etag, turtle.etag, 'Turtle is cached too');

  const [record] = [...platform.records.values()];
  platform.records.set(String(record!.identifier), { ...record, title: '快取失效測試', modified: '2030-01-01 00:00:00' });
  await harvester.run('fixture', { full: true });
  const third = await page();
  t.not(third.etag, first.etag);
  t.match(third.body, /快取失效測試/, 'the changed title is served');
  t.equal((await page('/catalog?pageSize=50', { 'if-none-match': first.etag! })).status, 200, 'the old tag no longer matches');
  t.match((await page('/catalog?pageSize=2&page=1')).body, /快取失效測試/, 'on every page listing the dataset');
  t.match((await page('/catalog.ttl?pageSize=50')).body, /快取失效測試/, 'in every syntax');
});

import t from 'tap';
import { ResponseCache, type CachedAnswer } from '../../src/api/response-cache.js';
import { recordChange } from '../../src/store/changes.js';
import { openDatabase } from '../../src/store/database.js';
import { startFederation } from '../helpers/federation.js';
import { CATALOG_RECORDS } from './catalog-records.js';

const answer = (body: string): CachedAnswer => ({ body, contentType: 'application/ld+json; charset=utf-8', etag: `"${body}"`, headers: {} });

t.test('a cached answer lives until the catalogue changes', (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  db.prepare("INSERT INTO sources (id, name, type, url, updated_at) VALUES ('s', 's', 'file', 'file:///s', '2026-01-01T00:00:00Z')").run();
  const cache = new ResponseCache(db);

  const first = cache.lookup('page1');
  t.equal(first.hit, undefined);
  cache.store('page1', first.version, answer('one'));
  t.equal(cache.lookup('page1').hit?.body, 'one', 'served again while nothing changed');

  recordChange(db, { identifier: 'A', sourceId: 's', kind: 'updated', runId: null, at: '2026-01-01T00:00:00Z' });
  t.equal(cache.lookup('page1').hit, undefined, 'a change anywhere in the catalogue drops it');

  const stale = cache.lookup('page2');
  recordChange(db, { identifier: 'B', sourceId: 's', kind: 'created', runId: null, at: '2026-01-01T00:00:00Z' });
  cache.store('page2', stale.version, answer('rendered across a change'));
  t.equal(cache.lookup('page2').hit, undefined, 'an answer rendered while the catalogue changed is not kept');
  t.end();
});

t.test('the cache is bounded by entries and bytes, least recently used first', (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const cache = new ResponseCache(db, { maxEntries: 2, maxBytes: 1000 });
  const { version } = cache.lookup('a');
  cache.store('a', version, answer('a'));
  cache.store('b', version, answer('b'));
  cache.lookup('a');
  cache.store('c', version, answer('c'));
  t.ok(cache.lookup('a').hit, 'recently used: kept');
  t.equal(cache.lookup('b').hit, undefined, 'least recently used: evicted');
  cache.store('big', version, answer('x'.repeat(600)));
  t.equal(cache.lookup('big').hit, undefined, 'larger than the whole budget: not kept');
  cache.store('d', version, answer('y'.repeat(400)));
  cache.store('e', version, answer('z'.repeat(400)));
  t.equal(cache.lookup('d').hit, undefined, 'over the byte budget: the oldest goes');
  t.ok(cache.lookup('e').hit);
  t.end();
});

t.test('a catalogue page is served from the cache, and rebuilt after a harvest changes a dataset', async (t) => {
  const { harvester, base, platform } = await startFederation(t, CATALOG_RECORDS, 'https://gateway.example.tw');
  await harvester.run('fixture');
  const page = async (): Promise<{ body: string; etag: string | null }> => {
    const res = await fetch(`${base}/catalog?pageSize=50`);
    return { body: await res.text(), etag: res.headers.get('etag') };
  };
  const first = await page();
  const second = await page();
  t.equal(second.body, first.body);
  t.equal(second.etag, first.etag, 'the same tag for the same body');

  const [record] = [...platform.records.values()];
  platform.records.set(String(record!.identifier), { ...record, title: '快取失效測試', modified: '2030-01-01 00:00:00' });
  await harvester.run('fixture', { full: true });
  const third = await page();
  t.not(third.etag, first.etag);
  t.match(third.body, /快取失效測試/, 'the changed title is served');
});

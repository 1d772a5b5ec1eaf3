import t from 'tap';
import { RenderedRecordCache } from '../../src/api/rendered-record-cache.js';
import { strongEtag } from '../../src/api/http-caching.js';

/**
 * The cache of rendered one-record answers: an answer is reused without reading the row only
 * under the store version it was checked at, otherwise only for the very text it was rendered
 * from; its tag is the body's, and it stays within its bounds (least recently used first).
 */

const JSON_UTF8 = 'application/json; charset=utf-8';
const UPDATED = '2025-01-01T02:00:00Z';
const stored = (recordJson: string, updatedAt = UPDATED): { recordJson: string; updatedAt: string } => ({ recordJson, updatedAt });

/** A renderer that counts its calls. */
function counting(): { render: (source: string) => string; calls: string[] } {
  const calls: string[] = [];
  return { calls, render: (source) => (calls.push(source), JSON.stringify({ success: true, result: JSON.parse(source) as unknown })) };
}

t.test('the same stored text: rendered once; another text: rendered again', async (t) => {
  const cache = new RenderedRecordCache(JSON_UTF8);
  const { render, calls } = counting();
  const first = cache.answer('A-1', stored('{"title":"資料集"}'), 'v1', render);
  t.equal(first.body.toString('utf8'), '{"success":true,"result":{"title":"資料集"}}', 'the rendered body, UTF-8');
  t.equal(first.etag, strongEtag(JSON_UTF8, first.body.toString('utf8')), 'the tag http-caching.ts computes for the same bytes and type');
  t.equal(cache.answer('A-1', stored('{"title":"資料集"}'), 'v1', render), first, 'the same text: the kept answer');
  t.same(calls, ['{"title":"資料集"}'], 'rendered once');

  const changed = cache.answer('A-1', stored('{"title":"資料集（修訂）"}'), 'v1', render);
  t.equal(calls.length, 2, 'a changed text is rendered again, whatever its identifier');
  t.not(changed.etag, first.etag, 'and gets its own tag');
  t.equal(cache.size, 1, 'one entry per identifier');
  t.equal(cache.answer('A-1', stored('{"title":"資料集"}'), 'v1', render).etag, first.etag, 'back to the first text: the first tag again');
  t.equal(calls.length, 3);

  // Text that differs in one character only (same length) is another record.
  cache.answer('A-2', stored('{"n":1}'), 'v1', render);
  cache.answer('A-2', stored('{"n":2}'), 'v1', render);
  t.equal(calls.length, 5);
});

t.test('unchanged: only under the version the entry was last checked at', async (t) => {
  const cache = new RenderedRecordCache(JSON_UTF8);
  const { render, calls } = counting();
  t.equal(cache.unchanged('A-1', 'v1'), undefined, 'nothing kept yet');
  const first = cache.answer('A-1', stored('{"n":1}'), 'v1', render);
  t.equal(cache.unchanged('A-1', 'v1'), first, 'the same version: the kept answer, no row read');
  t.equal(cache.unchanged('A-2', 'v1'), undefined, 'another identifier: nothing');
  t.equal(cache.unchanged('A-1', 'v2'), undefined, 'the store moved: the row must be read again');

  // Read again under v2: the same text, but the dataset's last change moved (e.g. reinstated).
  const again = cache.answer('A-1', stored('{"n":1}', '2025-06-01T00:00:00Z'), 'v2', render);
  t.equal(calls.length, 1, 'the same text is not rendered again');
  t.equal(again.etag, first.etag);
  t.equal(again.updatedAt, '2025-06-01T00:00:00Z', 'Last-Modified follows the row');
  t.equal(cache.unchanged('A-1', 'v2')?.updatedAt, '2025-06-01T00:00:00Z', 'and the entry is good for v2 now');
  t.equal(cache.unchanged('A-1', 'v1'), undefined, 'not for v1 any more');

  const changed = cache.answer('A-1', stored('{"n":2}'), 'v3', render);
  t.equal(calls.length, 2);
  t.not(changed.etag, first.etag);
  t.equal(cache.unchanged('A-1', 'v3'), changed);
});

t.test('bounded by entries: least recently used first', async (t) => {
  const cache = new RenderedRecordCache(JSON_UTF8, { maxEntries: 2, maxBytes: 1024 * 1024 });
  const { render, calls } = counting();
  cache.answer('a', stored('1'), 'v1', render);
  cache.answer('b', stored('2'), 'v1', render);
  cache.answer('a', stored('1'), 'v1', render); // a used again: b is now the least recent
  cache.answer('c', stored('3'), 'v1', render);
  t.equal(cache.size, 2);
  t.equal(calls.length, 3);
  cache.answer('a', stored('1'), 'v1', render);
  t.equal(calls.length, 3, 'a kept');
  cache.answer('b', stored('2'), 'v1', render);
  t.equal(calls.length, 4, 'b was evicted and rendered again');
});

t.test('bounded by bytes; an answer too large for the budget is served but not kept', async (t) => {
  const source = JSON.stringify('x'.repeat(100));
  const { render, calls } = counting();
  // One entry: its UTF-8 body (~130 bytes) plus the source and identifier as UTF-16 (~210).
  const cache = new RenderedRecordCache(JSON_UTF8, { maxEntries: 100, maxBytes: 700 });
  cache.answer('a', stored(source), 'v1', render);
  cache.answer('b', stored(source), 'v1', render);
  t.equal(cache.size, 2);
  cache.answer('c', stored(source), 'v1', render);
  t.equal(cache.size, 2, 'the oldest went to make room');
  cache.answer('a', stored(source), 'v1', render);
  t.equal(calls.length, 4, 'a was evicted');

  const huge = JSON.stringify('y'.repeat(1000));
  const answer = cache.answer('h', stored(huge), 'v1', render);
  t.equal(answer.body.toString('utf8'), render(huge), 'served');
  t.equal(cache.size, 2, 'not kept, and nothing evicted for it');

  const none = new RenderedRecordCache(JSON_UTF8, { maxEntries: 0, maxBytes: 1024 });
  none.answer('a', stored(source), 'v1', render);
  t.equal(none.size, 0, 'maxEntries 0: nothing kept');
});

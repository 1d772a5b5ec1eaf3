import t from 'tap';
import { RenderedRecordCache } from '../../src/api/rendered-record-cache.js';
import { strongEtag } from '../../src/api/http-caching.js';

/**
 * The cache of rendered one-record answers: an answer is reused without reading the row only
 * under the store version it was checked at, otherwise only for the very text it was rendered
 * from; its tag is the body's; a record is kept from the second time it is asked for; and the
 * cache stays within its bounds, keeping what was used recently.
 */

const JSON_UTF8 = 'application/json; charset=utf-8';
const UPDATED = '2025-01-01T02:00:00Z';
const stored = (recordJson: string, updatedAt = UPDATED): { recordJson: string; updatedAt: string } => ({ recordJson, updatedAt });

/** A renderer that counts its calls. */
function counting(): { render: (source: string) => string; calls: string[] } {
  const calls: string[] = [];
  return { calls, render: (source) => (calls.push(source), JSON.stringify({ success: true, result: JSON.parse(source) as unknown })) };
}

/** Ask twice, so that the record is kept. */
function kept(
  cache: RenderedRecordCache,
  identifier: string,
  text: string,
  render: (source: string) => string,
  version = 'v1',
): ReturnType<RenderedRecordCache['answer']> {
  cache.answer(identifier, stored(text), version, render);
  return cache.answer(identifier, stored(text), version, render);
}

t.test('kept from the second request on; the same stored text is not rendered again, another is', async (t) => {
  const cache = new RenderedRecordCache(JSON_UTF8);
  const { render, calls } = counting();
  const once = cache.answer('A-1', stored('{"title":"資料集"}'), 'v1', render);
  t.equal(once.body.toString('utf8'), '{"success":true,"result":{"title":"資料集"}}', 'the rendered body, UTF-8');
  t.equal(once.etag, strongEtag(JSON_UTF8, once.body.toString('utf8')), 'the tag http-caching.ts computes for the same bytes and type');
  t.equal(once.updatedAt, UPDATED);
  t.equal(cache.size, 0, 'asked for once: not kept (a crawler walking the catalogue once fills nothing)');
  t.equal(cache.unchanged('A-1', 'v1'), undefined);

  const second = cache.answer('A-1', stored('{"title":"資料集"}'), 'v1', render);
  t.equal(calls.length, 2, 'rendered again the second time');
  t.equal(second.etag, once.etag);
  t.equal(cache.size, 1, 'and kept');
  t.equal(cache.answer('A-1', stored('{"title":"資料集"}'), 'v1', render), second, 'the same text: the kept answer');
  t.equal(calls.length, 2, 'not rendered a third time');

  const changed = cache.answer('A-1', stored('{"title":"資料集（修訂）"}'), 'v2', render);
  t.equal(calls.length, 3, 'a changed text is rendered again');
  t.not(changed.etag, second.etag, 'and gets its own tag');
  t.equal(cache.size, 1, 'in the place of the old one');
  t.equal(cache.unchanged('A-1', 'v2'), changed, 'kept at once: the record was kept before');
  t.equal(cache.answer('A-1', stored('{"title":"資料集（修訂）"}'), 'v2', render), changed);

  // Text that differs in one character only (same length) is another record.
  kept(cache, 'A-2', '{"n":1}', render);
  const before = calls.length;
  cache.answer('A-2', stored('{"n":2}'), 'v1', render);
  t.equal(calls.length, before + 1);
});

t.test('unchanged: only under the version the entry was last checked at', async (t) => {
  const cache = new RenderedRecordCache(JSON_UTF8);
  const { render, calls } = counting();
  t.equal(cache.unchanged('A-1', 'v1'), undefined, 'nothing kept yet');
  const first = kept(cache, 'A-1', '{"n":1}', render);
  t.equal(cache.unchanged('A-1', 'v1'), first, 'the same version: the kept answer, no row read');
  t.equal(cache.unchanged('A-2', 'v1'), undefined, 'another identifier: nothing');
  t.equal(cache.unchanged('A-1', 'v2'), undefined, 'the store moved: the row must be read again');

  // Read again under v2: the same text, but the dataset's last change moved (e.g. reinstated).
  const again = cache.answer('A-1', stored('{"n":1}', '2025-06-01T00:00:00Z'), 'v2', render);
  t.equal(calls.length, 2, 'the same text is not rendered again');
  t.equal(again.etag, first.etag);
  t.equal(again.updatedAt, '2025-06-01T00:00:00Z', 'Last-Modified follows the row');
  t.equal(cache.unchanged('A-1', 'v2')?.updatedAt, '2025-06-01T00:00:00Z', 'and the entry is good for v2 now');
  t.equal(cache.unchanged('A-1', 'v1'), undefined, 'not for v1 any more');

  const changed = cache.answer('A-1', stored('{"n":2}'), 'v3', render);
  t.equal(calls.length, 3);
  t.not(changed.etag, first.etag);
  t.equal(cache.unchanged('A-1', 'v3'), changed);
});

t.test('bounded by entries; what was used recently stays', async (t) => {
  const cache = new RenderedRecordCache(JSON_UTF8, { maxEntries: 4, maxBytes: 1024 * 1024 });
  const { render } = counting();
  for (const id of ['a', 'b']) kept(cache, id, '1', render);
  t.equal(cache.size, 2);
  for (const id of ['c', 'd', 'e', 'f', 'g', 'h']) {
    kept(cache, id, '1', render);
    cache.unchanged('a', 'v1'); // a is asked for all the time
    t.ok(cache.size <= 4, `after ${id}: ${cache.size} kept, at most 4`);
  }
  t.ok(cache.unchanged('a', 'v1'), 'the record used all along is still kept');
  t.equal(cache.unchanged('b', 'v1'), undefined, 'one not used since is gone');
  t.ok(cache.unchanged('h', 'v1'), 'the newest is kept');
});

t.test('bounded by bytes; an answer too large for the budget is served but not kept', async (t) => {
  const source = JSON.stringify('x'.repeat(100));
  const { render } = counting();
  // One entry: its UTF-8 body (~130 bytes) plus the source and identifier as UTF-16 (~210).
  const cache = new RenderedRecordCache(JSON_UTF8, { maxEntries: 100, maxBytes: 1400 });
  for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) {
    kept(cache, id, source, render);
    t.ok(cache.bytes <= 1400, `after ${id}: ${cache.bytes} bytes kept, at most 1400`);
  }
  t.ok(cache.size >= 2, 'several fit');
  t.ok(cache.unchanged('f', 'v1'), 'the newest is kept');
  t.equal(cache.unchanged('a', 'v1'), undefined, 'the oldest went to make room');

  const huge = JSON.stringify('y'.repeat(1000));
  const sizeBefore = cache.size;
  const answer = kept(cache, 'h', huge, render);
  t.equal(answer.body.toString('utf8'), render(huge), 'served');
  t.equal(cache.unchanged('h', 'v1'), undefined, 'not kept');
  t.equal(cache.size, sizeBefore, 'and nothing dropped for it');

  const none = new RenderedRecordCache(JSON_UTF8, { maxEntries: 0, maxBytes: 1024 });
  kept(none, 'a', source, render);
  t.equal(none.size, 0, 'maxEntries 0: nothing kept');
});

t.test('the "seen once" set is bounded too: a long walk does not grow it without end', async (t) => {
  const cache = new RenderedRecordCache(JSON_UTF8, { maxEntries: 10, maxBytes: 1024 * 1024 });
  const { render } = counting();
  for (let n = 0; n < 100; n += 1) cache.answer(`walk-${n}`, stored('1'), 'v1', render);
  t.equal(cache.size, 0, 'a walk visiting each record once keeps nothing');
  // Asked for again right away (within the set's memory): kept.
  cache.answer('walk-99', stored('1'), 'v1', render);
  t.equal(cache.size, 1);
  // Asked for again long after (the set was cleared meanwhile): counts as the first time.
  cache.answer('walk-0', stored('1'), 'v1', render);
  t.equal(cache.size, 1);
});

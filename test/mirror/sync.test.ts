import t from 'tap';
import { followMirror } from '../../src/mirror/follow.js';
import { FeedClient } from '../../src/mirror/feed-client.js';
import { pageChanges } from '../../src/mirror/page-changes.js';
import { HttpClient } from '../../src/http/http-client.js';
import { emptyCounts } from '../../src/harvest/run.js';
import { DEFAULT_RECORD_LIMITS } from '../../src/harvest/record-door.js';
import { isIdentityDirty } from '../../src/store/identity.js';
import { markRunStarted, queueRun, requestCancel, runErrors, type RunRow } from '../../src/store/runs.js';
import { silentLog } from '../helpers/gateway.js';
import { created, mirrorStore, startFakeFeed, updated, withdrawn } from './fake-feed.js';

/**
 * syncMirror against a scripted change feed on loopback, into a real SQLite store: the feed's
 * events applied under the upstream identifiers, the cursor stored with each page, and hostile
 * feeds: records that do not map, pages that break the contract, cursors that stick or loop,
 * refused cursors, blocked addresses, another process moving the cursor.
 */

const lastRun = (db: import('../../src/store/database.js').Db): RunRow => db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT 1').get() as RunRow;

t.test('created, updated and withdrawn events, applied in pages, under the upstream identifiers', async (t) => {
  const feed = await startFakeFeed(t, [
    [created('A41000000G-000001'), created('A41000000G-000002'), created('A41000000G-000003')],
    [created('A41000000G-000004'), withdrawn('A41000000G-000099')],
  ]);
  const mirror = await mirrorStore(t, feed.url);
  const first = await mirror.sync();
  t.equal(first.status, 'succeeded', first.message ?? '');
  t.match(first.counts, { pages: 2, seen: 5, created: 4, withdrawn: 0, errors: 0 }, 'a withdrawal of a dataset never seen is nothing to do');
  t.same([...mirror.live().keys()], ['A41000000G-000001', 'A41000000G-000002', 'A41000000G-000003', 'A41000000G-000004']);
  t.equal(mirror.live().get('A41000000G-000001')!.title, '資料集 A41000000G-000001');
  t.equal(mirror.cursor(), 'c2', 'the cursor of the last page is stored');
  t.same(feed.requests, ['', 'c1']);
  t.equal((await mirror.store.mirror.readMirror(mirror.sourceId))!.fullWalkAfterRun, undefined, 'the first walk reached the end');

  const idle = await mirror.sync();
  t.equal(idle.status, 'idle');
  t.equal(mirror.db.prepare('SELECT COUNT(*) FROM runs').pluck().get(), 1, 'an idle poll opens no run');

  feed.pages.push([updated('A41000000G-000002', { title: '資料集 2（修訂）' }), withdrawn('A41000000G-000003'), updated('A41000000G-000004')]);
  const second = await mirror.sync();
  t.match(second.counts, { pages: 1, seen: 3, updated: 1, unchanged: 1, withdrawn: 1 }, 'the same record again is unchanged');
  t.same(feed.requests.slice(-1), ['c2'], 'it starts from the stored cursor');
  t.same([...mirror.live().keys()], ['A41000000G-000001', 'A41000000G-000002', 'A41000000G-000004']);
  t.equal(mirror.live().get('A41000000G-000002')!.title, '資料集 2（修訂）');
  const gone = mirror.db.prepare('SELECT withdrawn_at IS NOT NULL AS w FROM datasets WHERE identifier = ?').get('A41000000G-000003') as { w: number };
  t.equal(gone.w, 1, 'withdrawn at once: an explicit deletion, not an absence');
  const changes = mirror.db.prepare("SELECT kind FROM changes WHERE identifier = 'A41000000G-000003' ORDER BY id").pluck().all();
  t.same(changes, ['created', 'withdrawn'], "the mirror's own change feed records it, so a mirror of the mirror follows");
});

t.test('a record that does not map is an error of the run; the sync goes on', async (t) => {
  const big = 'x'.repeat(3000);
  const feed = await startFakeFeed(t, [
    [
      created('A41000000G-000001'),
      { identifier: 'A41000000G-000002', kind: 'created', at: '2026-11-24T01:02:03Z', record: { identifier: 'A41000000G-000002' } },
      created('A41000000G-000003', { identifier: 'A41000000G-999999' }),
      created('A41000000G-000004', { description: big }),
      created('A41000000G-000005', { distribution: [{ format: 'CSV', downloadURL: 'not a url' }] }),
    ],
  ]);
  const mirror = await mirrorStore(t, feed.url);
  const summary = await mirror.sync({ limits: { maxRecordBytes: 2000, maxDistributions: 10 } });
  t.equal(summary.status, 'succeeded', 'records sent broken do not spoil the sync');
  t.match(summary.counts, { seen: 5, created: 2, rejected: 3, flagged: 1 });
  t.same([...mirror.live().keys()], ['A41000000G-000001', 'A41000000G-000005'], 'the good one, and the flagged one (kept, as a harvest keeps it)');
  const errors = runErrors(mirror.db, summary.runId!);
  t.match(
    errors.filter((e) => e.stage === 'map'),
    [
      { nativeId: 'A41000000G-000002', field: 'title', rule: 'required' },
      { nativeId: 'A41000000G-000003', field: 'identifier', rule: 'identifier-mismatch', message: /A41000000G-000003.*A41000000G-999999/ },
      { nativeId: 'A41000000G-000004', rule: 'too-large', message: /over the cap of 2000/ },
    ],
  );
  t.equal(errors.filter((e) => e.stage === 'map').length, 3);
  t.ok(
    errors.some((e) => e.stage === 'validate' && e.nativeId === 'A41000000G-000005' && e.field === 'distribution[0].downloadURL' && e.rule === 'url'),
    'the flagged record: its rule breaks are errors of the run',
  );
  t.notOk(
    errors.some((e) => e.nativeId === 'A41000000G-000001'),
    'the good record: none',
  );
  t.equal(mirror.cursor(), 'c1', 'the cursor moved past the page all the same');

  // The upstream fixes one: the next change for it is taken.
  feed.pages.push([updated('A41000000G-000002')]);
  t.equal((await mirror.sync()).counts.created, 1);
  t.ok(mirror.live().has('A41000000G-000002'));
});

t.test('a malformed page stops the sync, keeping every page before it; fixed, the sync resumes there', async (t) => {
  const feed = await startFakeFeed(t, [
    [created('A41000000G-000001'), created('A41000000G-000002')],
    [created('A41000000G-000003')],
    [created('A41000000G-000004')],
  ]);
  feed.override = (since) => (since === 'c1' ? { body: '{"success":true,"result":{"changes":[' } : undefined);
  const mirror = await mirrorStore(t, feed.url);
  const failed = await mirror.sync();
  t.equal(failed.status, 'failed');
  t.match(failed.message, /c1.*not valid JSON/);
  t.same([...mirror.live().keys()], ['A41000000G-000001', 'A41000000G-000002'], 'the first page is stored and served');
  t.equal(mirror.cursor(), 'c1', 'the cursor is the first page');
  t.match(runErrors(mirror.db, failed.runId!), [{ stage: 'feed', rule: 'malformed-json' }]);
  t.match(lastRun(mirror.db), { status: 'failed', records_created: 2, pages: 1 });

  feed.override = (since) =>
    since === 'c1'
      ? {
          body: {
            success: true,
            result: { changes: [{ identifier: 'A41000000G-000003', kind: 'created', at: '2026-11-24T01:02:03Z' }], nextCursor: 'c2', more: true },
          },
        }
      : undefined;
  const missing = await mirror.sync();
  t.equal(missing.status, 'failed');
  t.match(runErrors(mirror.db, missing.runId!), [
    {
      stage: 'feed',
      rule: 'missing-field',
      field: 'result.changes[0].record',
      nativeId: 'A41000000G-000003',
      message: /created change carries the dataset's record/,
    },
  ]);
  t.equal(mirror.cursor(), 'c1', 'nothing of the bad page was stored');

  feed.override = undefined;
  const resumed = await mirror.sync();
  t.equal(resumed.status, 'succeeded');
  t.same(feed.requests.slice(-3), ['c1', 'c1', 'c2'], 'resumed from the last page stored');
  t.equal(mirror.live().size, 4);
});

t.test('a cursor that does not move, or comes back, stops the sync instead of looping', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001')], [created('A41000000G-000002')], [created('A41000000G-000003')]]);
  const mirror = await mirrorStore(t, feed.url);
  feed.override = (since) =>
    since === 'c1' ? { body: { success: true, result: { changes: [created('A41000000G-000002')], nextCursor: 'c1', more: true } } } : undefined;
  const stuck = await mirror.sync();
  t.equal(stuck.status, 'failed');
  t.match(runErrors(mirror.db, stuck.runId!), [{ rule: 'cursor-stuck', field: 'result.nextCursor' }]);

  // c1 → c2 → c1: each page moves the cursor, but the walk goes in a circle.
  feed.override = (since) =>
    since === 'c2' ? { body: { success: true, result: { changes: [created('A41000000G-000003')], nextCursor: 'c1', more: true } } } : undefined;
  const loop = await mirror.sync();
  t.equal(loop.status, 'failed');
  t.match(runErrors(mirror.db, loop.runId!), [{ rule: 'cursor-loop', field: 'result.nextCursor', message: /c1 was already visited/ }]);
  t.ok(feed.requests.length < 10, `it gave up at once (${feed.requests.length} requests)`);
});

t.test('a refused cursor (400) names the way out; --reset walks again and withdraws what the upstream no longer has', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001'), created('A41000000G-000002'), created('A41000000G-000003')]]);
  const mirror = await mirrorStore(t, feed.url);
  t.equal((await mirror.sync()).status, 'succeeded');

  // The upstream's store was rebuilt: a new feed, without dataset 2, and the old cursor refused.
  feed.pages.splice(0, feed.pages.length, [created('A41000000G-000001'), created('A41000000G-000003', { title: '新標題' })], [created('A41000000G-000004')]);
  feed.override = (since) =>
    since === 'c1'
      ? { status: 400, body: { success: false, error: { error_type: 'ER0210:輸入的參數內容格式錯誤。', message: 'since is a cursor of another catalogue' } } }
      : undefined;
  const refused = await mirror.sync();
  t.equal(refused.status, 'failed');
  t.match(refused.message, /HTTP 400.*--reset/);
  t.match(runErrors(mirror.db, refused.runId!), [{ rule: 'http-400' }]);
  t.equal(mirror.live().size, 3, 'nothing changed');

  feed.override = undefined;
  await mirror.store.mirror.resetMirror(mirror.sourceId);
  t.equal(mirror.cursor(), undefined, 'the cursor is forgotten');
  const again = await mirror.sync();
  t.equal(again.status, 'succeeded');
  t.match(
    again.counts,
    { seen: 3, unchanged: 1, updated: 1, created: 1, withdrawn: 1 },
    'dataset 2, not in the walk from the beginning, is withdrawn at its end',
  );
  t.same([...mirror.live().keys()], ['A41000000G-000001', 'A41000000G-000003', 'A41000000G-000004']);
  t.equal((await mirror.store.mirror.readMirror(mirror.sourceId))!.fullWalkAfterRun, undefined);
});

t.test('a walk from the beginning cut short withdraws nothing until it reaches the end', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001'), created('A41000000G-000002')]]);
  const mirror = await mirrorStore(t, feed.url);
  await mirror.sync();
  feed.pages.splice(0, feed.pages.length, [created('A41000000G-000001')], [created('A41000000G-000003')]);
  await mirror.store.mirror.resetMirror(mirror.sourceId);
  feed.override = (since) => (since === 'c1' ? { status: 500, body: {} } : undefined);
  t.equal((await mirror.sync()).status, 'failed');
  t.same([...mirror.live().keys()], ['A41000000G-000001', 'A41000000G-000002'], 'halfway, nothing is withdrawn');
  t.ok((await mirror.store.mirror.readMirror(mirror.sourceId))!.fullWalkAfterRun !== undefined, 'the walk from the beginning is still on');
  feed.override = undefined;
  const end = await mirror.sync();
  t.equal(end.counts.withdrawn, 1, 'at its end, what it never mentioned goes');
  t.same([...mirror.live().keys()], ['A41000000G-000001', 'A41000000G-000003']);
});

t.test('the private-address guard applies: a loopback upstream is refused unless allowed', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001')]]);
  const mirror = await mirrorStore(t, feed.url);
  const blocked = await mirror.sync({ allowPrivateAddresses: false });
  t.equal(blocked.status, 'failed');
  t.match(runErrors(mirror.db, blocked.runId!), [{ stage: 'feed', rule: 'blocked-address', message: /private addresses are not allowed/ }]);
  t.same(feed.requests, [], 'no request reached it');
  t.equal((await mirror.sync({ allowPrivateAddresses: true })).status, 'succeeded');
});

t.test('HTTP failures are retried, then fail the sync with their status', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001')]]);
  feed.override = () => ({ status: 503, body: {} });
  const mirror = await mirrorStore(t, feed.url);
  const failed = await mirror.sync();
  t.equal(failed.status, 'failed');
  t.equal(feed.requests.length, 2, 'one retry (retries: 1)');
  t.match(runErrors(mirror.db, failed.runId!), [{ rule: 'http-503' }]);
  feed.override = undefined;
  t.equal((await mirror.sync()).status, 'succeeded');
});

t.test('a page over the response size cap is asked again in smaller pages, down to one change', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001'), created('A41000000G-000002')]]);
  // Over the test client's 1 MB cap unless one change at a time is asked.
  feed.override = (_since, limit) =>
    limit > 1 ? { body: { success: true, result: { changes: [], nextCursor: 'c9', more: false, padding: 'x'.repeat(1_100_000) } } } : undefined;
  const mirror = await mirrorStore(t, feed.url);
  feed.pages.splice(0, 1, [created('A41000000G-000001')], [created('A41000000G-000002')]);
  const summary = await mirror.sync();
  t.equal(summary.status, 'succeeded', summary.message ?? '');
  t.same(feed.limits.slice(0, 7), [50, 25, 13, 7, 4, 2, 1], 'halved until a page fits');
  t.same([...mirror.live().keys()], ['A41000000G-000001', 'A41000000G-000002']);

  feed.override = () => ({ body: { success: true, result: { changes: [], nextCursor: 'c9', more: false, padding: 'x'.repeat(1_100_000) } } });
  const stuck = await mirror.sync();
  t.equal(stuck.status, 'failed', 'even one change is too big: the sync fails, saying so');
  t.match(runErrors(mirror.db, stuck.runId!), [{ rule: 'too-large', message: /exceeds the cap of 1048576 bytes/ }]);
});

t.test('an upstream merge: the survivor keeps its identifier here, even if the absorbed one is older here', async (t) => {
  // "A…" and "Z…" share nothing at first. Here, A is created first (and sorts first): had its
  // withdrawn record kept its identity keys, it would join Z's record through the download URL
  // Z takes over, and resolution would name the merged dataset A, the other way round from upstream.
  const feed = await startFakeFeed(t, [[created('A00000000A-000001'), created('Z00000000Z-000001')]]);
  const mirror = await mirrorStore(t, feed.url);
  await mirror.sync();
  feed.pages.push([
    withdrawn('A00000000A-000001', 'Z00000000Z-000001'),
    updated('Z00000000Z-000001', { distribution: [{ format: 'CSV', downloadURL: 'https://data.example.gov.tw/A00000000A-000001.csv' }] }),
  ]);
  const merged = await mirror.sync();
  t.equal(merged.status, 'succeeded');
  t.same([...mirror.live().keys()], ['Z00000000Z-000001'], 'the survivor is served under its upstream identifier');
  const absorbed = mirror.db
    .prepare('SELECT withdrawn_at IS NOT NULL AS withdrawn, merged_into FROM dataset_entries WHERE identifier = ?')
    .get('A00000000A-000001');
  t.same(absorbed, { withdrawn: 1, merged_into: null }, 'the absorbed one is withdrawn here');
  const keys = mirror.db.prepare("SELECT COUNT(*) FROM record_keys WHERE native_id = 'A00000000A-000001'").pluck().get();
  t.equal(keys, 0, 'its record keeps no identity keys');
});

t.test('another process moving the cursor mid-walk: the page is not applied twice', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001')], [created('A41000000G-000002')]]);
  const mirror = await mirrorStore(t, feed.url);
  feed.override = (since) => {
    // While this page is in flight, another mirror process of the same upstream applies it.
    if (since === 'c1') mirror.db.prepare("UPDATE store_state SET value = 'c2' WHERE key = ?").run(`mirror_cursor:${mirror.sourceId}`);
    return undefined;
  };
  const summary = await mirror.sync();
  t.equal(summary.status, 'failed');
  t.match(runErrors(mirror.db, summary.runId!), [{ rule: 'cursor-moved', message: /expected c1, found c2/ }]);
  t.notOk(mirror.live().has('A41000000G-000002'), 'this process did not apply the page (the other did, in this story)');
  t.equal(mirror.cursor(), 'c2');
});

t.test('another process syncing between the first page and the run: this sync starts where that one left off', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001')], [created('A41000000G-000002')]]);
  const mirror = await mirrorStore(t, feed.url);
  feed.override = (since) => {
    // The first page is read; before this sync opens its run, another process applies that page.
    if (since === undefined) mirror.db.prepare('INSERT INTO store_state (key, value) VALUES (?, ?)').run(`mirror_cursor:${mirror.sourceId}`, 'c1');
    return undefined;
  };
  const summary = await mirror.sync();
  t.equal(summary.status, 'succeeded', summary.message ?? '');
  t.same(feed.requests, ['', 'c1'], 'the page after the cursor the other process stored');
  t.same([...mirror.live().keys()], ['A41000000G-000002'], 'only what came after it (the other process applied the first page, in this story)');
  t.equal(mirror.cursor(), 'c2');
});

t.test('one sync of a mirror at a time, across processes; `ogd-gateway cancel` stops one', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001')], [created('A41000000G-000002')], [created('A41000000G-000003')]]);
  const mirror = await mirrorStore(t, feed.url);
  const open = queueRun(mirror.db, mirror.sourceId);
  const busy = await mirror.sync();
  t.equal(busy.status, 'busy', 'a live run of this mirror: this sync is skipped');
  t.equal(mirror.cursor(), undefined);
  mirror.db.prepare("UPDATE runs SET status = 'cancelled' WHERE id = ?").run(open);

  const cancelled = await mirror.sync({ onProgress: () => requestCancel(mirror.db, lastRun(mirror.db).id) });
  t.equal(cancelled.status, 'cancelled');
  t.equal(cancelled.counts.pages, 1, 'it stopped after the page it was applying');
  t.equal(mirror.cursor(), 'c1');
  t.equal(mirror.live().size, 1, 'and resolved what it applied');
});

t.test('followMirror polls until stopped, opening runs only for syncs that apply something', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001')]]);
  const mirror = await mirrorStore(t, feed.url);
  const http = new HttpClient({
    timeoutMs: 3000,
    connectTimeoutMs: 1000,
    maxResponseBytes: 1024 * 1024,
    retries: 0,
    retryBaseDelayMs: 5,
    allowPrivateAddresses: true,
    userAgent: 'test',
  });
  t.teardown(() => http.close());
  const stop = new AbortController();
  const statuses: string[] = [];
  const following = followMirror({
    store: mirror.store,
    sourceId: mirror.sourceId,
    feed: new FeedClient(http, `${feed.url}/api/changes`),
    log: silentLog,
    signal: stop.signal,
    intervalMs: 10,
    onSync: (summary) => {
      statuses.push(summary.status);
      if (statuses.length === 3) feed.pages.push([created('A41000000G-000002')]);
      if (mirror.live().size === 2 && statuses.length >= 6) stop.abort();
    },
  });
  await following;
  t.equal(statuses[0], 'succeeded');
  t.ok(statuses.includes('idle'), 'idle polls between');
  t.equal(statuses.filter((s) => s === 'succeeded').length, 2, 'two syncs applied something');
  t.equal(mirror.db.prepare('SELECT COUNT(*) FROM runs').pluck().get(), 2, 'two runs, however many polls');
  t.same([...mirror.live().keys()], ['A41000000G-000001', 'A41000000G-000002']);
});

t.test('a sync stopped after its last page, before resolution: the store stays marked, and the next sync resolves it though nothing is new', async (t) => {
  const feed = await startFakeFeed(t, [
    [created('A41000000G-000001'), created('A41000000G-000002')],
    [withdrawn('A41000000G-000002'), created('A41000000G-000003')],
  ]);
  const mirror = await mirrorStore(t, feed.url);
  // What a sync killed between its last page's commit and resolution leaves: every page with the
  // cursor, written as the sync writes them, and its run open under a process that is gone.
  const http = new HttpClient({
    timeoutMs: 3000,
    connectTimeoutMs: 1000,
    maxResponseBytes: 1024 * 1024,
    retries: 0,
    retryBaseDelayMs: 5,
    allowPrivateAddresses: true,
    userAgent: 'test',
  });
  t.teardown(() => http.close());
  const client = new FeedClient(http, `${feed.url}/api/changes`);
  const runId = queueRun(mirror.db, mirror.sourceId);
  markRunStarted(mirror.db, runId, null);
  let since: string | undefined;
  for (;;) {
    const page = await client.page(since);
    const changes = pageChanges(
      mirror.sourceId,
      page,
      await mirror.store.mirror.mirroredStates(
        mirror.sourceId,
        page.changes.map((c) => c.identifier),
      ),
      DEFAULT_RECORD_LIMITS,
      emptyCounts(),
    );
    await mirror.store.mirror.writeMirrorPage({
      sourceId: mirror.sourceId,
      priority: 0,
      runId,
      since,
      nextCursor: page.nextCursor,
      last: !page.more,
      ...changes,
    });
    since = page.nextCursor;
    if (!page.more) break;
  }
  mirror.db.prepare('UPDATE runs SET pid = NULL, process_token = NULL WHERE id = ?').run(runId);
  t.equal(mirror.cursor(), 'c2', 'the last page is applied');
  t.equal(mirror.live().size, 0, 'nothing is served yet');
  t.ok(isIdentityDirty(mirror.db), 'the pages marked the store for resolution, in their transactions');

  const requests = feed.requests.length;
  const next = await mirror.sync();
  t.equal(next.status, 'succeeded', 'not "up to date": the store had records to resolve');
  t.match(next.message, /resolved/, 'and says why a sync with nothing new opened a run');
  t.same(feed.requests.slice(requests), ['c2'], 'from the stored cursor, which the feed says is the end');
  t.match(next.counts, { seen: 0, created: 0, errors: 0 });
  t.same([...mirror.live().keys()], ['A41000000G-000001', 'A41000000G-000003'], 'what the killed sync applied is served');
  t.notOk(isIdentityDirty(mirror.db));
  t.match(
    mirror.db.prepare('SELECT id, status FROM runs ORDER BY id').all(),
    [
      { id: runId, status: 'failed' },
      { id: next.runId, status: 'succeeded' },
    ],
    'the killed run is closed as failed; the resolving one is a run of the mirror',
  );

  const idle = await mirror.sync();
  t.equal(idle.status, 'idle', 'once resolved, a sync with nothing new is idle again');
});

t.test('a store marked for resolution while another live run is open is left to that run', async (t) => {
  const feed = await startFakeFeed(t, [[created('A41000000G-000001')]]);
  const mirror = await mirrorStore(t, feed.url);
  t.equal((await mirror.sync()).status, 'succeeded');
  mirror.db
    .prepare(
      "INSERT INTO sources (id, name, type, url, updated_at) VALUES ('agency', 'Agency', 'crossplatform', 'https://agency.example.tw', '2026-01-01T00:00:00Z')",
    )
    .run();
  const harvesting = queueRun(mirror.db, 'agency');
  mirror.db.prepare("UPDATE store_state SET value = '1' WHERE key = 'identity_dirty'").run();
  const idle = await mirror.sync();
  t.equal(idle.status, 'idle', 'a harvest under way resolves when it ends: a poll opens no run for it');
  t.ok(isIdentityDirty(mirror.db));
  mirror.db.prepare("UPDATE runs SET status = 'succeeded' WHERE id = ?").run(harvesting);
});

import t, { type Test } from 'tap';
import { cityRecord, comparableExports, hubRecord, startDownstream, startUpstream, type DownstreamGateway, type UpstreamGateway } from './gateways.js';

/**
 * A gateway mirroring another (issue 7): two real gateways on loopback, the upstream harvesting
 * two fixture platforms, the downstream fed only by `syncMirror` through the upstream's
 * GET /api/changes. After creates, updates, withdrawals and a merge upstream, a mirror that
 * started from an empty store and one that stopped halfway and resumed both end with the
 * upstream's catalogue: the full exports (CSV and DCAT-AP JSON-LD) are identical, except that
 * each gateway names its datasets under its own public URL.
 */

const city = (n: number) => `379000000A-${String(n).padStart(6, '0')}`;
const hub = (n: number) => `HUB0000001-${String(n).padStart(6, '0')}`;
const now = (): string => {
  // Taipei wall-clock, as a platform stamps a revised record (the harvest asks for what changed).
  const taipei = new Date(Date.now() + 8 * 3600 * 1000).toISOString();
  return `${taipei.slice(0, 10)} ${taipei.slice(11, 19)}`;
};

async function assertSameCatalogue(t: Test, upstream: UpstreamGateway, downstream: DownstreamGateway, what: string): Promise<void> {
  const { upstream: up, downstream: down } = await comparableExports(upstream.base, downstream.base);
  t.equal(down.csv, up.csv, `${what}: the CSV exports are identical`);
  t.equal(down.jsonld, up.jsonld, `${what}: the JSON-LD exports are identical (but for the public URL)`);
  const ids = async (base: string) => ((await (await fetch(`${base}/api/v1/rest/dataset`)).json()) as { result: string[] }).result;
  t.same(await ids(downstream.base), await ids(upstream.base), `${what}: the same identifiers`);
}

t.test('mirrors from empty and from mid-feed end identical to the upstream', async (t) => {
  const upstream = await startUpstream(t, {
    city: [1, 2, 3, 4, 5, 6].map((n) => cityRecord(n)),
    hub: [1, 2, 3, 4].map((n) => hubRecord(n)),
  });
  await upstream.harvest('city');
  await upstream.harvest('hub');

  const fromEmpty = await startDownstream(t);
  const halfway = await startDownstream(t);

  await t.test('a mirror starting from an empty store', async (t) => {
    const summary = await fromEmpty.sync(upstream.base);
    t.equal(summary.status, 'succeeded', summary.message ?? '');
    t.equal(summary.counts.created, 10, 'every dataset, created');
    t.equal(summary.counts.pages, 3, 'in pages of 4');
    await assertSameCatalogue(t, upstream, fromEmpty, 'from empty');
    const record = async (base: string, id: string) => ((await (await fetch(`${base}/api/v1/rest/dataset/${id}`)).json()) as { result: unknown }).result;
    t.same(await record(fromEmpty.base, city(1)), await record(upstream.base, city(1)), 'a record reads the same on both');
    const again = await fromEmpty.sync(upstream.base);
    t.equal(again.status, 'idle', 'nothing new: an idle poll');
    t.equal(again.runId, undefined, 'which opens no run');
  });

  await t.test('a second mirror, up to date before the changes below', async (t) => {
    const summary = await halfway.sync(upstream.base, { pageSize: 3 });
    t.equal(summary.status, 'succeeded');
    t.equal(summary.counts.created, 10);
    await assertSameCatalogue(t, upstream, halfway, 'the second mirror');
  });

  // Upstream: an update, a withdrawal, new datasets on both platforms, and a merge: the hub now
  // points at the city's download for its dataset 2, which makes the two one dataset.
  upstream.city.records.set(city(2), cityRecord(2, { title: '臺北市公共自行車租賃站2（修訂）', modified: now() }));
  upstream.city.records.delete(city(3));
  upstream.city.records.set(city(7), cityRecord(7));
  upstream.hub.records.set(hub(5), hubRecord(5));
  upstream.hub.records.set(hub(2), hubRecord(2, { modified: now(), distribution: [{ format: 'JSON', downloadURL: 'https://data.taipei/download?rid=1' }] }));
  await upstream.harvest('city');
  await upstream.harvest('hub');

  await t.test('the upstream merged two datasets', async (t) => {
    const gone = await fetch(`${upstream.base}/api/v1/rest/dataset/${hub(2)}`, { redirect: 'manual' });
    t.equal(gone.status, 301, 'upstream: the absorbed identifier redirects');
    t.equal(gone.headers.get('location'), `/api/v1/rest/dataset/${city(1)}`);
  });

  await t.test('the mirror from empty follows: updates, withdrawals, new datasets, the merge', async (t) => {
    const summary = await fromEmpty.sync(upstream.base);
    t.equal(summary.status, 'succeeded', summary.message ?? '');
    t.match(
      summary.counts,
      { seen: 6, created: 2, updated: 1, unchanged: 1, withdrawn: 2 },
      'city 7 and hub 5 new; city 2 revised; city 1 merged with the hub (its gen-1 record unchanged: the city speaks for every field); city 3 and the absorbed hub 2 withdrawn',
    );
    await assertSameCatalogue(t, upstream, fromEmpty, 'after the changes');
    t.equal((await fetch(`${fromEmpty.base}/api/v1/rest/dataset/${city(3)}`)).status, 410, 'the withdrawn dataset is gone here too');
    const absorbed = await fetch(`${fromEmpty.base}/api/v1/rest/dataset/${hub(2)}`, { redirect: 'manual' });
    t.equal(absorbed.status, 410, 'the absorbed one is gone (410: the feed says where it went, the mirror does not redirect)');
    const merged = (await (await fetch(`${fromEmpty.base}/api/v1/rest/dataset/${city(1)}`)).json()) as { result: { title: string } };
    t.equal(merged.result.title, '臺北市公共自行車租賃站1', 'the survivor keeps its identifier and the merged content');
  });

  await t.test('a mirror resuming mid-feed after stopping halfway', async (t) => {
    // Stopped (Ctrl-C) as soon as its first page of the changes is stored.
    const stop = new AbortController();
    const stopped = await halfway.sync(upstream.base, { pageSize: 2, signal: stop.signal, onProgress: () => stop.abort() });
    t.equal(stopped.status, 'cancelled', 'stopped halfway');
    t.equal(stopped.counts.pages, 1, 'after one page');
    t.equal(stopped.counts.seen, 2);
    const stored = halfway.db.prepare("SELECT value FROM store_state WHERE key = ?").pluck().get(`mirror_cursor:${halfway.sourceId}`);
    t.equal(stored, stopped.cursor, 'the cursor of the page it applied is stored');
    const resumed = await halfway.sync(upstream.base, { pageSize: 2 });
    t.equal(resumed.status, 'succeeded');
    t.equal(stopped.counts.seen + resumed.counts.seen, 6, 'every change applied once: none skipped, none twice');
    await assertSameCatalogue(t, upstream, halfway, 'resumed mid-feed');
  });

  await t.test('a dataset withdrawn and back with the same content is whole again, identity keys included', async (t) => {
    upstream.city.records.set(city(3), cityRecord(3));
    await upstream.harvest('city');
    const summary = await fromEmpty.sync(upstream.base);
    t.equal(summary.status, 'succeeded');
    t.equal(summary.counts.updated + summary.counts.created, 1);
    await assertSameCatalogue(t, upstream, fromEmpty, 'after the reinstatement');
    const keys = fromEmpty.db.prepare('SELECT COUNT(*) FROM record_keys WHERE source_id = ? AND native_id = ?').pluck().get(fromEmpty.sourceId, city(3)) as number;
    t.ok(keys > 0, `its identity keys are back (${keys})`);
  });

  await t.test('exact while harvests run upstream: a mirror syncing during them ends identical', async (t) => {
    // Both platforms harvested at once, the hub slowly: the city's changes reach the feed (at the
    // end of its run) while the hub's run still goes on, and the mirror polls throughout.
    for (let n = 8; n <= 20; n += 1) upstream.city.records.set(city(n), cityRecord(n));
    upstream.city.records.set(city(4), cityRecord(4, { title: '臺北市公共自行車租賃站4（修訂）', modified: now() }));
    upstream.city.records.delete(city(5));
    for (let n = 6; n <= 30; n += 1) upstream.hub.records.set(hub(n), hubRecord(n));
    upstream.hub.records.delete(hub(3));
    upstream.city.faults.delayMs = 1;
    upstream.hub.faults.delayMs = 15;
    let done = false;
    const harvesting = Promise.all([upstream.harvest('city'), upstream.harvest('hub')]).finally(() => {
      done = true;
    });
    let syncs = 0;
    let applied = 0;
    const failures: string[] = [];
    while (!done) {
      const summary = await fromEmpty.sync(upstream.base, { pageSize: 3 });
      if (summary.status === 'failed') failures.push(summary.message ?? '');
      if (summary.status === 'succeeded') applied += 1;
      syncs += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    t.same(failures, [], 'no sync failed');
    await harvesting;
    upstream.city.faults.delayMs = 0;
    upstream.hub.faults.delayMs = 0;
    const last = await fromEmpty.sync(upstream.base, { pageSize: 3 });
    t.ok(['succeeded', 'idle'].includes(last.status), `a last sync after both runs: ${last.status} (idle when a sync in the loop already took the hub's changes)`);
    t.ok(applied >= 1, `the mirror applied changes while the harvests went on (${applied} of ${syncs} syncs)`);
    await assertSameCatalogue(t, upstream, fromEmpty, 'after harvests the mirror followed');
  });

  await t.test('a new mirror from empty, after all this, gets the same catalogue', async (t) => {
    const late = await startDownstream(t);
    t.equal((await late.sync(upstream.base, { pageSize: 7 })).status, 'succeeded');
    await assertSameCatalogue(t, upstream, late, 'a late mirror');
    t.equal((await fetch(`${late.base}/api/v1/rest/dataset/${hub(2)}`)).status, 404, 'an identifier absorbed before it started is unknown to it');
  });
});

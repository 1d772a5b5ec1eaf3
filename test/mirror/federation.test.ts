import t, { type Test } from 'tap';
import type { Db } from '../../src/store/database.js';
import {
  cityRecord,
  comparableExports,
  govOnlyRecord,
  govRecord,
  hubRecord,
  startDownstream,
  startUpstream,
  type DownstreamGateway,
  type UpstreamGateway,
} from './gateways.js';

/**
 * A gateway mirroring another (issue 7): two real gateways on loopback, the upstream harvesting
 * three fixture platforms (a city, a hub, and data.gov.tw's gen-2 copies of two city datasets,
 * merged with them, plus one of its own), the downstream fed only by `syncMirror` through the
 * upstream's GET /api/changes. After creates, updates, withdrawals and a merge upstream, a mirror
 * that started from an empty store and one that stopped halfway and resumed both end with the
 * upstream's catalogue: every stored record is the same text, and the full exports (CSV and
 * DCAT-AP JSON-LD) are identical, data.gov.tw's extensions included (datasetId, categoryTheme,
 * dataQuality, resource fields), except that each gateway names its datasets under its own
 * public URL.
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
  const stored = (db: Db) =>
    db.prepare('SELECT identifier, record FROM datasets WHERE withdrawn_at IS NULL AND merged_into IS NULL ORDER BY identifier').raw().all();
  t.same(stored(downstream.db), stored(upstream.db), `${what}: every live record stored as the same text, extensions included`);
  const v2 = async (base: string, datasetId: number) => (await fetch(`${base}/api/v2/rest/dataset/${datasetId}`)).text();
  for (const datasetId of [1001, 2001])
    t.equal(await v2(downstream.base, datasetId), await v2(upstream.base, datasetId), `${what}: the v2 API's dataset ${datasetId}`);
}

t.test('mirrors from empty and from mid-feed end identical to the upstream', async (t) => {
  const upstream = await startUpstream(t, {
    city: [1, 2, 3, 4, 5, 6].map((n) => cityRecord(n)),
    hub: [1, 2, 3, 4].map((n) => hubRecord(n)),
    gov: [govRecord(1), govRecord(2), govOnlyRecord(2001)],
  });
  await upstream.harvest('city');
  await upstream.harvest('hub');
  await upstream.harvest('gov');

  const fromEmpty = await startDownstream(t);
  const halfway = await startDownstream(t);

  await t.test('a mirror starting from an empty store', async (t) => {
    const summary = await fromEmpty.sync(upstream.base);
    t.equal(summary.status, 'succeeded', summary.message ?? '');
    t.equal(summary.counts.created, 11, 'every dataset, created: cities 1 and 2 merged with their data.gov.tw copies');
    t.equal(summary.counts.pages, 3, 'in pages of 4');
    await assertSameCatalogue(t, upstream, fromEmpty, 'from empty');
    // What the gen-1 record has no place for is there: the comparison above is not of empty columns.
    const { downstream } = await comparableExports(upstream.base, fromEmpty.base);
    const csvRow = downstream.csv.split('\r\n').find((line) => line.includes(city(1)))!;
    t.match(csvRow, /(^|,)1001,/, "CSV 資料集識別碼: data.gov.tw's datasetId");
    t.match(csvRow, /銀標章/, 'CSV 品質檢測');
    t.match(downstream.jsonld, /"adms:identifier":\{"@type":"adms:Identifier","skos:notation":"1001"/, 'JSON-LD adms:identifier');
    t.match(downstream.jsonld, /"twod:categoryTheme":"交通"/);
    t.match(downstream.jsonld, /"twod:dataQuality":"銀標章"/);
    t.match(downstream.jsonld, /"twod:numberOfRecords"/, "the resource's row count");
    const record = async (base: string, id: string) => ((await (await fetch(`${base}/api/v1/rest/dataset/${id}`)).json()) as { result: unknown }).result;
    t.same(await record(fromEmpty.base, city(1)), await record(upstream.base, city(1)), 'a record reads the same on both');
    const again = await fromEmpty.sync(upstream.base);
    t.equal(again.status, 'idle', 'nothing new: an idle poll');
    t.equal(again.runId, undefined, 'which opens no run');
  });

  await t.test('a second mirror, up to date before the changes below', async (t) => {
    const summary = await halfway.sync(upstream.base, { pageSize: 3 });
    t.equal(summary.status, 'succeeded');
    t.equal(summary.counts.created, 11);
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
      { seen: 5, created: 2, updated: 1, unchanged: 0, withdrawn: 2 },
      "city 7 and hub 5 new; city 2 revised; city 3 and hub 2 withdrawn, the hub's absorbed into city 1 (which does not change: the city and data.gov.tw already speak for every field)",
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
    const stored = halfway.db.prepare('SELECT value FROM store_state WHERE key = ?').pluck().get(`mirror_cursor:${halfway.sourceId}`);
    t.equal(stored, stopped.cursor, 'the cursor of the page it applied is stored');
    const resumed = await halfway.sync(upstream.base, { pageSize: 2 });
    t.equal(resumed.status, 'succeeded');
    t.equal(stopped.counts.seen + resumed.counts.seen, 5, 'every change applied once: none skipped, none twice');
    await assertSameCatalogue(t, upstream, halfway, 'resumed mid-feed');
  });

  await t.test("a change only the national form shows: data.gov.tw's quality mark and theme", async (t) => {
    const v1 = async (base: string) => (await fetch(`${base}/api/v1/rest/dataset/${city(1)}`)).text();
    const gen1Before = await v1(upstream.base);
    upstream.gov!.records.set(city(1), govRecord(1, { dataQuality: '金標章', categoryTheme: '公共資訊', viewCount: 99 }));
    await upstream.harvest('gov');
    t.equal(await v1(upstream.base), gen1Before, "upstream: the city's dataset 1 reads the same in gen-1");
    const summary = await fromEmpty.sync(upstream.base);
    t.equal(summary.status, 'succeeded', summary.message ?? '');
    t.match(summary.counts, { seen: 1, updated: 1, unchanged: 0 }, 'the mirror takes the change all the same');
    await assertSameCatalogue(t, upstream, fromEmpty, 'after a change of extensions only');
    const v2 = (await (await fetch(`${fromEmpty.base}/api/v2/rest/dataset/1001`)).json()) as { result: { dataQuality: string; categoryTheme: string } };
    t.match(v2.result, { dataQuality: '金標章', categoryTheme: '公共資訊' }, 'the v2 API here shows it');
  });

  await t.test('a dataset withdrawn and back with the same content is whole again, identity keys included', async (t) => {
    upstream.city.records.set(city(3), cityRecord(3));
    await upstream.harvest('city');
    const summary = await fromEmpty.sync(upstream.base);
    t.equal(summary.status, 'succeeded');
    t.equal(summary.counts.updated + summary.counts.created, 1);
    await assertSameCatalogue(t, upstream, fromEmpty, 'after the reinstatement');
    const keys = fromEmpty.db
      .prepare('SELECT COUNT(*) FROM record_keys WHERE source_id = ? AND native_id = ?')
      .pluck()
      .get(fromEmpty.sourceId, city(3)) as number;
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
    t.ok(
      ['succeeded', 'idle'].includes(last.status),
      `a last sync after both runs: ${last.status} (idle when a sync in the loop already took the hub's changes)`,
    );
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

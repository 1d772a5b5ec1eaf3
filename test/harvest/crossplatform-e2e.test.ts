import t from 'tap';
import { join } from 'node:path';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig, trimmedDeep } from '../helpers/gateway.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { startFederation } from '../helpers/federation.js';
import { runErrors, listRuns } from '../../src/store/runs.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

type Raw = Record<string, unknown>;

const specExample = readFixture<Raw>('crossplatform', 'spec-example-record.json');
const specRecord = (specExample.result ?? specExample) as Raw;
const ownRecords = readFixture<Raw[]>('crossplatform', 'own-records.json');
const allRecords = [specRecord, ...ownRecords];
const titleless = ownRecords.find((r) => r.title === undefined)!;
const served = allRecords.filter((r) => r !== titleless);

t.test('a cross-platform platform is harvested and served back through the same spec', async (t) => {
  const { platform, db, harvester, base } = await startFederation(t, allRecords, 'http://gateway.test');

  const summary = await harvester.run('fixture');
  t.ok(summary, 'the run happened');
  t.equal(summary!.status, 'succeeded', 'the source was read whole: a record the publisher sent broken does not make the run partial');
  t.equal(summary!.counts.seen, allRecords.length);
  t.equal(summary!.counts.created, served.length);
  t.equal(summary!.counts.rejected, 1);

  await t.test('the rejected record is a typed error naming source, record and field', async (t) => {
    const errors = runErrors(db, summary!.runId).filter((e) => e.stage === 'map');
    t.equal(errors.length, 1);
    t.match(errors[0], { sourceId: 'fixture', nativeId: titleless.identifier, field: 'title', rule: 'required' });
    t.match(errors[0]!.message, /title/);
  });

  await t.test('every record reads back from /api/v1/rest/dataset/{id} with the same content', async (t) => {
    for (const raw of served) {
      const res = await fetch(`${base}/api/v1/rest/dataset/${encodeURIComponent(String(raw.identifier))}`);
      t.equal(res.status, 200, `${raw.identifier} is served`);
      const body = (await res.json()) as { success: boolean; result: Raw };
      t.equal(body.success, true);
      const expected = trimmedDeep(raw);
      if (raw.identifier === 'A21000000I-000901') expected.issued = '2021-08-01'; // ROC 110/08/01, normalised
      t.same(body.result, expected, `${raw.identifier} content`);
      t.strictSame(Object.keys(body.result).sort(), Object.keys(expected).sort(), `${raw.identifier} keys`);
    }
  });

  await t.test('the list holds exactly the served identifiers, sorted', async (t) => {
    const body = (await (await fetch(`${base}/api/v1/rest/dataset`)).json()) as { success: boolean; result: string[] };
    t.same(body, { success: true, result: served.map((r) => String(r.identifier)).sort() });
  });

  await t.test('modified returns only datasets modified at or after it', async (t) => {
    const ask = async (modified: string): Promise<string[]> => {
      const res = await fetch(`${base}/api/v1/rest/dataset?modified=${encodeURIComponent(modified)}`);
      t.equal(res.status, 200, `modified=${modified}`);
      return ((await res.json()) as { result: string[] }).result;
    };
    // 379000000A-000777 was modified 2024-02-29 23:59:59 Taipei = 15:59:59Z; 397000000A-000013 on 2022-12-31 12:00 Taipei.
    t.same(await ask('2024-02-29T15:59:59Z'), ['379000000A-000777'], 'the boundary is inclusive');
    t.same(await ask('2024-02-29T16:00:00Z'), [], 'one second later: nothing');
    t.same(await ask('2022-01-01T00:00:00+08:00'), ['379000000A-000777', '397000000A-000013']);
    t.same(await ask('2022-12-31 12:00:00'), ['379000000A-000777', '397000000A-000013'], 'Taipei local time, as data.gov.tw crawlers send it');
    const unencodedPlus = await fetch(`${base}/api/v1/rest/dataset?modified=2022-12-31T12:00:00+08:00`);
    t.same(((await unencodedPlus.json()) as { result: string[] }).result, ['379000000A-000777', '397000000A-000013'], 'an unencoded + still means +08:00');
  });

  await t.test('limit and offset page through the list', async (t) => {
    const all = served.map((r) => String(r.identifier)).sort();
    const pages: string[] = [];
    for (let offset = 0; offset < all.length + 2; offset += 2) {
      const body = (await (await fetch(`${base}/api/v1/rest/dataset?limit=2&offset=${offset}`)).json()) as { result: string[] };
      t.ok(body.result.length <= 2);
      pages.push(...body.result);
    }
    t.same(pages, all, 'pages concatenate to the whole list, no repeats');
    const zero = (await (await fetch(`${base}/api/v1/rest/dataset?limit=0`)).json()) as { result: string[] };
    t.same(zero.result, []);
  });

  await t.test('bad parameters get 400 in the spec error shape, never 500', async (t) => {
    for (const query of [
      'limit=11.5',
      'offset=all',
      'limit=-1',
      'offset=-3',
      'modified=yesterday',
      'modified=2021-02-30',
      'limit=999999999999',
      'offset=1e20',
      'limit=1e400',
      'offset=1e400',
    ]) {
      const res = await fetch(`${base}/api/v1/rest/dataset?${query}`);
      t.equal(res.status, 400, query);
      const body = (await res.json()) as { success: boolean; error: { error_type: string; message: string } };
      t.equal(body.success, false, query);
      t.match(body.error.error_type, /^ER0210:/, query);
      t.ok(body.error.message.length > 0, query);
    }
  });

  await t.test('an unknown identifier answers 404 with the spec error shape', async (t) => {
    const res = await fetch(`${base}/api/v1/rest/dataset/A41000000G-999999`);
    t.equal(res.status, 404);
    t.same(await res.json(), {
      success: false,
      error: { identifier: 'A41000000G-999999', error_type: 'ER0100:找不到資料。', message: 'no dataset with identifier "A41000000G-999999"' },
    });
    const rejected = await fetch(`${base}/api/v1/rest/dataset/${titleless.identifier}`);
    t.equal(rejected.status, 404, 'the rejected record is not served');
  });

  await t.test('a second run asks only for changes, and unchanged records are not rewritten', async (t) => {
    platform.requests.length = 0;
    const again = await harvester.run('fixture');
    t.equal(again!.status, 'succeeded');
    t.match(platform.requests[0], /modified=/, 'the list request carries modified');
    const runs = listRuns(db, 'fixture');
    t.equal(runs.length, 2);
    t.equal(again!.counts.created, 0);
  });
});

t.test('a record changed at the source is updated; the rest stay as they were', async (t) => {
  const platform = await startFixturePlatform(served);
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), platform.url, {});
  const db = openTestDb(config);
  const harvester = new Harvester(sqliteStoreOn(db), config, silentLog);
  t.teardown(async () => {
    db.close();
    await platform.close();
    cleanup();
  });
  await harvester.run('fixture');
  const changed: Raw = { ...served[1]!, title: '新名稱', modified: '2030-01-01 00:00:00' };
  platform.records.set(String(changed.identifier), changed);
  const second = await harvester.run('fixture', { full: true });
  t.equal(second!.counts.updated, 1);
  t.equal(second!.counts.unchanged, served.length - 1);
  const row = db.prepare('SELECT title FROM datasets WHERE identifier = ?').get(changed.identifier) as { title: string };
  t.equal(row.title, '新名稱');
});

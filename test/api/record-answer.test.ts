import { gunzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import Database from 'better-sqlite3';
import { raw, startHttpGateway } from './http-gateway.js';
import { strongEtag } from '../../src/api/http-caching.js';
import { toGen1Json } from '../../src/views/gen1.js';
import type { NationalRecord } from '../../src/model/record.js';

/**
 * GET /api/v1/rest/dataset/{identifier} keeps each rendered answer while the stored record is
 * the same (src/api/rendered-record-cache.ts). Whatever changes the stored record, by a harvest
 * or by any other writer of the file, the next answer is the new record, with a new tag; and a
 * kept answer is byte for byte what rendering the record gives.
 */

type Raw = Record<string, unknown>;

const ID = 'A41000000G-000001';
const PATH = `/api/v1/rest/dataset/${ID}`;
const NO_LIMIT = { rateLimit: { max: 0, timeWindowMs: 60_000, allowList: [] } };

function record(title: string, modified: string): Raw {
  return {
    identifier: ID,
    title,
    description: '各月人口統計，含性別、年齡分布與縣市別。'.repeat(12),
    type: 'rawData',
    categoryCode: 'I00',
    license: '政府資料開放授權條款-第1版',
    cost: '免費',
    organization: '國家發展委員會',
    publisher: '國家發展委員會資訊管理處',
    accrualPeriodicity: '每月',
    issued: '2019-03-01 09:00:00',
    modified,
    temporalCoverageFrom: '2019-01-01',
    keyword: ['人口', '統計'],
    distribution: [{ resourceID: `${ID}-001`, format: 'CSV', downloadURL: 'https://data.example.gov.tw/1.csv', resourceModified: modified }],
  };
}

function storedRecord(db: import('../../src/store/database.js').Db): string {
  return db.prepare('SELECT record FROM datasets WHERE identifier = ?').pluck().get(ID) as string;
}

t.test('the answer is the stored record rendered, with the body’s tag, kept across requests', async (t) => {
  const gw = await startHttpGateway(t, [record('人口統計', '2025-01-01 10:00:00')], NO_LIMIT);
  const first = await raw(`${gw.base}${PATH}`);
  t.equal(first.status, 200);
  t.equal(first.headers['content-type'], 'application/json; charset=utf-8');
  t.equal(Number(first.headers['content-length']), first.body.length, 'Content-Length is the byte length');
  const expected = JSON.stringify({ success: true, result: toGen1Json(JSON.parse(storedRecord(gw.db)) as NationalRecord) });
  t.equal(first.body.toString('utf8'), expected, 'the gen-1 rendering of the stored record');
  t.equal(first.headers.etag, strongEtag('application/json; charset=utf-8', expected), 'the tag of these bytes');
  t.match(
    JSON.parse(expected),
    { result: { title: '人口統計', issued: '2019-03-01 09:00:00', modified: '2025-01-01 10:00:00', temporalCoverageFrom: '2019-01-01' } },
    'Taipei wall-clock dates',
  );

  for (let n = 0; n < 3; n += 1) {
    const again = await raw(`${gw.base}${PATH}`);
    t.ok(again.body.equals(first.body), `request ${n + 2}: the same bytes`);
    t.equal(again.headers.etag, first.headers.etag);
    t.equal(again.headers['last-modified'], first.headers['last-modified']);
  }

  const head = await raw(`${gw.base}${PATH}`, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(head.body.length, 0, 'HEAD: no body');
  t.equal(head.headers.etag, first.headers.etag);
  t.equal(head.headers['content-length'], first.headers['content-length']);

  const gzip = await raw(`${gw.base}${PATH}`, { headers: { 'accept-encoding': 'gzip' } });
  t.equal(gzip.headers['content-encoding'], 'gzip', `a ${first.body.length}-byte record is compressed`);
  t.ok(gunzipSync(gzip.body).equals(first.body), 'the same body, compressed');
  t.equal(gzip.headers.etag, `${first.headers.etag!.slice(0, -1)}-gzip"`, 'the gzip variant’s tag');
  t.equal((await raw(`${gw.base}${PATH}`, { headers: { 'if-none-match': gzip.headers.etag! } })).status, 304);
});

t.test('a harvest that changes the record: the next answer is the new record, with a new tag', async (t) => {
  const gw = await startHttpGateway(t, [record('人口統計', '2025-01-01 10:00:00')], NO_LIMIT);
  const before = await raw(`${gw.base}${PATH}`);
  t.equal(before.status, 200);

  gw.platform.records.set(ID, record('人口統計（修訂）', '2025-06-01 10:00:00'));
  // A full harvest: an incremental one asks only for records modified since the last run.
  await gw.harvester.run('fixture', { full: true });
  const after = await raw(`${gw.base}${PATH}`);
  t.equal(after.status, 200);
  t.match(JSON.parse(after.body.toString('utf8')), { result: { title: '人口統計（修訂）', modified: '2025-06-01 10:00:00' } }, 'the revised record');
  t.not(after.headers.etag, before.headers.etag, 'a new tag');
  t.ok(Date.parse(after.headers['last-modified']!) >= Date.parse(before.headers['last-modified']!), 'Last-Modified does not go back');
  t.equal((await raw(`${gw.base}${PATH}`, { headers: { 'if-none-match': before.headers.etag! } })).status, 200, 'the old tag no longer matches');
  t.equal((await raw(`${gw.base}${PATH}`, { headers: { 'if-none-match': after.headers.etag! } })).status, 304, 'the new one does');
});

t.test('another writer changes the stored text (no harvest, no identity resolution): the answer follows at once', async (t) => {
  const gw = await startHttpGateway(t, [record('人口統計', '2025-01-01 10:00:00')], NO_LIMIT);
  const before = await raw(`${gw.base}${PATH}`);
  const stored = JSON.parse(storedRecord(gw.db)) as Raw;
  // Same length, one character different: the cache must compare the text, not its size.
  const edited = JSON.stringify({ ...stored, title: '人口統訃' });
  t.equal(edited.length, JSON.stringify(stored).length);
  gw.db.prepare("UPDATE source_payloads SET record = ? WHERE source_id = 'fixture' AND native_id = ?").run(edited, ID);

  const after = await raw(`${gw.base}${PATH}`);
  t.match(JSON.parse(after.body.toString('utf8')), { result: { title: '人口統訃' } }, 'the new text is served');
  t.not(after.headers.etag, before.headers.etag);
  t.equal(after.headers.etag, strongEtag('application/json; charset=utf-8', after.body.toString('utf8')));

  gw.db.prepare("UPDATE source_payloads SET record = ? WHERE source_id = 'fixture' AND native_id = ?").run(JSON.stringify(stored), ID);
  const back = await raw(`${gw.base}${PATH}`);
  t.ok(back.body.equals(before.body), 'and the old text again: the old answer');
  t.equal(back.headers.etag, before.headers.etag);

  // Another connection to the file (as a CLI harvest beside `serve` would be).
  const other = new Database(gw.db.name);
  t.teardown(() => other.close());
  const byOther = JSON.stringify({ ...stored, title: '人口統計（另一連線）' });
  other.prepare("UPDATE source_payloads SET record = ? WHERE source_id = 'fixture' AND native_id = ?").run(byOther, ID);
  t.match(
    JSON.parse((await raw(`${gw.base}${PATH}`)).body.toString('utf8')),
    { result: { title: '人口統計（另一連線）' } },
    'a write by another connection is served at once',
  );
  // Last-Modified is never before the API started serving: change it to a later second.
  await sleep(1100);
  const changedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  t.ok(changedAt.getTime() > Date.parse(before.headers['last-modified']!));
  other.prepare('UPDATE dataset_entries SET updated_at = ? WHERE identifier = ?').run(changedAt.toISOString().replace('.000Z', 'Z'), ID);
  t.equal((await raw(`${gw.base}${PATH}`)).headers['last-modified'], changedAt.toUTCString(), 'Last-Modified follows the row too');
});

t.test('unknown and withdrawn identifiers answer 404 and 410 without validators, also right after being served', async (t) => {
  const gw = await startHttpGateway(t, [record('人口統計', '2025-01-01 10:00:00')], NO_LIMIT);
  const missing = await raw(`${gw.base}/api/v1/rest/dataset/A41000000G-999999`);
  t.equal(missing.status, 404);
  t.match(JSON.parse(missing.body.toString('utf8')), { success: false, error: { error_type: /^ER0100:/ } });
  t.notOk(missing.headers.etag, 'no tag on a 404');
  t.notOk(missing.headers['last-modified'], 'no Last-Modified on a 404');

  t.equal((await raw(`${gw.base}${PATH}`)).status, 200, 'served (and its answer kept)');
  gw.db.prepare('UPDATE dataset_entries SET withdrawn_at = ? WHERE identifier = ?').run('2025-07-01T00:00:00Z', ID);
  const gone = await raw(`${gw.base}${PATH}`);
  t.equal(gone.status, 410, 'a withdrawn dataset: 410 even right after it was served');
  t.notOk(gone.headers.etag);
  t.notOk(gone.headers['last-modified']);
});

import t from 'tap';
import { writePushedRecord } from '../../src/store/push-records.js';
import { ensurePushSource } from '../../src/store/push-sources.js';
import { contentHash } from '../../src/store/records.js';
import { resolveIdentity } from '../../src/identity/resolve.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { json, startPushGateway, validGen2Record, validRecord } from './push-harness.js';

/**
 * Identifiers that differ only in letter case name one dataset: the agency code of a national
 * identifier (A41000000G-000903) is upper case, and a client or source that writes it in lower
 * case means the same dataset. Pushes compare identifiers in their canonical (upper-case) form
 * and store that form; harvested records keep the identifier their source sent, and join pushed
 * ones through identity keys made of the canonical form; reads in another case are redirected
 * to the identifier the dataset is served under.
 */

interface Ok<T> {
  success: true;
  result: T;
}
interface Refusal {
  success: false;
  error: { error_type: string; message: string; identifier?: string };
}

const UPPER = 'A41000000G-000903';
const LOWER = 'a41000000g-000903';

t.test('push: a POST in another case is a replay (409), and the stored identifier is the canonical one', async (t) => {
  const gateway = await startPushGateway(t);
  const key = await gateway.issue();
  const first = await gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord(LOWER) });
  t.equal(first.status, 201);
  const created = (await json<Ok<{ identifier: string; datasetId: string; warnings?: Array<{ field: string; message: string }> }>>(first)).result;
  t.equal(created.identifier, UPPER, 'the answer names the identifier as stored: upper case');
  t.match(created.warnings, [{ field: 'identifier', message: new RegExp(`${LOWER}.*${UPPER}`) }], 'and says it was upper-cased');

  const again = await gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord(UPPER) });
  t.equal(again.status, 409, 'the same dataset in upper case is a replay');
  t.match(await json<Refusal>(again), { error: { error_type: /^ER0040:/, message: new RegExp(`dataset ${UPPER} exists already`) } });
  const v2 = await gateway.request('POST', '/api/v2/rest/dataset', { key, body: validGen2Record('A41000000g-000903') });
  t.equal(v2.status, 409, 'and in mixed case through v2');

  t.same(gateway.db.prepare('SELECT native_id, identifier FROM source_records').all(), [{ native_id: UPPER, identifier: UPPER }], 'one pushed record');
  const payload = JSON.parse(gateway.db.prepare('SELECT payload FROM source_payloads').pluck().get() as string) as { identifier: string };
  t.equal(payload.identifier, UPPER, 'its stored body carries the identifier it is stored under');
  await gateway.settled();
  t.same(gateway.db.prepare('SELECT identifier FROM datasets').pluck().all(), [UPPER], 'one dataset');
});

t.test('push: PUT and DELETE with the path in another case find the dataset', async (t) => {
  const gateway = await startPushGateway(t);
  const key = await gateway.issue();
  t.equal((await gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord(UPPER) })).status, 201);

  const put = await gateway.request('PUT', `/api/v1/rest/dataset/${LOWER}`, {
    key,
    body: validRecord(LOWER, { title: '改過的標題', modified: '2026-04-01 10:00:00' }),
  });
  t.equal(put.status, 200, 'a PUT in lower case, path and body');
  t.equal((await json<Ok<{ identifier: string }>>(put)).result.identifier, UPPER);
  const bodyless = await gateway.request('PUT', `/api/v1/rest/dataset/${LOWER}`, {
    key,
    body: { ...validRecord(UPPER, { title: '再改', modified: '2026-04-02 10:00:00' }), identifier: undefined },
  });
  t.equal(bodyless.status, 200, 'a body without identifier takes the canonical form of the path');
  const other = await gateway.request('PUT', `/api/v1/rest/dataset/${LOWER}`, {
    key,
    body: validRecord('A41000000G-000904', { modified: '2026-04-03 10:00:00' }),
  });
  t.equal(other.status, 400, 'a body naming another dataset is still refused');
  t.same(
    gateway.db.prepare('SELECT native_id, identifier, title FROM source_records').all(),
    [{ native_id: UPPER, identifier: UPPER, title: '再改' }],
    'the one record, changed in place',
  );

  const deleted = await gateway.request('DELETE', '/api/v1/rest/dataset/a41000000G-000903', { key });
  t.equal(deleted.status, 200, 'a DELETE in mixed case');
  t.equal((await gateway.request('DELETE', `/api/v1/rest/dataset/${UPPER}`, { key })).status, 404, 'replayed in the canonical case: nothing left to delete');
  const otherKey = await gateway.issue({ orgCode: '313000000G', publisher: '臺北市政府' });
  const foreign = await gateway.request('DELETE', `/api/v1/rest/dataset/${LOWER}`, { key: otherKey });
  t.equal(foreign.status, 403, "another publisher's key is refused whatever the case");
});

t.test('push: a record stored in lower case by an earlier version is found by pushes in any case', async (t) => {
  const gateway = await startPushGateway(t);
  const key = await gateway.issue();
  // As the version before stored a lower-case POST: native id and identifier as sent.
  const source = ensurePushSource(gateway.db, 'A41000000G', '國家發展委員會');
  const body = validRecord(LOWER);
  const record = { ...body, identifier: LOWER } as unknown as Parameters<typeof writePushedRecord>[1]['record'];
  gateway.db.transaction(() =>
    writePushedRecord(
      gateway.db,
      { sourceId: source, nativeId: LOWER, payloadJson: JSON.stringify(body), contentHash: contentHash(JSON.stringify(body)), record, issues: [] },
      undefined,
      '2026-01-01T00:00:00Z',
    ),
  )();
  gateway.db
    .prepare("INSERT INTO push_dataset_ids (dataset_id, source_id, identifier, assigned_at) VALUES (9000000001, ?, ?, '2026-01-01T00:00:00Z')")
    .run(source, LOWER);
  await resolveIdentity(sqliteStoreOn(gateway.db));

  const replay = await gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord(UPPER) });
  t.equal(replay.status, 409, 'a POST in upper case is a replay of the lower-case one');
  const put = await gateway.request('PUT', `/api/v1/rest/dataset/${UPPER}`, {
    key,
    body: validRecord(UPPER, { title: '新標題', modified: '2026-04-01 10:00:00' }),
  });
  t.equal(put.status, 200, 'a PUT in upper case updates it');
  t.equal((await json<Ok<{ datasetId: string }>>(put)).result.datasetId, '9000000001', 'under the datasetId it was given');
  t.same(
    gateway.db.prepare('SELECT native_id, identifier, title FROM source_records').all(),
    [{ native_id: LOWER, identifier: UPPER, title: '新標題' }],
    'still one record: the one stored before',
  );
  await gateway.settled();
  t.same(gateway.db.prepare('SELECT identifier FROM datasets').pluck().all(), [LOWER], 'served under the identifier it always had');
  t.equal((await gateway.request('DELETE', `/api/v1/rest/dataset/${UPPER}`, { key })).status, 200);
  t.equal((await gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord(UPPER) })).status, 201, 'created again after the DELETE');
  t.same(gateway.db.prepare('SELECT native_id FROM source_records').pluck().all(), [LOWER], 'into the same record');
});

t.test('a harvested lower-case record and a pushed upper-case one are one dataset; the harvested record keeps its case', async (t) => {
  const gateway = await startPushGateway(t, {
    harvested: [validRecord(LOWER, { title: '平臺轉載的標題', landingPage: 'https://portal.example.tw/dataset/903' })],
  });
  const key = await gateway.issue();
  t.equal((await gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord(UPPER, { title: '機關推送的標題' }) })).status, 201);
  await gateway.settled();
  t.same(gateway.db.prepare('SELECT identifier FROM datasets').pluck().all(), [LOWER], 'one dataset, under the identifier it was first served under');
  const explained = await json<{ members: Array<{ sourceId: string; nativeId: string }> }>(await gateway.request('GET', `/api/v1/identity/dataset/${LOWER}`));
  t.same(
    explained.members.map((m) => [m.sourceId, m.nativeId]).sort(),
    [
      ['fixture', LOWER],
      ['push:A41000000G', UPPER],
    ],
    'with both records',
  );
  const harvested = JSON.parse(gateway.db.prepare("SELECT record FROM source_payloads WHERE source_id = 'fixture'").pluck().get() as string) as {
    identifier: string;
  };
  t.equal(harvested.identifier, LOWER, 'the harvested record is stored as its source sent it');
});

t.test('reads in another case are redirected (301) to the identifier the dataset is served under', async (t) => {
  const gateway = await startPushGateway(t, { harvested: [validRecord(LOWER), validRecord('A41000000G-000904')] });
  const get = (path: string) => fetch(`${gateway.base}${path}`, { redirect: 'manual' });

  const v1 = await get(`/api/v1/rest/dataset/${UPPER}`);
  t.equal(v1.status, 301, 'v1 record');
  t.equal(v1.headers.get('location'), `/api/v1/rest/dataset/${LOWER}`);
  t.equal((await get(`/api/v1/rest/dataset/${LOWER}`)).status, 200, 'the stored case is served');
  const dcat = await get(`/dataset/${UPPER}.ttl`);
  t.equal(dcat.status, 301, 'DCAT document, suffix kept');
  t.equal(dcat.headers.get('location'), `/dataset/${LOWER}.ttl`);
  const bare = await get('/dataset/a41000000g-000904');
  t.equal(bare.status, 301, 'an upper-case dataset asked in lower case');
  t.equal(bare.headers.get('location'), '/dataset/A41000000G-000904');
  t.equal((await get('/api/v1/rest/dataset/A41000000G-000905')).status, 404, 'an identifier no dataset has in any case is still 404');
  t.equal((await get('/api/v1/rest/dataset/%C3%A41000000G-000904')).status, 404, 'case folding is ASCII only: no Unicode look-alikes');
});

t.test('two records of one source differing only in case stay two datasets, never two identifiers differing only in case', async (t) => {
  const gateway = await startPushGateway(t, { harvested: [validRecord(UPPER, { title: '甲' }), validRecord(LOWER, { title: '乙' })] });
  const ids = gateway.db.prepare('SELECT identifier FROM datasets ORDER BY identifier').pluck().all() as string[];
  t.equal(ids.length, 2, 'a collision: kept apart');
  t.equal(new Set(ids.map((id) => id.toUpperCase())).size, 2, `no two identifiers equal but for case: ${ids.join(', ')}`);
  const res = await fetch(`${gateway.base}/api/v1/rest/dataset/A41000000g-000903`, { redirect: 'manual' });
  t.equal(res.status, 301, 'so a read in a third case is not ambiguous');
});

import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import Database from 'better-sqlite3';
import { buildApi } from '../../src/api/app.js';
import { pushResolutionScheduler } from '../../src/api/routes/push.js';
import { issueApiKey } from '../../src/push/issue-api-key.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { TEST_MAX_PAGE_COUNT_ENV, type Db } from '../../src/store/database.js';
import { openTestDb, tempDir, testConfig } from '../helpers/gateway.js';
import { json, snapshotStore, validRecord, type SpecErrorBody } from './push-harness.js';

interface Gateway {
  db: Db;
  key: string;
  logLines: string[];
  request(method: string, path: string, body?: unknown): Promise<Response>;
  settled(): Promise<void>;
}

/** A gateway whose log is kept, with one dataset pushed and served. */
async function start(t: Test, pushWrites: 'here' | 'thread' = 'here'): Promise<Gateway> {
  const { dir, cleanup } = tempDir();
  const db = openTestDb(testConfig(join(dir, 'catalog.db'), 'http://127.0.0.1:9', { sources: [] }));
  t.teardown(() => {
    db.close();
    cleanup();
  });
  const logLines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  // 'here': the pragmas these tests set on the API's connection are the ones pushes write through.
  const api = await buildApi({
    store: sqliteStoreOn(db),
    publicUrl: 'https://gateway.example.tw',
    logger,
    pushWrites,
    http: { rateLimit: { max: 0, timeWindowMs: 60_000, allowList: [] } },
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => api.close());
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const key = (await issueApiKey(sqliteStoreOn(db), { publisher: '國家發展委員會', orgCode: 'A41000000G', allow: [] })).key;
  const gateway: Gateway = {
    db,
    key,
    logLines,
    request: (method, path, body) =>
      fetch(`${base}${path}`, {
        method,
        headers: { authorization: key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    settled: () => pushResolutionScheduler(api)!.settled(),
  };
  t.equal((await gateway.request('POST', '/api/v1/rest/dataset', validRecord('A41000000G-000001'))).status, 201);
  await gateway.settled();
  return gateway;
}

/** A record the store has no room for once it is full: about 300 kB. */
const bigRecord = (identifier: string) => validRecord(identifier, { description: '一段很長的描述。'.repeat(12_000) });

async function assertUnavailable(t: Test, gateway: Gateway, res: Response, condition: RegExp, retryAfter: string): Promise<void> {
  t.equal(res.status, 503);
  t.equal(res.headers.get('retry-after'), retryAfter);
  t.equal(res.headers.get('cache-control'), 'no-store', 'a write answer is never cached, refusals included');
  const body = await json<SpecErrorBody>(res);
  t.match(body, { success: false, error: { error_type: 'ER0503:服務暫時無法使用。', message: condition } });
  t.notOk(body.error.message.includes(gateway.db.name), "the client is not told the server's paths");
  const logged = gateway.logLines
    .map((line) => JSON.parse(line) as { level: number; msg: string; store?: string; code?: string })
    .filter((entry) => entry.store !== undefined);
  t.ok(
    logged.some((entry) => entry.level === 50 && entry.store === gateway.db.name && entry.msg.startsWith(`the store ${gateway.db.name} `)),
    'the log names the file and what to do',
  );
  t.notOk(
    gateway.logLines.some((line) => line.includes('"request failed"')),
    'not logged as a bug of ours',
  );
}

t.test('a push to a full store is answered 503 with Retry-After; nothing is stored and reads go on', async (t) => {
  const gateway = await start(t);
  const before = snapshotStore(gateway.db);
  gateway.db.pragma(`max_page_count = ${gateway.db.pragma('page_count', { simple: true }) as number}`);

  const res = await gateway.request('POST', '/api/v1/rest/dataset', bigRecord('A41000000G-000002'));
  await assertUnavailable(t, gateway, res, /store is full/, '60');
  t.same(snapshotStore(gateway.db), before, 'nothing was stored, not even the key’s last use');

  t.equal((await gateway.request('GET', '/api/v1/rest/dataset/A41000000G-000001')).status, 200, 'a dataset is still served');
  const search = await gateway.request('GET', `/api/search?q=${encodeURIComponent('A41000000G-000001')}&facets=false`);
  t.equal(search.status, 200, 'search still answers');

  gateway.db.pragma('max_page_count = 1073741823');
  t.equal((await gateway.request('POST', '/api/v1/rest/dataset', bigRecord('A41000000G-000002'))).status, 201, 'once there is room, the same push is accepted');
});

t.test('a push to a store that turned read-only is answered 503', async (t) => {
  const gateway = await start(t);
  // Every write refused on the API's connection, as on a file system remounted read-only.
  gateway.db.pragma('query_only = 1');
  t.teardown(() => gateway.db.pragma('query_only = 0'));
  const res = await gateway.request(
    'PUT',
    '/api/v1/rest/dataset/A41000000G-000001',
    validRecord('A41000000G-000001', { title: '改過的標題', modified: '2026-03-02 10:00:00' }),
  );
  await assertUnavailable(t, gateway, res, /store is read-only/, '60');
  t.equal((await gateway.request('DELETE', '/api/v1/rest/dataset/A41000000G-000001')).status, 503);
  t.equal((await gateway.request('GET', '/api/v1/rest/dataset/A41000000G-000001')).status, 200, 'reads go on');
});

t.test('a push while another process holds the write lock past the busy timeout is answered 503 with a short Retry-After', async (t) => {
  const gateway = await start(t);
  gateway.db.pragma('busy_timeout = 50');
  const other = new Database(gateway.db.name);
  other.exec('BEGIN IMMEDIATE');
  t.teardown(() => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
  });
  const res = await gateway.request('POST', '/api/v1/rest/dataset', validRecord('A41000000G-000003'));
  await assertUnavailable(t, gateway, res, /store is busy/, '5');
  other.exec('ROLLBACK');
  t.equal((await gateway.request('POST', '/api/v1/rest/dataset', validRecord('A41000000G-000003'))).status, 201, 'accepted once the lock is released');
});

t.test('a push the push thread cannot write (a full store) is answered 503 the same way', async (t) => {
  // The thread opens its own connection; the tests' hook caps every connection opened from now on
  // (a fresh store is about 46 pages of 4 kB; the first small push fits, a 300 kB one does not).
  process.env[TEST_MAX_PAGE_COUNT_ENV] = '70';
  t.teardown(() => {
    delete process.env[TEST_MAX_PAGE_COUNT_ENV];
  });
  const gateway = await start(t, 'thread');
  const before = snapshotStore(gateway.db);
  const res = await gateway.request('POST', '/api/v1/rest/dataset', bigRecord('A41000000G-000002'));
  await assertUnavailable(t, gateway, res, /store is full/, '60');
  t.same(snapshotStore(gateway.db), before, 'nothing was stored');
  t.equal((await gateway.request('GET', '/api/v1/rest/dataset/A41000000G-000001')).status, 200, 'reads go on');
});

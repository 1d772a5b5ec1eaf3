import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { FixturePlatform } from '../helpers/crossplatform-server.js';
import { startHarvestedPlatform } from '../helpers/federation.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { runErrors } from '../../src/store/runs.js';
import type { Db } from '../../src/store/database.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

type Raw = Record<string, unknown>;
const ownRecords = readFixture<Raw[]>('crossplatform', 'own-records.json').filter((r) => r.title !== undefined);

/** Six valid records with distinct identifiers. */
function records(count = 6): Raw[] {
  return Array.from({ length: count }, (_, i) => ({
    ...ownRecords[i % ownRecords.length]!,
    identifier: `A41000000G-${String(100 + i).padStart(6, '0')}`,
    title: `資料集 ${i}`,
  }));
}

interface Setup {
  platform: FixturePlatform;
  db: Db;
  harvester: Harvester;
  snapshot(): Array<{ identifier: string; record: string }>;
}

async function setup(t: Test, initial: Raw[], harvest: Record<string, unknown> = {}, sourceOptions: Record<string, unknown> = { pageSize: 2 }): Promise<Setup> {
  const harvested = await startHarvestedPlatform(
    t,
    initial,
    { harvest: { allowPrivateAddresses: true, retries: 1, retryBaseDelayMs: 5, timeoutMs: 3000, ...harvest } },
    sourceOptions,
  );
  return {
    ...harvested,
    snapshot: () => harvested.db.prepare('SELECT identifier, record FROM datasets ORDER BY identifier').all() as Array<{ identifier: string; record: string }>,
  };
}

t.test('a source answering 500 to its list fails the run and keeps what was stored', async (t) => {
  const s = await setup(t, records());
  await s.harvester.run('fixture');
  const before = s.snapshot();
  t.equal(before.length, 6);
  s.platform.faults.listStatus = 500;
  const run = await s.harvester.run('fixture', { full: true });
  t.equal(run!.status, 'failed');
  t.match(run!.message, /HTTP 500/);
  t.same(s.snapshot(), before, 'nothing stored was lost or changed');
  const errors = runErrors(s.db, run!.runId);
  t.match(errors, [{ stage: 'source', rule: 'http-500', sourceId: 'fixture' }]);
});

t.test('malformed JSON and 500s on single records are typed errors; the run goes on', async (t) => {
  const initial = records();
  const s = await setup(t, initial);
  s.platform.faults.malformedRecords = new Set([String(initial[1]!.identifier)]);
  s.platform.faults.failRecords = new Set([String(initial[4]!.identifier)]);
  const run = await s.harvester.run('fixture');
  t.equal(run!.status, 'partial');
  t.equal(run!.counts.created, 4);
  const errors = runErrors(s.db, run!.runId).filter((e) => e.stage !== 'validate');
  t.match(
    errors.sort((a, b) => String(a.nativeId).localeCompare(String(b.nativeId))),
    [
      { nativeId: initial[1]!.identifier, stage: 'parse', rule: 'malformed-json' },
      { nativeId: initial[4]!.identifier, stage: 'fetch', rule: 'http-500' },
    ],
  );
  t.equal(s.snapshot().length, 4);
});

t.test('a partial run is not the base of the next incremental run', async (t) => {
  const initial = records();
  const s = await setup(t, initial);
  s.platform.faults.failRecords = new Set([String(initial[0]!.identifier)]);
  await s.harvester.run('fixture');
  s.platform.faults.failRecords = undefined;
  s.platform.requests.length = 0;
  const second = await s.harvester.run('fixture');
  t.notMatch(s.platform.requests[0], /modified=/, 'the next run lists everything again');
  t.equal(second!.status, 'succeeded');
  t.equal(s.snapshot().length, 6, 'the record that failed before is harvested now');
});

t.test('a source killed mid-run leaves earlier records intact', async (t) => {
  const initial = records(8);
  const s = await setup(t, initial);
  await s.harvester.run('fixture');
  const before = new Map(s.snapshot().map((r) => [r.identifier, r.record]));
  for (const record of initial) s.platform.records.set(String(record.identifier), { ...record, title: `${String(record.title)} v2` });
  s.platform.faults.dieAfterRecords = s.platform.recordResponses() + 3;
  const run = await s.harvester.run('fixture', { full: true });
  t.equal(run!.status, 'failed', 'the platform is gone: the run fails');
  const after = s.snapshot();
  t.equal(after.length, 8, 'no dataset lost');
  let updated = 0;
  for (const row of after) {
    const title = (JSON.parse(row.record) as { title: string }).title;
    if (title.endsWith(' v2')) updated += 1;
    else t.equal(row.record, before.get(row.identifier), `${row.identifier} kept exactly as it was`);
  }
  t.ok(updated >= 1 && updated <= 3, `the records fetched before the platform died were committed (${updated})`);
  s.platform.faults.dieAfterRecords = undefined;
});

t.test('a platform that ignores offset cannot loop the harvester', async (t) => {
  const s = await setup(t, records(5));
  s.platform.faults.ignoreOffset = true;
  const run = await s.harvester.run('fixture');
  t.equal(run!.status, 'partial');
  t.match(runErrors(s.db, run!.runId), [{ stage: 'list', rule: 'paging-loop' }]);
  t.ok(s.platform.requests.filter((r) => r.startsWith('/api/v1/rest/dataset?')).length <= 2, 'stopped at the repeated page');
});

t.test('an identifier listed twice is harvested once', async (t) => {
  const initial = records(3);
  const s = await setup(t, initial, {}, { pageSize: 10 });
  s.platform.faults.extraListed = [String(initial[0]!.identifier)];
  const run = await s.harvester.run('fixture');
  t.equal(run!.status, 'succeeded');
  t.equal(run!.counts.seen, 3);
  t.equal(s.platform.requests.filter((r) => r === `/api/v1/rest/dataset/${String(initial[0]!.identifier)}`).length, 1);
});

t.test('listed records answering 404 are fetch errors', async (t) => {
  const initial = records(3);
  const s = await setup(t, initial);
  s.platform.faults.missingRecords = new Set([String(initial[2]!.identifier)]);
  const run = await s.harvester.run('fixture');
  t.equal(run!.status, 'partial');
  t.match(runErrors(s.db, run!.runId), [{ nativeId: initial[2]!.identifier, rule: 'http-404' }]);
});

t.test('a slow source times out instead of hanging the run', async (t) => {
  const s = await setup(t, records(2), { timeoutMs: 300, retries: 0 });
  s.platform.faults.delayMs = 2000;
  const started = Date.now();
  const run = await s.harvester.run('fixture');
  t.equal(run!.status, 'failed');
  t.match(run!.message, /within 300 ms|timed out/);
  t.ok(Date.now() - started < 1900, 'gave up at the deadline');
});

t.test('a list answered with an HTML page fails the run with a clear reason', async (t) => {
  const html = await startHtmlServer(t);
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), html);
  const db = openTestDb(config);
  t.teardown(() => {
    db.close();
    cleanup();
  });
  const run = await new Harvester(sqliteStoreOn(db), config, silentLog).run('fixture');
  t.equal(run!.status, 'failed');
  t.match(run!.message, /not valid JSON/);
});

t.test('two runs of one source never overlap', async (t) => {
  const s = await setup(t, records(4));
  s.platform.faults.delayMs = 50;
  const [first, second] = await Promise.all([s.harvester.run('fixture'), s.harvester.run('fixture')]);
  t.ok(first, 'the first runs');
  t.equal(second, undefined, 'the second is skipped while the first runs');
});

t.test('loopback is refused unless the operator allowed private addresses', async (t) => {
  const s = await setup(t, records(2), { allowPrivateAddresses: false });
  const run = await s.harvester.run('fixture');
  t.equal(run!.status, 'failed');
  t.match(run!.message, /private addresses are not allowed/);
  t.equal(s.platform.requests.length, 0, 'no request reached the platform');
});

t.test('a record over the response size cap is rejected alone', async (t) => {
  const initial = records(3);
  initial[1] = { ...initial[1]!, notes: 'x'.repeat(40_000) };
  const s = await setup(t, initial, { maxResponseBytes: 20_000 });
  const run = await s.harvester.run('fixture');
  t.equal(run!.status, 'partial');
  t.match(runErrors(s.db, run!.runId), [{ nativeId: initial[1]!.identifier, rule: 'too-large' }]);
  t.equal(s.snapshot().length, 2);
});

t.test('a platform answering 429 with Retry-After is waited for, and the run succeeds', async (t) => {
  const s = await setup(t, records(3), { retries: 2 });
  s.platform.faults.throttle = { remaining: 2, retryAfterSeconds: 1 };
  const started = Date.now();
  const run = await s.harvester.run('fixture');
  t.equal(run!.status, 'succeeded');
  t.equal(run!.counts.created, 3);
  t.ok(Date.now() - started >= 900, 'it waited as asked');
});

t.test('a record with exactly 10,000 distributions is kept', async (t) => {
  const initial = records(1);
  const distribution = Array.from({ length: 10_000 }, (_, i) => ({
    resourceID: `${String(initial[0]!.identifier)}-${String(i).padStart(3, '0')}`,
    resourceDescription: `r${i}`,
    format: 'CSV',
    downloadURL: `https://example.gov.tw/${i}.csv`,
  }));
  initial[0] = { ...initial[0]!, distribution };
  const s = await setup(t, initial);
  const run = await s.harvester.run('fixture');
  t.equal(run!.status, 'succeeded');
  t.equal(run!.counts.created, 1);
  const stored = JSON.parse((s.db.prepare('SELECT record FROM datasets').get() as { record: string }).record) as { distribution: unknown[] };
  t.equal(stored.distribution.length, 10_000);
});

t.test('a record with more than 10,000 distributions is rejected alone', async (t) => {
  const initial = records(2);
  const distribution = Array.from({ length: 10_001 }, (_, i) => ({
    resourceID: `${String(initial[0]!.identifier)}-${String(i).padStart(3, '0')}`,
    resourceDescription: `r${i}`,
    format: 'CSV',
    downloadURL: `https://example.gov.tw/${i}.csv`,
  }));
  initial[0] = { ...initial[0]!, distribution };
  const s = await setup(t, initial);
  const run = await s.harvester.run('fixture');
  t.equal(run!.status, 'succeeded', 'the source was read whole; the record is what is wrong');
  t.equal(run!.counts.rejected, 1);
  t.match(runErrors(s.db, run!.runId), [{ nativeId: initial[0]!.identifier, field: 'distribution', rule: 'too-many' }]);
  t.equal(s.snapshot().length, 1);
});

async function startHtmlServer(t: Test): Promise<string> {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>Maintenance</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
}

import t, { type Test } from 'tap';
import { startHarvestedPlatform } from '../helpers/federation.js';
import { readFixture } from '../helpers/gateway.js';
import { lastRun, listRuns, runErrors } from '../../src/store/runs.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';
import type { Db } from '../../src/store/database.js';

type Raw = Record<string, unknown>;
const ownRecords = readFixture<Raw[]>('crossplatform', 'own-records.json').filter((r) => r.title !== undefined);

/** Records big enough (about 20 kB) that each page needs pages of the database it does not have yet. */
function records(count = 6): Raw[] {
  return Array.from({ length: count }, (_, i) => ({
    ...ownRecords[i % ownRecords.length]!,
    identifier: `A41000000G-${String(300 + i).padStart(6, '0')}`,
    title: `資料集 ${i}`,
    description: `第 ${i} 筆資料集的說明。`.repeat(1000),
  }));
}

async function setup(t: Test) {
  return startHarvestedPlatform(t, records(), { harvest: { allowPrivateAddresses: true, retries: 0, timeoutMs: 3000 } }, { pageSize: 2 });
}

/** What `running` was rejected with (undefined when it was not). */
function failure(running: Promise<unknown>): Promise<unknown> {
  return running.then(
    () => undefined,
    (err: unknown) => err,
  );
}

function storedIds(db: Db): string[] {
  return db.prepare("SELECT native_id FROM source_records WHERE source_id = 'fixture' ORDER BY native_id").pluck().all() as string[];
}

t.test('a full store fails the run with a message naming the file; the pages committed before stay', async (t) => {
  const s = await setup(t);
  const fullMessage = `the store ${s.db.name} is full (SQLITE_FULL): free disk space or move DATABASE_PATH, then run again`;
  // After the first page's commit, the store is full: SQLite refuses to grow the file past its size now.
  const thrown = await failure(
    s.harvester.run('fixture', {
      onProgress: (p) => {
        if (p.pages === 1) s.db.pragma(`max_page_count = ${s.db.pragma('page_count', { simple: true }) as number}`);
      },
    }),
  );
  t.ok(thrown instanceof StoreUnavailableError, 'the caller gets the typed error, to stop harvesting into this store');
  t.match(thrown, { condition: 'full', code: 'SQLITE_FULL', path: s.db.name, message: fullMessage });
  // Still full: the next run fails the same way, at its first page.
  t.match(await failure(s.harvester.run('fixture')), { condition: 'full' });

  const [second, first] = listRuns(s.db, 'fixture');
  t.match(first, { status: 'failed', message: fullMessage, pages: 1, records_created: 2 }, 'the run ended failed, not running, with the store message');
  t.match(second, { status: 'failed', message: /is full \(SQLITE_FULL\)/ });
  t.match(runErrors(s.db, first!.id), [{ stage: 'store', rule: 'SQLITE_FULL', message: /^the store .* is full/ }]);
  t.same(storedIds(s.db), ['A41000000G-000300', 'A41000000G-000301'], "the first page's records stay");

  // Space freed: the next run goes through.
  s.db.pragma('max_page_count = 1073741823');
  const after = await s.harvester.run('fixture');
  t.equal(after?.status, 'succeeded');
  t.equal(storedIds(s.db).length, 6);
});

t.test('a store that turns read-only mid-run: the run it could not close is closed by the next one, with the reason', async (t) => {
  const s = await setup(t);
  const thrown = await failure(
    s.harvester.run('fixture', {
      onProgress: (p) => {
        // Every write refused from here on, the run's end included (a file system remounted read-only).
        if (p.pages === 1) s.db.pragma('query_only = 1');
      },
    }),
  );
  t.match(thrown, {
    name: 'StoreUnavailableError',
    condition: 'read-only',
    path: s.db.name,
    message: /is read-only \(SQLITE_READONLY\): check the file's and directory's permissions/,
  });
  t.match(lastRun(s.db, 'fixture'), { status: 'running' }, 'the store would not let the run be closed');

  s.db.pragma('query_only = 0');
  const next = await s.harvester.run('fixture');
  t.equal(next?.status, 'succeeded', 'the left run does not block its source');
  t.match(listRuns(s.db, 'fixture'), [
    { id: next!.runId, status: 'succeeded' },
    { status: 'failed', message: /^the store .* is read-only \(SQLITE_READONLY\)/ },
  ]);
  t.equal(storedIds(s.db).length, 6);
});

import t from 'tap';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { openDatabase, schemaVersion, StoreError } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { closeCrashedRuns, lastRun, markRunStarted, queueRun, requestCancel, SourceBusyError } from '../../src/store/runs.js';
import { syncSources } from '../../src/store/sources.js';
import { tempDir } from '../helpers/gateway.js';
import { fileSource } from '../helpers/file-source.js';

const source = fileSource('agency', 0, { name: 'Agency', type: 'crossplatform', url: 'https://example.gov.tw', maxMissingShare: 0.5 });

function openFresh(t: Tap): ReturnType<typeof openDatabase> {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'catalog.db'));
  syncSources(db, [source]);
  t.teardown(() => {
    db.close();
    cleanup();
  });
  return db;
}
type Tap = { teardown(fn: () => void): void };

/** The pid of a process that has exited: it cannot own a live run. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

t.test('a run left open by a dead process is closed as failed', async (t) => {
  const db = openFresh(t);
  db.prepare(
    `INSERT INTO runs (source_id, status, queued_at, started_at, pid, process_token) VALUES ('agency', 'running', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, 'gone')`,
  ).run(deadPid());
  t.equal(closeCrashedRuns(db), 1);
  t.match(lastRun(db, 'agency'), { status: 'failed', message: /ended before the run finished/ });
});

t.test('a run left open by an earlier process with this same pid (a restarted container) is closed', async (t) => {
  const db = openFresh(t);
  db.prepare(
    `INSERT INTO runs (source_id, status, queued_at, started_at, pid, process_token) VALUES ('agency', 'running', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, 'earlier-incarnation')`,
  ).run(process.pid);
  const runId = queueRun(db, 'agency');
  t.equal(lastRun(db, 'agency')!.id, runId, 'the new run starts');
  t.equal((db.prepare('SELECT status FROM runs WHERE id = 1').get() as { status: string }).status, 'failed');
});

t.test('a live run, queued or running, blocks a second one of the same source', async (t) => {
  const db = openFresh(t);
  const first = queueRun(db, 'agency');
  t.throws(() => queueRun(db, 'agency'), SourceBusyError, 'while queued');
  t.ok(markRunStarted(db, first, null));
  t.throws(() => queueRun(db, 'agency'), SourceBusyError, 'while running');
  t.equal(closeCrashedRuns(db), 0, 'a live run is not closed');
  t.equal(lastRun(db, 'agency')!.id, first);
});

t.test('cancelling: a queued run at once, a running one at its next page', async (t) => {
  const db = openFresh(t);
  const queued = queueRun(db, 'agency');
  t.equal(requestCancel(db, queued), 'cancelled');
  t.notOk(markRunStarted(db, queued, null), 'a cancelled run does not start');
  t.match(lastRun(db, 'agency'), { status: 'cancelled' });
  const running = queueRun(db, 'agency');
  markRunStarted(db, running, null);
  t.equal(requestCancel(db, running), 'requested');
  t.match(lastRun(db, 'agency'), { status: 'running', cancel_requested: 1 });
  t.equal(requestCancel(db, 9999), 'not-open');
});

t.test('migrations run once and a newer database is refused', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  const db = openDatabase(path);
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  t.equal(schemaVersion(db), latest);
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  const again = openDatabase(path);
  t.equal(schemaVersion(again), latest, 'reopening does not migrate again');
  again.pragma(`user_version = ${latest + 1}`);
  again.close();
  t.throws(() => openDatabase(path), StoreError);
  t.throws(() => openDatabase(path), /newer than this ogd-gateway knows/);
});

t.test('an unopenable database path is a clear error', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  writeFileSync(join(dir, 'a-file'), '');
  t.ok(t.throws(() => openDatabase(join(dir, 'a-file', 'catalog.db'))) instanceof StoreError);
  t.throws(() => openDatabase(join(dir, 'a-file', 'catalog.db')), { name: 'StoreUnavailableError', message: /^the store .*a-file.* cannot be opened/ });
});

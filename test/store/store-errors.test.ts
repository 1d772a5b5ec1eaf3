import t from 'tap';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, TEST_MAX_PAGE_COUNT_ENV } from '../../src/store/database.js';
import { failRunOnStoreError, lastRun, markRunStarted, queueRun, closeCrashedRuns, runErrors, SourceBusyError } from '../../src/store/runs.js';
import { syncSources } from '../../src/store/sources.js';
import { openErrorOf, StoreUnavailableError, storeErrorOf } from '../../src/store/store-errors.js';
import { emptyCounts } from '../../src/harvest/run.js';
import { fileSource } from '../helpers/file-source.js';
import { tempDir } from '../helpers/gateway.js';

const source = fileSource('agency', 0, { name: 'Agency', type: 'crossplatform', url: 'https://example.gov.tw', maxMissingShare: 0.5 });

/** An error as better-sqlite3 (or node:fs) throws it: only its code matters to the classification. */
function raw(code: string, message = 'raw'): Error {
  return Object.assign(new Error(message), { code });
}

/** Write until the store refuses (or 40 MB, which no test limit allows). */
function fill(db: Database.Database): void {
  const insert = db.prepare('INSERT INTO store_state (key, value) VALUES (?, ?)');
  for (let i = 0; i < 10_000; i++) insert.run(`filler-${i}`, 'x'.repeat(4000));
}

t.test('store conditions are classified by code, each naming the file and what to do', async (t) => {
  const path = '/srv/ogd/catalog.db';
  const cases: Array<[string, string]> = [
    ['SQLITE_FULL', 'full'],
    ['SQLITE_READONLY', 'read-only'],
    ['SQLITE_READONLY_DBMOVED', 'read-only'],
    ['SQLITE_READONLY_CANTINIT', 'read-only'],
    ['SQLITE_CANTOPEN', 'cannot-open'],
    ['SQLITE_CANTOPEN_ISDIR', 'cannot-open'],
    ['SQLITE_IOERR', 'io'],
    ['SQLITE_IOERR_WRITE', 'io'],
    ['SQLITE_CORRUPT', 'corrupt'],
    ['SQLITE_NOTADB', 'corrupt'],
    ['SQLITE_BUSY', 'busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy'],
  ];
  for (const [code, condition] of cases) {
    const error = storeErrorOf(raw(code), path);
    t.ok(error instanceof StoreUnavailableError, code);
    t.match(error, { path, code, condition, name: 'StoreUnavailableError' }, code);
    t.ok(error!.message.startsWith(`the store ${path} `), `${code}: the message names the file`);
    t.match(error!.message, `(${code}): `, `${code}: and the code`);
    t.notMatch(error!.message, /\n/, `${code}: on one line`);
  }
  t.equal(
    storeErrorOf(raw('SQLITE_FULL'), path)!.message,
    'the store /srv/ogd/catalog.db is full (SQLITE_FULL): free disk space or move DATABASE_PATH, then run again',
  );
  t.equal(
    storeErrorOf(raw('SQLITE_READONLY'), path)!.message,
    "the store /srv/ogd/catalog.db is read-only (SQLITE_READONLY): check the file's and directory's permissions (WAL needs the directory writable) or set DATABASE_PATH",
  );

  // Not conditions of the store: a constraint broken by a bug, an error of something else, no error at all.
  for (const other of [
    raw('SQLITE_CONSTRAINT_UNIQUE'),
    raw('SQLITE_ERROR'),
    raw('ECONNRESET'),
    new Error('plain'),
    null,
    undefined,
    'SQLITE_FULL',
    { code: 42 },
  ]) {
    t.equal(storeErrorOf(other, path), undefined, `${String((other as { code?: unknown } | null)?.code ?? other)} is not a store condition`);
  }
  // The system's codes are the store's only where the store's directory is created (the open):
  // elsewhere an ENOENT or EACCES is, say, a `file` source's.
  for (const [code, condition] of [
    ['ENOSPC', 'full'],
    ['EDQUOT', 'full'],
    ['EACCES', 'read-only'],
    ['EROFS', 'read-only'],
    ['ENOTDIR', 'cannot-open'],
    ['EEXIST', 'cannot-open'],
    ['EIO', 'io'],
  ]) {
    t.equal(storeErrorOf(raw(code!), path), undefined, `${code} met elsewhere is not the store's`);
    t.match(openErrorOf(raw(code!), path), { path, code, condition }, `${code} opening the store`);
  }
  t.match(openErrorOf(raw('SQLITE_NOTADB'), path), { condition: 'corrupt' });
  t.equal(openErrorOf(raw('ECONNRESET'), path), undefined);
  const already = storeErrorOf(raw('SQLITE_FULL'), path)!;
  t.equal(storeErrorOf(already, '/elsewhere.db'), already, 'a classified error keeps its file');
});

t.test('real SQLite errors: a full store and a read-only connection', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  const db = openDatabase(path);
  t.teardown(() => db.close());
  syncSources(db, [source]);
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const full = t.throws(() => fill(db)) as Error;
  t.match(storeErrorOf(full, db.name), { condition: 'full', code: 'SQLITE_FULL', path });

  const readOnly = openDatabase(path, { readonly: true });
  t.teardown(() => readOnly.close());
  t.equal(readOnly.prepare('SELECT id FROM sources').pluck().get(), 'agency', 'a read-only connection reads');
  const refused = t.throws(() => readOnly.prepare("UPDATE sources SET name = 'x'").run()) as Error;
  t.match(storeErrorOf(refused, readOnly.name), { condition: 'read-only', code: 'SQLITE_READONLY', path });
});

t.test('opening a store that cannot be used is a typed error naming the file', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);

  const isDir = join(dir, 'a-directory');
  mkdirSync(isDir);
  t.throws(() => openDatabase(isDir), {
    name: 'StoreUnavailableError',
    condition: 'cannot-open',
    path: isDir,
    message: /^the store .*a-directory cannot be opened \(SQLITE_CANTOPEN\): /,
  });

  writeFileSync(join(dir, 'a-file'), '');
  const underFile = join(dir, 'a-file', 'catalog.db');
  t.throws(() => openDatabase(underFile), { name: 'StoreUnavailableError', condition: 'cannot-open', code: 'EEXIST', path: underFile });

  const notDb = join(dir, 'notes.txt');
  writeFileSync(notDb, 'these are not the pages of a SQLite database '.repeat(200));
  t.throws(() => openDatabase(notDb), {
    name: 'StoreUnavailableError',
    condition: 'corrupt',
    code: 'SQLITE_NOTADB',
    path: notDb,
    message: /restore it from a backup/,
  });
  t.throws(
    () => openDatabase(join(dir, 'missing.db'), { readonly: true }),
    { name: 'StoreUnavailableError', condition: 'cannot-open' },
    'a read-only open of no file',
  );

  // Permissions stop only a user other than root (the tests may run as root, which they do not stop).
  if (process.getuid?.() === 0) {
    t.comment('running as root: a read-only file and directory cannot be made here; the classification of SQLITE_READONLY is tested above');
  } else {
    const lockedDir = join(dir, 'locked');
    mkdirSync(lockedDir);
    const locked = join(lockedDir, 'catalog.db');
    openDatabase(locked).close();
    chmodSync(locked, 0o444);
    chmodSync(lockedDir, 0o555);
    t.teardown(() => chmodSync(lockedDir, 0o755));
    t.throws(() => openDatabase(locked), { name: 'StoreUnavailableError', condition: /read-only|cannot-open/, path: locked });
  }
});

t.test(`${TEST_MAX_PAGE_COUNT_ENV} makes every connection of the process fill up at that size`, async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  const pages = (() => {
    const db = openDatabase(path);
    syncSources(db, [source]);
    const count = db.pragma('page_count', { simple: true }) as number;
    db.close();
    return count;
  })();
  process.env[TEST_MAX_PAGE_COUNT_ENV] = String(pages);
  t.teardown(() => delete process.env[TEST_MAX_PAGE_COUNT_ENV]);
  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.equal(db.pragma('max_page_count', { simple: true }), pages);
  t.throws(() => fill(db), { code: 'SQLITE_FULL' });
});

t.test('a run the store failed under ends failed with the reason; one the store would not close is closed at the next start', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  const db = openDatabase(path);
  t.teardown(() => db.close());
  syncSources(db, [source]);
  const full = storeErrorOf(raw('SQLITE_FULL'), path)!;

  const first = queueRun(db, 'agency');
  markRunStarted(db, first, null);
  const counts = { ...emptyCounts(), pages: 2, seen: 10, created: 10 };
  t.equal(failRunOnStoreError(db, { id: first, sourceId: 'agency', counts }, full), true);
  t.match(lastRun(db, 'agency'), { id: first, status: 'failed', message: full.message, pages: 2, records_created: 10, error_count: 1 });
  t.match(runErrors(db, first), [{ stage: 'store', rule: 'SQLITE_FULL', message: full.message }]);
  t.equal(failRunOnStoreError(db, { id: first, sourceId: 'agency' }, full), true, 'a closed run is left as it is');
  t.equal(runErrors(db, first).length, 1, 'without a second error');

  // The store refuses every write (as a full disk may refuse even the run's end).
  const second = queueRun(db, 'agency');
  markRunStarted(db, second, null);
  db.pragma('query_only = 1');
  t.equal(failRunOnStoreError(db, { id: second, sourceId: 'agency', counts: emptyCounts() }, full), false, 'the run could not be closed');
  db.pragma('query_only = 0');
  t.match(lastRun(db, 'agency'), { id: second, status: 'running' }, 'it is still open');
  // This process is alive and the run is its own, yet it no longer blocks the source.
  const third = queueRun(db, 'agency');
  t.match(
    db.prepare('SELECT id, status, message FROM runs WHERE id = ?').get(second),
    { status: 'failed', message: full.message },
    'closed with its reason by the next run',
  );
  t.not(third, second);

  // The same through closeCrashedRuns (a start of this process's gateway, e.g. serve's next harvest).
  markRunStarted(db, third, null);
  db.pragma('query_only = 1');
  failRunOnStoreError(db, { id: third, sourceId: 'agency' }, full);
  db.pragma('query_only = 0');
  t.equal(closeCrashedRuns(db), 1);
  t.match(lastRun(db, 'agency'), { id: third, status: 'failed', message: full.message });

  // A run of this process that the store did not fail under still blocks its source.
  const live = queueRun(db, 'agency');
  t.throws(() => queueRun(db, 'agency'), SourceBusyError);
  t.equal(closeCrashedRuns(db), 0);
  t.match(lastRun(db, 'agency'), { id: live, status: 'queued' });
});

t.test('a raw better-sqlite3 open of a directory fails the way the classification expects', async (t) => {
  // Guards the assumption the classification rests on: better-sqlite3 names the code SQLite gives.
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  t.throws(() => new Database(dir), { code: 'SQLITE_CANTOPEN' });
});

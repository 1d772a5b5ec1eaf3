import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import { openErrorOf, StoreError } from './store-errors.js';

export { StoreError };
export type Db = Database.Database;

/**
 * Tests only: the store "fills up" at this many pages (SQLite's per-connection max_page_count),
 * so a test can meet SQLITE_FULL without filling a disk. Unset in use.
 */
export const TEST_MAX_PAGE_COUNT_ENV = 'OGD_TEST_MAX_PAGE_COUNT';

/**
 * Open (creating if needed) the SQLite catalogue and bring its schema up to date.
 * WAL lets the API read while the harvester writes; busy_timeout lets a second process
 * (a CLI harvest beside a running server) wait for the writer instead of failing.
 * A store that cannot be used (full, read-only, unopenable, failing, not a database) is a
 * StoreUnavailableError naming the file and what to do (store-errors.ts).
 */
export function openDatabase(path: string, options: { readonly?: boolean; env?: NodeJS.ProcessEnv } = {}): Db {
  let db: Db | undefined;
  try {
    if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    // A second process (a CLI harvest beside `serve`) waits for the writer rather than failing.
    // The longest write is identity resolution after a big run (about 7 s for the first of
    // 100,000 records on a 2-core machine, docs/benchmarks.md): wait well past that.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!options.readonly) {
      // The first writes: a read-only file or directory, a full disk or a file that is not a database fails here.
      switchToWal(db);
      // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
      db.pragma('synchronous = NORMAL');
      // A checkpoint (the WAL copied into the file, which is then fsynced) every 64 MB of WAL instead
      // of SQLite's 4 MB: at 4 MB nearly every page a harvest commits set one off, about a fifth of
      // its write time (docs/benchmarks.md, issue 15). The size limit gives the space back after one.
      db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      migrate(db);
    }
    db.pragma('foreign_keys = ON');
    limitPagesForTests(db, options.env ?? process.env);
    return db;
  } catch (err) {
    db?.close();
    const unavailable = openErrorOf(err, path);
    if (unavailable) throw unavailable;
    if (err instanceof StoreError || db !== undefined) throw err;
    throw new StoreError(`cannot open database ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** WAL pages (4 KB each) between automatic checkpoints: 64 MB. */
const WAL_CHECKPOINT_PAGES = 16_384;
/** What a checkpointed WAL is truncated back to. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** How long a connection waits for another's write lock (busy_timeout). */
const BUSY_TIMEOUT_MS = 30_000;

/**
 * `PRAGMA journal_mode = WAL`, retried while another connection holds the lock. SQLite answers
 * SQLITE_BUSY at once, without its busy handler, when the switch would otherwise deadlock with a
 * connection doing the same: processes opening one new store together (`serve` and a CLI harvest
 * started at once) failed about one open in 150 on a loaded machine. Retried for as long as the
 * busy timeout would wait.
 */
function switchToWal(db: Db): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() + pause > deadline) throw err;
      // openDatabase is synchronous (every verb opens the store before anything else runs).
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    }
  }
}

function limitPagesForTests(db: Db, env: NodeJS.ProcessEnv): void {
  const pages = Number(env[TEST_MAX_PAGE_COUNT_ENV]);
  if (Number.isSafeInteger(pages) && pages > 0) db.pragma(`max_page_count = ${pages}`);
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new StoreError(`the store ${db.name} has schema version ${current}, newer than this ogd-gateway knows (${latest}): upgrade ogd-gateway`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      // Read the version again under the write lock: two processes opening a new (or old) store
      // at once both saw it behind; the second finds the first's work done and skips it.
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

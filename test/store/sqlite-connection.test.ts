/**
 * The SQLite connection under the async contract (src/store/sqlite/connection.ts): a session
 * that holds the connection across awaits is never interleaved with other callers' statements,
 * and store conditions leave as StoreUnavailableError naming the file.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.js';
import { SqliteConnection } from '../../src/store/sqlite/connection.js';

import { StoreUnavailableError } from '../../src/store/store-errors.js';
import { tempDir } from '../helpers/gateway.js';

function connection(t: Test): SqliteConnection {
  const { dir, cleanup } = tempDir('ogd-connection-');
  const path = join(dir, 'c.db');
  const db = openDatabase(path);
  db.exec('CREATE TABLE log (n INTEGER)');
  const c = new SqliteConnection(db, path);
  t.teardown(() => {
    try {
      c.close();
    } catch {
      // closed by the test
    }
    cleanup();
  });
  return c;
}

t.test('calls made while a session holds the connection wait for it, in order', async (t) => {
  const c = connection(t);
  const insert = c.call((db, n: number) => db.prepare('INSERT INTO log (n) VALUES (?)').run(n).changes);
  const all = c.call((db) => db.prepare('SELECT n FROM log ORDER BY rowid').pluck().all() as number[]);
  const seenInside: number[][] = [];
  const session = c.exclusive(async (db) => {
    db.exec('BEGIN IMMEDIATE');
    db.prepare('INSERT INTO log (n) VALUES (1)').run();
    // A real pause: other callers get the event loop, and must not get the connection.
    await new Promise((resolve) => setTimeout(resolve, 20));
    seenInside.push(db.prepare('SELECT n FROM log ORDER BY rowid').pluck().all() as number[]);
    db.prepare('INSERT INTO log (n) VALUES (2)').run();
    db.exec('COMMIT');
    return 'done';
  });
  const outside = insert(3);
  const read = all();
  t.equal(await session, 'done');
  t.equal(await outside, 1);
  t.same(seenInside, [[1]], 'nothing ran inside the session but the session');
  t.same(await read, [1, 2, 3], 'the waiting calls ran after it, in the order made');
  t.same(await all(), [1, 2, 3]);
});

t.test('a failed session releases the connection and its error reaches the caller', async (t) => {
  const c = connection(t);
  const failing = c.exclusive(async () => {
    await Promise.resolve();
    throw new Error('work failed');
  });
  const after = c.call((db) => db.prepare('SELECT COUNT(*) FROM log').pluck().get())();
  await t.rejects(failing, /work failed/);
  t.equal(await after, 0, 'the next call runs');
});

t.test('a transaction across awaits: committed when its work resolves, rolled back when it rejects, its session refused after it', async (t) => {
  const c = connection(t);
  const count = c.call((db) => db.prepare('SELECT COUNT(*) FROM log').pluck().get() as number);
  let kept: SqliteConnection | undefined;
  await c.transaction('BEGIN IMMEDIATE', async (session) => {
    kept = session;
    await session.call((db) => db.prepare('INSERT INTO log (n) VALUES (1)').run())();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await session.call((db) => db.prepare('INSERT INTO log (n) VALUES (2)').run())();
  });
  t.equal(await count(), 2, 'committed');
  await t.rejects(
    c.transaction('BEGIN', async (session) => {
      await session.call((db) => db.prepare('INSERT INTO log (n) VALUES (3)').run())();
      throw new Error('refused half-way');
    }),
    /refused half-way/,
  );
  t.equal(await count(), 2, 'rolled back: nothing of the refused work stays');
  await t.rejects(kept!.call((db) => db.name)(), /has ended/, 'a session kept past its transaction is refused');
});

t.test('store conditions become StoreUnavailableError naming the file; other errors pass as they are', async (t) => {
  const c = connection(t);
  const busy = c.call(() => {
    throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
  });
  const err = await busy().catch((e: unknown) => e);
  t.type(err, StoreUnavailableError);
  t.match((err as Error).message, /c\.db could not be read or written/);
  const bug = c.call((db) => db.prepare('SELECT * FROM no_such_table').all());
  await t.rejects(bug(), { code: 'SQLITE_ERROR' }, 'a bug is not dressed up as a store condition');
  c.close();
  await t.rejects(c.call((db) => db.name)(), /is closed/);
});
